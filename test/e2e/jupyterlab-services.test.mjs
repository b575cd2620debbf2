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
