// Debian's Python (python3-jupyter-client and friends), run with a clean environment: another
// python3 earlier on PATH cannot see those packages.
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const PYTHON = '/usr/bin/python3';

/** Runs `python3 script ...args`; resolves to the JSON object on its last stdout line. `env` adds to a clean one. */
export function runPython(script, args = [], { timeoutMs = 120_000, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [script, ...args], {
      // No __pycache__ in the source tree; TMPDIR passed on, so the kernels Python starts use the test
      // file's own temporary folder (private-tmp.mjs).
      env: { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir(), TMPDIR: tmpdir(), PYTHONDONTWRITEBYTECODE: '1', PYDEVD_DISABLE_FILE_VALIDATION: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text) => (stderr = (stderr + text).slice(-64 * 1024)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trimEnd().split('\n').pop() ?? '';
      const fail = (why) => reject(new Error(`${path.basename(script)} ${why}\n--- stderr ---\n${stderr}\n--- stdout tail ---\n${stdout.slice(-2000)}`));
      if (code !== 0) return fail(`exited with ${signal ?? `code ${code}`}${signal === 'SIGKILL' ? ` (timeout ${timeoutMs} ms)` : ''}`);
      try {
        resolve(JSON.parse(last));
      } catch {
        fail('did not print a JSON object on its last line');
      }
    });
  });
}
