// End-to-end, JupyterLab fidelity without JupyterLab: Debian's jupyter_server (the server JupyterLab
// talks to) driven by @jupyterlab/services (the client library JupyterLab itself uses, over the
// REST and WebSocket API). Starts a session with the Tempo kernel, executes, completes, inspects,
// interrupts and restarts it, and shuts everything down.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelManager, ServerConnection, SessionManager } from '@jupyterlab/services';
import { pollUntil, startJupyterServer } from './notebook-server.mjs';

let server;
let kernelManager;
let sessionManager;
let session;
let kernel;

// The library logs "Starting WebSocket" and reconnect lines through console.log/debug; keep the
// test output readable.
const quietConsole = () => {
  const saved = { log: console.log, debug: console.debug, warn: console.warn };
  const keep = (fn) => (...args) => {
    if (typeof args[0] === 'string' && /WebSocket|reconnect/i.test(args[0])) return;
    fn(...args);
  };
  console.log = keep(saved.log);
  console.debug = keep(saved.debug);
  console.warn = keep(saved.warn);
  return () => Object.assign(console, saved);
};
let restoreConsole = () => {};

before(async () => {
  restoreConsole = quietConsole();
  server = await startJupyterServer({ logName: 'jupyterlab-services-server' });
  try {
    const serverSettings = ServerConnection.makeSettings({ baseUrl: server.url, token: server.token });
    kernelManager = new KernelManager({ serverSettings });
    sessionManager = new SessionManager({ serverSettings, kernelManager });
    await sessionManager.ready;
    session = await sessionManager.startNew({ path: 'scratch-services.ipynb', name: 'scratch-services.ipynb', type: 'notebook', kernel: { name: 'tempo' } });
    kernel = session.kernel;
    assert.ok(kernel, 'the session has a kernel');
  } catch (err) {
    err.message += `\n--- server log ---\n${server.log()}`;
    throw err;
  }
});

after(async () => {
  try {
    if (session) await session.shutdown().catch((err) => console.error('session shutdown failed:', err.message));
    sessionManager?.dispose();
    kernelManager?.dispose();
  } finally {
    try {
      if (server) {
        const kernels = await server.api('/api/kernels').catch(() => []);
        await server.stop();
        assert.deepEqual(kernels, [], 'no kernel left running after the session shutdown');
      }
    } finally {
      restoreConsole();
    }
  }
});

/** Executes `code`, collecting IOPub messages of that request until the reply and idle. */
async function execute(code, { onIOPub } = {}) {
  const iopub = [];
  const future = kernel.requestExecute({ code });
  future.onIOPub = (msg) => {
    iopub.push(msg);
    onIOPub?.(msg);
  };
  const reply = await future.done;
  return { reply: reply.content, iopub };
}

const ofType = (iopub, type) => iopub.filter((m) => m.header.msg_type === type).map((m) => m.content);

test('kernel info: TypeScript', async () => {
  const info = await kernel.info;
  assert.equal(info.status, 'ok');
  assert.equal(info.language_info.name, 'typescript');
});

test('execute: stream, result, timing display, ok reply', async () => {
  const { reply, iopub } = await execute('console.log("hi"); 1 + 1');
  assert.equal(reply.status, 'ok', JSON.stringify(reply));
  const streams = ofType(iopub, 'stream');
  assert.deepEqual(streams.map((s) => [s.name, s.text]), [['stdout', 'hi\n']]);
  const results = ofType(iopub, 'execute_result');
  assert.equal(results.length, 1);
  assert.equal(results[0].data['text/plain'], '2');
  const displays = ofType(iopub, 'display_data');
  assert.ok(displays.some((d) => /⏱/.test(String(d.data['text/plain'] ?? ''))), `timing display_data: ${JSON.stringify(displays)}`);
  const statuses = ofType(iopub, 'status').map((s) => s.execution_state);
  assert.equal(statuses.at(-1), 'idle');
});

test('complete: `Math.fl` offers floor', async () => {
  const code = 'Math.fl';
  // The type checker loads in the background at start; poll until completions arrive.
  const matches = await pollUntil(async () => {
    const reply = await kernel.requestComplete({ code, cursor_pos: code.length });
    assert.equal(reply.content.status, 'ok');
    return reply.content.matches.includes('floor') || reply.content.matches.includes('Math.floor') ? reply.content.matches : null;
  }, { timeoutMs: 30_000, intervalMs: 250, what: 'completions containing floor' });
  assert.ok(matches.some((m) => /floor$/.test(m)));
});

