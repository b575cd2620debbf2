// Runs jupyter_kernel_test (Debian's python3-jupyter-kernel-test) against the real kernel: installs
// the kernelspec into a temporary prefix, then `python3 -m unittest -v jkt_tempo` with only that
// prefix and Debian's python on the paths. See jkt_tempo.py for the samples and for which tests skip.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireTool } from '../helpers/require-tool.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const PYTHON = '/usr/bin/python3';
// Debian's python sees Debian's packages only with a plain PATH (another python3 may come first).
const PYTHON_PATH = '/usr/bin:/bin';

const probe = existsSync(PYTHON)
  ? spawnSync(PYTHON, ['-c', 'import jupyter_kernel_test'], { encoding: 'utf8', env: { PATH: PYTHON_PATH, HOME: process.env.HOME ?? tmpdir() } })
  : undefined;
const noJkt = requireTool(probe?.status !== 0 && `jupyter_kernel_test not importable by ${PYTHON} (apt-get install python3-jupyter-kernel-test): ${probe?.stderr ?? 'no python'}`);

/** Counts from unittest's closing lines: "Ran N tests in …s", then "OK (skipped=K)" or "FAILED (failures=F, errors=E, skipped=K)". */
function parseSummary(output) {
  const ran = /^Ran (\d+) tests? in [\d.]+s$/m.exec(output);
  const verdict = /^(OK|FAILED)(?: \(([^)]*)\))?$/m.exec(output);
  if (!ran || !verdict) return undefined;
  const counts = Object.fromEntries((verdict[2] ?? '').split(',').filter(Boolean).map((part) => {
    const [name, value] = part.trim().split('=');
    return [name, Number(value)];
  }));
  return { ran: Number(ran[1]), ok: verdict[1] === 'OK', failures: counts.failures ?? 0, errors: counts.errors ?? 0, skipped: counts.skipped ?? 0, unexpectedSuccesses: counts['unexpected successes'] ?? 0 };
}

test('jupyter_kernel_test passes against the tempo kernel', { skip: noJkt, timeout: 300_000 }, () => {
  const prefix = mkdtempSync(path.join(tmpdir(), 'tempo-jkt-'));
  try {
    const install = spawnSync(process.execPath, [path.join(repo, 'bin', 'tempo'), 'install', '--prefix', prefix, '--name', 'tempo'], { encoding: 'utf8' });
    assert.equal(install.status, 0, `tempo install failed:\n${install.stdout}${install.stderr}`);

    const run = spawnSync(PYTHON, ['-m', 'unittest', '-v', 'jkt_tempo'], {
      cwd: here,
      encoding: 'utf8',
      timeout: 240_000,
      env: {
        JUPYTER_PATH: path.join(prefix, 'share', 'jupyter'),
        PATH: PYTHON_PATH,
        HOME: process.env.HOME ?? prefix,
        // Silences debugpy's frozen-modules warning when ipykernel's modules get imported.
        PYDEVD_DISABLE_FILE_VALIDATION: '1',
        // No __pycache__ left beside jkt_tempo.py in the work tree.
        PYTHONDONTWRITEBYTECODE: '1',
      },
    });
    // unittest reports on stderr; keep both streams for the failure message.
    const output = `${run.stdout}${run.stderr}`;
    const failed = output.split('\n').filter((line) => /^(FAIL|ERROR): /.test(line));
    const context = `\n${failed.length ? `failing: ${failed.join('; ')}\n` : ''}--- unittest output ---\n${output}${run.error ? `\n${run.error}` : ''}`;

    const summary = parseSummary(output);
    assert.ok(summary, `no unittest summary found${context}`);
    assert.equal(summary.failures, 0, `failures${context}`);
    assert.equal(summary.errors, 0, `errors${context}`);
    assert.ok(summary.ok, `unittest did not report OK${context}`);
    assert.ok(summary.ran >= 10, `only ${summary.ran} tests ran${context}`);
    assert.equal(run.status, 0, `exit code ${run.status} (signal ${run.signal})${context}`);
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
});
