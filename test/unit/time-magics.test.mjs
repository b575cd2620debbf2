// The runtime behind %time, %%time, %timeit and %%timeit: IPython's formats (magics/execution.py:
// `_format_time`, `TimeitResult`), its flags and loop calibration, and awaited async bodies.
import test from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createTimeMagics, formatTime, formatTimes, TimeitResult } = require('../../dist/executor/timing/time-magics.js');
const { MagicUsageError: UsageError } = require('../../dist/common/magics.js');

const RESULT_LINE =
  /^\d[\d.]* (ns|µs|ms|s) ± \d[\d.]* (ns|µs|ms|s) per loop \(mean ± std\. dev\. of \d+ runs?, \d+ loops? each\)$/;

/** Time magics whose printed text is collected in `printed`. */
function recording() {
  const printed = [];
  return { magics: createTimeMagics((text) => printed.push(text)), printed };
}

/** A sync body that takes about `micros` µs and counts its calls. */
function busyBody(micros) {
  const body = () => {
    body.calls++;
    const end = performance.now() + micros / 1000;
    while (performance.now() < end);
  };
  body.calls = 0;
  return body;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** An async body that awaits a `ms` timer and counts its calls. */
function sleepingBody(ms) {
  const body = async () => {
    body.calls++;
    await sleep(ms);
  };
  body.calls = 0;
  return body;
}

test('formatTime: the unit below the value, 3 significant digits, trailing zeros dropped like %g', () => {
  assert.equal(formatTime(0), '0 ns');
  assert.equal(formatTime(12.3e-9), '12.3 ns');
  assert.equal(formatTime(4.56e-6), '4.56 µs');
  assert.equal(formatTime(456e-6), '456 µs');
  assert.equal(formatTime(0.0123), '12.3 ms');
  assert.equal(formatTime(0.00231), '2.31 ms');
  assert.equal(formatTime(1), '1 s');
  assert.equal(formatTime(1.5), '1.5 s');
  assert.equal(formatTime(12.345), '12.3 s');
});

test('formatTime: precision, exponent form, and a minute or more as d/h/min/s', () => {
  assert.equal(formatTime(0.0123456, 5), '12.346 ms');
  assert.equal(formatTime(0.0123456, 1), '1e+01 ms');
  assert.equal(formatTime(456e-6, 1), '5e+02 µs');
  assert.equal(formatTime(1e-14), '1e-05 ns');
  assert.equal(formatTime(61.5), '1min 1s');
  assert.equal(formatTime(3600), '1h');
  assert.equal(formatTime(90061), '1d 1h 1min 1s');
});

test('formatTime: a value that rounds up to the next unit is shown in it (not IPython\'s 1e+03 µs)', () => {
  assert.equal(formatTime(0.0009996), '1 ms');
  assert.equal(formatTime(999.96e-9), '1 µs');
});

test('formatTimes: the CPU and Wall lines of %time', () => {
  assert.equal(formatTimes(1.2, 0, 1000), 'CPU times: user 1.2 ms, sys: 0 ns, total: 1.2 ms\nWall time: 1 s\n');
  assert.equal(formatTimes(800, 300, 62500), 'CPU times: user 800 ms, sys: 300 ms, total: 1.1 s\nWall time: 1min 2s\n');
});

test('timeStart/timeEnd: print the two lines and return the value; nested calls pair up', () => {
  const { magics, printed } = recording();
  assert.equal(magics.timeEnd((magics.timeStart(), 42)), 42);
  assert.equal(printed.length, 1);
  assert.match(printed[0], /^CPU times: user \S+ \S+, sys: \S+ \S+, total: \S+ \S+\nWall time: \S+ \S+\n$/);

  printed.length = 0;
  magics.timeStart();
  magics.timeStart();
  const inner = performance.now();
  while (performance.now() - inner < 5);
  magics.timeEnd();
  const wall = (text) => Number(/Wall time: ([\d.]+) ms/.exec(text)?.[1]);
  while (performance.now() - inner < 30);
  magics.timeEnd();
  assert.equal(printed.length, 2);
  assert.ok(wall(printed[0]) >= 5 && wall(printed[0]) < 30, printed[0]);
  assert.ok(wall(printed[1]) >= 30, printed[1]);
});

test('timeEnd: a promise value is returned as it is, not awaited', async () => {
  const { magics } = recording();
  const promise = sleep(1).then(() => 'later');
  assert.equal(magics.timeEnd((magics.timeStart(), promise)), promise);
  assert.equal(await promise, 'later');
});

test('timeEnd without timeStart is a UsageError', () => {
  const { magics } = recording();
  assert.throws(() => magics.timeEnd(1), (error) => error instanceof UsageError && error.name === 'UsageError');
});

test('timeit -n 3 -r 2: exactly 2 runs of 3 loops, no calibration calls', async () => {
  const { magics, printed } = recording();
  const body = busyBody(1);
  const result = await magics.timeit(body, '-n 3 -r 2 -o');
  assert.equal(body.calls, 6);
  assert.equal(result.loops, 3);
  assert.equal(result.repeat, 2);
  assert.equal(result.all_runs.length, 2);
  const lines = printed.join('').trimEnd().split('\n');
  assert.match(lines.at(-1), RESULT_LINE);
  assert.match(lines.at(-1), /of 2 runs, 3 loops each\)$/);
});

