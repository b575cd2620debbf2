// Two jupyter_client clients on one kernel, and a third IOPub subscriber that never reads
// (Deno's kernel stopped answering in exactly that case): replies go to their sender, IOPub to
// everyone, and the stalled subscriber costs neither the others' messages nor unbounded memory.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPython, startKernel } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CELLS = 2000;
// Generous: the stalled subscriber's ZeroMQ queue (SNDHWM 1000 messages) is bounded, and the
// kernel's heap may grow a little while it warms up. Unbounded queueing of 2,000 cells' output
// through every layer would be well past this.
const RSS_GROWTH_LIMIT_KB = 96 * 1024;

let kernel;
let result;

before(async () => {
  kernel = await startKernel();
  result = await runPython(path.join(here, 'two_clients.py'), [kernel.file, String(kernel.pid), String(CELLS)], { timeoutMs: 150_000 });
});

after(async () => {
  await kernel?.stop();
});

test('two clients: each gets its own reply, and no stray one', () => {
  assert.equal(result.notebook_reply_parent_is_own, true);
  assert.equal(result.console_reply_parent_is_own, true);
  assert.deepEqual(result.stray_replies, []);
});

test("two clients: IOPub reaches both (each sees both cells' execute_input)", () => {
  assert.deepEqual(result.notebook_saw_inputs_of, ['console', 'notebook']);
  assert.deepEqual(result.console_saw_inputs_of, ['console', 'notebook']);
});

test(`a subscriber that never reads does not stall the others: both get all output of ${CELLS} cells, in order`, (t) => {
  t.diagnostic(`${CELLS} cells in ${result.seconds.toFixed(1)} s; ${result.total_messages_per_reader} IOPub messages per reader; the stalled socket held ${result.stalled_held_messages}`);
  for (const name of ['notebook', 'console']) {
    assert.equal(result[`${name}_reached_last_idle`], true, `${name} got the last cell's idle`);
    assert.equal(result[`${name}_lines`], CELLS, `${name}: one line per cell`);
    assert.equal(result[`${name}_lines_in_order`], true, `${name}: lines complete and in order`);
    assert.equal(result[`${name}_idles`], CELLS, `${name}: an idle per cell`);
  }
  assert.ok(result.stalled_held_messages < result.total_messages_per_reader, 'the stalled subscriber lost what its queue could not hold');
  assert.equal(result.after_status, 'ok');
});

test("the kernel's RSS stays bounded with a stalled subscriber attached", (t) => {
  const growth = result.rss_after_kb - result.rss_before_kb;
  t.diagnostic(`kernel VmRSS ${result.rss_before_kb} kB after 200 cells, ${result.rss_after_kb} kB after (${growth >= 0 ? '+' : ''}${growth} kB)`);
  assert.ok(growth < RSS_GROWTH_LIMIT_KB, `grew by ${growth} kB`);
});
