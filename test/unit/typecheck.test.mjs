// The checker's pieces without a kernel: magic blanking, code points, %types, and the
// native checker's model (earlier cells' declarations carried forward, newest wins).
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pollUntil } from '../helpers/poll-until.mjs';

const require = createRequire(import.meta.url);
const { blankMagics, typesMagic } = require('../../dist/common/magics.js');
const { toUtf16, toCodePoints } = require('../../dist/common/code-points.js');
const { NativeChecker } = require('../../dist/checker/native-checker.js');
const { cellDeclarations } = require('../../dist/checker/cell-declarations.js');
const { namesInScope } = require('../../dist/checker/scope-names.js');
const { TypeGate } = require('../../dist/language/type-gate.js');
const { typeErrorContent } = require('../../dist/display/type-errors.js');
const { CheckerClient, TSC_RESTARTS } = require('../../dist/language/checker-client.js');

test('magic lines are blanked in place; %time and %timeit keep their statement', () => {
  const cell = '%%time\n%timing off\n%time const a = 1\n%timeit -n 5 -r 2 f()\nx % 2\n%4';
  const blanked = blankMagics(cell);
  assert.equal(blanked.length, cell.length);
  assert.deepEqual(blanked.split('\n'), ['      ', '           ', '      const a = 1', '                  f()', 'x % 2', '%4']);
});

test('code points and UTF-16 offsets convert both ways around emoji and Korean', () => {
  const text = 'a😀한b';
  assert.equal(toUtf16(text, 2), 3);
  assert.equal(toUtf16(text, 4), 5);
  assert.equal(toCodePoints(text, 3), 2);
  assert.equal(toCodePoints(text, 5), 4);
  assert.equal(toUtf16(text, 99), text.length);
});

test('%types: the last valid mode wins; a bad argument names its line', () => {
  assert.deepEqual(typesMagic('%types warn\n1'), { mode: 'warn', query: false });
  assert.deepEqual(typesMagic('%types'), { mode: undefined, query: true });
  assert.deepEqual(typesMagic('1\n%types loud'), { query: false, invalid: { line: 2, args: 'loud' } });
  assert.deepEqual(typesMagic('const a = 1'), { query: false });
});

test('the native checker carries declarations forward, newest wins, imports included', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tempo-typecheck-'));
  let checker;
  try {
    checker = await NativeChecker.start(dir);
    const run = async (code) => {
      const diagnostics = await checker.check(code);
      if (diagnostics.length === 0) checker.commit(code);
      return diagnostics.map((d) => `${d.line}:${d.column} TS${d.code}`);
    };
    assert.deepEqual(await run('import { join } from "node:path";\nimport fs from "node:fs";\nconst n: number = 1;\ninterface Box { size: number }'), []);
    assert.deepEqual(await run('const p: string = join("a", "b");\nconst st: fs.Stats = fs.statSync(".");\nconst b: Box = { size: n };'), []);
    assert.deepEqual(await run('const wrong: string = n;'), ['1:7 TS2322']);
    assert.deepEqual(await run('const n: string = "now text";'), []);
    assert.deepEqual(await run('const twoA = 1, twoB = "b";\nimport { basename, dirname } from "node:path";'), []);
    assert.deepEqual(await run('const twoA = "a";\nconst dirname = 3;'), [], 'one name of a statement or an import declared again');
    assert.deepEqual(await run('const both: [string, string, number] = [twoA, twoB, dirname];\nbasename("x");'), [], 'the other names stay');
    assert.deepEqual(await run('const m: string = n;'), []);
    assert.deepEqual(await run('const k: number = n;'), ['1:7 TS2322']);
    assert.deepEqual(await run('await Promise.resolve(1);'), [], 'top-level await');
    assert.deepEqual(await run('let counter = 1;\nvar total = 0;\nfunction fn() {}\nimport { sep } from "node:path";'), []);
    assert.deepEqual(await run('counter += 1;\ncounter++;\n[counter, total] = [total, counter];'), [], 'an earlier let or var can be assigned');
    assert.deepEqual(await run('n = "again";\nfn = () => {};\nsep = "/";'), ['1:1 TS2588', '2:1 TS2630', '3:1 TS2632'], 'an earlier const, function or import cannot, with the error tsc gives each');
    assert.deepEqual(await run('const x = (;'), [], 'syntax errors are left to the executor');
    assert.deepEqual(await run('const 한 = "😀"; const bad: number = 한;'), ['1:22 TS2322'], 'columns in code points (the emoji counts once)');
    checker.reset();
    assert.deepEqual(await run('n'), ['1:1 TS2304'], 'after reset no earlier name exists');
  } finally {
    await checker?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a cell's declarations: one statement per name, imports per specifier, JSDoc kept, nothing for plain code", () => {
  const cell = cellDeclarations('/** Doc. */\nexport const a = 1, [b, { c }] = [2, { c: 3 }];\nimport d, { e as f, type G } from "m";\nimport "side";\nfunction h(): void;\nfunction h() {}\ndeclare global { var z: number }\nconsole.log(a);\nnamespace N.M {}');
  assert.deepEqual(cell.declarations.map((d) => [d.names, d.text.trim()]), [
    [['a'], '/** Doc. */\nconst a = 1;'],
    [['b', 'c'], 'const [b, { c }] = [2, { c: 3 }];'],
    [['d'], 'import d from "m";'],
    [['f'], 'import { e as f } from "m";'],
    [['G'], 'import { type G } from "m";'],
    [[], 'import "side";'],
    [['h'], 'function h(): void;'],
    [['h'], 'function h() {}'],
    [[], 'declare global { var z: number }'],
    [['N'], 'namespace N.M {}'],
  ]);
  assert.deepEqual([...cell.names], ['a', 'b', 'c', 'd', 'f', 'G', 'h', 'N']);
  assert.equal(cellDeclarations('const x = (;'), undefined, 'a cell that does not parse');
});