test('timeit: flags written as in IPython, -n3 and clustered -qo', async () => {
  const { magics, printed } = recording();
  const body = busyBody(0);
  const result = await magics.timeit(body, '-qo -n3 -r1');
  assert.equal(body.calls, 3);
  assert.equal(result.loops, 3);
  assert.deepEqual(printed, []);
});

test('timeit -n 1 -r 1: singular "1 run, 1 loop"', async () => {
  const { magics, printed } = recording();
  await magics.timeit(busyBody(1), '-n 1 -r 1');
  assert.equal(printed.length, 1);
  assert.match(printed[0].trimEnd(), RESULT_LINE);
  assert.match(printed[0], / ± 0 ns per loop \(mean ± std\. dev\. of 1 run, 1 loop each\)\n$/);
});

test('timeit without -n: a ~1 µs body gets at least 1,000 loops, printed with thousands separators', async () => {
  const { magics, printed } = recording();
  const result = await magics.timeit(busyBody(1), '-r 1 -o');
  assert.ok(result.loops >= 1000, `loops ${result.loops}`);
  assert.match(String(result.loops), /^[125]0*$/, 'calibration steps through 1, 2, 5, 10, 20, 50, …');
  assert.ok(result.all_runs[0] >= 0.1, `one run of ${result.loops} loops took ${result.all_runs[0]} s`);
  const withCommas = result.loops.toLocaleString('en-US');
  assert.match(printed.join(''), new RegExp(`of 1 run, ${withCommas} loops each\\)\\n$`));
});

test('timeit without -n: a body that takes over 0.2 s runs once per run', async () => {
  const { magics } = recording();
  const body = sleepingBody(210);
  const result = await magics.timeit(body, '-r 1 -q -o');
  assert.equal(result.loops, 1);
  assert.equal(body.calls, 2, 'one calibration call, then one run of one loop');
});

test('timeit: an async body is awaited on every call, so its time includes the wait', async () => {
  const { magics } = recording();
  const body = sleepingBody(20);
  const result = await magics.timeit(body, '-n 2 -r 2 -q -o');
  assert.equal(body.calls, 4);
  assert.ok(result.average > 0.015 && result.average < 0.06, `mean ${result.average} s`);
});

test('timeit -o: a TimeitResult whose fields agree with each other and with IPython\'s', async () => {
  const { magics, printed } = recording();
  const result = await magics.timeit(busyBody(2), '-n 4 -r 5 -p 4 -o');
  assert.ok(result instanceof TimeitResult);
  assert.equal(printed.length, 1, '-o still prints without -q');
  assert.equal(result.compile_time, 0);
  assert.deepEqual(result.timings, result.all_runs.map((seconds) => seconds / 4));
  assert.equal(result.best, Math.min(...result.timings));
  assert.equal(result.worst, Math.max(...result.timings));
  const average = result.timings.reduce((a, b) => a + b) / 5;
  assert.ok(Math.abs(result.average - average) < 1e-15);
  const stdev = Math.sqrt(result.timings.reduce((sum, x) => sum + (x - average) ** 2, 0) / 5);
  assert.ok(Math.abs(result.stdev - stdev) < 1e-15);
  assert.ok(result.best >= 2e-6 && result.best <= result.average && result.average <= result.worst);
  assert.equal(`${result}\n`, printed[0].split('\n').filter(Boolean).map((line) => `${line}\n`).at(-1));
  assert.equal(inspect(result), `<TimeitResult : ${result}>`);
  assert.match(String(result), /^\d[\d.]* \S+ ± \d[\d.]* \S+ per loop/);
});

test('timeit: without -o it resolves to undefined; -q prints nothing', async () => {
  const { magics, printed } = recording();
  assert.equal(await magics.timeit(busyBody(0), '-n 2 -r 2'), undefined);
  printed.length = 0;
  assert.equal(await magics.timeit(busyBody(0), '-n 2 -r 2 -q'), undefined);
  assert.deepEqual(printed, []);
});

test('timeit: the slowest-run warning when one run is over 4 times the fastest', async () => {
  const { magics, printed } = recording();
  let calls = 0;
  await magics.timeit(() => {
    const micros = calls++ === 0 ? 2000 : 100;
    const end = performance.now() + micros / 1000;
    while (performance.now() < end);
  }, '-n 1 -r 3');
  const [warning, line] = printed[0].split('\n');
  assert.match(
    warning,
    /^The slowest run took \d+\.\d\d times longer than the fastest\. This could mean that an intermediate result is being cached\.$/,
  );
  assert.match(line, RESULT_LINE);
});

test('timeit: bad flags are a UsageError naming the problem, and the body never runs', async () => {
  const { magics } = recording();
  const body = busyBody(0);
  const cases = {
    '-x': /unknown option -x/,
    '-n': /-n needs a whole number of at least 1, not nothing/,
    '-n abc': /-n needs a whole number of at least 1, not "abc"/,
    '-n 0': /-n needs a whole number/,
    '-r -1': /-r needs a whole number/,
    '-n 2.5': /-n needs a whole number/,
    '-p 0': /-p needs a whole number from 1 to 17/,
    '-p 18': /-p needs a whole number from 1 to 17/,
    'foo': /unexpected "foo"/,
  };
  for (const [flags, message] of Object.entries(cases)) {
    await assert.rejects(magics.timeit(body, flags), (error) => {
      assert.ok(error instanceof UsageError, flags);
      assert.equal(error.name, 'UsageError');
      assert.match(error.message, message, flags);
      return true;
    });
  }
  assert.equal(body.calls, 0);
});
