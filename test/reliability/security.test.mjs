// Security beyond test/conformance/security.test.mjs: the kernel listens only on the connection
// file's ip, and with a key set an unsigned (or tampered) execute_request that would create a file
// never runs: the file is checked on disk, not just a variable.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DELIMITER, RawClient, listeningSockets, resultText, startKernel } from './harness.mjs';

// Not 127.0.0.1: a kernel that ignored `ip` and bound a default would be caught.
const IP = '127.0.0.2';

let kernel;
let client;
let scratch;

before(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'tempo-security-'));
  kernel = await startKernel({ ip: IP });
  client = new RawClient(kernel.info);
  await client.ready();
});

after(async () => {
  client?.close();
  await kernel?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test(`the kernel listens only on the connection file's ip (${IP}), on exactly its five ports`, () => {
  const listening = listeningSockets(kernel.pid);
  const { shell_port, iopub_port, stdin_port, control_port, hb_port } = kernel.info;
  assert.deepEqual(listening.map((s) => s.port).sort(), [shell_port, iopub_port, stdin_port, control_port, hb_port].sort());
  assert.deepEqual([...new Set(listening.map((s) => s.address))], [IP]);
});

test('the executor listens on nothing', async () => {
  const { executorPids } = await import('./harness.mjs');
  for (const pid of executorPids(kernel.pid)) assert.deepEqual(listeningSockets(pid), []);
});

test('with a key set, an unsigned or tampered execute_request that would create a file never runs', async () => {
  const target = (name) => path.join(scratch, name);
  const code = (name) => `require('fs').writeFileSync(${JSON.stringify(target(name))}, 'ran')`;
  // Unsigned: an empty signature frame.
  const unsigned = client.frames('execute_request', { code: code('unsigned'), silent: false });
  unsigned.frames[1] = Buffer.alloc(0);
  // Tampered: a valid signature for harmless content, sent with the file-writing content.
  const honest = client.frames('execute_request', { code: '1', silent: false });
  const tampered = [DELIMITER, honest.frames[1], honest.frames[2], honest.frames[3], honest.frames[4], Buffer.from(JSON.stringify({ code: code('tampered'), silent: false }))];
  // Signed with the key of another session of the same user.
  const { Signer } = await import('./harness.mjs');
  const other = client.frames('execute_request', { code: code('other-key'), silent: false });
  const otherParts = other.frames.slice(2, 6);
  other.frames[1] = Buffer.from(new Signer('hmac-sha256', 'another-kernels-key').sign(otherParts));
  for (const frames of [unsigned.frames, tampered, other.frames]) await client.sendFrames('shell', frames);
  // Shell is served in order: once this cell is done, anything accepted before it has run.
  const probe = await client.execute(`require('fs').existsSync(${JSON.stringify(target('probe-dir-ok'))}) || 'served'`);
  assert.equal(resultText(probe), "'served'");
  for (const name of ['unsigned', 'tampered', 'other-key']) assert.equal(existsSync(target(name)), false, `${name} execute_request created its file`);
  assert.deepEqual([unsigned.msgId, honest.msgId, other.msgId].flatMap((id) => client.repliesTo(id)), [], 'no reply to any of them');
  // The same code, signed properly, does create it: the check above is meaningful.
  await client.execute(code('signed'));
  assert.equal(existsSync(target('signed')), true);
});
