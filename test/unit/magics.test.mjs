// The one magic grammar, as the executor (expandMagics), the checker (blankMagics) and the
// kernel (typesMagic) read it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const { blankMagics, expandMagics, magicLines, magicList, typesMagic } = createRequire(import.meta.url)('../../dist/common/magics.js');

test('%lsmagic lists every magic of the registry, line and cell', () => {
  assert.equal(magicList(), 'Available line magics:\n%lsmagic  %time  %timeit  %timeline  %timing  %types\n\nAvailable cell magics:\n%%time  %%timeit  %%timeline\n');
});

test('a magic line inside a template literal or block comment is text, for all three readers', () => {
  const cell = 'const s = `\n%timing off\n`;\n/*\n%types off\n*/\ns';
  assert.deepEqual(magicLines(cell), []);
  assert.equal(blankMagics(cell), cell);
  assert.deepEqual(expandMagics(cell), { source: cell });
  const types = typesMagic(cell);
  assert.equal(types.mode, undefined, '%types off inside a comment changes nothing');
  assert.equal(types.query, false);
});

test('an unknown %name line that continues an expression is the remainder operator', () => {
  const cell = 'const x = 7, y = 3;\nconst r = x\n%y';
  assert.deepEqual(magicLines(cell), []);
  assert.equal(blankMagics(cell), cell);
});

test('an unknown %name line that cannot be code is a magic: the executor reports it, the checker ignores it', () => {
  const cell = '%nosuch 1\nconst a = 1';
  assert.deepEqual(magicLines(cell).map((m) => m.name), ['nosuch']);
  assert.equal(blankMagics(cell), '         \nconst a = 1');
  assert.throws(() => expandMagics(cell), /Line magic function `%nosuch` not found/);
});

test('%time keeps its statement at its own columns, trailing spaces and all', () => {
  assert.equal(blankMagics('%time  f()  '), '       f()  ');
  assert.equal(blankMagics('%timeit -n 1 1'), '             1');
});