test('names in scope at a position: enclosing functions, blocks and loops, innermost first, then the top level', () => {
  const cell = 'const top = 1;\nfunction outer(p1, { p2 }) {\n  const inner = 2;\n  for (const item of []) { HERE }\n  const after = 3;\n}\nclass K {}';
  const at = cell.indexOf('HERE');
  assert.deepEqual(namesInScope(cell, at), ['item', 'inner', 'after', 'outer', 'p1', 'p2', 'top', 'outer', 'K']);
  assert.deepEqual(namesInScope('const a = 1;\nfunction f(x) { return x }\na', 40), ['a', 'f'], 'outside the function its parameter is not visible');
  assert.deepEqual(namesInScope('const x = (', 5), [], 'a cell that does not parse');
});

test('a tsconfig.json next to the notebook sets compiler options', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tempo-typecheck-'));
  let checker;
  try {
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: false, module: 'commonjs' } }));
    checker = await NativeChecker.start(dir);
    // Not strict: an implicit any parameter is fine; commonjs is lifted to esnext so await still works.
    assert.deepEqual(await checker.check('function f(a) { return a }\nawait f(1);'), []);
  } finally {
    await checker?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a tsconfig.json's include brings the folder's declaration files into the cells' program, not its sources", { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tempo-typecheck-'));
  let checker;
  try {
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ include: ['**/*'] }));
    // A script (no import or export): were it loaded, its declaration would be a global.
    writeFileSync(path.join(dir, 'other.ts'), 'declare const fromOtherFile: number;\n');
    mkdirSync(path.join(dir, 'types'));
    writeFileSync(path.join(dir, 'types', 'globals.d.ts'), 'declare const fromDeclarations: number;\n');
    checker = await NativeChecker.start(dir);
    assert.deepEqual((await checker.check('fromOtherFile;')).map((d) => `TS${d.code}`), ['TS2304']);
    assert.deepEqual(await checker.check('const n: number = fromDeclarations;'), []);
    assert.deepEqual((await checker.check('const s: string = fromDeclarations;')).map((d) => `TS${d.code}`), ['TS2322']);
  } finally {
    await checker?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the checker works under a temporary folder too long for a Unix socket path (107 bytes)', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tempo-typecheck-'));
  const longTmp = path.join(dir, 'x'.repeat(100));
  mkdirSync(longTmp);
  const saved = process.env.TMPDIR;
  let checker;
  try {
    process.env.TMPDIR = longTmp;
    checker = await NativeChecker.start(dir);
    assert.deepEqual((await checker.check('const n: number = "x";')).map((d) => `TS${d.code}`), ['TS2322']);
  } finally {
    process.env.TMPDIR = saved;
    await checker?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a type error output shows each diagnostic with its line, a caret under the span, and TS code', () => {
  const content = typeErrorContent([{ code: 2322, message: 'Nope.', line: 2, column: 7, length: 3 }], 'let a\nconst abc: number = "";', 'In[4]');
  assert.equal(content.ename, 'TypeScriptError');
  assert.equal(content.evalue, 'TS2322: Nope.');
  const text = content.traceback.join('\n').replace(/\x1b\[[0-9;]*m/g, '');
  assert.match(text, /^Cell In\[4\], line 2, column 7\n {4}const abc: number = "";\n {10}\^\^\^\nTS2322: Nope\./);
});

