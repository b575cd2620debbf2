// The execute flow of core/, whatever the language: exact IOPub sequences and parents,
// execution counts, silent cells, stop_on_error aborts, late output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coreKernel, deferred, execute, request, types } from './harness.mjs';

test('one cell: busy, execute_input, its output, the closing displays, idle; all under the request', async () => {
  const { kernel, sink } = coreKernel();
  const req = execute('1 + 1');
  kernel.language.onExecute = async (cell, host) => {
    host.output(cell.id, { type: 'stream', name: 'stdout', text: 'a' });
    host.output(cell.id, { type: 'stream', name: 'stdout', text: 'b\n' });
    host.output(cell.id, { type: 'execute_result', data: { 'text/plain': '2' } });
    return { userExpressions: {}, epilogue: [{ 'text/plain': 'wall 1 ms' }], metadata: { timing: { wallMs: 1 } } };
  };
  kernel.handle('shell', req);
  await sink.idleOf(req);
  const iopub = sink.iopubOf(req);
  assert.deepEqual(types(iopub), ['status:busy', 'execute_input', 'stream:stdout', 'execute_result', 'display_data', 'status:idle']);
  assert.equal(iopub[2].content.text, 'ab\n', 'two writes in a row go out as one stream message');
  assert.equal(iopub[3].content.execution_count, 1);
  const reply = sink.replyTo(req);
  assert.equal(reply.channel, 'shell');
  assert.deepEqual(reply.identities.map(String), ['client-1'], 'the reply is routed back to its sender');
  assert.equal(reply.content.status, 'ok');
  assert.equal(reply.content.execution_count, 1);
  assert.deepEqual(reply.metadata.timing, { wallMs: 1 }, "the language's metadata joins the reply's");
  assert.equal(reply.metadata.status, 'ok');
  const cell = kernel.language.calls.find(([name]) => name === 'execute')[1];
  assert.deepEqual(cell, { id: req.header.msg_id, code: '1 + 1', name: 'In[1]', userExpressions: {} });
});

test('a failing cell: error, then its closing displays, then an error reply; the reply comes before idle', async () => {
  const { kernel, sink } = coreKernel();
  const req = execute('throw 1');
  kernel.language.onExecute = async () => ({ error: { ename: 'Error', evalue: 'boom', traceback: ['Error: boom'] }, userExpressions: {}, epilogue: [{ 'text/plain': 'wall 2 ms' }], metadata: {} });
  kernel.handle('shell', req);
  await sink.idleOf(req);
  assert.deepEqual(types(sink.iopubOf(req)), ['status:busy', 'execute_input', 'error', 'display_data', 'status:idle']);
  const reply = sink.replyTo(req);
  assert.equal(reply.content.status, 'error');
  assert.equal(reply.content.ename, 'Error');
  const order = sink.messages.map((m) => m.header.msg_type);
  assert.ok(order.indexOf('execute_reply') < order.lastIndexOf('status'), 'reply before idle');
});

