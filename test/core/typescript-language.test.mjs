// The TypeScript language's kernel-side half, with a fake executor and a fake checker: what
// happens to a cell when the executor reports, dies, is interrupted or asks for input.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { deferred } from './harness.mjs';

const require = createRequire(import.meta.url);
const { TypeScriptLanguage } = require('../../dist/language/typescript-language.js');
const { TypeCheckerRestarted } = require('../../dist/common/type-checker.js');

const timing = { wallMs: 12, blockedMs: 2, cpuUserMs: 1, cpuSystemMs: 0, timers: 1, promises: 0, io: 0, pending: [], overlap: 1 };

function setup({ diagnostics = [] } = {}) {
  const outputs = [];
  const host = {
    lost: 0,
    answer: undefined,
    output: (cellId, output) => outputs.push([cellId, output]),
    input: () => host.answer ?? Promise.resolve('typed'),
    stateLost: () => (host.lost += 1),
    log: () => {},
  };
  const executor = { starts: [], sent: [], interrupts: [], kills: 0 };
  Object.assign(executor, {
    start: async (settings) => void executor.starts.push(settings),
    send: (command) => executor.sent.push(command),
    interrupt: (cell) => executor.interrupts.push(cell),
    kill: () => (executor.kills += 1),
  });
  const checker = { committed: [], resets: 0, check: async () => diagnostics, ready: Promise.resolve() };
  Object.assign(checker, {
    start: () => {},
    commit: (code) => checker.committed.push(code),
    reset: () => (checker.resets += 1),
    complete: async () => ({ matches: [], cursorStart: 0, cursorEnd: 0, metadata: {} }),
    inspect: async () => ({ found: false, data: {} }),
  });
  const language = new TypeScriptLanguage(host, executor, checker);
  return { language, host, executor, checker, outputs };
}

const cell = (code, id = 'msg-1') => ({ id, code, name: 'In[1]', userExpressions: {} });

/** Resolves once the executor has been sent a command of `type`. */
async function sentCommand(executor, type) {
  for (let i = 0; i < 100; i++) {
    const found = executor.sent.find((c) => c.type === type);
    if (found) return found;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`no ${type} command sent; sent: ${JSON.stringify(executor.sent)}`);
}

test("a cell whose interact runs show their own timing: no timing line or chart under the cell; the reply still has its timing", async () => {
  const { language, executor } = setup();
  const outcome = language.execute(cell('interact(f, { n: [1, 5] })'));
  await sentCommand(executor, 'execute');
  language.onEvent({ type: 'done', parent: 'msg-1', userExpressions: {}, timing, timeline: { 'text/plain': 'chart' }, timedByRuns: true, settings: { timing: true, timeline: true } });
  const result = await outcome;
  assert.deepEqual(result.epilogue, []);
  assert.deepEqual(result.metadata, { timing });
});

test('a cell runs on the executor; its events become output; done closes it with the timing line', async () => {
  const { language, executor, checker, outputs } = setup();
  const outcome = language.execute(cell('console.log(1)'));
  const command = await sentCommand(executor, 'execute');
  assert.deepEqual({ ...command, cell: undefined }, { type: 'execute', parent: 'msg-1', cell: undefined, code: 'console.log(1)', cellName: 'In[1]', userExpressions: {} });
  language.onEvent({ type: 'stream', parent: 'msg-1', name: 'stdout', text: '1\n' });
  language.onEvent({ type: 'done', parent: 'msg-1', userExpressions: {}, timing, settings: { timing: true, timeline: false } });
  const result = await outcome;
  assert.deepEqual(outputs, [['msg-1', { type: 'stream', name: 'stdout', text: '1\n' }]]);
  assert.equal(result.error, undefined);
  assert.equal(result.epilogue.length, 1);
  assert.match(result.epilogue[0]['text/plain'], /12\.0 ms wall/);
  assert.deepEqual(result.metadata, { timing });
  assert.deepEqual(checker.committed, ['console.log(1)'], 'a cell that ran is committed to the checker');
});

test('a check cut short by a tsc restart: that cell runs unchecked with a note, and the next cell is checked again', async () => {
  const { language, executor, checker, outputs } = setup();
  const checks = [Promise.reject(new TypeCheckerRestarted('tsc exited (SIGKILL)')), Promise.resolve([{ code: 2322, message: 'Nope.', line: 1, column: 7, length: 1 }])];
  checker.check = () => checks.shift();
  const first = language.execute(cell('const a: string = 1;'));
  await sentCommand(executor, 'execute');
  language.onEvent({ type: 'done', parent: 'msg-1', userExpressions: {}, timing, settings: { timing: true, timeline: false } });
  assert.equal((await first).error, undefined, 'it ran');
  assert.deepEqual(outputs, [['msg-1', { type: 'stream', name: 'stderr', text: 'Type check skipped: the TypeScript checker stopped (tsc exited (SIGKILL)) and is starting again; the cell runs unchecked.\n' }]]);
  const second = await language.execute(cell('const b: string = 1;', 'msg-2'));
  assert.equal(second.error?.ename, 'TypeScriptError', 'checks go on: the gate did not give up');
  assert.equal(checks.length, 0);
});

test('%timing off, as the executor reports it, drops the timing line of later cells', async () => {
  const { language, executor } = setup();
  const first = language.execute(cell('%timing off', 'a'));
  await sentCommand(executor, 'execute');
  language.onEvent({ type: 'done', parent: 'a', userExpressions: {}, timing, settings: { timing: false, timeline: false } });
  assert.deepEqual((await first).epilogue, []);
});

