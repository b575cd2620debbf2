// Message signing (messaging spec: "The Wire Protocol"; jupyter_client session.py `sign`):
// golden HMAC vectors per scheme, keyless mode, rejection of bad signatures, and a round trip
// through jupyter_client's own Session in both directions.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { requireTool } from '../helpers/require-tool.mjs';

const require = createRequire(import.meta.url);
const { Signer, SignatureSchemeError } = require('../../dist/protocol/signing.js');
const { encode, decode } = require('../../dist/protocol/wire.js');
const { ReplayGuard } = require('../../dist/protocol/replay-guard.js');

const KEY = 'tempo-secret';
const FRAMES = [
  '{"msg_id":"a1","msg_type":"execute_request"}', // header
  '{}', // parent_header
  '{}', // metadata
  '{"code":"1 + 1"}', // content
].map((text) => Buffer.from(text));

// Computed independently with CPython's hmac module (Debian's /usr/bin/python3), not with node:
//   m = hmac.new(b'tempo-secret', digestmod=hashlib.<name>)
//   for f in FRAMES: m.update(f)      # the four frames above, as UTF-8 bytes, in order
//   m.hexdigest()
const GOLDEN = {
  'hmac-sha256': '80a2fc7793242e20a2bf07dc71c6fcb4e0afdead718559c0256e80a694329c23',
  'hmac-sha512':
    'e6198f53273261a61e8444d3eda0005c7739994e2fe2fce267fe79069a2a7a640e985aea64a64686ef31fcdff2ca9d0d70dcc205fe068b83acf618b568ac318f',
  'hmac-md5': 'f9496df34aaecc6b5f88ffbaad218530',
};

for (const [scheme, digest] of Object.entries(GOLDEN)) {
  test(`${scheme}: sign matches the digest computed by Python's hmac`, () => {
    const signer = new Signer(scheme, KEY);
    assert.equal(signer.enabled, true);
    assert.equal(signer.sign(FRAMES), digest);
    assert.equal(signer.verify(digest, FRAMES), true);
  });
}

test('sign covers every frame: changing one byte of content changes the signature', () => {
  const signer = new Signer('hmac-sha256', KEY);
  const altered = [...FRAMES.slice(0, 3), Buffer.from('{"code":"1 + 2"}')];
  assert.notEqual(signer.sign(altered), GOLDEN['hmac-sha256']);
  assert.equal(signer.verify(GOLDEN['hmac-sha256'], altered), false);
});

test('empty key: sign returns an empty string and verify accepts anything', () => {
  const signer = new Signer('hmac-sha256', '');
  assert.equal(signer.enabled, false);
  assert.equal(signer.sign(FRAMES), '');
  assert.equal(signer.verify('', FRAMES), true);
  assert.equal(signer.verify('not-even-hex', FRAMES), true);
  assert.equal(signer.verify(GOLDEN['hmac-sha256'], []), true);
});

test('verify rejects a wrong signature of the right length', () => {
  const signer = new Signer('hmac-sha256', KEY);
  const good = GOLDEN['hmac-sha256'];
  const flipped = (good[0] === '0' ? '1' : '0') + good.slice(1);
  assert.equal(signer.verify(flipped, FRAMES), false);
  assert.equal(signer.verify('0'.repeat(good.length), FRAMES), false);
});

test('verify rejects signatures of a different length (truncated, extended, empty, other scheme)', () => {
  const signer = new Signer('hmac-sha256', KEY);
  const good = GOLDEN['hmac-sha256'];
  assert.equal(signer.verify(good.slice(0, -2), FRAMES), false);
  assert.equal(signer.verify(good + '00', FRAMES), false);
  assert.equal(signer.verify('', FRAMES), false);
  assert.equal(signer.verify(GOLDEN['hmac-sha512'], FRAMES), false);
});

test('verify rejects a signature made with another key', () => {
  const other = new Signer('hmac-sha256', 'other-key').sign(FRAMES);
  assert.equal(new Signer('hmac-sha256', KEY).verify(other, FRAMES), false);
});

test('unknown hash and a scheme without the hmac- prefix throw SignatureSchemeError', () => {
  assert.throws(() => new Signer('hmac-nonexistent', KEY), SignatureSchemeError);
  assert.throws(() => new Signer('sha256', KEY), SignatureSchemeError);
  assert.throws(() => new Signer('', KEY), SignatureSchemeError);
  // The error names the offending scheme, so a bad connection file is easy to diagnose.
  assert.throws(() => new Signer('sha256', KEY), /sha256/);
  assert.throws(() => new Signer('hmac-nonexistent', KEY), /nonexistent/);
});

// ---- Cross-check with jupyter_client's Session (Debian's python3-jupyter-client) ----

const PYTHON = '/usr/bin/python3';

/** Runs a Python snippet with Debian's python; stdin and stdout carry JSON. */
function python(script, input = '') {
  return spawnSync(PYTHON, ['-c', script], {
    input,
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
  });
}

const probe = python('import jupyter_client.session');
const noJupyterClient = requireTool(probe.status !== 0 && `Debian's jupyter_client (apt-get install python3-jupyter-client) is not importable from ${PYTHON}: ${probe.stderr || probe.error}`);

