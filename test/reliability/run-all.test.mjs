// "Run all" speed: cells sent back to back, the first of which fails. stop_on_error aborts what
// was queued behind the failure (messaging spec: execute, stop_on_error) and nothing else: a cell
// that arrives right after the error reply runs (tslab aborts everything for 200 ms after an error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ofType, resultText, sharedKernel } from './harness.mjs';


const shared = sharedKernel();

const executeContent = (code, extra = {}) => ({ code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...extra });

async function outcome(msgId) {
  const reply = await shared.client.waitFor(() => shared.client.repliesTo(msgId)[0], 15_000, `reply to ${msgId}`);
  await shared.client.waitFor(() => shared.client.isIdle(msgId), 15_000, `idle for ${msgId}`);
  return { reply: reply.content, inputs: ofType(shared.client.iopubFor(msgId), 'execute_input').length, iopub: shared.client.iopubFor(msgId) };
}

test('back to back: a failing first cell aborts the queued cells, which never run; other requests behind it are served', async () => {
  await shared.client.execute('(globalThis as any).ran = []');
  const failing = await shared.client.send('shell', 'execute_request', executeContent('await new Promise((r) => setTimeout(r, 300)); throw new Error("first fails")'));
  const queued = [];
  for (let i = 0; i < 5; i++) queued.push(await shared.client.send('shell', 'execute_request', executeContent(`(globalThis as any).ran.push(${i})`)));
  const info = await shared.client.send('shell', 'kernel_info_request', {});
  const complete = await shared.client.send('shell', 'complete_request', { code: 'Mat', cursor_pos: 3 });
  const first = await outcome(failing);
  assert.equal(first.reply.status, 'error');
  assert.equal(first.reply.ename, 'Error');
  for (const id of queued) {
    const q = await outcome(id);
    assert.notEqual(q.reply.status, 'ok', 'a queued cell behind the failure is not ok');
    assert.equal(q.inputs, 0, 'an aborted cell has no execute_input');
    assert.equal(ofType(q.iopub, 'error').length, 0, 'and no error output of its own');
  }
  assert.equal((await outcome(info)).reply.status, 'ok', 'kernel_info queued behind the failure is answered');
  assert.equal((await outcome(complete)).reply.status, 'ok', 'complete queued behind the failure is answered');
  assert.equal(resultText(await shared.client.execute('JSON.stringify((globalThis as any).ran)')), "'[]'", 'none of the aborted cells ran');
});

test('a cell sent the moment the error reply arrives is never skipped (10 rounds)', async () => {
  await shared.client.execute('(globalThis as any).after = 0');
  for (let round = 0; round < 10; round++) {
    const failing = await shared.client.send('shell', 'execute_request', executeContent(`throw new Error("round ${round}")`));
    await shared.client.waitFor(() => shared.client.repliesTo(failing)[0], 15_000, 'error reply');
    // No wait at all: not for idle, not for a timer.
    const next = await shared.client.send('shell', 'execute_request', executeContent('++(globalThis as any).after'));
    const result = await outcome(next);
    assert.equal(result.reply.status, 'ok', `round ${round}: the cell after the error was ${result.reply.status} (${result.reply.ename}: ${result.reply.evalue})`);
    assert.equal(result.inputs, 1);
    assert.equal(resultText({ iopub: result.iopub }), String(round + 1));
  }
});

test('errors in 20 back-to-back runs of [fail, ok, ok]: each run aborts exactly its own two cells', async () => {
  await shared.client.execute('(globalThis as any).ok = 0');
  const runs = [];
  for (let r = 0; r < 20; r++) {
    const ids = [await shared.client.send('shell', 'execute_request', executeContent(`await new Promise((r) => setTimeout(r, 20)); throw new Error("run ${r}")`))];
    ids.push(await shared.client.send('shell', 'execute_request', executeContent('(globalThis as any).ok++')));
    ids.push(await shared.client.send('shell', 'execute_request', executeContent('(globalThis as any).ok++')));
    runs.push(ids);
    // The next run starts once this one's last reply is in: like a user pressing "run all" again.
    await outcome(ids[2]);
  }
  for (const [fail, ...rest] of runs) {
    assert.equal((await outcome(fail)).reply.status, 'error');
    for (const id of rest) assert.notEqual((await outcome(id)).reply.status, 'ok');
  }
  assert.equal(resultText(await shared.client.execute('(globalThis as any).ok')), '0');
});
