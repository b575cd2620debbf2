// transpileCell: TypeScript cell → JavaScript for V8's REPL mode. Static imports become awaited
// calls to the import helper, `export` goes away, and no rewrite ever moves a line (so stack
// traces and the source map keep pointing at the user's lines).
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Script } from 'node:vm';

const require = createRequire(import.meta.url);
const { transpileCell, CellSyntaxError, IMPORT_HELPER } = require('../../dist/executor/transpile.js');
const { transformSync } = require('oxc-transform');
const { TraceMap, generatedPositionFor, originalPositionFor } = require('@jridgewell/trace-mapping');

const compile = (source) => transpileCell(source, 'In[1]').code;

/** Lines of `code` without blank ones, trimmed: the statements as a reader sees them. */
const statements = (code) =>
  code
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/**
 * Asserts `code` parses as the body of an async function: a script with top-level await allowed,
 * which is what V8's REPL mode accepts (no `import`/`export` declarations, named function statements).
 */
function assertRunnableScript(code) {
  assert.doesNotThrow(() => new Script(`(async () => {\n${code}\n})`), `not runnable as a REPL script:\n${code}`);
}

/** oxc's own output for `source`, with the options transpile.ts uses, before Tempo's rewrite. */
function oxcOutput(source) {
  return transformSync('In[1]', source, { lang: 'ts', sourcemap: true, target: 'es2022', typescript: { onlyRemoveTypeImports: true } }).code;
}

test('the import helper is __tempo_import', () => {
  assert.equal(IMPORT_HELPER, '__tempo_import');
});

test('default import becomes a destructured await', () => {
  assert.deepEqual(statements(compile('import fs from "node:fs";')), ['const { "default": fs } = await __tempo_import("node:fs");']);
});

test('named and aliased imports become destructuring', () => {
  assert.deepEqual(statements(compile('import { readFile, writeFile as write } from "node:fs/promises";')), [
    'const { readFile, "writeFile": write } = await __tempo_import("node:fs/promises");',
  ]);
});

test('namespace import binds the whole module', () => {
  assert.deepEqual(statements(compile('import * as path from "node:path";')), ['const path = await __tempo_import("node:path");']);
});

test('default plus namespace, and default plus named, in one import', () => {
  assert.deepEqual(statements(compile('import def, * as all from "pkg";')), ['const all = await __tempo_import("pkg"); const { "default": def } = all;']);
  assert.deepEqual(statements(compile('import d, { e } from "mix";')), ['const { "default": d, e } = await __tempo_import("mix");']);
});

test('side-effect import is an awaited call with nothing bound', () => {
  assert.deepEqual(statements(compile('import "./polyfill.js";')), ['await __tempo_import("./polyfill.js");']);
});

test('the rewritten imports are valid REPL script code', () => {
  assertRunnableScript(compile('import fs from "node:fs";\nimport { a, b as c } from "m";\nimport * as ns from "ns";\nimport "side";\nimport def, * as all from "both";'));
});

test('type-only imports vanish; inline `type` specifiers are dropped from a value import', () => {
  // (A leftover `export {}` after the erased import is checked by the regression test at the end.)
  const typeOnly = compile('import type { Server } from "node:http";\nconst x: Server | null = null;');
  assert.ok(statements(typeOnly).includes('const x = null;'));
  assert.doesNotMatch(typeOnly, /__tempo_import|\bimport\b|node:http/);
  assert.deepEqual(statements(compile('import { type T, v } from "mixed";\nconst y: T = v;')), ['const { v } = await __tempo_import("mixed");', 'const y = v;']);
  assert.doesNotMatch(compile('import type Def from "types-only";\n1'), /__tempo_import/);
});

test('`export` keywords are dropped from declarations', () => {
  const code = compile('export const z = 1;\nexport function f() {}\nexport class K {}\nexport async function g() {}\nexport let l1 = 1, l2 = 2;');
  assert.deepEqual(statements(code), ['const z = 1;', 'function f() {}', 'class K {}', 'async function g() {}', 'let l1 = 1, l2 = 2;']);
  assert.doesNotMatch(code, /\bexport\b/);
  assertRunnableScript(code);
});

test('export lists and type exports disappear; re-exports still load their module; export default keeps the value', () => {
  const code = compile('const z = 1;\nexport { z as zz };\nexport default 42;\nexport * from "x";\nexport type Q = number;');
  assert.deepEqual(statements(code), ['const z = 1;', '42;', 'await __tempo_import("x");']);
  assertRunnableScript(code);
});

test('dynamic import() becomes a call to __tempo_import, but not inside strings or comments', () => {
  assert.deepEqual(statements(compile('const m = await import("dyn");\nimport("x").then(() => 1);')), [
    'const m = await __tempo_import("dyn");',
    '__tempo_import("x").then(() => 1);',
  ]);
  assert.match(compile(`const s = "import('x')";`), /"import\('x'\)"/);
});