test('inspect: `Math.floor` is found', async () => {
  const code = 'Math.floor';
  const content = await pollUntil(async () => {
    const reply = await kernel.requestInspect({ code, cursor_pos: code.length, detail_level: 0 });
    assert.equal(reply.content.status, 'ok');
    return reply.content.found ? reply.content : null;
  }, { timeoutMs: 30_000, intervalMs: 250, what: 'inspect found' });
  assert.match(String(content.data['text/plain'] ?? content.data['text/markdown'] ?? JSON.stringify(content.data)), /floor/);
});

test('interrupt stops `while (true) {}` with an error reply; state is kept', async () => {
  let r = await execute('let kept = 41;');
  assert.equal(r.reply.status, 'ok');
  const future = kernel.requestExecute({ code: 'while (true) {}' });
  const iopub = [];
  future.onIOPub = (msg) => iopub.push(msg);
  await pollUntil(() => iopub.some((m) => m.header.msg_type === 'status' && m.content.execution_state === 'busy'), { timeoutMs: 10_000, what: 'busy' });
  await kernel.interrupt();
  const reply = (await future.done).content;
  assert.equal(reply.status, 'error', JSON.stringify(reply));
  assert.ok(ofType(iopub, 'error').length >= 1, 'an error message on IOPub');
  r = await execute('kept + 1');
  assert.equal(r.reply.status, 'ok');
  assert.equal(ofType(r.iopub, 'execute_result')[0].data['text/plain'], '42');
});

test('restart: kernel idle again with a fresh scope', async () => {
  await kernel.restart();
  await pollUntil(() => kernel.status === 'idle', { timeoutMs: 30_000, what: 'idle after restart' });
  const info = await kernel.info;
  assert.equal(info.language_info.name, 'typescript');
  const r = await execute('typeof kept');
  assert.equal(r.reply.status, 'ok', JSON.stringify(r.reply));
  assert.equal(ofType(r.iopub, 'execute_result')[0].data['text/plain'], "'undefined'");
});

const timingLine = (iopub) => ofType(iopub, 'display_data').map((d) => String(d.data['text/plain'] ?? '')).find((t) => /⏱/.test(t));
// Blocked share of wall time from the timing line ("⏱ 1.01 s wall · event loop blocked 25.3 ms …").
const seconds = (n, unit) => Number(n) / (unit === 'ms' ? 1000 : 1);
const blockedPercent = (line) => {
  const wall = line.match(/⏱\s*([\d.]+) (ms|s) wall/);
  const blocked = line.match(/blocked ([\d.]+) (ms|s)/);
  assert.ok(wall && blocked, `timing line has wall and blocked times: ${line}`);
  return (100 * seconds(blocked[1], blocked[2])) / seconds(wall[1], wall[2]);
};

test('seed examples with 200 ms jobs: blocking, sequential await, Promise.all', async (t) => {
  const blocking = await execute(`
function job(n: number): void {
  console.log(\`Starting job \${n}\`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  console.log(\`Finishing job \${n}\`);
}
for (let i = 0; i < 5; i++) job(i);`);
  assert.equal(blocking.reply.status, 'ok', JSON.stringify(blocking.reply));
  const lines = ofType(blocking.iopub, 'stream').map((s) => s.text).join('').split('\n').filter(Boolean);
  assert.deepEqual(lines, [0, 1, 2, 3, 4].flatMap((n) => [`Starting job ${n}`, `Finishing job ${n}`]));
  const bLine = timingLine(blocking.iopub);
  assert.ok(bLine, 'blocking: a timing line');
  assert.ok(blockedPercent(bLine) >= 90, `blocking: blocked >= 90 %: ${bLine}`);

  const sequential = await execute(`
const nap = (ms: number) => new Promise((r) => setTimeout(r, ms));
for (let i = 0; i < 5; i++) { console.log(\`Starting job \${i}\`); await nap(200); console.log(\`Finishing job \${i}\`); }`);
  assert.equal(sequential.reply.status, 'ok', JSON.stringify(sequential.reply));
  const seqLines = ofType(sequential.iopub, 'stream').map((s) => s.text).join('').split('\n').filter(Boolean);
  assert.deepEqual(seqLines, [0, 1, 2, 3, 4].flatMap((n) => [`Starting job ${n}`, `Finishing job ${n}`]));
  assert.ok(timingLine(sequential.iopub), 'sequential: a timing line');

  const parallel = await execute('await Promise.all([0, 1, 2, 3, 4].map((n) => nap(200).then(() => n)))');
  assert.equal(parallel.reply.status, 'ok', JSON.stringify(parallel.reply));
  assert.equal(ofType(parallel.iopub, 'execute_result')[0]?.data['text/plain'], '[ 0, 1, 2, 3, 4 ]');
  const pLine = timingLine(parallel.iopub);
  assert.ok(pLine, 'Promise.all: a timing line');
  assert.ok(blockedPercent(pLine) < 10, `Promise.all: blocked < 10 %: ${pLine}`);
  t.diagnostic(`blocking: ${bLine} | sequential: ${timingLine(sequential.iopub)} | Promise.all: ${pLine}`);
});