test('a type error stops the cell before the executor', async () => {
  const { language, executor } = setup({ diagnostics: [{ code: 2322, message: "Type 'string' is not assignable to type 'number'.", line: 1, column: 7, length: 1 }] });
  const result = await language.execute(cell('const n: number = "x"'));
  assert.match(result.error.evalue, /not assignable/);
  assert.deepEqual(executor.sent, []);
});

test('the executor dies under a cell: the cell fails with why, state is reset, a new executor starts', async () => {
  const { language, executor, checker, host } = setup();
  const outcome = language.execute(cell('process.kill(process.pid, "SIGKILL")'));
  await sentCommand(executor, 'execute');
  language.onExecutorExit(null, 'SIGKILL');
  const result = await outcome;
  assert.equal(result.error.ename, 'ExecutorRestarted');
  assert.match(result.error.evalue, /killed by SIGKILL[\s\S]*variables, functions and imports from earlier cells are gone/);
  assert.match(result.epilogue[0]['text/plain'], /executor restarted/i);
  assert.equal(executor.starts.length, 2, 'a second executor started');
  assert.equal(checker.resets, 1);
  assert.equal(host.lost, 1, 'core hears that the comms are gone');
});

test('the executor ends between cells: the error says how, and a new executor starts', async () => {
  const { language, outputs, executor } = setup();
  const starts = executor.starts.length;
  language.onExecutorExit(3, null);
  assert.equal(outputs.length, 1);
  assert.match(outputs[0][1].error.evalue, /ended with exit code 3[\s\S]*new executor/);
  assert.equal(executor.starts.length, starts + 1, 'a new executor started');
});

test('an interrupt the cell ignores for 3 s replaces the executor, and the cell says it was interrupted', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { language, executor } = setup();
    const outcome = language.execute(cell('for (;;) {}'));
    const command = await sentCommand(executor, 'execute');
    language.interrupt();
    language.interrupt();
    assert.deepEqual(executor.interrupts, [command.cell], 'one interrupt per cell, naming it');
    mock.timers.tick(2999);
    assert.equal(executor.kills, 0);
    mock.timers.tick(1);
    assert.equal(executor.kills, 1);
    language.onExecutorExit(null, 'SIGKILL');
    const result = await outcome;
    assert.equal(result.error.ename, 'Interrupted');
    assert.match(result.error.evalue, /did not stop when interrupted/);
  } finally {
    mock.timers.reset();
  }
});

test('an interrupt while the cell is still being checked: it never starts', async () => {
  const { language, executor, checker } = setup();
  const check = deferred();
  checker.check = () => check.promise;
  const outcome = language.execute(cell('slow check'));
  await new Promise((resolve) => setImmediate(resolve));
  language.interrupt();
  const result = await outcome;
  assert.equal(result.error.ename, 'Interrupted');
  assert.match(result.error.evalue, /before it started/);
  assert.equal(executor.sent.filter((c) => c.type === 'execute').length, 0);
  check.resolve([]);
});

test('input: the answer, or why there is none, goes back to the executor by question id', async () => {
  const { language, executor, host } = setup();
  language.onEvent({ type: 'input_request', parent: 'msg-1', id: 'q1', prompt: 'Name? ', password: false });
  host.answer = Promise.reject(new Error('no stdin here'));
  language.onEvent({ type: 'input_request', parent: 'msg-1', id: 'q2', prompt: 'Again? ', password: false });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(executor.sent, [
    { type: 'input_reply', id: 'q1', value: 'typed' },
    { type: 'input_reply', id: 'q2', error: 'no stdin here' },
  ]);
});

test("a front end's comm message resolves when the executor says its handler ran", async () => {
  const { language, executor } = setup();
  let handled = false;
  const done = language.comm({ type: 'comm_msg', comm_id: 'c1', data: { n: 1 } }, 'msg-9').then(() => (handled = true));
  const command = await sentCommand(executor, 'comm');
  assert.deepEqual(command, { type: 'comm', parent: 'msg-9', action: 'msg', comm_id: 'c1', target_name: undefined, data: { n: 1 }, metadata: undefined, buffers: undefined });
  assert.equal(handled, false);
  language.onEvent({ type: 'comm_done', parent: 'msg-9' });
  await done;
  assert.equal(handled, true);
});

test('comm metadata and binary buffers cross to the executor as base64 and come back as bytes', async () => {
  const { language, executor, outputs } = setup();
  void language.comm({ type: 'comm_msg', comm_id: 'w1', data: { method: 'update' }, metadata: { version: '2.1.0' }, buffers: [Buffer.from([0, 1, 255])] }, 'msg-10');
  const command = await sentCommand(executor, 'comm');
  assert.deepEqual([command.metadata, command.buffers], [{ version: '2.1.0' }, ['AAH/']]);
  language.onEvent({ type: 'comm_msg', parent: 'msg-10', comm_id: 'w1', data: { method: 'custom' }, metadata: { version: '2.1.0' }, buffers: ['AAH/'] });
  const [, sent] = outputs.find(([, output]) => output.type === 'comm_msg');
  assert.deepEqual(sent.extras, { metadata: { version: '2.1.0' }, buffers: [Buffer.from([0, 1, 255])] });
});