test('a silent cell publishes nothing but busy and idle, and takes no execution count', async () => {
  const { kernel, sink } = coreKernel();
  const silent = execute('x', { silent: true });
  kernel.language.onExecute = async (cell, host) => {
    host.output(cell.id, { type: 'stream', name: 'stdout', text: 'hidden' });
    host.output(cell.id, { type: 'display_data', data: { 'text/plain': 'hidden' } });
    return { userExpressions: {}, epilogue: [{ 'text/plain': 'hidden' }], metadata: {} };
  };
  kernel.handle('shell', silent);
  await sink.idleOf(silent);
  assert.deepEqual(types(sink.iopubOf(silent)), ['status:busy', 'status:idle']);
  const next = execute('y');
  kernel.handle('shell', next);
  await sink.idleOf(next);
  assert.equal(sink.replyTo(next).content.execution_count, 1, 'the silent cell took no number');
  assert.match(kernel.language.calls[0][1].name, /^In\[silent-/);
});

test('stop_on_error: the requests queued behind a failure are aborted; one sent later runs', async () => {
  const { kernel, sink } = coreKernel();
  const gate = deferred();
  kernel.language.onExecute = async (cell) => {
    if (cell.code === 'fail') {
      await gate.promise;
      return { error: { ename: 'Error', evalue: 'first fails', traceback: [] }, userExpressions: {}, epilogue: [], metadata: {} };
    }
    return { userExpressions: {}, epilogue: [], metadata: {} };
  };
  const [first, second, third] = [execute('fail'), execute('two'), execute('three')];
  for (const req of [first, second, third]) kernel.handle('shell', req);
  gate.resolve();
  await sink.idleOf(third);
  for (const req of [second, third]) {
    const reply = sink.replyTo(req);
    assert.equal(reply.content.status, 'error');
    assert.equal(reply.content.ename, 'Aborted');
    assert.equal(reply.metadata.status, 'aborted');
    assert.deepEqual(types(sink.iopubOf(req)), ['status:busy', 'status:idle'], 'an aborted request publishes no execute_input');
  }
  assert.deepEqual(kernel.language.calls.filter(([name]) => name === 'execute').map(([, cell]) => cell.code), ['fail'], 'the aborted cells never reached the language');
  const later = execute('later');
  kernel.handle('shell', later);
  await sink.idleOf(later);
  assert.equal(sink.replyTo(later).content.status, 'ok');
});

test('stop_on_error false: the next queued request still runs', async () => {
  const { kernel, sink } = coreKernel();
  kernel.language.onExecute = async (cell) => (cell.code === 'fail' ? { error: { ename: 'E', evalue: 'x', traceback: [] }, userExpressions: {}, epilogue: [], metadata: {} } : { userExpressions: {}, epilogue: [], metadata: {} });
  const first = execute('fail', { stop_on_error: false });
  const second = execute('runs');
  kernel.handle('shell', first);
  kernel.handle('shell', second);
  await sink.idleOf(second);
  assert.equal(sink.replyTo(second).content.status, 'ok');
});

test("output after a cell's reply goes to that cell; output naming no known cell goes to the running one", async () => {
  const { kernel, sink } = coreKernel();
  const first = execute('A');
  kernel.handle('shell', first);
  await sink.idleOf(first);
  const gate = deferred();
  kernel.language.onExecute = async () => {
    await gate.promise;
    return { userExpressions: {}, epilogue: [], metadata: {} };
  };
  const second = execute('B');
  kernel.handle('shell', second);
  await sink.next((m) => m.header.msg_type === 'execute_input' && m.parent_header.msg_id === second.header.msg_id, 'execute_input of B');
  kernel.language.host.output(first.header.msg_id, { type: 'display_data', data: { 'text/plain': 'late from A' } });
  kernel.language.host.output('', { type: 'display_data', data: { 'text/plain': 'raw output' } });
  gate.resolve();
  await sink.idleOf(second);
  const late = sink.messages.find((m) => m.header.msg_type === 'display_data' && m.content.data['text/plain'] === 'late from A');
  assert.equal(late.parent_header.msg_id, first.header.msg_id);
  const raw = sink.messages.find((m) => m.header.msg_type === 'display_data' && m.content.data['text/plain'] === 'raw output');
  assert.equal(raw.parent_header.msg_id, second.header.msg_id);
});

test("a result counts only for the cell running now, and is kept in history's output", async () => {
  const { kernel, sink } = coreKernel();
  const first = execute('1');
  kernel.language.onExecute = async (cell, host) => {
    host.output(cell.id, { type: 'execute_result', data: { 'text/plain': '1' } });
    return { userExpressions: {}, epilogue: [], metadata: {} };
  };
  kernel.handle('shell', first);
  await sink.idleOf(first);
  kernel.language.host.output(first.header.msg_id, { type: 'execute_result', data: { 'text/plain': 'stale' } });
  const history = request('history_request', { hist_access_type: 'tail', n: 5, output: true });
  kernel.handle('shell', history);
  await sink.idleOf(history);
  assert.equal(sink.messages.filter((m) => m.header.msg_type === 'execute_result').length, 1, 'a result after its cell ended is dropped');
  assert.deepEqual(sink.replyTo(history).content.history, [[0, 1, ['1', '1']]]);
});
