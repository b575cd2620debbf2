// CellClock on real timers and promises: what it counts as started and pending, and where the
// timeline puts the blocked spans when promise reactions run (timed without a clock read each).
import test from 'node:test';
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { CellClock } = require('../../dist/timing/cell-clock.js');

const origin = new AsyncLocalStorage();
const clock = new CellClock(origin);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const busy = (ms) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

/** Runs `body` as the executor runs a cell: under its parent id, measured from begin to end. */
async function measure(body, timeline = false) {
  clock.begin('cell', timeline);
  const running = origin.run('cell', body);
  clock.syncDone();
  await running;
  return clock.end();
}

const blockedIn = (spans, fromMs, toMs) =>
  spans.reduce((sum, span) => sum + Math.max(0, Math.min(toMs, span.endMs) - Math.max(fromMs, span.startMs)), 0);

// The timeline tests come first: they check idle time, and promises of earlier tests are
// destroyed (callbacks that run) a while after those tests end.
test('a long run of promise reactions is one blocked span ending where the last reaction ended', async () => {
  const { timeline } = await measure(async () => {
    await sleep(25);
    // Ten chains of three reactions, 2 ms of work each: one run of microtasks of about 60 ms.
    await Promise.all(Array.from({ length: 10 }, (_, i) => Promise.resolve(i).then((x) => (busy(2), x)).then((x) => (busy(2), x)).then((x) => (busy(2), x))));
    await sleep(60);
  }, true);
  const { blocked, wallMs } = timeline;
  assert.ok(wallMs >= 140, `wall ${wallMs}`);
  const run = blockedIn(blocked, 15, wallMs - 50);
  assert.ok(run >= 55, `the reactions' ~60 ms are blocked: ${run.toFixed(1)} ms`);
  assert.ok(blockedIn(blocked, wallMs - 50, wallMs - 5) < 10, `the last sleep is idle: ${JSON.stringify(blocked)}`);
  assert.equal(timeline.mergedSpans, 0);
});

test('a few reactions after a timer extend its span; output they print goes to its lane', async () => {
  const { timeline } = await measure(async () => {
    await sleep(10);
    busy(5);
    clock.mark('after the timer\n'); // what the executor's stdout does for console.log
    await sleep(20);
  }, true);
  const lanes = timeline.lanes.filter((lane) => lane.kind === 'timer');
  assert.equal(lanes.length, 2);
  assert.equal(lanes[0].label, 'after the timer');
  assert.ok(lanes[0].endMs >= 9 && lanes[0].endMs < lanes[1].startMs + 1);
  assert.ok(blockedIn(timeline.blocked, lanes[0].endMs, lanes[1].startMs + 0.5) >= 4.5, JSON.stringify(timeline.blocked));
  assert.ok(blockedIn(timeline.blocked, lanes[1].startMs + 2, lanes[1].endMs - 1) < 1, JSON.stringify(timeline.blocked));
});

test('counts what the cell started; pending is what it neither awaited nor cleared', async () => {
  let forgotten;
  const { timing } = await measure(async () => {
    // node reports a cleared timer destroyed a moment later: the sleep leaves time for that.
    clearTimeout(setTimeout(() => undefined, 1000));
    await sleep(5);
    forgotten = setTimeout(() => undefined, 1000);
    new Promise(() => undefined);
    await Promise.all([1, 2, 3].map((n) => Promise.resolve(n).then((x) => x + 1)));
  });
  clearTimeout(forgotten);
  assert.equal(timing.timers, 3);
  assert.equal(timing.pendingTimers, 1, 'the forgotten timer; the fired and the cleared one are not pending');
  assert.equal(timing.pendingPromises, 1, 'the promise nobody resolves');
  assert.ok(timing.promises >= 8, `${timing.promises} promises`);
});

test('promises started outside the cell are neither counted nor pending', async () => {
  let outside;
  const { timing } = await measure(async () => {
    outside = new Promise((resolve) => setImmediate(resolve)); // the cell's: one promise, one timer
  });
  const before = timing.promises;
  // Created outside origin.run while no cell is measured: invisible to the next cell.
  const stray = new Promise(() => undefined);
  const next = await measure(() => Promise.resolve(1));
  assert.ok(stray instanceof Promise && outside instanceof Promise);
  assert.equal(before, 2, 'the async body and the promise it made');
  assert.equal(next.timing.pendingPromises, 0);
});

test('a timer the cell cleared is not pending at its end, though node reports it destroyed only later', async () => {
  const { timing } = await measure(() => {
    clearInterval(setInterval(() => {}, 1000));
    clearTimeout(setTimeout(() => {}, 1000));
    globalThis.kept = setTimeout(() => {}, 1000);
  });
  clearTimeout(globalThis.kept);
  assert.deepEqual([timing.timers, timing.pendingTimers], [3, 1]);
});
