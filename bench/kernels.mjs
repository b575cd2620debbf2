// The kernels under test, each started from its kernelspec argv, as Jupyter would start it.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { writeConnectionFile } from './connection.mjs';
import { killOnExit, killTree, waitGone } from './proctree.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSLAB_BIN = join(ROOT, 'node_modules', '.bin', 'tslab');

/** Tempo's argv is whatever `tempo install` writes, read back from a throwaway prefix. */
function tempoArgv(scratch) {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) return 'dist/ is missing: run `npm run build`';
  const prefix = join(scratch, 'jupyter-prefix');
  execFileSync(join(ROOT, 'bin', 'tempo'), ['install', '--prefix', prefix, '--name', 'tempo-bench'], { stdio: 'ignore' });
  return JSON.parse(readFileSync(join(prefix, 'share', 'jupyter', 'kernels', 'tempo-bench', 'kernel.json'), 'utf8')).argv;
}

/**
 * tslab's installer needs IPython (absent here) and writes into Jupyter's folders, so use the
 * argv its python/install.py writes — `tslab kernel --config-path {connection_file}` — with the
 * `tslab` command resolved to the dev dependency instead of looked up on PATH.
 */
function tslabArgv() {
  if (!existsSync(TSLAB_BIN)) return 'tslab is not installed (npm install)';
  return [TSLAB_BIN, 'kernel', '--config-path', '{connection_file}'];
}

/** [{ name, argv }] with argv an array, or a string saying why that kernel cannot run here. */
export function kernelsUnderTest(scratch) {
  const attempt = (fn) => {
    try {
      return fn();
    } catch (error) {
      return error.message;
    }
  };
  return [
    { name: 'Tempo', argv: attempt(() => tempoArgv(scratch)) },
    { name: 'tslab', argv: attempt(tslabArgv) },
  ];
}

/**
 * Spawns the kernel on a fresh connection file. `startedAt` is taken just before spawn;
 * `stop()` kills the whole tree and waits until it is gone, so runs do not overlap.
 */
export async function launchKernel(kernel, scratch) {
  const connection = await writeConnectionFile(scratch);
  const argv = kernel.argv.map((arg) => arg.replaceAll('{connection_file}', connection.path));
  let output = '';
  const startedAt = performance.now();
  const child = spawn(argv[0], argv.slice(1), {
    // Own process group, like jupyter_client's start_new_session: one kill reaches the tree.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, JPY_PARENT_PID: String(process.pid) },
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // A missing or non-executable argv[0] is an 'error' event, not an exception.
  await new Promise((resolve, reject) => child.once('spawn', resolve).once('error', reject));
  const forget = killOnExit(child.pid);
  // Keep the last few kB of the kernel's output for error messages; draining also stops a full pipe from blocking it.
  const keep = (chunk) => {
    output = (output + chunk).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return {
    connection,
    pid: child.pid,
    startedAt,
    output: () => output.trim(),
    isAlive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      const pids = killTree(child.pid);
      await exited;
      await waitGone(pids);
      forget();
    },
  };
}
