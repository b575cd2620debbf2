// `npm run lab`: this JupyterLab build with the Tempo kernel, on a machine with Debian's
// jupyter_server and jupyterlab_server but no `jupyter lab` (who has JupyterLab just runs it).
// Serves notebooks/ at http://127.0.0.1:8888/lab with the kernelspec installed under
// test/jupyterlab/build/, so the user's own Jupyter setup is not touched.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureLabBuilt } from '../e2e/lab.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const prefix = path.join(here, 'build', 'kernel-prefix');
const port = process.env.PORT ?? '8888';
const token = randomBytes(16).toString('hex');

console.log(ensureLabBuilt());
const install = spawnSync(process.execPath, [path.join(repo, 'bin', 'tempo'), 'install', '--prefix', prefix], { stdio: 'inherit' });
if (install.status !== 0) process.exit(install.status ?? 1);
console.log(`JupyterLab with Tempo: http://127.0.0.1:${port}/lab?token=${token}`);
const server = spawn('/usr/bin/python3', [
  path.join(here, 'lab_app.py'), '--ServerApp.ip=127.0.0.1', `--ServerApp.port=${port}`, `--ServerApp.token=${token}`,
  '--no-browser', `--ServerApp.root_dir=${path.join(repo, 'notebooks')}`, ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
  // New notebooks get Tempo, and without ipykernel installed the lab does not warn of a missing python3.
  '--MappingKernelManager.default_kernel_name=tempo',
], { stdio: 'inherit', env: { ...process.env, PATH: '/usr/bin:/bin', JUPYTER_PATH: path.join(prefix, 'share', 'jupyter'), TEMPO_LAB_STATE: path.join(here, 'build', 'state') } });
server.on('exit', (code) => process.exit(code ?? 0));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
