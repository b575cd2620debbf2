// Type errors before a cell runs, %types, completion and inspection from the TypeScript checker,
// through Debian's jupyter_client against the real kernel (issue #5).
import test from 'node:test';
import assert from 'node:assert/strict';
import { kernelEnv, ofType, resultText, sharedScenario, streamText, stripAnsi } from '../helpers/kernel-env.mjs';

const check = sharedScenario(kernelEnv(), 'typecheck.py', { timeoutMs: 240_000 });

const errorOf = (run) => ofType(run.iopub, 'error')[0]?.content;
const tracebackOf = (run) => stripAnsi(errorOf(run).traceback.join('\n'));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

test('the first cell after start waits for the checker, then runs', async (t) => {
  const run = await check('first_cell');
  t.diagnostic(`first typed cell right after start: ${Math.round(run.seconds * 1000)} ms (includes loading the checker)`);
  assert.equal(run.reply.content.status, 'ok');
  assert.equal(resultText(run), '2');
});

test('a type error blocks the cell: one TypeScriptError with line, column, the line, a caret and TS2322', async () => {
  const { bad } = await check('type_error');
  assert.equal(bad.reply.content.status, 'error');
  assert.equal(bad.reply.content.ename, 'TypeScriptError');
  assert.equal(ofType(bad.iopub, 'error').length, 1);
  assert.equal(streamText(bad.iopub, 'stdout'), '', 'the cell did not run');
  assert.match(errorOf(bad).evalue, /^TS2322: Type 'number' is not assignable to type 'string'\./);
  assert.match(tracebackOf(bad), /Cell In\[\d+\], line 2, column 7\n {4}const s: string = n;\n {10}\^\nTS2322: Type 'number' is not assignable to type 'string'\./);
});

test('a name declared in an earlier cell type-checks in a later one', async () => {
  const r = await check('earlier_names');
  assert.equal(r.declare.reply.content.status, 'ok');
  assert.equal(resultText(r.ok), '4');
  assert.match(tracebackOf(r.wrong), /line 1, column 7[\s\S]*TS2322: Type 'number' is not assignable to type 'string'/);
});

test('a name declared before a cell failed type-checks in a later cell, as the executor kept it', async () => {
  const r = await check('failed_cell_names');
  assert.equal(r.failed.reply.content.status, 'error');
  assert.equal(r.failed.reply.content.ename, 'Error');
  assert.equal(r.later.reply.content.status, 'ok', 'no TS2304 for kept');
  assert.equal(resultText(r.later), '42');
});

test('redeclaring a const with another type on rerun is accepted, and the new type wins', async () => {
  const r = await check('redeclare');
  assert.equal(r.rerun.reply.content.status, 'ok');
  assert.equal(resultText(r.new_type), "'text'");
  assert.match(tracebackOf(r.old_type), /TS2322: Type 'string' is not assignable to type 'number'/);
});

test('// @ts-ignore and // @ts-expect-error work; an unused @ts-expect-error is TS2578', async () => {
  const r = await check('ignore_comments');
  assert.equal(resultText(r.ignore), '1');
  assert.equal(resultText(r.expect), '2');
  assert.match(tracebackOf(r.unused_expect), /TS2578/);
});

test('%types warn runs the cell and prints the diagnostics on stderr; off skips checks; error brings them back', async () => {
  const r = await check('modes');
  assert.equal(r.warn.reply.content.status, 'ok');
  assert.match(streamText(r.warn.iopub, 'stderr'), /^1 type error \(the cell runs anyway: %types warn\)\nCell In\[\d+\], line 2, column 7: TS2322: /);
  assert.equal(streamText(r.warn.iopub, 'stdout'), 'ran anyway\n');
  assert.equal(streamText(r.query.iopub, 'stdout'), '%types warn\n');
  assert.equal(resultText(r.off), "'ran'");
  assert.equal(r.error.reply.content.ename, 'TypeScriptError');
  assert.equal(r.invalid.reply.content.ename, 'UsageError');
  assert.equal(resultText(r.magic_lines), '3', 'magic lines are blanked for the check; %time keeps its statement');
});

test('a type error applies stop_on_error like any error', async () => {
  const r = await check('stop_on_error');
  assert.equal(r.first.reply.content.ename, 'TypeScriptError');
  assert.equal(r.second.reply.content.status, 'error');
  assert.equal(r.second.reply.metadata.status, 'aborted');
});

