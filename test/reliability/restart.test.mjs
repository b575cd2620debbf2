// Shutdown and restart 20 times in a row through jupyter_client's KernelManager.restart_kernel
// (what JupyterLab's "Restart kernel" does): each restart is a fresh kernel with fresh state, and
// afterwards no kernel or executor process, listening socket or temp file is left behind.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cmdline, isAlive, repo, runPython } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROUNDS = 20;

let prefix;
let kernelTmp;
let result;

/** Pids of executor-process-main processes whose TMPDIR is ours: `pgrep -f executor-process-main`, scoped to this test's kernels. */
function ourExecutors() {
  const found = spawnSync('pgrep', ['-f', 'executor-process-main'], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).map(Number);
  return found.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`TMPDIR=${kernelTmp}`);
    } catch {
      return false;
    }
  });
}

before(async () => {
  prefix = mkdtempSync(path.join(tmpdir(), 'tempo-restart-'));
  // The kernels' own temp folder: whatever they leave there is theirs.
  kernelTmp = path.join(prefix, 'tmp');
  mkdirSync(kernelTmp);
  const install = spawnSync(process.execPath, [path.join(repo, 'bin', 'tempo'), 'install', '--prefix', prefix, '--name', 'tempo'], { encoding: 'utf8' });
  assert.equal(install.status, 0, `tempo install failed:\n${install.stdout}\n${install.stderr}`);
  result = await runPython(path.join(here, 'restart_loop.py'), [String(ROUNDS)], {
    timeoutMs: 150_000,
    env: { JUPYTER_PATH: path.join(prefix, 'share', 'jupyter'), JUPYTER_RUNTIME_DIR: path.join(prefix, 'runtime'), TMPDIR: kernelTmp },
  });
});

after(() => {
  if (prefix) rmSync(prefix, { recursive: true, force: true });
});

test(`${ROUNDS} restarts: each a new kernel process with fresh state`, () => {
  assert.equal(result.kernels.length, ROUNDS + 1);
  assert.equal(new Set(result.kernels).size, ROUNDS + 1, 'a new pid each time');
  assert.deepEqual(result.fresh_state, Array(ROUNDS + 1).fill("'fresh'"), 'no state survives a restart');
  assert.equal(result.executors.length, ROUNDS + 1, 'one executor per kernel');
});

test('after the final shutdown no kernel or executor process is left', () => {
  const alive = [...result.kernels, ...result.executors].filter((pid) => isAlive(pid) && /tempo|executor-process-main/.test(cmdline(pid)));
  assert.deepEqual(alive, []);
  assert.deepEqual(ourExecutors(), [], 'pgrep -f executor-process-main finds none of ours');
});

test('after the final shutdown nothing listens on the kernel ports, and no connection or temp file is left', () => {
  const listening = new Set();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').trim().split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '0A') listening.add(parseInt(cols[1].split(':').pop(), 16));
    }
  }
  assert.deepEqual(result.ports.filter((port) => listening.has(port)), []);
  assert.equal(result.connection_file_left, false);
  const runtime = path.join(prefix, 'runtime');
  assert.deepEqual(existsSync(runtime) ? readdirSync(runtime).filter((f) => f.endsWith('.json')) : [], [], 'runtime dir holds no connection file');
  assert.deepEqual(readdirSync(kernelTmp), [], "nothing left in the kernels' TMPDIR");
});

test('the connection file jupyter_client wrote was readable by its owner only', () => {
  assert.equal(result.connection_file_mode, '0o600');
});
