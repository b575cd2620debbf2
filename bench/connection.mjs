// Connection files as Jupyter writes them: five free TCP ports on 127.0.0.1, a random key, hmac-sha256.
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const CHANNELS = ['shell', 'iopub', 'stdin', 'control', 'hb'];

/** Asks the OS for a free port by binding port 0, then releases it (jupyter_client does the same). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Writes a fresh connection file into `dir` and returns its path and contents. */
export async function writeConnectionFile(dir) {
  const ports = new Set();
  // The OS may hand back a port it just gave us; all five must differ.
  while (ports.size < CHANNELS.length) ports.add(await freePort());
  const [shell, iopub, stdin, control, hb] = ports;
  const info = {
    transport: 'tcp',
    ip: '127.0.0.1',
    shell_port: shell,
    iopub_port: iopub,
    stdin_port: stdin,
    control_port: control,
    hb_port: hb,
    key: randomBytes(32).toString('hex'),
    signature_scheme: 'hmac-sha256',
    kernel_name: '',
  };
  const path = join(dir, `kernel-${randomUUID()}.json`);
  writeFileSync(path, JSON.stringify(info, null, 1), { mode: 0o600 });
  return { path, info };
}