test('completion: Math.fl, a member of an object from two cells earlier, imports, locals, global types, with code-point cursors', async () => {
  const r = await check('completion');
  const content = (name) => r[name].reply.content;
  assert.deepEqual([content('math').matches, content('math').cursor_start, content('math').cursor_end], [['floor'], 5, 7]);
  const [item] = content('math').metadata._jupyter_types_experimental;
  assert.deepEqual(item, { start: 5, end: 7, text: 'floor', type: 'method', signature: '(method) Math.floor(x: number): number' });
  assert.deepEqual(content('member').matches, ['verbose']);
  // After a Korean string (code points = UTF-16 units) and after emoji (2 UTF-16 units each).
  const korean = 'const 인사 = "안녕하세요";\nsettings.'.length;
  assert.deepEqual([content('korean').matches, content('korean').cursor_start], [['level'], korean]);
  const emoji = [...'const face = "😀😀";\nsettings.'].length;
  assert.deepEqual([content('emoji').matches, content('emoji').cursor_start, content('emoji').cursor_end], [['level'], emoji, emoji + 2]);
  assert.deepEqual(content('middle').matches, ['level']);
  assert.deepEqual([content('import_named').matches, content('import_named').cursor_start], [['readFileSync'], 0]);
  assert.deepEqual(content('import_namespace').matches, ['join']);
  assert.deepEqual(content('local').matches, ['localName']);
  for (const name of ['local_in_call', 'local_in_if', 'local_in_template']) assert.deepEqual(content(name).matches, ['localName'], name);
  assert.deepEqual(content('param_in_body').matches, ['inner']);
  // A global type where a type may be expected, with its kind; not where only a value may be.
  assert.deepEqual(content('global_type').matches, ['Record']);
  assert.equal(content('global_type').metadata._jupyter_types_experimental[0].type, 'type');
  assert.deepEqual(content('value_not_type').matches, []);
  // After a colon that is an object literal's, values stay offered.
  assert.deepEqual(content('object_value').matches, ['setTimeout']);
});

test('an npm package next to the notebook: its .d.ts types check cells, complete members and named imports, and inspect', async () => {
  const r = await check('typed_package');
  assert.equal(r.call.reply.content.status, 'ok');
  assert.equal(resultText(r.call), "'Hello, Ada!'");
  assert.equal(r.wrong_argument.reply.content.status, 'error');
  assert.match(errorOf(r.wrong_argument).evalue, /^TS2345: Argument of type 'number' is not assignable to parameter of type 'string'/);
  assert.deepEqual(r.member.reply.content.matches, ['greet']);
  assert.deepEqual([r.named.reply.content.matches, r.named.reply.content.cursor_start], [['VERSION'], 'import { '.length]);
  const found = r.inspect.reply.content;
  assert.equal(found.found, true);
  assert.match(found.data['text/plain'], /greet\(name: string\): string/);
  assert.match(found.data['text/plain'], /Says hello to `name`/);
});

test('files beside the notebook and in its parent folder, packages in the parent folder\'s node_modules and #subpath imports type-check cells', async () => {
  const r = await check('nearby_files');
  assert.equal(resultText(r.relative), '3', 'import type of ./shapes and ../shared/box');
  assert.match(errorOf(r.relative_later).evalue, /^TS2322: Type '"square"' is not assignable to type '"circle"'/, 'a type imported by an earlier cell');
  assert.equal(resultText(r.scoped), "'HI!'");
  assert.match(errorOf(r.scoped_later).evalue, /^TS2345: Argument of type 'number' is not assignable to parameter of type 'string'/);
  assert.equal(resultText(r.types_package), '42');
  assert.match(errorOf(r.types_package_later).evalue, /^TS2345: Argument of type 'string' is not assignable to parameter of type 'number'/);
  assert.deepEqual(r.member.reply.content.matches, ['shout']);
  assert.equal(resultText(r.subpath), '0', 'import type of #geometry, from the package.json\'s imports');
  assert.match(errorOf(r.subpath_later).evalue, /^TS2322: Type 'string' is not assignable to type 'number'/);
});

test('inspection: signature and JSDoc of Math.floor and of a user function, as text/plain and text/markdown', async () => {
  const r = await check('inspection');
  for (const name of ['floor', 'floor_call']) {
    const { found, data } = r[name].reply.content;
    assert.ok(found);
    assert.match(data['text/plain'], /^\(method\) Math\.floor\(x: number\): number\n\nReturns the greatest integer/);
    assert.match(data['text/markdown'], /^```typescript\n\(method\) Math\.floor\(x: number\): number\n```/);
  }
  const user = r.user.reply.content.data;
  assert.equal(user['text/plain'], 'function double(x: number): number\n\nDoubles a number.\n\n@param x what to double');
  assert.match(user['text/markdown'], /Doubles a number\.\n\n\*@param\* `x` — what to double$/);
  assert.equal(r.nothing.reply.content.found, false);
});

test('after 20 cells: typed cell, trivial cell and completion round trips (printed), kernel RSS', async (t) => {
  const r = await check('warm_cells');
  const ms = (values) => Math.round(median(values) * 1000);
  t.diagnostic(`typed cell ${ms(r.typed)} ms, trivial cell ${ms(r.trivial)} ms (unchecked ${ms(r.unchecked)} ms), completion ${ms(r.completion)} ms, RSS kernel ${Math.round(r.rss_kb.kernel / 1024)} MB + executor ${Math.round((r.rss_kb.executor ?? 0) / 1024)} MB`);
  // Generous bounds: the figures themselves are printed; these only catch a checker that hangs or reloads per cell.
  assert.ok(median(r.typed) < 2, `typed cell ${median(r.typed)} s`);
  assert.ok(median(r.completion) < 2, `completion ${median(r.completion)} s`);
});
