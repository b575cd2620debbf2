// Message authentication through hand-made frames (scenarios/security.py): the kernel drops
// forged, unsigned and replayed messages without a reply or a status (messaging spec: the wire
// protocol; jupyter_client Session's checks), and keeps serving honest clients.
import test from 'node:test';
import assert from 'node:assert/strict';
import { kernelEnv, sharedScenario } from '../helpers/kernel-env.mjs';

const check = sharedScenario(kernelEnv(), 'security.py');

function assertDropped(sent) {
  assert.deepEqual(sent.replies, [], 'no reply to the sender');
  assert.deepEqual(sent.iopub, [], 'no status or output with that parent on IOPub');
}

test('an execute_request with a wrong HMAC is dropped; the kernel still answers', async () => {
  const r = await check('forged_signature');
  assertDropped(r);
  assert.equal(r.kernel_info, 'ok');
  assert.equal(r.forged_type, "'undefined'", 'the forged code never ran');
});

test('a forged shutdown_request on control is dropped; the kernel stays up', async () => {
  const r = await check('forged_shutdown_on_control');
  assertDropped(r);
  assert.equal(r.alive, true);
  assert.equal(r.kernel_info, 'ok');
});

test('an unsigned execute_request is dropped', async () => {
  const r = await check('unsigned');
  assertDropped(r);
  assert.equal(r.kernel_info, 'ok');
  assert.equal(r.unsigned_type, "'undefined'");
});

test('the same signed frames sent twice are executed once', async () => {
  const r = await check('replayed');
  assert.deepEqual(r.replies, ['execute_reply'], 'one reply for two copies');
  assert.equal(r.execute_inputs, 1);
  assert.equal(r.n, '1', 'the counter cell ran once');
});
