// Protocol conformance through Debian's jupyter_client: kernel_info, the execute sequence,
// execution counts, stop_on_error, user_expressions, is_complete, history and comms.
// One kernel serves the whole file (scenarios/protocol.py).
import test from 'node:test';
import assert from 'node:assert/strict';
import { kernelEnv, ofType, resultText, sharedScenario, types } from '../helpers/kernel-env.mjs';

const check = sharedScenario(kernelEnv(), 'protocol.py');

// messaging spec 5.1+: `date` is ISO 8601 and must carry a timezone (JupyterLab computes cell timings from it).
const ISO_WITH_ZONE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)$/;

function assertBusyIdleAround(request) {
  const statuses = ofType(request.iopub, 'status').map((m) => m.content.execution_state);
  assert.deepEqual(statuses, ['busy', 'idle']);
  for (const m of request.iopub) assert.equal(m.parent_header.msg_id, request.msg_id, `${m.msg_type} has the request as parent`);
}

for (const channel of ['shell', 'control']) {
  test(`kernel_info on ${channel}: language_info, protocol version, banner, help links, busy/idle`, async () => {
    const info = await check(`kernel_info_${channel}`);
    const content = info.reply.content;
    assert.equal(info.reply.msg_type, 'kernel_info_reply');
    assert.equal(info.reply.parent_header.msg_id, info.msg_id);
    assert.equal(content.status, 'ok');
    assert.equal(content.language_info.name, 'typescript');
    assert.equal(content.language_info.file_extension, '.ts');
    assert.equal(content.language_info.codemirror_mode, 'typescript');
    const [major, minor] = content.protocol_version.split('.').map(Number);
    assert.ok(major > 5 || (major === 5 && minor >= 3), `protocol_version ${content.protocol_version} >= 5.3`);
    assert.equal(typeof content.implementation, 'string');
    assert.match(content.banner, /\S/);
    assert.ok(Array.isArray(content.help_links) && content.help_links.length > 0, 'help_links is a non-empty list');
    for (const link of content.help_links) {
      assert.match(link.text, /\S/);
      assert.match(link.url, /^https?:\/\//);
    }
    assertBusyIdleAround(info);
  });
}

test('execute 1 + 1: busy, execute_input, execute_result "2", the timing line, idle; reply ok', async () => {
  const run = await check('execute_one_plus_one');
  assert.deepEqual(types(run.iopub), ['status', 'execute_input', 'execute_result', 'display_data', 'status']);
  const [busy, input, result, timing, idle] = run.iopub;
  assert.match(timing.content.data['text/plain'], /^⏱ /);
  assert.equal(busy.content.execution_state, 'busy');
  assert.equal(idle.content.execution_state, 'idle');
  const count = run.reply.content.execution_count;
  assert.equal(typeof count, 'number');
  assert.deepEqual(input.content, { code: '1 + 1', execution_count: count });
  assert.equal(result.content.data['text/plain'], '2');
  assert.equal(result.content.execution_count, count);
  assert.equal(run.reply.content.status, 'ok');
  assert.deepEqual(run.reply.content.user_expressions, {});
});

test('execute_reply metadata.started is ISO with timezone and not after the reply date', async () => {
  const run = await check('execute_one_plus_one');
  const { started } = run.reply.metadata;
  assert.match(started, ISO_WITH_ZONE);
  assert.ok(Date.parse(started) <= Date.parse(run.reply.header.date), `started ${started} <= reply date ${run.reply.header.date}`);
  // ...and not before the client sent the request (the clocks are the same machine's).
  assert.ok(Date.parse(started) >= Date.parse(run.reply.parent_header.date) - 1, 'started is not before the request');
});

test('every header date the kernel sends is ISO 8601 with a timezone', async () => {
  const run = await check('execute_one_plus_one');
  for (const m of [...run.iopub, run.reply]) {
    assert.match(m.header.date, ISO_WITH_ZONE, `${m.msg_type} date ${m.header.date}`);
    assert.ok(!Number.isNaN(Date.parse(m.header.date)));
  }
});

test('every message of the kernel carries the same header.session', async () => {
  const { sessions, count } = await check('kernel_sessions');
  assert.ok(count > 20, `saw ${count} kernel messages`);
  assert.equal(sessions.length, 1, `sessions seen: ${sessions.join(', ')}`);
  const run = await check('execute_one_plus_one');
  assert.notEqual(sessions[0], run.reply.parent_header.session, "the kernel's session is its own, not the client's");
});

test('execution_count grows by one per stored cell; silent and store_history:false leave it', async () => {
  const r = await check('execution_count');
  const count = (name) => r[name].reply.content.execution_count;
  assert.equal(count('second'), count('first') + 1);
  assert.equal(count('after_silent'), count('second') + 1, 'a silent cell does not advance the count');
  assert.equal(count('after_unstored'), count('after_silent') + 1, 'store_history:false does not advance the count');
  assert.equal(count('unstored'), count('after_silent'), 'store_history:false reports the current count');
  // The silent cell ran (counted went 2 -> 102) but published nothing besides busy/idle.
  assert.equal(resultText(r.after_silent), '102');
  assert.deepEqual(types(r.silent.iopub), ['status', 'status']);
  assert.equal(r.silent.reply.content.status, 'ok');
  // store_history:false is not silent: it still shows its input and result.
  assert.deepEqual(types(r.unstored.iopub), ['status', 'execute_input', 'execute_result', 'display_data', 'status']);
  assert.equal(resultText(r.unstored), '102');
});

test('stop_on_error: queued cells behind a failing one get non-ok replies and never run', async () => {
  const { cells, after } = await check('stop_on_error_aborts_queue');
  const [first, ...queued] = cells;
  assert.equal(first.reply.content.status, 'error');
  assert.equal(first.reply.content.evalue, 'first');
  for (const cell of queued) {
    assert.notEqual(cell.reply.content.status, 'ok');
    assert.deepEqual(ofType(cell.iopub, 'execute_input'), [], 'an aborted cell publishes no execute_input');
    assert.deepEqual(ofType(cell.iopub, 'execute_result'), []);
  }
  // The cell sent after those replies runs, and shows the aborted cells had no effect.
  assert.equal(after.reply.content.status, 'ok');
  assert.equal(resultText(after), '[ false, false ]');
});

test('stop_on_error:false on a failing cell lets the queued cells run', async () => {
  const { cells, after } = await check('stop_on_error_false_runs_queue');
  assert.equal(cells[0].reply.content.status, 'error');
  assert.deepEqual(cells.slice(1).map((cell) => [cell.reply.content.status, resultText(cell)]), [['ok', '2'], ['ok', '3']]);
  assert.equal(resultText(after), '[ true, true ]');
});

test('user_expressions: each evaluated with its own status', async () => {
  const run = await check('user_expressions');
  const { a, b } = run.reply.content.user_expressions;
  assert.equal(run.reply.content.status, 'ok');
  assert.equal(a.status, 'ok');
  assert.equal(a.data['text/plain'], '2');
  assert.equal(b.status, 'error');
  assert.equal(b.ename, 'ReferenceError');
  assert.match(b.evalue, /nope_undefined/);
});

test('is_complete: open brace and template are incomplete, 1 + 1 complete, junk invalid', async () => {
  const r = await check('is_complete');
  assert.equal(r.open_brace.status, 'incomplete');
  assert.equal(typeof r.open_brace.indent, 'string');
  assert.ok(r.open_brace.indent.length > 0, 'after an open brace the next line is indented');
  assert.equal(r.open_template.status, 'incomplete');
  assert.equal(r.complete.status, 'complete');
  assert.equal(r.bad_let.status, 'invalid');
  assert.equal(r.stray_paren.status, 'invalid');
});

test('history: tail, range and search return [session, line, input] entries', async () => {
  const r = await check('history');
  const entry = ({ count, code }) => [count, code];
  const lineAndInput = (reply) => reply.history.map(([, line, input]) => [line, input]);
  for (const reply of [r.tail, r.range, r.search]) {
    assert.equal(reply.status, 'ok');
    for (const item of reply.history) assert.equal(item.length, 3);
  }
  assert.deepEqual(lineAndInput(r.tail), r.cells.slice(1).map(entry));
  // messaging spec (IPython's range): `stop` is exclusive.
  assert.deepEqual(lineAndInput(r.range), r.cells.slice(0, 2).map(entry));
  assert.ok(r.search.history.length > 0);
  for (const [, , input] of r.search.history) assert.match(input, /console/);
  assert.ok(lineAndInput(r.search).some(([line]) => line === r.cells[1].count), 'search finds the console.log cell');
});

test('comm_info: ok with an empty comm map', async () => {
  const info = await check('comm_info');
  assert.equal(info.reply.msg_type, 'comm_info_reply');
  assert.deepEqual(info.reply.content, { status: 'ok', comms: {} });
  assertBusyIdleAround(info);
});

test('comm_open with an unknown target is answered by comm_close for that comm_id', async () => {
  const opened = await check('comm_open_unknown_target');
  assert.deepEqual(types(opened.iopub), ['status', 'comm_close', 'status']);
  assert.equal(ofType(opened.iopub, 'comm_close')[0].content.comm_id, opened.comm_id);
});
