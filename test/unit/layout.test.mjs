// The architecture, as the folders of kernel/ state it: which folder may import which, so a
// reader can tell from a path which process runs the code and what it can reach.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const KERNEL = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'kernel');

function sources(dir = KERNEL) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sources(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

const folderOf = (file) => path.relative(KERNEL, file).split(path.sep)[0];

/** Folder → the folders its files import, from every relative import or require. */
function folderImports() {
  const imports = new Map();
  for (const file of sources()) {
    const from = folderOf(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:from |require\(|import\()'(\.{1,2}\/[^']*)'/g)) {
      const target = path.resolve(path.dirname(file), spec);
      if (!target.startsWith(KERNEL + path.sep)) continue;
      const to = folderOf(target);
      if (to !== from) imports.set(from, new Set([...(imports.get(from) ?? []), to]));
    }
  }
  return imports;
}

/** What each folder may import; anything else breaks the layout the README describes. */
const ALLOWED = {
  protocol: [],
  transport: ['protocol'],
  core: ['protocol'],
  common: ['protocol'],
  display: ['protocol', 'common'],
  executor: ['protocol', 'common', 'display'],
  checker: ['common'],
  language: ['protocol', 'common', 'display', 'core', 'checker'],
  client: ['protocol', 'transport'],
  cli: ['protocol', 'transport', 'core', 'language', 'common', 'display', 'client'],
};

test('each folder of kernel/ imports only the folders below it (core/ only protocol/)', () => {
  const imports = folderImports();
  assert.deepEqual([...imports.keys()].filter((folder) => !(folder in ALLOWED)), [], 'a new folder needs a place in ALLOWED and the README');
  for (const [from, targets] of imports) {
    const wrong = [...targets].filter((to) => !ALLOWED[from].includes(to));
    assert.deepEqual(wrong, [], `kernel/${from}/ imports ${wrong.join(', ')}`);
  }
});

test('no two folders import each other', () => {
  const imports = folderImports();
  const cycles = [...imports].flatMap(([from, targets]) => [...targets].filter((to) => imports.get(to)?.has(from)).map((to) => `${from} ↔ ${to}`));
  assert.deepEqual(cycles, []);
});

test('no source file is longer than 400 lines', () => {
  const long = sources().map((file) => [path.relative(KERNEL, file), readFileSync(file, 'utf8').split('\n').length]).filter(([, lines]) => lines > 400);
  assert.deepEqual(long, []);
});
