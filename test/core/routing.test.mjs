// core/'s routing table: control beside shell, busy/idle around every request, handler errors,
// stdin and comms, and the language loaded only when a request needs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coreKernel, deferred, execute, request, types } from './harness.mjs';

test('kernel_info is answered without loading the language', async () => {
  const { kernel, sink, built } = coreKernel();
  const info = request('kernel_info_request');
  kernel.handle('shell', info);
  await sink.idleOf(info);
  assert.equal(sink.replyTo(info).content.implementation, 'fake');
  assert.deepEqual(types(sink.iopubOf(info)), ['status:busy', 'status:idle']);
  assert.equal(built.length, 0);
});

test('control is served while a shell request runs, and an interrupt reaches the language', async () => {
  const { kernel, sink } = coreKernel();
  const gate = deferred();
  kernel.language.onExecute = async () => {
    await gate.promise;
    return { userExpressions: {}, epilogue: [], metadata: {} };
  };
  const busy = execute('while (true) {}');
  kernel.handle('shell', busy);
  const interrupt = request('interrupt_request');
  kernel.handle('control', interrupt);
  await sink.idleOf(interrupt);
  assert.equal(sink.replyTo(interrupt).channel, 'control');
  assert.equal(sink.replyTo(busy), undefined, 'the cell is still running');
  assert.ok(kernel.language.calls.some(([name]) => name === 'interrupt'));
  gate.resolve();
  await sink.idleOf(busy);
});

test('shell requests run one at a time, in order', async () => {
  const { kernel, sink } = coreKernel();
  const first = execute('first');
  const completion = request('complete_request', { code: 'alp', cursor_pos: 3 });
  const gate = deferred();
  kernel.language.onExecute = async () => {
    await gate.promise;
    return { userExpressions: {}, epilogue: [], metadata: {} };
  };
  kernel.handle('shell', first);
  kernel.handle('shell', completion);
  gate.resolve();
  await sink.idleOf(completion);
  const replies = sink.messages.filter((m) => m.channel === 'shell').map((m) => m.header.msg_type);
  assert.deepEqual(replies, ['execute_reply', 'complete_reply']);
  assert.deepEqual(sink.replyTo(completion).content, { status: 'ok', matches: ['alpha', 'alphabet'], cursor_start: 0, cursor_end: 3, metadata: {} });
});

test('a missing cursor_pos means the end of the code, counted in code points', async () => {
  const { kernel, sink } = coreKernel();
  const inspect = request('inspect_request', { code: '한글😀' });
  kernel.handle('shell', inspect);
  await sink.idleOf(inspect);
  assert.deepEqual(kernel.language.calls.at(-1), ['inspect', '한글😀', 3]);
  assert.equal(sink.replyTo(inspect).content.found, true);
});

test('an unknown msg_type gets busy and idle and no reply; a handler that throws gets an error reply', async () => {
  const { kernel, sink, logs } = coreKernel();
  const unknown = request('frobnicate_request');
  kernel.handle('shell', unknown);
  await sink.idleOf(unknown);
  assert.equal(sink.replyTo(unknown), undefined);
  assert.match(logs.join('\n'), /unknown msg_type "frobnicate_request"/);
  const broken = request('complete_request', { code: 'x', cursor_pos: 1 });
  kernel.language.complete = () => {
    throw new TypeError('checker exploded');
  };
  kernel.handle('shell', broken);
  await sink.idleOf(broken);
  const reply = sink.replyTo(broken);
  assert.equal(reply.header.msg_type, 'complete_reply');
  assert.equal(reply.content.status, 'error');
  assert.equal(reply.content.evalue, 'checker exploded');
});

test('input: the question goes on stdin to the client that sent the cell, and its answer comes back', async () => {
  const { kernel, sink } = coreKernel();
  let answer;
  kernel.language.onExecute = async (cell, host) => {
    host.output(cell.id, { type: 'stream', name: 'stdout', text: 'before the question\n' });
    answer = await host.input('Name? ', false);
    return { userExpressions: {}, epilogue: [], metadata: {} };
  };
  const req = execute('await input("Name? ")');
  kernel.handle('shell', req);
  const question = await sink.next((m) => m.channel === 'stdin', 'input_request');
  assert.equal(question.header.msg_type, 'input_request');
  assert.deepEqual(question.content, { prompt: 'Name? ', password: false });
  assert.deepEqual(question.identities.map(String), ['client-1']);
  assert.ok(sink.messages.findIndex((m) => m.header.msg_type === 'stream') < sink.messages.indexOf(question), 'what the cell printed comes first');
  kernel.handle('stdin', { ...request('input_reply', { value: 'Ada' }), parent_header: question.header });
  await sink.idleOf(req);
  assert.equal(answer, 'Ada');
});

test('input from a client that cannot answer (allow_stdin false) fails at once', async () => {
  const { kernel, sink } = coreKernel();
  let failure;
  kernel.language.onExecute = async (cell, host) => {
    failure = await host.input('Name? ', false).then(() => undefined, (error) => error);
    return { userExpressions: {}, epilogue: [], metadata: {} };
  };
  const req = execute('await input()', { allow_stdin: false });
  kernel.handle('shell', req);
  await sink.idleOf(req);
  assert.match(failure.message, /allow_stdin false/);
  assert.equal(sink.messages.filter((m) => m.channel === 'stdin').length, 0);
});

test('comms: both directions feed comm_info; the front end waits for the handler; a restart clears them', async () => {
  const { kernel, sink } = coreKernel();
  kernel.language.onComm = async (commRequest, cellId, host) => {
    host.output(cellId, { type: 'stream', name: 'stdout', text: 'handled\n' });
  };
  const open = request('comm_open', { comm_id: 'c1', target_name: 'echo', data: { x: 1 } });
  kernel.handle('shell', open);
  await sink.idleOf(open);
  assert.deepEqual(types(sink.iopubOf(open)), ['status:busy', 'stream:stdout', 'status:idle'], "the handler's output comes before idle");
  assert.deepEqual(kernel.language.calls.find(([name]) => name === 'comm')[1], { type: 'comm_open', comm_id: 'c1', target_name: 'echo', data: { x: 1 }, metadata: {}, buffers: [] });
  kernel.language.host.output('', { type: 'comm_open', comm_id: 'c2', target_name: 'plot', data: {} });
  const info = request('comm_info_request', {});
  kernel.handle('shell', info);
  await sink.idleOf(info);
  assert.deepEqual(sink.replyTo(info).content.comms, { c1: { target_name: 'echo' }, c2: { target_name: 'plot' } });
  const onlyPlot = request('comm_info_request', { target_name: 'plot' });
  kernel.handle('shell', onlyPlot);
  await sink.idleOf(onlyPlot);
  assert.deepEqual(sink.replyTo(onlyPlot).content.comms, { c2: { target_name: 'plot' } });
  kernel.language.host.stateLost();
  const after = request('comm_info_request', {});
  kernel.handle('shell', after);
  await sink.idleOf(after);
  assert.deepEqual(sink.replyTo(after).content.comms, {});
});

test('shutdown: the reply goes to the client and to IOPub, then the process is told to stop', async () => {
  const { kernel, sink, shutdowns } = coreKernel();
  const req = request('shutdown_request', { restart: true });
  kernel.handle('control', req);
  await sink.idleOf(req);
  assert.deepEqual(sink.replyTo(req).content, { status: 'ok', restart: true });
  assert.ok(sink.iopubOf(req).some((m) => m.header.msg_type === 'shutdown_reply'));
  assert.deepEqual(shutdowns, [true]);
});