/**
 * Executes `code` the way JupyterLab's notebook does (OutputArea.execute: requestExecute with
 * disposeOnDone false), so the future, like a cell's output area, keeps receiving messages after
 * its reply until it is disposed (JupyterLab disposes it when the cell runs again).
 */
function executeAsCell(code) {
  const future = kernel.requestExecute({ code }, false);
  const iopub = [];
  future.onIOPub = (msg) => iopub.push(msg);
  return { future, iopub, msgId: future.msg.header.msg_id };
}

test('display id: created in one cell, updated from a later cell, reaches the first cell\'s output area', async (t) => {
  const first = executeAsCell('const h = display("before", { id: true });');
  const second = executeAsCell('h.update("after");');
  try {
    assert.equal((await first.future.done).content.status, 'ok');
    const created = first.iopub.filter((m) => m.header.msg_type === 'display_data' && m.content.transient?.display_id);
    assert.equal(created.length, 1, JSON.stringify(first.iopub.map((m) => [m.header.msg_type, m.content])));
    const id = created[0].content.transient.display_id;
    assert.match(String(created[0].content.data['text/plain']), /before/);
    assert.equal((await second.future.done).content.status, 'ok');
    const isUpdate = (m) => m.header.msg_type === 'update_display_data';
    await pollUntil(() => first.iopub.some(isUpdate), { timeoutMs: 10_000, what: "update_display_data on the first cell's future" });
    const [update] = first.iopub.filter(isUpdate);
    // Published under the second cell with the first display's id; the client routes it by
    // display_id to the future that created the display: the first cell's output area.
    assert.equal(update.parent_header.msg_id, second.msgId);
    assert.equal(update.content.transient.display_id, id);
    assert.match(String(update.content.data['text/plain']), /after/);
    t.diagnostic(`update_display_data seen by the first cell's future: ${first.iopub.filter(isUpdate).length}, by the second's: ${second.iopub.filter(isUpdate).length}`);
  } finally {
    first.future.dispose();
    second.future.dispose();
  }
});

test('late output: a timer from cell A firing while cell B runs reaches A\'s output area, not B\'s', async (t) => {
  const a = executeAsCell('setTimeout(() => console.log("late from A"), 300); "A"');
  const b = executeAsCell('await new Promise(r => setTimeout(r, 800)); "B"');
  try {
    assert.equal((await a.future.done).content.status, 'ok');
    assert.equal((await b.future.done).content.status, 'ok');
    const isLate = (m) => m.header.msg_type === 'stream' && /late from A/.test(m.content.text);
    await pollUntil(() => a.iopub.some(isLate), { timeoutMs: 10_000, what: '"late from A" on A\'s future' });
    const [late] = a.iopub.filter(isLate);
    assert.equal(late.parent_header.msg_id, a.msgId, 'published with A\'s parent');
    assert.deepEqual(b.iopub.filter(isLate), [], 'B, the cell running when it fired, does not show it');
    // A's future had its reply and idle long before: the output still reaches it, as in JupyterLab.
    const idleAt = a.iopub.findIndex((m) => m.header.msg_type === 'status' && m.content.execution_state === 'idle');
    assert.ok(idleAt >= 0 && idleAt < a.iopub.indexOf(late), 'after A went idle');
    t.diagnostic(`A's future got ${a.iopub.length} messages, the late line after its idle; B's got ${b.iopub.length}, none of them A's`);
  } finally {
    a.future.dispose();
    b.future.dispose();
  }
});