test('the checker answers a rerun cell from its last check, and checks again once earlier cells change', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tempo-typecheck-'));
  const checker = new CheckerClient(dir, () => undefined);
  const codes = (diagnostics) => diagnostics.map((d) => `TS${d.code}`);
  try {
    const cell = 'const doubled: number = base * 2;';
    assert.deepEqual(codes(await checker.check(cell)), ['TS2304'], '`base` is not declared yet');
    checker.commit('const base = 21;');
    assert.deepEqual(codes(await checker.check(cell)), [], 'a commit that declares `base` is seen by the same cell');
    checker.commit('const base: string = "x";');
    assert.deepEqual(codes(await checker.check(cell)), ['TS2362'], 'the newest declaration wins, even for a cell checked before');
    checker.commit('1 + 1');
    assert.deepEqual(codes(await checker.check(cell)), ['TS2362'], 'a commit that declares nothing changes nothing');
    checker.reset();
    assert.deepEqual(codes(await checker.check(cell)), ['TS2304'], 'after a reset the earlier cells are gone');
    const clean = 'const fresh: number = 2;';
    assert.deepEqual(codes(await checker.check(clean)), []);
    // With tsc gone, only an answer kept from the last check can come back.
    await checker.close();
    assert.deepEqual(codes(await checker.check(clean)), [], 'a rerun of the last (clean) checked cell does not go to tsc');
    await assert.rejects(checker.check(cell), /closed/, 'a cell whose last answer had errors does: a package may have been installed since');
    await assert.rejects(checker.check('const other = 1;'), /closed/, 'and so does any other cell');
  } finally {
    await checker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a tsc that dies is started again with the earlier cells, twice; then cells run unchecked, reported once', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tempo-typecheck-'));
  const checkerNotes = [];
  const checker = new CheckerClient(dir, (text) => checkerNotes.push(text));
  const gate = new TypeGate(checker);
  const notes = [];
  const note = (name, text) => notes.push(`${name}: ${text}`);
  const killTsc = () => process.kill(Number(execFileSync('pgrep', ['-P', String(process.pid), '-x', 'tsc'], { encoding: 'utf8' }).trim()), 'SIGKILL');
  const restarted = (count) => pollUntil(() => checkerNotes.includes(`tsc exited (SIGKILL); starting it again (${count} of ${TSC_RESTARTS})`), { what: `restart ${count}` });
  try {
    checker.start();
    await checker.ready;
    assert.equal((await gate.beforeRun('const n: number = "x";', 'In[1]', note))?.ename, 'TypeScriptError', 'checks work before the crash');
    gate.afterRun('const kept: number = 1;');

    // Killed between cells (the checks it was serving: see test/core/typescript-language.test.mjs):
    // the next cell waits for the new tsc, which knows the earlier cells, and their types.
    killTsc();
    await restarted(1);
    assert.equal((await gate.beforeRun('const s: string = kept;', 'In[2]', note))?.ename, 'TypeScriptError');
    assert.equal(await gate.beforeRun('const m: number = kept;', 'In[3]', note), undefined);
    assert.deepEqual(notes, [], 'nothing to tell the user');

    killTsc();
    await restarted(2);
    assert.equal((await gate.beforeRun('const s: string = kept;', 'In[4]', note))?.ename, 'TypeScriptError');

    killTsc();
    await pollUntil(() => checker.failure, { what: 'the checker to give up' });
    assert.equal(await gate.beforeRun('const s: number = "no longer checked";', 'In[5]', note), undefined, 'the cell runs');
    assert.equal(await gate.beforeRun('const t: number = "nor this";', 'In[6]', note), undefined);
    assert.equal(notes.length, 1, `one note, not one per cell: ${JSON.stringify(notes)}`);
    assert.match(notes[0], /^stderr: The TypeScript checker stopped working \(tsc exited \(SIGKILL\); it was started again 2 times\)\. Cells now run without type checks\./);
  } finally {
    await checker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a package installed next to the notebook mid-session is found by the next check', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tempo-typecheck-'));
  let checker;
  const install = (name) => {
    const folder = path.join(dir, 'node_modules', name);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'package.json'), JSON.stringify({ name, version: '1.0.0', types: 'index.d.ts' }));
    writeFileSync(path.join(folder, 'index.d.ts'), 'export declare const answer: number;\n');
  };
  try {
    checker = await NativeChecker.start(dir);
    const codes = async (code) => (await checker.check(code)).map((d) => `TS${d.code}`);
    assert.deepEqual(await codes('import { answer } from "first-pkg";'), ['TS2307'], 'not installed yet');
    install('first-pkg');
    assert.deepEqual(await codes('import { answer } from "first-pkg";'), [], 'node_modules appeared');
    assert.deepEqual(await codes('import { answer } from "second-pkg";'), ['TS2307']);
    install('second-pkg');
    assert.deepEqual(await codes('import { answer } from "second-pkg";'), [], 'a package added to an existing node_modules');
  } finally {
    await checker?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the checker's files go to a private folder, never the notebook's, removed on close and when the kernel exits", { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tempo-typecheck-'));
  const folders = () => readdirSync(tmpdir()).filter((name) => name.startsWith('tempo-checker-'));
  const before = new Set(folders());
  const added = () => folders().filter((name) => !before.has(name));
  let checker;
  try {
    mkdirSync(path.join(dir, 'node_modules', 'pkg'), { recursive: true });
    writeFileSync(path.join(dir, 'node_modules', 'pkg', 'index.d.ts'), 'export declare const answer: number;\n');
    checker = await NativeChecker.start(dir);
    assert.deepEqual((await checker.check('import { answer } from "pkg";\nconst text: string = answer;')).map((d) => `TS${d.code}`), ['TS2322']);
    assert.deepEqual(readdirSync(dir), ['node_modules'], 'nothing written next to the notebook');
    assert.equal(added().length, 1);
    await checker.close();
    assert.deepEqual(added(), [], 'removed on close');
    assert.ok(existsSync(path.join(dir, 'node_modules', 'pkg', 'index.d.ts')), 'the linked node_modules stays');

    const client = new CheckerClient(dir, () => undefined);
    client.start();
    await client.ready;
    assert.equal(added().length, 1);
    await client.close();
    assert.deepEqual(added(), [], "the kernel's checker's, on close");

    // The kernel exits by process.exit, with tsc still running.
    const script = `const { CheckerClient } = require(${JSON.stringify(require.resolve('../../dist/language/checker-client.js'))});
      const checker = new CheckerClient(process.argv[1], () => undefined);
      checker.start();
      checker.ready.then(() => process.exit(0));`;
    execFileSync(process.execPath, ['-e', script, dir]);
    assert.deepEqual(added(), [], 'on process.exit');

    // Killed outright, a kernel leaves its folder: the next checker to start removes it.
    spawnSync(process.execPath, ['-e', script.replace('process.exit(0)', "process.kill(process.pid, 'SIGKILL')"), dir]);
    const orphans = added();
    assert.equal(orphans.length, 1, 'left by SIGKILL');
    checker = await NativeChecker.start(dir);
    assert.ok(!added().includes(orphans[0]), 'removed by the next checker');
    await checker.close();

    const tmp = process.env.TMPDIR;
    process.env.TMPDIR = path.join(dir, 'missing');
    try {
      const homeless = new CheckerClient(dir, () => undefined);
      homeless.start();
      await assert.rejects(homeless.check('1'), /no folder for its files/, 'no folder: cells run unchecked, the kernel stays up');
    } finally {
      if (tmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmp;
    }
  } finally {
    await checker?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
