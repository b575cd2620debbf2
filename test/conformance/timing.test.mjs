// The timing line, the %time family (with await) and %%timeline through Debian's jupyter_client.
import test from 'node:test';
import assert from 'node:assert/strict';
import { kernelEnv, ofType, resultText, sharedScenario, streamText, stripAnsi } from '../helpers/kernel-env.mjs';

const check = sharedScenario(kernelEnv(), 'timing.py', { timeoutMs: 90_000 });

/** The timing line of a run: the text of its last display_data, which must be the last output (after an error too). */
function timingLine(run) {
  const outputs = run.iopub.filter((m) => ['stream', 'execute_result', 'display_data', 'error'].includes(m.msg_type));
  const last = outputs.at(-1);
  return last?.msg_type === 'display_data' && last.content.data['text/plain'].startsWith('⏱') ? last.content.data['text/plain'] : undefined;
}

test('seed examples: the timing line shows wall time, blocked share and timers; metadata carries the figures', async () => {
  const { blocking, sequential, concurrent } = await check('seed_examples');
  const [b, s, c] = [blocking, sequential, concurrent].map((run) => run.reply.metadata.timing);
  assert.ok(b.blockedMs / b.wallMs > 0.9, `blocking: blocked ${b.blockedMs} of ${b.wallMs} ms`);
  assert.ok(c.blockedMs / c.wallMs < 0.1, `Promise.all: blocked ${c.blockedMs} of ${c.wallMs} ms`);
  assert.ok(s.blockedMs / s.wallMs < 0.1, `sequential awaits: blocked ${s.blockedMs} of ${s.wallMs} ms`);
  const ratio = s.wallMs / c.wallMs;
  assert.ok(ratio > 3 && ratio < 7, `sequential/concurrent wall ratio ${ratio}`);
  assert.equal(c.timers, 5);
  assert.ok(c.overlap > 4 && c.overlap < 5.5, `overlap ${c.overlap}`);
  assert.match(timingLine(blocking), /^⏱ 1\.\d\d s wall · event loop blocked 1\.\d\d s \(\d+%\)$/);
  assert.match(timingLine(concurrent), /^⏱ \d+ ms wall · event loop blocked [\d.]+ (ms|µs) \(\d%\) · 5 timers, overlap ×[45]\.\d$/);
  assert.ok(Date.parse(blocking.reply.metadata.started) <= Date.parse(blocking.reply.header.date));
  const html = blocking.iopub.filter((m) => m.msg_type === 'display_data').at(-1).content.data['text/html'];
  assert.match(html, /^<div class="tempo-timing"[^>]*>⏱ .*<\/div>$/);
});

test('a forgotten await shows as a timer still pending, named by where it was made; its promise adds nothing', async () => {
  assert.match(timingLine(await check('forgotten_await')), /still pending: 1 timer \(sleep\(400\)\)$/);
});

test('a failed cell is timed too: its error, then its timing line', async () => {
  const run = await check('error_cell');
  assert.deepEqual(run.iopub.filter((m) => ['stream', 'execute_result', 'display_data', 'error'].includes(m.msg_type)).map((m) => m.msg_type), ['error', 'display_data']);
  assert.match(timingLine(run), /^⏱ [\d.]+ (µs|ms) wall · event loop blocked /);
  assert.ok(run.reply.metadata.timing.wallMs >= 0);
});

test('%timing off hides the line for later cells, %timing on brings it back', async () => {
  const { quiet, back } = await check('timing_switch');
  assert.equal(timingLine(quiet), undefined);
  assert.equal(resultText(quiet), '2');
  assert.match(timingLine(back), /^⏱ /);
});

test('%time and %%time print CPU and wall time, accept await, and keep the value', async () => {
  const r = await check('time_magics');
  for (const run of [r.time_await, r.time_expression, r.cell_time]) {
    assert.match(streamText(run.iopub, 'stdout'), /^CPU times: user [\d.]+ (ns|µs|ms|s), sys: [\d.]+ (ns|µs|ms|s), total: [\d.]+ (ns|µs|ms|s)\nWall time: [\d.]+ (ns|µs|ms|s)\n$/);
  }
  const wall = /Wall time: ([\d.]+) ms/.exec(streamText(r.time_await.iopub, 'stdout'));
  assert.ok(wall && Number(wall[1]) >= 90 && Number(wall[1]) < 1000, `await sleep(100) measured ${wall?.[1]} ms`);
  assert.equal(resultText(r.time_expression), '42');
  assert.equal(resultText(r.cell_time), "'done'");
});

test('%timeit and %%timeit print IPython\'s line; an async body is awaited on every loop; -o returns the result', async () => {
  const r = await check('time_magics');
  const perLoop = /^([\d.]+) (ns|µs|ms|s) ± [\d.]+ (ns|µs|ms|s) per loop \(mean ± std\. dev\. of (\d+) runs?, (\d+) loops? each\)$/m;
  const line = perLoop.exec(streamText(r.timeit_line.iopub, 'stdout'));
  assert.ok(line, streamText(r.timeit_line.iopub, 'stdout'));
  assert.deepEqual([line[4], line[5]], ['3', '100']);
  const cell = perLoop.exec(streamText(r.timeit_cell_await.iopub, 'stdout'));
  assert.ok(cell && cell[2] === 'ms' && Number(cell[1]) >= 15 && Number(cell[1]) < 60, streamText(r.timeit_cell_await.iopub, 'stdout'));
  assert.match(r.timeit_result, /^<TimeitResult : .* per loop \(mean ± std\. dev\. of 2 runs, 5 loops each\)>$/);
});

test('%lsmagic lists the magics; an unknown one is a UsageError; a line starting with % can still be the remainder operator', async () => {
  const r = await check('time_magics');
  assert.match(streamText(r.lsmagic.iopub, 'stdout'), /%timeit[\s\S]*%%timeline/);
  const [error] = ofType(r.unknown.iopub, 'error');
  assert.equal(error.content.ename, 'UsageError');
  assert.match(stripAnsi(error.content.traceback.join('\n')), /Cell In\[\d+\], line 1[\s\S]*%nosuchmagic/);
  assert.equal(r.modulo_stays_code, '3');
});

test('%%timeline draws an SVG (an <img> in HTML) with the five jobs as one lane ×5 for Promise.all and a blocked band for blocking jobs, with a text fallback', async () => {
  const { concurrent, blocking } = await check('timelines');
  for (const run of [concurrent, blocking]) {
    assert.ok(run.svg, 'an <img> of an SVG that parses as XML');
    const display = run.iopub.find((m) => m.msg_type === 'display_data' && m.content.data['text/html']?.includes('tempo-timeline'));
    assert.ok(display.content.data['text/plain'].length > 0, 'text fallback');
  }
  assert.match(concurrent.svg, />sleep\(300\) ×5</, 'five identical timers, named by origin, not by what they printed');
  assert.doesNotMatch(concurrent.svg, /<text x="12" y="[\d.]+">Finishing job/, "what a lane printed is a mark on it, never its name");
  assert.match(blocking.svg, /event loop blocked/);
});
