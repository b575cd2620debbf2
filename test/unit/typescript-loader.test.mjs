// The checker loads TypeScript through a V8 code cache in the user's cache folder: made by the
// first kernel, used by the next, replaced when unusable. Each load runs in a fresh process.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const loader = fileURLToPath(new URL('../../dist/engine/typecheck/typescript-loader.js', import.meta.url));

/** Loads TypeScript in a new process with XDG_CACHE_HOME=`cache`, saves the cache, and reports. */
function load(cache) {
  const script = `const t = require(${JSON.stringify(loader)}).loadTypeScript(); t.saveCache();
    const ts = require('typescript');
    console.log(JSON.stringify({ fromCache: t.fromCache, version: ts.version, lib: require('node:fs').existsSync(ts.getDefaultLibFilePath({})) }));`;
  const result = spawnSync(process.execPath, ['-e', script], { cwd: path.dirname(loader), env: { ...process.env, XDG_CACHE_HOME: cache }, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

test('the first load writes the code cache, the next one uses it; a damaged cache is replaced', (t) => {
  const cache = mkdtempSync(path.join(tmpdir(), 'tempo-cache-test-'));
  t.after(() => rmSync(cache, { recursive: true, force: true }));
  assert.deepEqual(load(cache), { fromCache: false, version: '6.0.3', lib: true });
  const files = readdirSync(path.join(cache, 'tempo'));
  assert.equal(files.length, 1);
  assert.match(files[0], /^typescript-[0-9a-f]{16}\.v8cache$/);
  assert.deepEqual(load(cache), { fromCache: true, version: '6.0.3', lib: true });
  writeFileSync(path.join(cache, 'tempo', files[0]), 'not a code cache');
  assert.deepEqual(load(cache), { fromCache: false, version: '6.0.3', lib: true });
  assert.deepEqual(load(cache), { fromCache: true, version: '6.0.3', lib: true });
});

test('an unwritable cache folder only means compiling TypeScript each time', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tempo-cache-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const notAFolder = path.join(dir, 'file');
  writeFileSync(notAFolder, '');
  assert.deepEqual(load(notAFolder), { fromCache: false, version: '6.0.3', lib: true });
  assert.deepEqual(load(notAFolder), { fromCache: false, version: '6.0.3', lib: true });
});
