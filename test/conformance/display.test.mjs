// The display API (issue 7) through Debian's jupyter_client.
import test from 'node:test';
import assert from 'node:assert/strict';
import { kernelEnv, ofType, resultText, sharedScenario, streamText } from '../helpers/kernel-env.mjs';

const check = sharedScenario(kernelEnv(), 'display.py', { timeoutMs: 60_000 });
const displays = (run) => ofType(run.iopub, 'display_data').filter((m) => !String(m.content.data['text/plain'] ?? '').startsWith('⏱'));

test('display and its helpers send each MIME type with the right bundle; html`` renders as the result', async () => {
  const run = await check('mime_types');
  const bundles = displays(run).map((m) => m.content.data);
  assert.equal(bundles[0]['text/html'], '<b>bold</b>');
  assert.equal(bundles[1]['text/markdown'], '# Title');
  assert.match(bundles[2]['image/svg+xml'], /^<svg/);
  assert.equal(bundles[3]['image/png'], Buffer.from([137, 80, 78, 71]).toString('base64'));
  assert.deepEqual(bundles[4]['application/json'], { a: 1 });
  assert.equal(bundles[5]['text/plain'], 'plain');
  assert.equal(bundles[6]['application/x-tempo'], 'custom');
  assert.equal(bundles[7]['text/plain'], '{ n: 1 }');
  const [result] = ofType(run.iopub, 'execute_result');
  assert.equal(result.content.data['text/html'], '<i>2</i>');
});

test('a display with an id is updated in place from a later cell (same display_id)', async () => {
  const { first, second } = await check('update_from_later_cell');
  const [shown] = displays(first);
  const id = shown.content.transient.display_id;
  assert.ok(id);
  assert.equal(resultText(first), `'${id}'`);
  const [update] = ofType(second.iopub, 'update_display_data');
  assert.equal(update.content.transient.display_id, id);
  assert.equal(update.content.data['text/plain'], "'after'");
  // Making a display id is no async work of the cell's: its timing line must not say "still pending: 1 I/O".
  for (const run of [first, second]) assert.deepEqual([run.reply.metadata.timing.io, run.reply.metadata.timing.pending], [0, []]);
});

test('objects render themselves via Symbol.for("Jupyter.display"); an array of plain objects is an HTML table', async () => {
  const { deno_style, table } = await check('self_rendering_and_tables');
  assert.equal(ofType(deno_style.iopub, 'execute_result')[0].content.data['text/html'], '<p>mine</p>');
  const data = ofType(table.iopub, 'execute_result')[0].content.data;
  assert.match(data['text/html'], /^<table><thead><tr><th>job<\/th><th>secs<\/th><\/tr><\/thead><tbody><tr><td>1<\/td><td>1<\/td><\/tr>/);
  assert.match(data['text/plain'], /job: 1/);
});

test('clearOutput({ wait: true }) sends clear_output between the outputs', async () => {
  const run = await check('clear_output');
  const kinds = run.iopub.filter((m) => ['stream', 'clear_output'].includes(m.msg_type)).map((m) => m.msg_type === 'stream' ? m.content.text : `clear(${m.content.wait})`);
  assert.deepEqual(kinds.join(''), 'gone\nclear(true)kept\n');
});

test('progress.all updates a live bar while the promises run, and ends with the final count', async () => {
  const run = await check('progress_all');
  const [bar] = displays(run);
  const id = bar.content.transient.display_id;
  const updates = ofType(run.iopub, 'update_display_data').filter((m) => m.content.transient.display_id === id);
  assert.ok(updates.length >= 3, `${updates.length} updates`);
  const times = updates.map((m) => m.t);
  assert.ok(times.at(-1) - times[0] > 0.2, 'updates spread over the run, not all at the end');
  const final = updates.at(-1).content.data['text/plain'];
  const settled = /^jobs \[█{20}\] 5\/5 · .* · done · settled at ([\d., ]+) s$/.exec(final);
  assert.ok(settled, final);
  // The saved bar keeps when each job settled: the jobs take 100, 200, … 500 ms.
  settled[1].split(', ').map(Number).forEach((seconds, i) => assert.ok(seconds >= 0.09 * (i + 1) && seconds < 0.1 * (i + 1) + 0.2, final));
  assert.equal(resultText(run), '[ 100, 200, 300, 400, 500 ]');
});

test('for await over progress(items) advances and finishes the bar', async () => {
  const run = await check('progress_loop');
  assert.equal(resultText(run), '6');
  assert.match(ofType(run.iopub, 'update_display_data').at(-1).content.data['text/plain'], /3\/3 .* done · settled at [\d, ]+ ms$/);
});

test('input() with allow_stdin false is a clear error, not a hang', async () => {
  const run = await check('input_without_stdin');
  assert.equal(run.reply.content.status, 'error');
  assert.match(run.reply.content.evalue, /allow_stdin/);
});

test('input() asks on the stdin channel under the cell, heartbeat answers meanwhile, and the answer comes back', async () => {
  const r = await check('input_round_trip');
  assert.deepEqual(r.request, { prompt: 'Your name? ', password: false });
  assert.equal(r.parent, r.msg_id);
  assert.equal(r.hb, true);
  assert.equal(resultText(r.done), "'hello Tempo'");
});

test('import { display } from "tempo" gives the same globals, for editors that want imports', async () => {
  assert.equal(await check('tempo_module'), "'function,function,function,function'");
});

test('comms both ways: a registered target answers a front-end open and messages; a cell opens its own', async () => {
  const r = await check('comms_both_ways');
  assert.deepEqual(r.got.content, { comm_id: 'c-1', data: { got: { x: 1 } } });
  assert.deepEqual(r.echo.content.data, { echo: { y: 2 } });
  assert.deepEqual(r.info.comms, { 'c-1': { target_name: 'echo' } });
  assert.ok(r.closed_print, 'onClose ran when the front end closed the comm');
  assert.deepEqual(r.info_after.comms, {});
  const id = JSON.parse(resultText(r.from_kernel).replace(/'/g, '"'));
  const kinds = r.from_kernel.iopub.filter((m) => m.msg_type.startsWith('comm_')).map((m) => [m.msg_type, m.content.comm_id === id]);
  assert.deepEqual(kinds, [['comm_open', true], ['comm_msg', true], ['comm_close', true]]);
  const open = ofType(r.from_kernel.iopub, 'comm_open')[0].content;
  assert.equal(open.target_name, 'from-kernel');
  assert.deepEqual(open.data, { hello: 1 });
});
