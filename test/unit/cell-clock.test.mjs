// CellClock on real timers and promises: what it counts as started and pending, and where the
// timeline puts the blocked spans when promise reactions run (timed without a clock read each).
import test from 'node:test';
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { CellClock } = require('../../dist/executor/timing/cell-clock.js');

const origin = new AsyncLocalStorage();
// The fixture plays the user's code: lanes are named after its functions, not this file's.
const userCode = require.resolve('./fixtures/user-code.cjs');
const { sleepHelper, asyncJob, schedule, startTicker, loadFile } = require(userCode);
const here = fileURLToPath(import.meta.url);
const clock = new CellClock(origin, (file) => file === userCode);
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
  assert.deepEqual(lanes[0].marks.map((mark) => mark.text), ['after the timer'], 'output is a mark on the lane that printed it');
  assert.equal(lanes[0].label, 'setTimeout 10 ms', 'never named after what it printed');
  assert.ok(lanes[0].endMs >= 9 && lanes[0].endMs < lanes[1].startMs + 1);
  assert.ok(lanes[0].runs[0].endMs - lanes[0].runs[0].startMs >= 4.5, `the reactions' busy 5 ms are the timer's run: ${JSON.stringify(lanes[0].runs)}`);
  assert.ok(blockedIn(timeline.blocked, lanes[0].firedMs, lanes[1].startMs + 0.5) >= 4.5, JSON.stringify(timeline.blocked));
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
  assert.deepEqual(timing.pending, [{ kind: 'timer', label: 'setTimeout 1000 ms', count: 1 }, { kind: 'promise', count: 1 }], 'the forgotten timer and the promise nobody resolves; the fired and the cleared timers are not pending');
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
  assert.deepEqual(next.timing.pending, []);
});

test('a timer the cell cleared is not pending at its end, though node reports it destroyed only later', async () => {
  const { timing } = await measure(() => {
    clearInterval(setInterval(() => {}, 1000));
    clearTimeout(setTimeout(() => {}, 1000));
    globalThis.kept = setTimeout(() => {}, 1000);
  });
  clearTimeout(globalThis.kept);
  assert.equal(timing.timers, 3);
  assert.deepEqual(timing.pending, [{ kind: 'timer', label: 'setTimeout 1000 ms', count: 1 }]);
});

// Issue 16: lanes are named after where the user's code created them.
test('lanes are named by origin: a helper with its caller, a direct call, an interval, an fs call', async () => {
  const { timeline } = await measure(async () => {
    await Promise.all([asyncJob(), sleepHelper(20), new Promise((resolve) => schedule(resolve))]);
    const ticker = startTicker();
    const direct = setInterval(() => {}, 40);
    await sleepHelper(12);
    clearInterval(ticker);
    clearInterval(direct);
    await loadFile(here);
  }, true);
  const labels = timeline.lanes.slice(1).map((lane) => lane.label);
  // readFile's later steps (fstat, read, close) start from node's own callbacks: no user frame names them.
  assert.ok(labels.slice(7).every((label) => label === 'fs'), labels.join(', '));
  assert.deepEqual(labels.slice(0, 7), ['asyncJob · sleepHelper(30)', 'sleepHelper(20)', 'schedule · setTimeout 16 ms', 'startTicker · setInterval 5 ms', 'setInterval 40 ms', 'sleepHelper(12)', 'loadFile · fs.readFile']);
});

test('past the first 100 lanes, a loop\'s timers share one stack capture and keep their name', async () => {
  const { timeline } = await measure(async () => {
    await Promise.all(Array.from({ length: 300 }, () => sleepHelper(5)));
    await sleepHelper(6);
  }, true);
  const labels = timeline.lanes.slice(1).map((lane) => lane.label);
  assert.equal(labels.length, 301);
  assert.deepEqual([...new Set(labels.slice(0, 300))], ['sleepHelper(5)']);
  assert.equal(labels[300], 'sleepHelper(6)', 'another delay is captured anew');
});

test('a timer blocked past its due time fires late, by about the block', async () => {
  const { timeline } = await measure(async () => {
    const due = sleepHelper(50);
    busy(200);
    await due;
  }, true);
  const lane = timeline.lanes.find((candidate) => candidate.kind === 'timer');
  assert.ok(lane.dueMs >= 49 && lane.dueMs < 60, `due ${lane.dueMs}`);
  assert.ok(lane.firedMs >= 200, `fired ${lane.firedMs}`);
  const late = lane.firedMs - lane.dueMs;
  assert.ok(late >= 140 && late < 400, `late by ${late}`);
});

test('an interval lives until cleared, each tick a run; cleared, it is not pending', async () => {
  const { timeline, timing } = await measure(async () => {
    let ticks = 0;
    await new Promise((resolve) => {
      const id = setInterval(() => {
        busy(3);
        if (++ticks === 3) {
          clearInterval(id);
          resolve();
        }
      }, 10);
    });
  }, true);
  const lane = timeline.lanes.find((candidate) => candidate.label.startsWith('setInterval'));
  assert.equal(lane.runs.length, 3);
  assert.ok(lane.runs.every((run) => run.endMs - run.startMs >= 2.5), JSON.stringify(lane.runs));
  assert.ok(lane.endMs >= lane.runs[2].startMs, 'ends when cleared, in its third tick');
  assert.deepEqual(timing.pending, []);
});

test('blocked is one figure: the same in the timing and the timeline, the user\'s code only', async () => {
  const { timing, timeline } = await measure(async () => {
    busy(30);
    await sleepHelper(50);
    busy(20);
  }, true);
  assert.equal(timing.blockedMs, timeline.blockedMs);
  assert.ok(timing.blockedMs >= 48 && timing.blockedMs < 80, `blocked ${timing.blockedMs}`);
  // Without the chart, the same measurement.
  const plain = await measure(async () => {
    busy(30);
    await sleepHelper(50);
  });
  assert.ok(plain.timing.blockedMs >= 29 && plain.timing.blockedMs < 50, `blocked ${plain.timing.blockedMs}`);
  assert.equal(plain.timeline, undefined);
});

test('a callback of no cell (Tempo\'s own, node\'s) is not the user\'s blocked time', async () => {
  let outside;
  // A timer started outside any cell, whose callback blocks for 40 ms while the cell waits.
  const blockElsewhere = new Promise((resolve) => {
    outside = setTimeout(() => {
      busy(40);
      resolve();
    }, 10);
  });
  const { timing } = await measure(() => sleepHelper(80));
  await blockElsewhere;
  clearTimeout(outside);
  assert.ok(timing.blockedMs < 20, `blocked ${timing.blockedMs} ms, though the cell only waited`);
  assert.ok(timing.wallMs >= 75);
});
