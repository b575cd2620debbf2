// The wire codec (messaging spec: "The Wire Protocol"): frame layout, round trips, and every way
// decode must refuse a message (jupyter_client session.py `deserialize`), plus the replay guard.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { encode, decode, WireError, DELIMITER } = require('../../dist/protocol/wire.js');
const { Signer } = require('../../dist/protocol/signing.js');
const { ReplayGuard } = require('../../dist/protocol/replay-guard.js');

const KEY = 'wire-test-key';
const signed = () => new Signer('hmac-sha256', KEY);
const keyless = () => new Signer('hmac-sha256', '');

let counter = 0;
function header(msgType = 'execute_request') {
  counter += 1;
  return { msg_id: `msg-${counter}`, session: 'sess', username: 'tester', date: '2024-05-01T12:00:00.000Z', msg_type: msgType, version: '5.5' };
}

function message(overrides = {}) {
  return {
    identities: [Buffer.from('peer-a'), Buffer.from([0, 0x80, 0xff, 1])],
    header: header(),
    parent_header: {},
    metadata: { trusted: true },
    content: { code: 'let s = "ü\u{1F600}";\ns', silent: false },
    buffers: [Buffer.from([0, 1, 2, 253, 254, 255]), Buffer.alloc(0), Buffer.from('<IDS|MSG>')],
    ...overrides,
  };
}

/** Frames whose four JSON parts are given as raw strings, signed (or not) as a client would. */
function rawFrames(parts, signer, { identities = [Buffer.from('peer')], signature } = {}) {
  const buffers = parts.map((part) => Buffer.from(part));
  return [...identities, DELIMITER, Buffer.from(signature ?? signer.sign(buffers)), ...buffers];
}

const GOOD_PARTS = () => [JSON.stringify(header()), '{}', '{}', '{"code":"1"}'];

test('encode lays out identities, delimiter, hex signature, the four JSON frames, then buffers', () => {
  const original = message();
  const frames = encode(original, signed());
  assert.deepEqual(frames.slice(0, 2), original.identities);
  assert.ok(frames[2].equals(Buffer.from('<IDS|MSG>')));
  assert.match(frames[3].toString(), /^[0-9a-f]{64}$/);
  assert.deepEqual(JSON.parse(frames[4].toString()), original.header);
  assert.deepEqual(JSON.parse(frames[5].toString()), original.parent_header);
  assert.deepEqual(JSON.parse(frames[6].toString()), original.metadata);
  assert.deepEqual(JSON.parse(frames[7].toString()), original.content);
  assert.deepEqual(frames.slice(8), original.buffers);
  // Buffers are outside the HMAC (messaging spec): the signature covers frames 4..7 only.
  assert.equal(frames[3].toString(), signed().sign(frames.slice(4, 8)));
});

test('encode → decode round trip keeps identities, every part and binary buffers', () => {
  const original = message();
  const decoded = decode(encode(original, signed()), signed(), new ReplayGuard());
  assert.deepEqual(decoded.identities, original.identities);
  assert.deepEqual(decoded.header, original.header);
  assert.deepEqual(decoded.parent_header, original.parent_header);
  assert.deepEqual(decoded.metadata, original.metadata);
  assert.deepEqual(decoded.content, original.content);
  assert.deepEqual(decoded.buffers, original.buffers);
});

test('round trip with no identities (IOPub-style) and no buffers', () => {
  const original = message({ identities: [], buffers: undefined, parent_header: header('kernel_info_request') });
  const decoded = decode(encode(original, signed()), signed(), new ReplayGuard());
  assert.deepEqual(decoded.identities, []);
  assert.deepEqual(decoded.buffers, []);
  assert.deepEqual(decoded.parent_header, original.parent_header);
});

test('round trip without a key: empty signature frame, still decodes', () => {
  const original = message();
  const frames = encode(original, keyless());
  assert.equal(frames[original.identities.length + 1].length, 0);
  assert.deepEqual(decode(frames, keyless(), new ReplayGuard()).content, original.content);
});

