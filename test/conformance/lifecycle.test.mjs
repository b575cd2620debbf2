// Kernel lifecycle through Debian's jupyter_client (scenarios/lifecycle.py, a kernel per check):
// the ipc transport, shutdown_request on control, and KernelManager.restart_kernel.
import test from 'node:test';
import assert from 'node:assert/strict';
import { kernelEnv, resultText, sharedScenario } from '../helpers/kernel-env.mjs';

const check = sharedScenario(kernelEnv(), 'lifecycle.py');

test('ipc transport: the kernel binds ipc sockets and runs 1 + 1', async () => {
  const r = await check('ipc_transport');
  assert.equal(r.transport, 'ipc');
  assert.equal(r.run.reply.content.status, 'ok');
  assert.equal(resultText(r.run), '2');
});

test('shutdown_request (restart false) on control: shutdown_reply, then the process exits', async () => {
  const r = await check('shutdown_request');
  assert.equal(r.reply.msg_type, 'shutdown_reply');
  assert.deepEqual(r.reply.content, { status: 'ok', restart: false });
  assert.equal(r.exit_code, 0);
  assert.ok(r.exit_seconds < 5, `exited ${r.exit_seconds.toFixed(2)} s after the reply`);
});

test('restart_kernel: a new process with a new session id, fresh execution count and state', async () => {
  const r = await check('restart');
  const [first, second] = r.before;
  assert.deepEqual([first, second].map((run) => run.reply.content.execution_count), [1, 2]);
  assert.equal(r.pid_changed, true);
  assert.equal(r.after.reply.content.execution_count, 1, 'the count starts again at 1');
  assert.equal(resultText(r.after), "'undefined'", 'variables from before the restart are gone');
  assert.notEqual(r.after.reply.header.session, second.reply.header.session, 'the new kernel has its own session id');
  for (const m of r.after.iopub) assert.equal(m.header.session, r.after.reply.header.session);
});
