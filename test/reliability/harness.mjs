// Shared pieces of the reliability suite: a kernel started by hand from a connection file we
// write (so the test knows its pid and its key), and a raw ZeroMQ client that signs with the
// project's own codec. Every wait has a deadline; nothing sleeps to make ordering work.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const zmq = require('zeromq');
const { encode, decode, DELIMITER } = require(path.join(repo, 'dist/protocol/wire.js'));
const { Signer } = require(path.join(repo, 'dist/protocol/signing.js'));
const { ReplayGuard } = require(path.join(repo, 'dist/protocol/replay-guard.js'));

export { zmq, encode, decode, DELIMITER, Signer };

/** Free TCP ports on 127.0.0.1, held open together so they are distinct. */
export async function freePorts(count) {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((server) => server.address().port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/**
 * Writes a connection file (mode 0600) and spawns `node bin/tempo kernel FILE`. `env` adds to the
 * environment (e.g. NODE_OPTIONS for a bounded heap). The kernel's stderr is kept, last 256 KB.
 */
export async function startKernel({ key = randomUUID(), env = {}, ip = '127.0.0.1' } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tempo-reliability-'));
  const [shell, iopub, stdin, control, hb] = await freePorts(5);
  const info = { transport: 'tcp', ip, shell_port: shell, iopub_port: iopub, stdin_port: stdin, control_port: control, hb_port: hb, key, signature_scheme: 'hmac-sha256', kernel_name: 'tempo' };
  const file = path.join(dir, 'kernel.json');
  writeFileSync(file, JSON.stringify(info), { mode: 0o600 });
  const child = spawn(process.execPath, [path.join(repo, 'bin', 'tempo'), 'kernel', file], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const keep = (text) => {
    stderr = (stderr + text).slice(-256 * 1024);
  };
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let exitStatus;
  exited.then((status) => (exitStatus = status));
  return {
    child,
    pid: child.pid,
    info,
    file,
    dir,
    exited,
    get exitStatus() {
      return exitStatus;
    },
    stderr: () => stderr,
    /** SIGTERM, then SIGKILL after 3 s; then the temp folder goes. */
    async stop() {
      if (exitStatus === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const url = (info, channel) => `tcp://${info.ip}:${info[`${channel}_port`]}`;

/** A deadline error that says what was awaited. */
export class Timeout extends Error {}

/**
 * A raw client: DEALERs on shell, control and stdin, a SUB on IOPub, each with one receive loop
 * (zeromq v6 allows one pending receive) and one send chain. Replies are kept by parent msg_id;
 * IOPub messages by parent msg_id too, plus a running count per msg_type.
 */
export class RawClient {
  constructor(info, { session = randomUUID() } = {}) {
    this.info = info;
    this.session = session;
    this.signer = new Signer(info.signature_scheme, info.key);
    this.guard = new ReplayGuard();
    this.sockets = {};
    this.sendChains = {};
    this.replies = new Map(); // parent msg_id -> [reply]
    this.iopub = new Map(); // parent msg_id -> [message]
    this.iopubCount = 0;
    this.waiters = new Set();
    this.closed = false;
    for (const channel of ['shell', 'control', 'stdin']) {
      const socket = new zmq.Dealer({ linger: 0, sendHighWaterMark: 100_000 });
      socket.connect(url(info, channel));
      this.sockets[channel] = socket;
      this.sendChains[channel] = Promise.resolve();
      void this.loop(channel, socket, (message) => push(this.replies, message.parent_header?.msg_id, message));
    }
    const sub = new zmq.Subscriber({ linger: 0, receiveHighWaterMark: 0 });
    sub.subscribe();
    sub.connect(url(info, 'iopub'));
    this.sockets.iopub = sub;
    void this.loop('iopub', sub, (message) => {
      this.iopubCount += 1;
      push(this.iopub, message.parent_header?.msg_id ?? '', message);
    });
  }

  async loop(channel, socket, store) {
    for (;;) {
      let frames;
      try {
        frames = await socket.receive();
      } catch {
        if (this.closed) return;
        continue;
      }
      let message;
      try {
        message = decode(frames, this.signer, this.guard);
      } catch (error) {
        this.badFrames = (this.badFrames ?? 0) + 1;
        continue;
      }
      message.channel = channel;
      message.msg_type = message.header.msg_type;
      store(message);
      for (const waiter of this.waiters) waiter();
    }
  }

  /** Resolves with predicate()'s first truthy value, checked after every arriving message. */
  waitFor(predicate, timeoutMs, what) {
    const now = predicate();
    if (now) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const waiter = () => {
        const value = predicate();
        if (value) finish(() => resolve(value));
      };
      const timer = setTimeout(() => finish(() => reject(new Timeout(`no ${what} within ${timeoutMs} ms`))), timeoutMs);
      const finish = (then) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        then();
      };
      this.waiters.add(waiter);
    });
  }

  header(msgType, overrides = {}) {
    return { msg_id: randomUUID(), session: this.session, username: 'reliability', date: new Date().toISOString(), msg_type: msgType, version: '5.5', ...overrides };
  }

  /** Frames of a signed request (no identities: the DEALER adds its own). */
  frames(msgType, content = {}, { header, parent = {}, metadata = {} } = {}) {
    const h = header ?? this.header(msgType);
    return { msgId: h.msg_id, frames: encode({ identities: [], header: h, parent_header: parent, metadata, content }, this.signer) };
  }

  /** Sends raw frames on a channel, in order with earlier sends there. */
  sendFrames(channel, frames) {
    const socket = this.sockets[channel];
    const next = this.sendChains[channel].then(() => socket.send(frames));
    this.sendChains[channel] = next.catch(() => undefined);
    return next;
  }

  async send(channel, msgType, content = {}, options = {}) {
    const { msgId, frames } = this.frames(msgType, content, options);
    await this.sendFrames(channel, frames);
    return msgId;
  }

  repliesTo(msgId) {
    return this.replies.get(msgId) ?? [];
  }

  iopubFor(msgId) {
    return this.iopub.get(msgId) ?? [];
  }

  isIdle(msgId) {
    return this.iopubFor(msgId).some((m) => m.msg_type === 'status' && m.content.execution_state === 'idle');
  }

  /** Drops what was kept for these msg_ids (or everything), so long runs do not grow the test. */
  forget(...msgIds) {
    if (msgIds.length === 0) {
      this.replies.clear();
      this.iopub.clear();
    }
    for (const id of msgIds) {
      this.replies.delete(id);
      this.iopub.delete(id);
    }
  }

  /** A request and its outcome: the reply and the IOPub messages through its idle. */
  async request(channel, msgType, content = {}, { timeoutMs = 10_000, keep = false } = {}) {
    const msgId = await this.send(channel, msgType, content);
    const reply = await this.waitFor(() => this.repliesTo(msgId)[0], timeoutMs, `${msgType} reply on ${channel}`);
    await this.waitFor(() => this.isIdle(msgId), timeoutMs, `idle after ${msgType}`);
    const outcome = { msgId, reply, iopub: this.iopubFor(msgId) };
    if (!keep) this.forget(msgId);
    return outcome;
  }

  execute(code, { timeoutMs = 10_000, ...content } = {}) {
    return this.request('shell', 'execute_request', { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...content }, { timeoutMs });
  }

  /** Waits until IOPub delivers to this client: kernel_info until a status with its parent arrives. */
  async ready(timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const msgId = await this.send('shell', 'kernel_info_request');
      try {
        await this.waitFor(() => this.repliesTo(msgId)[0], Math.max(1, deadline - Date.now()), 'kernel_info reply');
        await this.waitFor(() => this.isIdle(msgId), Math.min(500, Math.max(1, deadline - Date.now())), 'idle');
        this.forget(msgId);
        return;
      } catch (error) {
        if (Date.now() >= deadline) throw error;
      }
    }
  }

  close() {
    this.closed = true;
    for (const socket of Object.values(this.sockets)) socket.close();
  }
}

function push(map, key, value) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export const ofType = (messages, type) => messages.filter((m) => m.msg_type === type);

export function resultText(outcome) {
  return ofType(outcome.iopub, 'execute_result')[0]?.content.data['text/plain'];
}

export function streamText(messages, name = 'stdout') {
  return ofType(messages, 'stream').filter((m) => m.content.name === name).map((m) => m.content.text).join('');
}

/** Child pids of `pid` (from /proc/<n>/stat's ppid field). */
export function childrenOf(pid) {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** `pid` and all its descendants. */
export function processTree(pid) {
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...childrenOf(all[i]));
  return all;
}

/** VmRSS of one process in kB, or 0 if it is gone. */
export function rssKb(pid) {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

export const treeRssKb = (pid) => processTree(pid).reduce((sum, p) => sum + rssKb(p), 0);

export function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The kernel's executor child (the process running executor-process-main.js), if any. */
export function executorPids(kernelPid) {
  return childrenOf(kernelPid).filter((p) => cmdline(p).includes('executor-process-main'));
}

/**
 * Listening TCP sockets of `pid`: its socket inodes (/proc/<pid>/fd) matched against
 * /proc/net/tcp and tcp6 rows in state 0A (LISTEN). Returns [{ address, port }].
 */
export function listeningSockets(pid) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const link = readlinkSafe(`/proc/${pid}/fd/${fd}`);
      const match = /^socket:\[(\d+)\]$/.exec(link);
      if (match) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  const found = [];
  for (const [file, v6] of [['/proc/net/tcp', false], ['/proc/net/tcp6', true]]) {
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.trim().split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const [local, , state] = [cols[1], cols[2], cols[3]];
      if (state !== '0A' || !inodes.has(cols[9])) continue;
      const [hexAddress, hexPort] = local.split(':');
      found.push({ address: v6 ? decodeV6(hexAddress) : decodeV4(hexAddress), port: parseInt(hexPort, 16) });
    }
  }
  return found;
}

function readlinkSafe(p) {
  return require('node:fs').readlinkSync(p);
}

function decodeV4(hex) {
  // Little-endian 32-bit word.
  return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
}

function decodeV6(hex) {
  const words = [];
  for (let w = 0; w < 4; w++) {
    const chunk = hex.slice(w * 8, w * 8 + 8);
    const bytes = [3, 2, 1, 0].map((i) => chunk.slice(i * 2, i * 2 + 2));
    words.push(bytes.join(''));
  }
  const all = words.join('');
  const groups = all.match(/.{4}/g).map((g) => g.replace(/^0+(?=.)/, ''));
  return groups.join(':');
}

export { runPython } from '../helpers/python.mjs';

/**
 * One kernel and a ready RawClient for a whole test file: started before its first test (then
 * `setup(client)` runs), stopped after its last. Read them as `shared.kernel` and `shared.client`.
 */
export function sharedKernel(setup = async () => {}) {
  const shared = {};
  before(async () => {
    shared.kernel = await startKernel();
    shared.client = new RawClient(shared.kernel.info);
    await shared.client.ready();
    await setup(shared.client);
  });
  after(async () => {
    shared.client?.close();
    await shared.kernel?.stop();
  });
  return shared;
}