test('enums and namespaces compile to plain JavaScript', () => {
  const code = compile('enum E { A, B = 5 }\nnamespace N { export const v = 1; }\nE.B + N.v');
  assert.doesNotMatch(code, /\benum\b|\bnamespace\b/);
  assertRunnableScript(code);
  // Run it (no imports, so no helper is needed) and check the values.
  assert.equal(new Script(code).runInNewContext({}), 6);
});

test('exported enums and namespaces compile too', () => {
  const code = compile('export enum Dir { Up, Down }\nexport namespace NS { export const k = 1 }\nDir.Down + NS.k');
  assertRunnableScript(code);
  assert.equal(new Script(code).runInNewContext({}), 2);
});

test('a multi-line import does not move the lines after it (same line as in oxc output)', () => {
  const source = ['import def, {', '  x1,', '  x2 as y2,', '  x3,', '} from "pkg";', 'import type { T } from "types";', 'export {', '  x1 as z,', '};', '', 'const t: T = 1;', 'boom();'].join('\n');
  const { code, map } = transpileCell(source, 'In[1]');
  const oxc = oxcOutput(source);
  const lineOf = (text, needle) => text.split('\n').findIndex((line) => line.includes(needle));
  assert.notEqual(lineOf(oxc, 'boom'), -1, 'boom is in the oxc output');
  assert.equal(lineOf(code, 'boom'), lineOf(oxc, 'boom'), `boom moved:\n--- oxc\n${oxc}\n--- tempo\n${code}`);
  assert.equal(code.split('\n').length, oxc.split('\n').length, 'same number of lines as the oxc output');
  // The source map (made by oxc before the rewrite) therefore still maps boom back to line 12.
  const traced = originalPositionFor(new TraceMap(map), { line: lineOf(code, 'boom') + 1, column: code.split('\n')[lineOf(code, 'boom')].indexOf('boom') });
  assert.equal(traced.line, 12);
});

test('no rewrite changes the line count, for cells of every kind', () => {
  const cells = [
    'import fs from "node:fs";\nimport * as p from "node:path";\nfs;\np;',
    'export default class Foo {\n  x = 1;\n}\nnew Foo();',
    'export const {\n  p,\n  q\n} = { p: 1, q: 2 };\np + q',
    'const m = await import(\n  "dyn"\n);\nm',
    'export * from "x";\nexport { a,\n b } from "y";\nboom()',
  ];
  for (const source of cells) {
    const oxc = oxcOutput(source);
    const code = compile(source);
    assert.equal(code.split('\n').length, oxc.split('\n').length, `line count changed for:\n${source}\n--- oxc\n${oxc}\n--- tempo\n${code}`);
  }
});

test('the source map maps a statement back to its line in the TypeScript cell', () => {
  const source = 'interface P {\n  x: number;\n}\nconst p: P = { x: 1 };\nthrow new Error("line 5");';
  const { code, map } = transpileCell(source, 'In[1]');
  const line = code.split('\n').findIndex((text) => text.includes('throw'));
  const traced = originalPositionFor(new TraceMap(map), { line: line + 1, column: code.split('\n')[line].indexOf('throw') });
  assert.equal(traced.line, 5);
  assert.equal(generatedPositionFor(new TraceMap(map), { source: traced.source, line: 5, column: 0 }).line, line + 1);
});

test('a syntax error throws CellSyntaxError with the 1-based line and 0-based column', () => {
  const check = (source, line, column) =>
    assert.throws(
      () => transpileCell(source, 'In[2]'),
      (error) => {
        assert.ok(error instanceof CellSyntaxError, `expected CellSyntaxError, got ${error?.constructor?.name}`);
        assert.ok(error instanceof Error);
        assert.equal(error.name, 'SyntaxError');
        assert.ok(error.message.length > 0);
        assert.deepEqual(error.position, { line, column });
        return true;
      },
    );
  check('const x = ;', 1, 10);
  check('let a = 1\nlet b: = 2', 2, 7);
  check('const ok = 1;\n\nlet y = 1 +* 2;', 3, 11);
  // Columns count characters: the caret goes under the error even after an emoji (two UTF-16 units).
  check('const face = "😀"; let z = ;', 1, 27);
  // Running out of input is reported at the end of the cell.
  check('const ok = 1;\n\nfunction f( {', 3, 13);
});

// ---- Regression tests for problems found while writing these tests (see the report) ----

test('a cell whose imports and exports are all type-only compiles to runnable code (no leftover `export {}`)', () => {
  // oxc appends `export {}` when it erases a module's last import/export; V8's REPL mode rejects it.
  for (const source of ['import type { Server } from "node:http";\nlet s: Server;', 'export interface Point { x: number }', 'export type Q = number;\nconst a = 1', 'export declare const dd: number;']) {
    const code = compile(source);
    assert.doesNotMatch(code, /\bexport\b/, `export left in:\n${code}`);
    assertRunnableScript(code);
  }
});

test('`export default` of an anonymous function or class compiles to runnable code', () => {
  for (const source of ['export default function () { return 1 }', 'export default class { }', 'export default async function () {}']) {
    assertRunnableScript(compile(source));
  }
});
