// Faults in cells that test/conformance/faults.test.mjs does not already cover: the executor
// killed by a signal, out of memory, 50 MB on stdout, and its stdio descriptors closed. After
// each, the kernel must answer, and either earlier state is kept or the reply says the executor
// restarted (and state is then really gone, so the message is true).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient, executorPids, ofType, resultText, startKernel, streamText } from './harness.mjs';

// A bounded heap for the kernel and (inherited through the environment) its executor, so
// running out of memory takes seconds and half a GB here instead of minutes and 4 GB on a
// shared machine. The kernel's own heap needs far less than this.
const HEAP_MB = 512;

let kernel;
let client;

before(async () => {
  kernel = await startKernel({ env: { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` } });
  client = new RawClient(kernel.info);
  await client.ready();
});

after(async () => {
  client?.close();
  await kernel?.stop();
});

/** The kernel answers on shell and control and runs a cell. */
async function assertServing() {
  assert.equal(kernel.exitStatus, undefined, `the kernel process exited:\n${kernel.stderr().slice(-2000)}`);
  assert.equal((await client.request('shell', 'kernel_info_request')).reply.content.status, 'ok');
  assert.equal((await client.request('control', 'kernel_info_request')).reply.content.status, 'ok');
  assert.equal(resultText(await client.execute('6 * 7')), '42');
}

function assertRestartReported(run) {
  const { content } = run.reply;
  assert.equal(content.status, 'error', 'the killed cell is an error');
  assert.match(content.evalue, /new executor|restart/i, `the reply says the executor restarted: ${content.ename}: ${content.evalue}`);
  assert.match(content.evalue, /gone|lost/i, 'and that state is lost');
  const errors = ofType(run.iopub, 'error');
  assert.equal(errors.length, 1, 'one error output, under the cell');
}

test('process.kill(process.pid): the reply says the executor was killed and restarted; the kernel answers', { timeout: 60_000 }, async () => {
  await client.execute('(globalThis as any).keep = "before kill"');
  const [oldExecutor] = executorPids(kernel.pid);
  const run = await client.execute('process.kill(process.pid)', { timeoutMs: 20_000 });
  assertRestartReported(run);
  assert.match(run.reply.content.evalue, /SIGTERM/, 'names the signal');
  await assertServing();
  assert.equal(resultText(await client.execute('typeof (globalThis as any).keep')), "'undefined'", 'state is gone, as the reply said');
  assert.ok(!executorPids(kernel.pid).includes(oldExecutor), 'the old executor is gone');
  assert.equal(executorPids(kernel.pid).length, 1, 'exactly one executor runs now');
});

test(`allocating until out of memory (heap limit ${HEAP_MB} MB): the reply says so and the executor restarted; the kernel answers`, { timeout: 90_000 }, async (t) => {
  await client.execute('(globalThis as any).keep = "before oom"');
  const started = Date.now();
  let run;
  try {
    run = await client.execute('const hog = []; while (true) hog.push(new Array(1e6).fill(1))', { timeoutMs: 60_000 });
  } catch (error) {
    // Reclaim the kernel for the tests after this one, then skip with the reason.
    await client.request('control', 'interrupt_request', {});
    t.skip(`out-of-memory cell still running after 60 s on this machine (${error.message})`);
    return;
  }
  const seconds = (Date.now() - started) / 1000;
  t.diagnostic(`out of memory after ${seconds.toFixed(1)} s`);
  assertRestartReported(run);
  assert.match(run.reply.content.evalue, /memory/i, 'suggests memory as the cause');
  await assertServing();
  assert.equal(resultText(await client.execute('typeof (globalThis as any).keep')), "'undefined'", 'state is gone, as the reply said');
});

test('50 MB written to stdout in one cell: every byte arrives, in order, in a reasonable number of messages; state kept', { timeout: 90_000 }, async () => {
  await client.execute('(globalThis as any).keep = "before flood"');
  // 500 writes of 100 KiB; each chunk starts with its number, so loss or reordering shows.
  const CHUNKS = 500;
  const CHUNK = 100 * 1024;
  const code = `for (let i = 0; i < ${CHUNKS}; i++) { const head = String(i).padStart(6, '0') + ':'; process.stdout.write(head + 'x'.repeat(${CHUNK} - head.length - 1) + '\\n'); }`;
  const run = await client.execute(code, { timeoutMs: 80_000 });
  assert.equal(run.reply.content.status, 'ok', `${run.reply.content.ename}: ${run.reply.content.evalue}`);
  const streams = ofType(run.iopub, 'stream');
  const text = streamText(run.iopub);
  assert.equal(text.length, CHUNKS * CHUNK, 'all bytes arrived');
  for (let i = 0; i < CHUNKS; i++) {
    const at = i * CHUNK;
    assert.equal(text.slice(at, at + 7), `${String(i).padStart(6, '0')}:`, `chunk ${i} in place`);
  }
  assert.equal(text, Array.from({ length: CHUNKS }, (_, i) => { const head = `${String(i).padStart(6, '0')}:`; return head + 'x'.repeat(CHUNK - head.length - 1) + '\n'; }).join(''));
  assert.ok(streams.length <= CHUNKS, `${streams.length} stream messages for ${CHUNKS} writes`);
  assert.ok(streams.every((m) => m.parent_header.msg_id === run.msgId), 'all under the cell');
  await assertServing();
  assert.equal(resultText(await client.execute('(globalThis as any).keep')), "'before flood'");
});

test('closing fd 0, 1 and 2 in the executor: later cells still print to stdout and stderr, state kept', { timeout: 60_000 }, async () => {
  await client.execute('(globalThis as any).keep = "before close"');
  const close = await client.execute("const fs = require('fs'); fs.closeSync(0); fs.closeSync(1); fs.closeSync(2); 'closed'");
  assert.equal(close.reply.content.status, 'ok', `${close.reply.content.ename}: ${close.reply.content.evalue}`);
  const printed = await client.execute("console.log('out after close'); console.error('err after close'); process.stdout.write('raw write\\n'); (globalThis as any).keep");
  assert.equal(printed.reply.content.status, 'ok', `${printed.reply.content.ename}: ${printed.reply.content.evalue}`);
  assert.equal(streamText(printed.iopub, 'stdout'), 'out after close\nraw write\n');
  assert.equal(streamText(printed.iopub, 'stderr'), 'err after close\n');
  assert.equal(resultText(printed), "'before close'", 'state kept');
  // The freed descriptors are reused by the next files opened; output must not leak into them.
  const reuse = await client.execute(
    "const os = require('os'); const p = require('path').join(os.tmpdir(), 'tempo-fd-reuse-' + process.pid); const fds = [fs.openSync(p, 'w'), fs.openSync(p + '-2', 'w')]; console.log('printed while fds', fds.join(','), 'are files'); fs.closeSync(fds[0]); fs.closeSync(fds[1]); const leaked = fs.readFileSync(p, 'utf8') + fs.readFileSync(p + '-2', 'utf8'); fs.unlinkSync(p); fs.unlinkSync(p + '-2'); JSON.stringify(leaked)",
  );
  assert.equal(reuse.reply.content.status, 'ok', `${reuse.reply.content.ename}: ${reuse.reply.content.evalue}`);
  assert.match(streamText(reuse.iopub, 'stdout'), /printed while fds .* are files\n/);
  assert.equal(resultText(reuse), `'""'`, 'nothing the cell printed went into the files that took fd 1 and 2');
  await assertServing();
  assert.equal(resultText(await client.execute('(globalThis as any).keep')), "'before close'", 'state kept');
});
