// TypeScript cells, modules, streams and error reports through Debian's jupyter_client. One
// kernel (scenarios/language.py) runs in a folder whose node_modules holds a CommonJS and an ESM package.
import test from 'node:test';
import assert from 'node:assert/strict';
import { kernelEnv, ofType, resultText, sharedScenario, streamText, stripAnsi } from '../helpers/kernel-env.mjs';

// The flood cell may take up to its 30 s deadline; the rest of the scenario is a few seconds.
const check = sharedScenario(kernelEnv(), 'language.py', { timeoutMs: 75_000 });

function assertOk(run, expectedText) {
  assert.equal(run.reply.content.status, 'ok', `reply: ${JSON.stringify(run.reply.content)}`);
  assert.equal(resultText(run), expectedText);
}

test('TypeScript: interfaces, enums, generics, classes with parameter properties', async () => {
  assertOk(await check('typescript_features'), "[ 7, 'boxed', 5, 'Green', 3 ]");
});

for (const kind of ['const', 'let', 'class', 'function']) {
  test(`a rerun may declare a ${kind} again and gets the new value`, async () => {
    const [first, second] = (await check('redeclaration'))[kind];
    assert.equal(first.reply.content.status, 'ok');
    assertOk(second, '2');
  });
}

test('top-level await: the cell waits and shows the value after it', async () => {
  const run = await check('top_level_await');
  assertOk(run, '5');
  const elapsed = ofType(run.iopub, 'execute_result')[0].t - run.sent;
  assert.ok(elapsed >= 0.09, `result after ${elapsed}s, the awaited timer is 100 ms`);
});

test('import of node builtins: a default import stays bound in later cells; namespace import', async () => {
  const { default_import: [imported, used], namespace_import } = await check('node_builtins');
  assert.equal(imported.reply.content.status, 'ok');
  assertOk(used, 'true');
  assertOk(namespace_import, "'a/b'");
});

test('packages next to the notebook: CommonJS and ESM imports, and require', async () => {
  const r = await check('packages');
  assertOk(r.cjs_import, "'cjs'");
  assertOk(r.esm_import, "'hello from esm'");
  assertOk(r.cjs_require, '5');
});

test('writing nothing sends no stream message (an empty stderr box in JupyterLab)', async () => {
  const run = await check('empty_writes');
  assert.equal(resultText(run), '1');
  assert.deepEqual(ofType(run.iopub, 'stream').map((m) => m.content), []);
});

test('streams: console.log and process.stdout.write go to stdout, console.error to stderr', async () => {
  const run = await check('streams');
  assert.equal(streamText(run.iopub, 'stdout'), 'out\nraw\n');
  assert.equal(streamText(run.iopub, 'stderr'), 'err\n');
  // Output comes before the reply's idle, in the order it was written.
  const texts = ofType(run.iopub, 'stream').map((m) => m.content.text).join('');
  assert.equal(texts, 'out\nerr\nraw\n');
});

test('output printed before the thread blocks arrives then, not when the cell ends', async () => {
  const run = await check('blocking_output_is_live');
  const arrival = (text) => {
    const message = ofType(run.iopub, 'stream').find((m) => m.content.text.includes(text));
    assert.ok(message, `a stream message contains ${JSON.stringify(text)}`);
    return message.t;
  };
  const gap = arrival('Starting job 2') - arrival('Starting job 1');
  assert.ok(gap > 0.7 && gap < 2, `"Starting job 1" and "Starting job 2" arrived ${gap.toFixed(3)} s apart; expected about 1 s`);
  assert.equal(streamText(run.iopub, 'stdout'), [0, 1, 2].map((i) => `Starting job ${i}\nFinishing job ${i}\n`).join(''));
});

const tracebackText = (content) => stripAnsi(content.traceback.join('\n'));

