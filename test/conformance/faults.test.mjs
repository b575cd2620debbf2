// Interrupts and faults through Debian's jupyter_client (scenarios/faults.py, one kernel):
// the kernel stays reachable while a cell spins, interrupts keep state when they can, and user
// code that throws late, rejects, overflows the stack or exits is reported under the right cell.
import test from 'node:test';
import assert from 'node:assert/strict';
import { kernelEnv, ofType, resultText, sharedScenario, streamText } from '../helpers/kernel-env.mjs';

const check = sharedScenario(kernelEnv(), 'faults.py', { timeoutMs: 60_000 });

function assertInterrupted(run, withinSeconds) {
  const { content } = run.reply;
  assert.equal(content.status, 'error');
  assert.match(`${content.ename} ${content.evalue}`, /interrupt/i);
  assert.ok(run.reply_after_interrupt < withinSeconds, `reply ${run.reply_after_interrupt.toFixed(2)} s after the interrupt, expected < ${withinSeconds} s; it said ${content.ename}: ${content.evalue}`);
  const errors = ofType(run.iopub, 'error');
  assert.equal(errors.length, 1, 'one error output for the interrupted cell');
  assert.equal(errors[0].content.ename, content.ename);
}

test('while (true) {}: heartbeat and control kernel_info still answer', async () => {
  const r = await check('liveness_during_busy_loop');
  assert.equal(r.hb_echo, 'ping');
  assert.ok(r.hb_seconds < 1, `heartbeat echo took ${r.hb_seconds} s`);
  assert.deepEqual(r.heartbeats, [true, true], "jupyter_client's heartbeat thread saw the kernel alive at each beat");
  assert.equal(r.control_status, 'ok');
  assert.ok(r.control_seconds < 1, `control kernel_info took ${r.control_seconds} s`);
  assert.deepEqual(r.control_iopub, ['busy', 'idle']);
});

test('while (true) {} interrupted (interrupt_request): error reply within seconds, state kept', async () => {
  const r = await check('liveness_during_busy_loop');
  assertInterrupted(r.loop, 3);
  assert.equal(r.keep, '42');
});

test('a never-settling await interrupted: error reply within 2 s, state kept', async () => {
  const r = await check('interrupt_pending_await');
  assertInterrupted(r.run, 2);
  assert.equal(r.keep, '42');
});

test('SIGINT to the kernel process (signal-mode interrupt) stops while (true) {} too', async () => {
  const r = await check('interrupt_by_signal');
  assertInterrupted(r.run, 3);
  assert.equal(r.keep, '42');
});

test('a SIGINT that reaches the executor between cells is dropped: the executor and its state live on', async () => {
  const r = await check('stray_sigint_between_cells');
  assert.equal(r.scheduled.reply.content.status, 'ok');
  assert.equal(r.printed_after_signal, true, 'the executor printed after it sent itself SIGINT');
  assert.equal(r.keep, '42');
  assert.equal(r.repl.reply.content.status, 'ok', `a later cell in REPL mode: ${r.repl.reply.content.evalue}`);
  assert.equal(resultText(r.repl), '{ ok: true }');
});

test('unbounded recursion: RangeError reported, state kept', async () => {
  const r = await check('stack_overflow');
  assert.equal(r.run.reply.content.status, 'error');
  assert.equal(r.run.reply.content.ename, 'RangeError');
  assert.match(r.run.reply.content.evalue, /call stack/i);
  assert.equal(ofType(r.run.iopub, 'error').length, 1);
  assert.equal(r.keep, '42');
});

test('an interrupt that lands as its cell ends stops that cell or nothing: never a later cell, never the executor', async (t) => {
  const r = await check('interrupt_as_cell_ends');
  t.diagnostic(`${r.victim_errors.length} of 40 cells stopped by their interrupt, the others had finished`);
  assert.deepEqual(r.victim_errors.filter((e) => !e.startsWith('Interrupted: the cell was interrupted')), [], 'an interrupted cell reports only that');
  assert.deepEqual(r.later_errors, [], 'the cells run after each interrupt all succeed');
  assert.equal(r.survivor, '1', 'the executor kept its state throughout');
});

test("a throw in a timer is an error output under the cell that set the timer", async () => {
  const r = await check('late_throw_in_timer');
  assert.equal(resultText(r.first), '1');
  assert.equal(r.late_errors.length, 1, 'exactly one error with evalue "late" on IOPub');
  assert.equal(r.late_errors[0].parent_header.msg_id, r.first.msg_id, "the error's parent is the cell that started the timer");
  assert.equal(r.second.reply.content.status, 'ok', 'the cell running when it fired is not failed by it');
  assert.equal(r.keep, '42');
});

