// Cells driven from Node through Debian's jupyter_client (bench/cells.py), one request at a time,
// so the benchmark can look at the kernel (its memory, say) between two cells.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { killOnExit, killTree, waitGone } from './proctree.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/** The Python a Jupyter server would use, with a clean PATH so no other python or venv is picked up. */
export const PYTHON = '/usr/bin/python3';
// No __pycache__ next to the scripts: cells.py imports roundtrip.py.
export const PYTHON_ENV = { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', PYTHONDONTWRITEBYTECODE: '1' };

/**
 * Starts cells.py on a running kernel's connection file; resolves once it is subscribed to iopub.
 * `run(code, { repeat, timeout })` resolves with one result per repetition (see cells.py) and
 * rejects if any of them failed or lost its idle status; `close()` ends and reaps the client.
 */
export async function openCells(connectionFile) {
  const child = spawn(PYTHON, [join(HERE, 'cells.py'), connectionFile], { env: PYTHON_ENV, stdio: ['pipe', 'pipe', 'pipe'] });
  const forget = killOnExit(child.pid);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // Writing to a client that died is reported by the next read; no unhandled 'error' meanwhile.
  child.stdin.on('error', () => undefined);
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  // Python's last stderr line says what went wrong (a traceback's exception).
  const failure = (what) => new Error(`cells.py ${what}${stderr.trim() ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`);
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw failure('exited');
    return JSON.parse(value);
  };
  const close = async () => {
    child.stdin.end();
    const timer = setTimeout(() => killTree(child.pid), 5000);
    await exited;
    clearTimeout(timer);
    await waitGone([child.pid]);
    forget();
  };
  try {
    await next(); // {"ready": true}
  } catch (error) {
    killTree(child.pid);
    await close();
    throw error;
  }
  const ask = async (request) => {
    child.stdin.write(`${JSON.stringify(request)}\n`);
    const answer = await next();
    if (answer.error) throw new Error(`cells.py: ${answer.error} (${(request.code ?? request.complete).split('\n')[0]})`);
    return answer.runs;
  };
  return {
    /**
     * Runs `code`, each run finished once its idle status and the output `expect` asks for
     * ({ contains: text } or { lines: n }, see roundtrip.py) have come. With `allowLost`, a run that
     * never finished has `ms: null` instead of failing the call (tslab loses about one iopub
     * message in 512).
     */
    async run(code, { repeat = 1, timeout = 60, allowLost = false, expect = null } = {}) {
      const runs = await ask({ code, repeat, timeout, expect });
      for (const run of runs) {
        if (run.status !== 'ok') throw new Error(`cell ${JSON.stringify(code.split('\n')[0])}: ${run.status} ${run.ename ?? ''}: ${run.evalue ?? ''}`);
        if (run.ms === null && !allowLost) throw new Error(`cell ${JSON.stringify(code.split('\n')[0])}: no idle status or expected output after its reply`);
      }
      return runs;
    },
    /** complete_request with the cursor at the end of `code`: [{ ms, status, matches }]. */
    async complete(code, { repeat = 1, timeout = 60 } = {}) {
      const runs = await ask({ complete: code, repeat, timeout });
      const failed = runs.find((run) => run.status !== 'ok');
      if (failed) throw new Error(`complete ${JSON.stringify(code)}: ${failed.status}`);
      return runs;
    },
    close,
  };
}
