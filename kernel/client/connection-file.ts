import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionInfo } from '../protocol/connection';

/** A port the OS just handed out on 127.0.0.1, released for the kernel to bind. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Writes a fresh connection file (random ports and key) readable only by this user. */
export async function writeConnectionFile(): Promise<{ path: string; dir: string; info: ConnectionInfo }> {
  const [shell_port, iopub_port, stdin_port, control_port, hb_port] = await Promise.all([1, 2, 3, 4, 5].map(freePort));
  const info: ConnectionInfo = { transport: 'tcp', ip: '127.0.0.1', shell_port, iopub_port, stdin_port, control_port, hb_port, key: randomBytes(32).toString('hex'), signature_scheme: 'hmac-sha256' };
  const dir = mkdtempSync(join(tmpdir(), 'tempo-run-'));
  const path = join(dir, 'kernel.json');
  writeFileSync(path, JSON.stringify(info), { mode: 0o600 });
  return { path, dir, info };
}
