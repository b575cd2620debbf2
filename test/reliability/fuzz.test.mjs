// Protocol fuzzing: thousands of generated messages on shell, control and stdin from a raw
// DEALER (random and mutated valid ones), in batches; after each batch the kernel must still be
// alive, answer kernel_info on shell and control, and run a cell with its state intact.
// Seeded: the seed is printed, and TEMPO_FUZZ_SEED=<n> replays a run exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DELIMITER, resultText, sharedKernel } from './harness.mjs';

const SEED = Number(process.env.TEMPO_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const BATCHES = 11;
const BATCH_SIZE = 500;
const HUGE = 5 * 1024 * 1024;

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  return { next, int, pick: (list) => list[int(list.length)], chance: (p) => next() < p };
}

// Content fields of each request type this kernel handles (messaging spec), with one valid value.
const REQUESTS = {
  execute_request: { code: '1 + 1', silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
  kernel_info_request: {},
  complete_request: { code: 'Math.ma', cursor_pos: 7 },
  inspect_request: { code: 'Math.max', cursor_pos: 3, detail_level: 0 },
  is_complete_request: { code: 'if (x) {' },
  history_request: { output: false, raw: true, hist_access_type: 'tail', session: 0, start: 0, stop: 10, n: 5, pattern: 'x*', unique: true },
  comm_info_request: { target_name: 'jupyter.widget' },
  comm_open: { comm_id: 'c-1', target_name: 'nope', data: {} },
  comm_msg: { comm_id: 'c-1', data: { x: 1 } },
  comm_close: { comm_id: 'c-1', data: {} },
};
/** Types that must be answered on the socket they came from. */
const ANSWERED = new Set(['execute_request', 'kernel_info_request', 'complete_request', 'inspect_request', 'is_complete_request', 'history_request', 'comm_info_request']);
// Unknown types, including names that live on Object.prototype (a table lookup must not find them).
const UNKNOWN_TYPES = ['bogus_request', 'execute_reply', '', 'EXECUTE_REQUEST', 'debug_request', 'create_subshell_request', 'constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'x'.repeat(300)];
// Only code that ends quickly: the fuzzer tests the protocol, not the language.
const CODES = ['1 + 1', 'let fz = 1', '(globalThis as any).fz = (globalThis.fz ?? 0) + 1', '"a".repeat(3)', 'throw new Error("fuzz")', 'await null', 'console.log("fz")', '}{', '', 'undefined', '%time 1', '%bogus', 'const q: number = "s"', '\u{1F600}', 'await Promise.reject(new Error("r"))', 'x.y.z'];

function wrongValues(rng) {
  const base = [null, true, false, 0, -1, 1.5, 2 ** 53, '', 'str', [], [1, 'a', null], {}, { a: { b: { c: [] } } }, '\u0000\ud800', -0];
  const value = rng.pick(base);
  if (rng.chance(0.05)) return 'z'.repeat(10_000 + rng.int(50_000));
  if (rng.chance(0.03)) {
    let deep = [];
    for (let i = 0; i < 2000; i++) deep = [deep];
    return deep;
  }
  return value;
}

function randomBytes(rng, n) {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(256);
  return out;
}

function randomCode(rng) {
  if (rng.chance(0.7)) return rng.pick(CODES);
  // Random printable junk: a syntax or reference error, never a loop.
  const alphabet = ' ()[]{};:.,+-*/%!?<>=&|^~"\'`abcxyz0189\n';
  return Array.from({ length: rng.int(60) }, () => alphabet[rng.int(alphabet.length)]).join('');
}

/**
 * One generated message. `kind` says what the kernel may do with it: 'valid' (signed, well-formed,
 * known type: must get busy/idle and, if answered, a reply), 'unknown' (signed, unknown type:
 * ignored, but still busy/idle), 'drop' (must never be answered or acknowledged).
 */
function generate(rng, client, history) {
  const channel = rng.pick(['shell', 'shell', 'shell', 'control', 'stdin']);
  const type = rng.pick(Object.keys(REQUESTS));
  const content = structuredClone(REQUESTS[type]);
  if (type === 'execute_request') {
    content.code = randomCode(rng);
    // Stop cells from piling up output in a long queue.
    content.stop_on_error = rng.chance(0.5);
  }
  if (type === 'history_request') content.hist_access_type = rng.pick(['tail', 'range', 'search']);
  const roll = rng.next();
  const signed = (ct = content, t = type, extra = {}) => ({ ...client.frames(t, ct, extra), channel, type: t });

  if (roll < 0.3) {
    // A well-formed request with one content field of the wrong type (or missing, or extra).
    const fields = Object.keys(content);
    const mutated = { ...content };
    if (fields.length && rng.chance(0.85)) mutated[rng.pick(fields)] = wrongValues(rng);
    else if (fields.length) delete mutated[rng.pick(fields)];
    else mutated[`extra_${rng.int(5)}`] = wrongValues(rng);
    return { ...signed(mutated), kind: 'valid' };
  }
  if (roll < 0.4) return { ...signed(), kind: 'valid' };
  if (roll < 0.45) return { ...signed(content, rng.pick(UNKNOWN_TYPES)), kind: 'unknown' };
  if (roll < 0.5) {
    // Odd headers and parents that still parse: extra keys, weird session, odd parent.
    const header = client.header(type, { session: rng.pick(['', 'x', randomUUID()]), username: wrongValues(rng), date: wrongValues(rng), version: rng.pick(['5.5', '1.0', '', 99]), subshell_id: rng.pick([undefined, null, 'nope']) });
    return { ...signed(content, type, { header, parent: rng.pick([{}, { msg_id: 'p' }, client.header('x')]), metadata: { deep: wrongValues(rng) } }), kind: 'valid' };
  }

  // Everything below must be dropped without an answer.
  const base = signed();
  let frames = base.frames;
  const split = frames.findIndex((f) => f.equals(DELIMITER));
  const parts = frames.slice(split + 2, split + 6);
  const sign = (ps) => Buffer.from(client.signer.sign(ps));
  const mutation = rng.int(14);
  switch (mutation) {
    case 0: {
      // Bad JSON in one of the four frames, validly signed, so it reaches the parser.
      const i = rng.int(4);
      const bad = [...parts];
      bad[i] = rng.pick([Buffer.from('{'), Buffer.from('not json'), Buffer.from(''), randomBytes(rng, 40), Buffer.from('[1,2]'), Buffer.from('null'), Buffer.from('"s"'), Buffer.from('{"msg_id": 5, "msg_type": []}')]);
      frames = [DELIMITER, sign(bad), ...bad];
      break;
    }
    case 1: // Missing frames after the delimiter.
      frames = frames.slice(0, split + 1 + rng.int(5));
      break;
    case 2: // Wrong or missing delimiter.
      frames = [Buffer.from(rng.pick(['<IDS|MSG', '<ids|msg>', 'IDS|MSG', '<IDS|MSG> ', ''])), ...frames.slice(split + 1)];
      break;
    case 3: // Bad signature: random hex, wrong length, non-hex, upper case.
      frames = [DELIMITER, Buffer.from(rng.pick([randomBytes(rng, 32).toString('hex'), 'abc', 'zz'.repeat(32), frames[split + 1].toString().toUpperCase(), '0'.repeat(64)])), ...parts];
      break;
    case 4: // Unsigned.
      frames = [DELIMITER, Buffer.alloc(0), ...parts];
      break;
    case 5: {
      // Replay of something accepted before (its first copy was processed).
      if (history.length) {
        const original = rng.pick(history);
        return { frames: original.frames, msgId: original.msgId, originBatch: original.batch, channel, kind: 'replay' };
      }
      frames = [DELIMITER, Buffer.alloc(0), ...parts];
      break;
    }
    case 6: // Truncated multipart: a random prefix of the frames, maybe with the last one cut short.
      frames = frames.slice(0, 1 + rng.int(frames.length - 1));
      if (frames.length > 1) frames[frames.length - 1] = frames[frames.length - 1].subarray(0, rng.int(frames[frames.length - 1].length + 1));
      break;
    case 7: // Random frames.
      frames = Array.from({ length: 1 + rng.int(8) }, () => randomBytes(rng, rng.int(100)));
      break;
    case 8: // Empty frames around the delimiter.
      frames = [Buffer.alloc(0), DELIMITER, Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0)];
      break;
    case 9: // A header that is JSON but not a header.
      frames = [DELIMITER, sign([Buffer.from('{"msg_type":"execute_request"}'), ...parts.slice(1)]), Buffer.from('{"msg_type":"execute_request"}'), ...parts.slice(1)];
      break;
    case 10: // Content that is JSON but not an object.
      frames = ((bad) => [DELIMITER, sign(bad), ...bad])([parts[0], parts[1], parts[2], Buffer.from(rng.pick(['[]', '1', '"code"', 'null', 'true']))]);
      break;
    case 11: // Signed with another key.
      frames = [DELIMITER, Buffer.from(new (client.signer.constructor)('hmac-sha256', 'not-the-key').sign(parts)), ...parts];
      break;
    case 12: // Valid frames with a signature over different bytes (tampered content).
      frames = [DELIMITER, frames[split + 1], parts[0], parts[1], parts[2], Buffer.from(JSON.stringify({ code: '(globalThis as any).tampered = true' }))];
      break;
    default: // Extra identity-like frames before the delimiter but a bad signature.
      frames = [randomBytes(rng, 5), randomBytes(rng, 5), DELIMITER, Buffer.from('deadbeef'), ...parts];
  }
  return { frames, channel, kind: 'drop', mutation };
}

/** A huge frame (5 MB), signed or not: a valid complete_request, or junk to be dropped. */
function huge(rng, client) {
  const channel = rng.pick(['shell', 'control', 'stdin']);
  const variant = rng.int(3);
  if (variant === 0) return { ...client.frames('is_complete_request', { code: `// ${'x'.repeat(HUGE)}` }), channel, type: 'is_complete_request', kind: 'valid' };
  const { frames } = client.frames('execute_request', { code: `(globalThis as any).hugeRan = true // ${'y'.repeat(HUGE)}` });
  if (variant === 1) frames[1] = Buffer.from('0'.repeat(64));
  else frames.push(Buffer.alloc(HUGE, 7)); // buffers after the content are outside the HMAC: fine, but this is stdin
  return { frames, channel: variant === 2 ? 'stdin' : channel, kind: variant === 2 ? 'stdin' : 'drop' };
}

const findings = { unanswered: [], answeredDrops: [], noIdle: [], doubleAnswers: [] };
let sent = 0;

const shared = sharedKernel(async (client) => {
  console.log(`# fuzz seed ${SEED} (set TEMPO_FUZZ_SEED=${SEED} to replay)`);
  await client.execute('(globalThis as any).state = 41');
});

async function drainChannels() {
  // Shell and control requests are served in order per socket: once a request sent last on each
  // is answered and idle, every earlier one there has been handled and its IOPub sent before.
  await shared.client.request('shell', 'kernel_info_request', {}, { timeoutMs: 60_000 });
  await shared.client.request('control', 'kernel_info_request', {}, { timeoutMs: 30_000 });
}

function audit(batch, b) {
  for (const m of batch) {
    if (!m.msgId) continue;
    const replies = shared.client.repliesTo(m.msgId);
    const acknowledged = shared.client.iopubFor(m.msgId).length > 0;
    if (m.kind === 'drop' || m.kind === 'stdin') {
      if (replies.length || acknowledged) findings.answeredDrops.push({ channel: m.channel, mutation: m.mutation, type: m.type });
    } else if (m.kind === 'replay') {
      // The first copy was processed already; this one must add nothing. An original from this
      // batch is covered by doubleAnswers; one from an earlier batch was forgotten, so any reply
      // or status for its msg_id now comes from the replay.
      if (m.originBatch < b && (replies.length || acknowledged)) findings.answeredDrops.push({ channel: m.channel, kind: 'replay' });
      const idles = shared.client.iopubFor(m.msgId).filter((x) => x.msg_type === 'status' && x.content.execution_state === 'idle').length;
      if (idles > 1) findings.doubleAnswers.push({ channel: m.channel, kind: 'replay', idles });
    } else if (m.channel === 'stdin') {
      // stdin carries only input_reply from clients: requests there are read and dropped.
      if (replies.length) findings.answeredDrops.push({ channel: 'stdin', type: m.type });
    } else {
      if (!shared.client.isIdle(m.msgId)) findings.noIdle.push({ channel: m.channel, type: m.type });
      const answerable = ANSWERED.has(m.type) && !(m.type === 'execute_request' && m.channel === 'control');
      if (answerable && replies.length === 0) findings.unanswered.push({ channel: m.channel, type: m.type, content: m.content });
    }
    if (replies.length > 1) findings.doubleAnswers.push({ channel: m.channel, type: m.type, kind: m.kind });
  }
}

test(`fuzz: ${BATCHES * BATCH_SIZE} generated messages on shell, control and stdin; the kernel keeps serving after every batch`, { timeout: 150_000 }, async () => {
  const rng = prng(SEED);
  // Frames the kernel accepted in earlier batches, for replays (kept small). Only earlier ones:
  // a copy sent on another socket could overtake its original within a batch.
  const accepted = [];
  let expected = 41;
  for (let b = 0; b < BATCHES; b++) {
    const batch = [];
    const acceptedNow = [];
    for (let i = 0; i < BATCH_SIZE; i++) {
      const m = i === 0 && b % 3 === 0 ? huge(rng, shared.client) : generate(rng, shared.client, accepted);
      if (m.kind === 'valid' || m.kind === 'unknown') {
        m.content = m.type === 'execute_request' ? undefined : JSON.parse(m.frames[5].toString());
        if (acceptedNow.length < 20 && m.frames.every((f) => f.length < 100_000)) acceptedNow.push({ frames: m.frames, msgId: m.msgId, batch: b });
      }
      batch.push(m);
      await shared.client.sendFrames(m.channel, m.frames);
      sent += 1;
    }
    await drainChannels();
    assert.equal(shared.kernel.exitStatus, undefined, `the kernel exited during batch ${b} (seed ${SEED}):\n${shared.kernel.stderr().slice(-3000)}`);
    audit(batch, b);
    accepted.push(...acceptedNow);
    const cell = await shared.client.execute(`(globalThis as any).state += 1; (globalThis as any).state * 2 - (globalThis as any).state`, { timeoutMs: 60_000 });
    expected += 1;
    assert.equal(cell.reply.content.status, 'ok', `batch ${b}: check cell failed (seed ${SEED}): ${cell.reply.content.ename}: ${cell.reply.content.evalue}`);
    assert.equal(resultText(cell), String(expected), `batch ${b}: state kept across the batch (seed ${SEED})`);
    shared.client.forget();
  }
  assert.ok(sent >= 5000, `sent ${sent} messages`);
  const tampered = await shared.client.execute('typeof (globalThis as any).tampered + " " + typeof (globalThis as any).hugeRan');
  assert.equal(resultText(tampered), "'undefined undefined'", 'no forged, tampered or unsigned code ran');
});

test('fuzz: nothing malformed, forged, unsigned or replayed was answered or acknowledged', () => {
  assert.ok(sent > 0, 'the fuzz run happened');
  assert.deepEqual(findings.answeredDrops, [], `seed ${SEED}`);
  assert.deepEqual(findings.doubleAnswers, [], `seed ${SEED}: a request was answered twice (replay accepted?)`);
});

test('fuzz: every well-formed signed request on shell/control got busy/idle', () => {
  assert.ok(sent > 0, 'the fuzz run happened');
  assert.deepEqual(findings.noIdle, [], `seed ${SEED}`);
});

test('fuzz: every well-formed request with a reply type got a reply (error status for bad fields), never silence', () => {
  assert.ok(sent > 0, 'the fuzz run happened');
  const byType = {};
  for (const f of findings.unanswered) byType[f.type] = (byType[f.type] ?? 0) + 1;
  assert.deepEqual(findings.unanswered.slice(0, 5).map((f) => ({ ...f, content: JSON.stringify(f.content)?.slice(0, 200) })), [], `seed ${SEED}: unanswered by type ${JSON.stringify(byType)}`);
});

test('every content field of every request type, set to each JSON type in turn: a reply (ok or error) and busy/idle each time', { timeout: 60_000 }, async () => {
  const wrong = [null, 5, -1.5, true, 'str', [], [1, null], {}, { nested: { x: [] } }];
  const silent = [];
  for (const [type, valid] of Object.entries(REQUESTS)) {
    const variants = type === 'history_request' ? ['tail', 'range', 'search'].map((h) => ({ ...valid, hist_access_type: h })) : [valid];
    for (const base of variants) {
      for (const field of Object.keys(base)) {
        for (const value of wrong) {
          const content = { ...base, [field]: value };
          // Keep executes cheap and non-aborting: a good code when another field is the bad one.
          if (type === 'execute_request' && field !== 'code') content.code = '0';
          if (type === 'execute_request') content.stop_on_error = field === 'stop_on_error' ? value : false;
          for (const channel of type === 'execute_request' ? ['shell'] : ['shell', 'control']) {
            const msgId = await shared.client.send(channel, type, content);
            try {
              await shared.client.waitFor(() => shared.client.isIdle(msgId), 10_000, `idle after ${type}`);
            } catch {
              silent.push({ channel, type, field, value, problem: 'no idle' });
              continue;
            }
            if (ANSWERED.has(type) && shared.client.repliesTo(msgId).length === 0) {
              // The idle was published after the handler; a reply would have been sent before it.
              await shared.client.request(channel, 'kernel_info_request');
              if (shared.client.repliesTo(msgId).length === 0) silent.push({ channel, type, field, value: JSON.stringify(value) });
            }
            shared.client.forget(msgId);
          }
        }
      }
    }
  }
  assert.equal(shared.kernel.exitStatus, undefined, 'the kernel is still running');
  const cell = await shared.client.execute('"still here"');
  assert.equal(resultText(cell), "'still here'");
  assert.deepEqual(silent, [], 'requests answered with silence');
});
