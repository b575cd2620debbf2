// An in-memory kernel for test/core: the real Kernel, Messenger and wire codec, with a frame sink
// that decodes what the kernel sends instead of ZeroMQ, and a fake language the test scripts
// (xeus's mock server, ipykernel's MockKernel). Nothing here starts a process.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Kernel } = require('../../dist/core/kernel.js');
const { Messenger } = require('../../dist/core/messenger.js');
const { Signer } = require('../../dist/protocol/signing.js');
const { ReplayGuard } = require('../../dist/protocol/replay-guard.js');
const { decode } = require('../../dist/protocol/wire.js');
const { newHeader } = require('../../dist/protocol/messages.js');

const KEY = 'core-test-key';

/** A deferred: a promise the test settles. */
export function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => ([resolve, reject] = [res, rej]));
  return { promise, resolve, reject };
}

/** Decodes every frame list the kernel sends, and lets a test wait for a message that matches. */
export class RecordingSink {
  messages = [];
  #signer = new Signer('hmac-sha256', KEY);
  #guard = new ReplayGuard();
  #waiters = [];

  send(channel, frames) {
    const message = { channel, ...decode(frames, this.#signer, this.#guard) };
    this.messages.push(message);
    this.#waiters = this.#waiters.filter((waiter) => !waiter.test(message) || (waiter.resolve(message), false));
  }

  /** Resolves with the first message, sent or still to come, that passes `test`. */
  next(test, what = 'a message', timeoutMs = 2000) {
    const found = this.messages.find(test);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms; sent: ${this.messages.map((m) => `${m.channel}:${m.header.msg_type}`).join(' ')}`)), timeoutMs);
      this.#waiters.push({ test, resolve: (message) => (clearTimeout(timer), resolve(message)) });
    });
  }

  /** The `idle` that closes `request`: everything it caused has been sent by then. */
  idleOf(request) {
    return this.next((m) => m.channel === 'iopub' && m.header.msg_type === 'status' && m.content.execution_state === 'idle' && m.parent_header.msg_id === request.header.msg_id, `idle for ${request.header.msg_type}`);
  }

  /** IOPub messages caused by `request`, as `msg_type` or `stream:name` strings, in order. */
  iopubOf(request) {
    return this.messages.filter((m) => m.channel === 'iopub' && m.parent_header.msg_id === request.header.msg_id);
  }

  replyTo(request) {
    return this.messages.find((m) => m.channel !== 'iopub' && m.parent_header.msg_id === request.header.msg_id && m.header.msg_type.endsWith('_reply'));
  }
}

/** A language whose every answer the test controls; it records what core asked of it. */
export class FakeLanguage {
  calls = [];
  /** Set by the test: what execute does with a cell (default: ok, no output). */
  onExecute = async () => ({ userExpressions: {}, epilogue: [], metadata: {} });
  onComm = async () => {};

  constructor(host) {
    this.host = host;
  }
  start() {
    this.calls.push(['start']);
  }
  execute(cell) {
    this.calls.push(['execute', cell]);
    return this.onExecute(cell, this.host);
  }
  interrupt() {
    this.calls.push(['interrupt']);
  }
  async complete(code, cursor) {
    this.calls.push(['complete', code, cursor]);
    return { matches: ['alpha', 'alphabet'], cursorStart: 0, cursorEnd: cursor, metadata: {} };
  }
  async inspect(code, cursor) {
    this.calls.push(['inspect', code, cursor]);
    return { found: true, data: { 'text/plain': 'const alpha: number' } };
  }
  isComplete(code) {
    return code.endsWith('{') ? { status: 'incomplete', indent: '  ' } : { status: 'complete' };
  }
  comm(request, cellId) {
    this.calls.push(['comm', request, cellId]);
    return this.onComm(request, cellId, this.host);
  }
  shutdown() {
    this.calls.push(['shutdown']);
  }
}

/** A Kernel on a RecordingSink; `language` is built on first need, as in production. */
export function coreKernel() {
  const sink = new RecordingSink();
  const messenger = new Messenger(sink, new Signer('hmac-sha256', KEY));
  const logs = [];
  const shutdowns = [];
  const built = [];
  const kernel = new Kernel(messenger, {
    info: { status: 'ok', protocol_version: '5.5', implementation: 'fake', implementation_version: '0', language_info: { name: 'fake', version: '1', mimetype: 'text/plain', file_extension: '.txt', pygments_lexer: 'text', codemirror_mode: 'text', nbconvert_exporter: 'script' }, banner: '', help_links: [], supported_features: [], debugger: false },
    loadLanguage: (host) => {
      const language = new FakeLanguage(host);
      built.push(language);
      return language;
    },
    onShutdown: (restart) => shutdowns.push(restart),
    log: (text) => logs.push(text),
  });
  return { kernel, sink, logs, shutdowns, built, language: () => built[0] };
}

/** A request as a client would send it. */
export function request(msgType, content = {}) {
  return { identities: [Buffer.from('client-1')], header: newHeader(msgType, 'client-session', 'tester'), parent_header: {}, metadata: {}, content, buffers: [] };
}

export const execute = (code, extra = {}) => request('execute_request', { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: true, stop_on_error: true, ...extra });

/** IOPub msg_types in order, streams as `stream:stdout`. */
export const types = (messages) => messages.map((m) => (m.header.msg_type === 'stream' ? `stream:${m.content.name}` : m.header.msg_type === 'status' ? `status:${m.content.execution_state}` : m.header.msg_type));
