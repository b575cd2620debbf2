// Runs Python scenarios (test/conformance/scenarios/*.py) against the real Tempo kernel through
// Debian's jupyter_client. Each test file gets its own kernelspec in a fresh temp prefix, so the
// tests never touch the user's Jupyter setup and always start this checkout's dist/.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPython } from './python.mjs';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const scenariosDir = path.join(repo, 'test', 'conformance', 'scenarios');

/**
 * Registers before/after hooks that install the kernelspec into a temp prefix and remove it
 * afterwards. Call once at the top of a test file; use the returned runScenario in tests.
 */
export function kernelEnv() {
  let prefix;
  before(() => {
    prefix = mkdtempSync(path.join(tmpdir(), 'tempo-conformance-'));
    const install = spawnSync(process.execPath, [path.join(repo, 'bin', 'tempo'), 'install', '--prefix', prefix, '--name', 'tempo'], { encoding: 'utf8' });
    assert.equal(install.status, 0, `tempo install failed:\n${install.stdout}\n${install.stderr}`);
  });
  after(() => {
    if (prefix) rmSync(prefix, { recursive: true, force: true });
  });

  /** Runs `python3 scriptPath ...args` with this file's kernelspec; resolves to the JSON object on its last stdout line. */
  function runScenario(scriptPath, args = [], { timeoutMs = 60_000 } = {}) {
    const env = { HOME: process.env.HOME ?? prefix, JUPYTER_PATH: path.join(prefix, 'share', 'jupyter'), JUPYTER_RUNTIME_DIR: path.join(prefix, 'runtime') };
    return runPython(scriptPath, args, { timeoutMs, env });
  }

  return { runScenario };
}

/**
 * One scenario shared by the tests of a file: it runs once, on first use, and each test then
 * reads its own check with `check(name)`, which fails with the Python traceback if it raised.
 */
export function sharedScenario(env, name, options) {
  let pending;
  const results = () => (pending ??= env.runScenario(path.join(scenariosDir, name), [], options));
  return async function check(checkName) {
    const all = await results();
    assert.ok(checkName in all, `${name} did not report check ${checkName} (unknown name, or an earlier check left the kernel unusable)`);
    const outcome = all[checkName];
    if (outcome && typeof outcome === 'object' && 'exception' in outcome) {
      assert.fail(`${name}: check ${checkName} raised in Python:\n${outcome.exception}`);
    }
    return outcome;
  };
}

/** Kernel text without ANSI colour codes (tracebacks are coloured). */
export const stripAnsi = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');

export const types = (messages) => messages.map((m) => m.msg_type);

export const ofType = (messages, type) => messages.filter((m) => m.msg_type === type);

/** text/plain of the execute_result among an execute's IOPub messages. */
export function resultText(executed) {
  return ofType(executed.iopub, 'execute_result')[0]?.content.data['text/plain'];
}

/** All text of one stream (stdout or stderr) among `messages`, concatenated in order. */
export function streamText(messages, name) {
  return ofType(messages, 'stream')
    .filter((m) => m.content.name === name)
    .map((m) => m.content.text)
    .join('');
}