// Frames travel between the processes as base64 strings in a JSON list.
const toB64 = (frames) => JSON.stringify(frames.map((frame) => frame.toString('base64')));
const fromB64 = (text) => JSON.parse(text).map((b64) => Buffer.from(b64, 'base64'));

const SERIALIZE_PY = `
import base64, json, sys
from jupyter_client.session import Session
session = Session(key=b'k', signature_scheme='hmac-sha256')
msg = session.msg('execute_request', content={'code': 'const x: number = 1\\nx', 'silent': False, 'note': 'caf\\u00e9 \\U0001F600'})
frames = session.serialize(msg, ident=[b'client-identity'])
# serialize leaves buffers out; Session.send appends them after the four signed frames, as here.
frames.append(b'\\x00\\x01binary\\xff')
out = {'frames': [base64.b64encode(bytes(f)).decode() for f in frames], 'msg_id': msg['header']['msg_id'], 'session': session.session}
json.dump(out, sys.stdout)
`;

test('decode accepts frames that jupyter_client Session.serialize signed with hmac-sha256', { skip: noJupyterClient }, () => {
  const result = python(SERIALIZE_PY);
  assert.equal(result.status, 0, result.stderr);
  const out = JSON.parse(result.stdout);
  const frames = out.frames.map((b64) => Buffer.from(b64, 'base64'));
  const message = decode(frames, new Signer('hmac-sha256', 'k'), new ReplayGuard());
  assert.deepEqual(message.identities, [Buffer.from('client-identity')]);
  assert.equal(message.header.msg_id, out.msg_id);
  assert.equal(message.header.msg_type, 'execute_request');
  assert.equal(message.header.session, out.session);
  assert.equal(typeof message.header.date, 'string');
  assert.deepEqual(message.parent_header, {});
  assert.deepEqual(message.content, { code: 'const x: number = 1\nx', silent: false, note: 'café \u{1F600}' });
  assert.deepEqual(message.buffers, [Buffer.from([0, 1, ...Buffer.from('binary'), 0xff])]);
});

test('decode rejects jupyter_client frames when the key differs', { skip: noJupyterClient }, () => {
  const result = python(SERIALIZE_PY);
  assert.equal(result.status, 0, result.stderr);
  const frames = JSON.parse(result.stdout).frames.map((b64) => Buffer.from(b64, 'base64'));
  assert.throws(() => decode(frames, new Signer('hmac-sha256', 'not-k'), new ReplayGuard()), /invalid signature/);
});

const DESERIALIZE_PY = `
import base64, json, sys
from jupyter_client.session import Session
frames = [base64.b64decode(f) for f in json.load(sys.stdin)]
session = Session(key=b'k', signature_scheme='hmac-sha256')
idents, msg_list = session.feed_identities(frames)
msg = session.deserialize(msg_list, content=True)  # raises ValueError on a bad signature
json.dump({
    'idents': [bytes(i).decode() for i in idents],
    'header': msg['header'],
    'parent_header': msg['parent_header'],
    'content': msg['content'],
    'buffers': [base64.b64encode(bytes(b)).decode() for b in msg['buffers']],
}, sys.stdout, default=str)
`;

function nodeMessage() {
  return {
    identities: [Buffer.from('route-1')],
    header: {
      msg_id: 'node-msg-1',
      session: 'node-session',
      username: 'tempo',
      date: '2024-05-01T12:00:00.000Z',
      msg_type: 'execute_reply',
      version: '5.5',
    },
    parent_header: {
      msg_id: 'parent-1',
      session: 'client',
      username: 'u',
      date: '2024-05-01T11:59:59.000Z',
      msg_type: 'execute_request',
      version: '5.3',
    },
    metadata: { started: '2024-05-01T11:59:59.500Z' },
    content: { status: 'ok', execution_count: 3, text: 'naïve \u{1F680}' },
    buffers: [Buffer.from([255, 0, 7])],
  };
}

test('jupyter_client Session.deserialize accepts (and checks the signature of) a message encoded by node', { skip: noJupyterClient }, () => {
  const message = nodeMessage();
  const result = python(DESERIALIZE_PY, toB64(encode(message, new Signer('hmac-sha256', 'k'))));
  assert.equal(result.status, 0, result.stderr);
  const out = JSON.parse(result.stdout);
  assert.deepEqual(out.idents, ['route-1']);
  assert.equal(out.header.msg_id, 'node-msg-1');
  assert.equal(out.header.msg_type, 'execute_reply');
  assert.equal(out.header.session, 'node-session');
  assert.equal(out.parent_header.msg_id, 'parent-1');
  assert.deepEqual(out.content, message.content);
  assert.deepEqual(out.buffers, [Buffer.from([255, 0, 7]).toString('base64')]);
});

test('jupyter_client Session.deserialize rejects a node message signed with another key', { skip: noJupyterClient }, () => {
  const result = python(DESERIALIZE_PY, toB64(encode(nodeMessage(), new Signer('hmac-sha256', 'wrong'))));
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /Invalid Signature/);
});

test('a message encoded by node decodes back in node (sanity check of the helpers above)', () => {
  const message = nodeMessage();
  const frames = fromB64(toB64(encode(message, new Signer('hmac-sha256', 'k'))));
  const decoded = decode(frames, new Signer('hmac-sha256', 'k'), new ReplayGuard());
  assert.deepEqual(decoded.content, message.content);
});