/** decode must throw a WireError whose message matches `pattern`. */
function assertRejected(frames, pattern, signer = signed(), guard = new ReplayGuard()) {
  assert.throws(
    () => decode(frames, signer, guard),
    (error) => {
      assert.ok(error instanceof WireError, `expected WireError, got ${error?.constructor?.name}: ${error?.message}`);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

test('decode rejects frames without the <IDS|MSG> delimiter', () => {
  const frames = encode(message(), signed()).filter((frame) => !frame.equals(DELIMITER));
  assertRejected(frames, /delimiter/);
});

test('decode rejects too few frames after the delimiter', () => {
  const frames = encode(message({ buffers: [] }), signed());
  assertRejected(frames.slice(0, -1), /truncated|frames/);
  assertRejected([Buffer.from('peer'), DELIMITER, Buffer.from('abc')], /truncated|frames/);
  assertRejected([DELIMITER], /truncated|frames/);
});

test('decode rejects content that is not valid JSON (even when correctly signed)', () => {
  const parts = GOOD_PARTS();
  parts[3] = '{"code": "1"';
  assertRejected(rawFrames(parts, signed()), /content is not valid JSON/);
});

test('decode rejects content that is a JSON array', () => {
  const parts = GOOD_PARTS();
  parts[3] = '["code", "1"]';
  assertRejected(rawFrames(parts, signed()), /content is not a JSON object/);
});

test('decode rejects a header without msg_id', () => {
  const { msg_id, ...rest } = header();
  assert.ok(msg_id);
  const parts = GOOD_PARTS();
  parts[0] = JSON.stringify(rest);
  assertRejected(rawFrames(parts, signed()), /header/);
});

test('decode rejects an unsigned message when a key is set', () => {
  assertRejected(rawFrames(GOOD_PARTS(), signed(), { signature: '' }), /unsigned/);
});

test('decode rejects a wrong signature, and names the message it dropped', () => {
  const parts = GOOD_PARTS();
  const frames = rawFrames(parts, new Signer('hmac-sha256', 'some-other-key'));
  assert.throws(
    () => decode(frames, signed(), new ReplayGuard()),
    (error) => error instanceof WireError && /invalid signature/.test(error.message) && error.msgId === JSON.parse(parts[0]).msg_id && error.msgType === 'execute_request',
  );
});

test('decode rejects the same signed frames the second time (replay)', () => {
  const guard = new ReplayGuard();
  const frames = encode(message(), signed());
  assert.equal(decode(frames, signed(), guard).header.msg_type, 'execute_request');
  assertRejected(frames, /duplicate/, signed(), guard);
});

test('a forged message does not poison the replay guard for the real one', () => {
  const guard = new ReplayGuard();
  const original = message();
  const frames = encode(original, signed());
  const forged = [...frames];
  // identities, delimiter, signature, header, parent, metadata, then content
  forged[original.identities.length + 5] = Buffer.from('{"code":"evil()"}');
  assertRejected(forged, /invalid signature/, signed(), guard);
  assert.equal(decode(frames, signed(), guard).content.code, message().content.code);
});

test('without a key, decode accepts any signature and keeps no replay history', () => {
  const guard = new ReplayGuard();
  const frames = rawFrames(GOOD_PARTS(), keyless(), { signature: 'deadbeef-not-a-real-hmac' });
  assert.equal(decode(frames, keyless(), guard).content.code, '1');
  assert.equal(decode(frames, keyless(), guard).content.code, '1');
  assert.equal(decode(rawFrames(GOOD_PARTS(), keyless(), { signature: '' }), keyless(), guard).content.code, '1');
});

test('ReplayGuard admits a signature once, then refuses it', () => {
  const guard = new ReplayGuard();
  assert.equal(guard.admit('aa'), true);
  assert.equal(guard.admit('bb'), true);
  assert.equal(guard.admit('aa'), false);
  assert.equal(guard.admit('bb'), false);
});

test('ReplayGuard with a small capacity culls old entries but still rejects recent duplicates', () => {
  const capacity = 10;
  const guard = new ReplayGuard(capacity);
  for (let i = 0; i < 1000; i++) {
    assert.equal(guard.admit(`sig-${i}`), true, `sig-${i} is new`);
    // The entry just admitted survives any cull, so an immediate replay is always caught.
    assert.equal(guard.admit(`sig-${i}`), false, `sig-${i} replayed at once`);
  }
  // Memory is bounded: the guard holds at most `capacity` signatures (its internal set).
  assert.ok(guard.seen.size <= capacity, `holds ${guard.seen.size} > ${capacity}`);
  // With 990 random culls, the first signature is forgotten (it survives each with p = 0.9).
  assert.equal(guard.admit('sig-0'), true);
});
