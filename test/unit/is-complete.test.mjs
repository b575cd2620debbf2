// is_complete (messaging spec: "Code completeness"): complete, incomplete with the indent for the
// next line, or invalid. Consoles (jupyter console, qtconsole) use this to decide whether Enter
// runs the cell or opens a new line.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const { checkComplete } = createRequire(import.meta.url)('../../dist/language/is-complete.js');

test('complete: expressions, declarations, blocks, TypeScript-only syntax, top-level await and return', () => {
  const samples = [
    '1 + 1',
    'const x = 1;',
    'const a = 1\n',
    'function f() {\n  return 1;\n}',
    'interface Point { x: number; y: number }',
    'enum Color { Red, Green }',
    'const id = <T,>(x: T): T => x',
    'await Promise.resolve(1)',
    'import fs from "node:fs"',
    'let s = `a\nb`',
    '/* done */ 1',
    'x = 1 // a trailing comment ending in +',
    // A bare top-level `return` is not valid in a module, but the kernel accepts it in cells.
    'return 5',
    '',
  ];
  for (const code of samples) assert.deepEqual(checkComplete(code), { status: 'complete' }, JSON.stringify(code));
});

test('incomplete: an open brace, indented one level deeper than its line', () => {
  assert.deepEqual(checkComplete('function f() {'), { status: 'incomplete', indent: '  ' });
  assert.deepEqual(checkComplete('function f() {\n'), { status: 'incomplete', indent: '  ' });
  assert.deepEqual(checkComplete('class A {\n  m() {'), { status: 'incomplete', indent: '    ' });
  assert.deepEqual(checkComplete('\tif (a) {'), { status: 'incomplete', indent: '\t  ' });
  assert.deepEqual(checkComplete('const o = {\n  a: 1,'), { status: 'incomplete', indent: '  ' });
  assert.deepEqual(checkComplete('foo('), { status: 'incomplete', indent: '  ' });
});

test('incomplete: an open template literal', () => {
  const result = checkComplete('const s = `first line');
  assert.equal(result.status, 'incomplete');
  assert.equal(typeof result.indent, 'string');
  assert.equal(checkComplete('const s = `a\nb').status, 'incomplete');
});

test('incomplete: an open block comment', () => {
  assert.deepEqual(checkComplete('/* still writing'), { status: 'incomplete', indent: '' });
  assert.equal(checkComplete('const x = 1\n/**\n * docs').status, 'incomplete');
});

test('incomplete: a trailing binary operator (also after blank lines)', () => {
  for (const code of ['1 +', 'const ok = a &&', 'let y = a ?', 'const total = price *\n', '1 +\n\n']) {
    assert.deepEqual(checkComplete(code), { status: 'incomplete', indent: '' }, JSON.stringify(code));
  }
});

test('incomplete: other unfinished statements', () => {
  for (const code of ['if (x)', 'const f = (a: number) =>', 'type T =', '[1, 2,', 'x.']) {
    assert.equal(checkComplete(code).status, 'incomplete', JSON.stringify(code));
  }
});

test('invalid: errors before the end of the code', () => {
  for (const code of ['let = ;', ')', '}', 'const = 5', '1 +* 2', 'let x: = 3', '1 + 1\n)\n', 'f(\n1 +* 2']) {
    assert.deepEqual(checkComplete(code), { status: 'invalid' }, JSON.stringify(code));
  }
});

test('invalid: an ordinary string literal cannot run past the end of its line', () => {
  assert.deepEqual(checkComplete('const s = "abc'), { status: 'invalid' });
});

// ---- Regression tests for problems found while writing these tests (see the report) ----

test('a string ended by a line continuation backslash is incomplete, not invalid', () => {
  // ECMAScript LineContinuation: `"abc\` + newline continues the string on the next line.
  assert.equal(checkComplete('const s = "abc\\\n').status, 'incomplete');
});

test('an open brace followed by a line comment still indents the next line', () => {
  assert.deepEqual(checkComplete('function f() { // start'), { status: 'incomplete', indent: '  ' });
});
