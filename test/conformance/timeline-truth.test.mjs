// Issue 16 through Debian's jupyter_client: the chart and the timing line tell the truth about
// cells whose behaviour is known: lateness, one blocked figure, lanes named by origin, pending.
import test from 'node:test';
import assert from 'node:assert/strict';
import { kernelEnv, sharedScenario } from '../helpers/kernel-env.mjs';

const check = sharedScenario(kernelEnv(), 'timeline_truth.py', { timeoutMs: 90_000 });

const displays = (run) => run.iopub.filter((m) => m.msg_type === 'display_data');
const timingLine = (run) => displays(run).map((m) => m.content.data['text/plain']).find((text) => text.startsWith('⏱'));
/** The %%timeline display: the one that is not the timing line. */
const chart = (run) => displays(run).find((m) => !m.content.data['text/plain'].startsWith('⏱'))?.content.data;
const MS = { s: 1000, ms: 1, 'µs': 0.001 };

test('the rude job makes the polite timers late by about 400 ms, and the chart says so', async () => {
  const { rude } = await check('truths');
  const text = chart(rude)['text/plain'];
  const lates = [...text.matchAll(/late by ([\d.]+) (s|ms)/g)].map((m) => Number(m[1]) * MS[m[2]]);
  assert.ok(lates.length > 0, `no "late by" in:\n${text}`);
  assert.ok(lates.every((ms) => ms >= 300 && ms <= 700), `late by ${lates} ms, expected about 400:\n${text}`);
  assert.match(text, /politeJob · sleep\(500\)/);
  assert.match(text, /rudeJob · sleep\(100\)/);
  assert.doesNotMatch(text, /^(rude|polite) job/m, 'printed lines never name a lane');
});

test('the chart header and the timing line print one blocked figure, for blocking and non-blocking cells', async () => {
  const { rude, concurrent } = await check('truths');
  for (const run of [rude, concurrent]) {
    const header = chart(run)['text/plain'].split('\n')[0];
    const fromChart = /blocked ([\d.]+ (?:s|ms|µs))/.exec(header)?.[1];
    const fromLine = /event loop blocked ([\d.]+ (?:s|ms|µs))/.exec(timingLine(run))?.[1];
    assert.ok(fromChart && fromLine, `header: ${header}\nline: ${timingLine(run)}`);
    assert.equal(fromChart, fromLine);
  }
  const blocked = rude.reply.metadata.timing.blockedMs;
  assert.ok(blocked >= 750 && blocked < 2000, `the rude job blocked ${blocked} ms`);
  assert.ok(concurrent.reply.metadata.timing.blockedMs < 100, `five awaited timers blocked ${concurrent.reply.metadata.timing.blockedMs} ms`);
});

test('five identical timers are one lane named by their origin, marked ×5', async () => {
  const { concurrent } = await check('truths');
  assert.match(chart(concurrent)['text/plain'], /asyncJob · sleep\(300\)\s*×5/);
});

test('a cleared interval is named setInterval and is not pending', async () => {
  const { interval } = await check('truths');
  assert.match(chart(interval)['text/plain'], /setInterval 40 ms/);
  assert.doesNotMatch(timingLine(interval), /pending/);
});

test('a forgotten timer is pending, named by origin; its promise adds nothing and is not listed', async () => {
  const { forgotten } = await check('truths');
  assert.match(timingLine(forgotten), /still pending: 1 timer \(sleep\(400\)\)$/);
});

test('a 1 ms cell shows no blocked percentage', async () => {
  const { declares } = await check('truths');
  assert.match(timingLine(declares), /event loop blocked [\d.]+ (ms|µs)(?! \()/);
  assert.doesNotMatch(timingLine(declares), /%/);
});

test('an interrupted cell gets its chart and timing line after the error; a killed one gets the kernel\'s wall time', async () => {
  const { interrupted, killed } = await check('stopped_cells');
  const kinds = (run) => run.iopub.filter((m) => ['error', 'display_data'].includes(m.msg_type)).map((m) => (m.msg_type === 'error' ? 'error' : m.content.data['text/plain'].startsWith('⏱') ? 'line' : 'chart'));
  assert.equal(interrupted.finished, false, 'the loop was interrupted');
  assert.deepEqual(kinds(interrupted), ['error', 'chart', 'line']);
  const wall = /^⏱ ([\d.]+) s wall · event loop blocked ([\d.]+) s/.exec(timingLine(interrupted));
  assert.ok(wall && Number(wall[1]) >= 1.4 && Number(wall[1]) < 10 && Number(wall[2]) >= 1.3, timingLine(interrupted));
  assert.deepEqual(kinds(killed), ['error', 'line']);
  assert.match(timingLine(killed), /^⏱ [\d.]+ (µs|ms|s) wall · the executor restarted: no event-loop figures$/);
});