function assertNoKernelFrames(content) {
  for (const line of tracebackText(content).split('\n')) {
    assert.doesNotMatch(line, /dist\/|node:internal|executor/, `kernel-internal traceback line: ${line}`);
  }
}

test('throw new Error("boom"): one error message naming the cell and line, error reply', async () => {
  const run = await check('throw_error');
  const errors = ofType(run.iopub, 'error');
  assert.equal(errors.length, 1);
  const { content } = errors[0];
  assert.equal(content.ename, 'Error');
  assert.equal(content.evalue, 'boom');
  assert.match(tracebackText(content), new RegExp(`Cell In\\[${run.reply.content.execution_count}\\], line 1\\b`));
  assertNoKernelFrames(content);
  assert.equal(run.reply.content.status, 'error');
  assert.equal(run.reply.content.ename, 'Error');
  assert.equal(run.reply.content.evalue, 'boom');
});

test('a traceback names TypeScript lines, not the transpiled JavaScript lines', async () => {
  const run = await check('error_line_in_typescript');
  const [error] = ofType(run.iopub, 'error');
  const cell = `Cell In\\[${run.reply.content.execution_count}\\]`;
  const text = tracebackText(error.content);
  assert.equal(error.content.evalue, 'exploded x');
  assert.match(text, new RegExp(`${cell}, line 3\\b.*explode`), 'the throw, inside explode, is TS line 3');
  assert.match(text, new RegExp(`${cell}, line 9\\b`), 'the call is TS line 9 (type-only lines 5-8 vanish from the JS)');
  assert.match(text, /----> ?3 +throw new Error/);
  assertNoKernelFrames(error.content);
});

test('a syntax error is a SyntaxError naming the cell line', async () => {
  const run = await check('syntax_error');
  const [error] = ofType(run.iopub, 'error');
  assert.equal(error.content.ename, 'SyntaxError');
  assert.match(tracebackText(error.content), new RegExp(`Cell In\\[${run.reply.content.execution_count}\\], line 2\\b`));
  assert.match(tracebackText(error.content), /let = ;/);
  assert.equal(run.reply.content.status, 'error');
  assert.equal(run.reply.content.ename, 'SyntaxError');
});

test('after errors the kernel still runs cells', async () => {
  assertOk(await check('runs_after_errors'), '2');
});

test('a burst of 20,000 displays arrives whole and in order, and the cell still goes idle', async () => {
  const flood = await check('display_flood');
  assert.equal(flood.reply.content.status, 'ok');
  assert.ok(flood.count >= 20_000, `${flood.count} of 20,000 displays arrived`);
  assert.ok(flood.in_order, 'the displays are 0..19999 in order');
});

test('a flood of 100,000 console.log lines arrives complete, in order, batched into few messages', async () => {
  const flood = await check('stdout_flood');
  assert.ok(!flood.timed_out, `the cell did not finish within ${flood.deadline} s (${flood.stream_messages} stream messages, ${flood.text.length} chars so far)`);
  assert.equal(flood.reply.content.status, 'ok');
  assert.deepEqual(flood.names, ['stdout']);
  assert.equal(flood.late_stream_messages, 0, 'no stream output arrives after the cell went idle');
  // Both problems are reported together: too many messages is the usual cause of lost ones.
  const problems = [];
  const expected = Array.from({ length: 100_000 }, (_, i) => `${i}\n`).join('');
  if (flood.text !== expected) {
    const lines = flood.text.split('\n');
    const firstWrong = lines.findIndex((line, i) => line !== String(i));
    problems.push(`stdout is not the lines 0..99999: ${flood.text.length} chars instead of ${expected.length}, line ${firstWrong} is ${JSON.stringify(lines[firstWrong])}`);
  }
  if (flood.stream_messages >= 5000) {
    problems.push(`${flood.stream_messages} stream messages for 100,000 lines (${flood.seconds.toFixed(1)} s); expected fewer than 5000 (batched)`);
  }
  assert.deepEqual(problems, []);
});