test('an unawaited Promise.reject is reported as an error output, and the cell still finishes', async () => {
  const r = await check('unhandled_rejection');
  assert.ok(r.reported, 'an error output with evalue "nobody" appeared on IOPub');
  assert.equal(r.reported.parent_header.msg_id, r.run.msg_id);
  assert.ok(r.run.finished, `the cell did not finish on its own within 5 s (it ended only when interrupted: ${r.run.reply.content.ename}: ${r.run.reply.content.evalue})`);
});

test('the kernel keeps running after an unhandled rejection', async () => {
  const r = await check('unhandled_rejection');
  assert.equal(resultText(r.after), '2');
  assert.equal(r.keep, '42');
});

test("a timer's output that fires while a later cell runs goes to the timer's cell", async () => {
  const r = await check('timer_output_keeps_its_cell');
  assert.equal(r.streams.length, 1);
  assert.equal(r.streams[0].parent_header.msg_id, r.first.msg_id);
  assert.equal(streamText(r.second.iopub, 'stdout'), '', 'nothing printed under the cell that was running');
  assert.equal(resultText(r.second), "'B'");
});

test('an interrupt that reaches the executor while a large cell is still compiling stops it, state kept', async () => {
  const r = await check('interrupt_while_compiling');
  assertInterrupted(r.run, 2);
  assert.equal(r.early_type, "'number'", 'variables from earlier cells survive the interrupt');
});

test('process.exit(3) ends the cell with an error naming the call and its code; variables survive, no restart', async () => {
  const r = await check('process_exit');
  assert.ok(r.run.finished, 'the cell ended without an interrupt');
  const { content } = r.run.reply;
  assert.equal(content.status, 'error');
  assert.equal(content.ename, 'ProcessExit', `${content.ename}: ${content.evalue}`);
  assert.match(content.evalue, /process\.exit\(3\)/, 'names the call and its code');
  assert.match(content.evalue, /kept/);
  const errors = ofType(r.run.iopub, 'error');
  assert.equal(errors.length, 1);
  assert.match(errors[0].content.traceback.join('\n'), /In\[\d+\], line 2/, 'the traceback points at the call in the cell');
  assert.equal(streamText(r.run.iopub, 'stdout'), 'before\n', 'the cell stopped at the call');
  assert.equal(resultText(r.later), "'kept'", 'variables from earlier cells are kept');
  assert.equal(r.keep, '42');
  assert.ok(r.late, 'process.exit() in a timer is reported under the cell that set it');
  assert.equal(r.late.content.ename, 'ProcessExit');
  assert.match(r.late.content.evalue, /process\.exit\(0\)/);
  assert.equal(resultText(r.after), '2');
});

test('process.reallyExit(5) still ends the executor: the reply says so and that it restarted; the kernel answers after', async () => {
  const r = await check('really_exit');
  assert.ok(r.run.finished, 'the cell ended without an interrupt');
  const { content } = r.run.reply;
  assert.equal(content.status, 'error');
  assert.equal(content.ename, 'ExecutorRestarted');
  assert.match(content.evalue, /exit code 5/, 'names the exit code');
  const printed = streamText(r.run.iopub, 'stdout');
  assert.equal(printed.length, 3_000_001 + 'last words\n'.length, 'all that the cell printed just before still arrives');
  assert.ok(printed.endsWith('x\nlast words\n'));
  assert.match(content.evalue, /new executor/i);
  assert.equal(ofType(r.run.iopub, 'error').length, 1);
  assert.equal(resultText(r.after), '2');
  assert.equal(r.keep_type, "'undefined'", 'a new executor starts empty');
  assert.deepEqual(ofType(r.after.iopub, 'display_data'), [], '... but keeps %timing off: no timing line');
  assert.ok(r.after.reply.metadata.timing, 'the cell is still measured');
});

test('await null; while (true) {} interrupted: the executor is replaced, the reply says state is lost', async () => {
  const r = await check('uninterruptible_loop');
  assertInterrupted(r.run, 10);
  assert.match(r.run.reply.content.evalue, /executor/i);
  assert.match(r.run.reply.content.evalue, /gone|lost/i);
  assert.equal(resultText(r.after), '2');
  assert.equal(r.before_type, "'undefined'");
});
