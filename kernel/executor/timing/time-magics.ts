import { MagicUsageError } from '../../common/magics';
import { performance } from 'node:perf_hooks';
import { inspect } from 'node:util';

/** What the rewritten `%time` and `%timeit` lines call (see common/magics.ts). */
export interface TimeMagics {
  timeStart(): void;
  timeEnd<T>(value?: T): T | undefined;
  timeit(body: () => unknown, flags: string): Promise<TimeitResult | undefined>;
}

/** IPython's `%timeit` stops growing the loop count once one run takes this long. */
const CALIBRATION_SECONDS = 0.2;
/** IPython warns when the slowest run is this many times the fastest. */
const SPREAD_WARNING_RATIO = 4;
/** Beyond 17 significant digits a double has nothing more to show. */
const MAX_PRECISION = 17;

const LONG_UNITS: readonly [suffix: string, seconds: number][] = [['d', 86_400], ['h', 3_600], ['min', 60], ['s', 1]];
const SHORT_UNITS: readonly { unit: string; scale: number; from: number }[] = [
  { unit: 's', scale: 1, from: 1 },
  { unit: 'ms', scale: 1e3, from: 1e-3 },
  { unit: 'µs', scale: 1e6, from: 1e-6 },
  { unit: 'ns', scale: 1e9, from: -Infinity },
];

/**
 * IPython's `_format_time`: `precision` significant digits in the largest unit below the value
 * (`12.3 ms`, `1 s`, `0 ns`), trailing zeros dropped as `%g` does; a minute or more reads `1min 5s`.
 */
export function formatTime(seconds: number, precision = 3): string {
  if (seconds >= 60) return formatLongSpan(seconds);
  // Differs from IPython on purpose: the unit is chosen after rounding, so 999.96 µs reads `1 ms`
  // where IPython prints `1e+03 µs`.
  const rounded = Number(seconds.toPrecision(Math.max(precision, 1)));
  const { unit, scale } = SHORT_UNITS.find((candidate) => rounded >= candidate.from) ?? SHORT_UNITS[SHORT_UNITS.length - 1];
  return `${formatG(seconds * scale, precision)} ${unit}`;
}

function formatLongSpan(seconds: number): string {
  const parts: string[] = [];
  let leftover = seconds;
  for (const [suffix, length] of LONG_UNITS) {
    const count = Math.trunc(leftover / length);
    if (count > 0) {
      leftover %= length;
      parts.push(`${count}${suffix}`);
    }
    if (leftover < 1) break;
  }
  return parts.join(' ');
}

/** C's `%.<precision>g`, as Python formats it: exponent form only for very large or small values. */
function formatG(value: number, precision: number): string {
  const digits = Math.max(precision, 1);
  const [mantissa, exponentText] = value.toExponential(digits - 1).split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= digits) {
    const sign = exponent < 0 ? '-' : '+';
    return `${dropTrailingZeros(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return dropTrailingZeros(value.toFixed(digits - 1 - exponent));
}

function dropTrailingZeros(decimal: string): string {
  return decimal.includes('.') ? decimal.replace(/\.?0+$/, '') : decimal;
}

/** The two lines `%time` and `%%time` print, as IPython does. */
export function formatTimes(cpuUserMs: number, cpuSystemMs: number, wallMs: number): string {
  const format = (ms: number) => formatTime(ms / 1000);
  // IPython prints only the total on Windows, where Python cannot read system time; node can.
  return `CPU times: user ${format(cpuUserMs)}, sys: ${format(cpuSystemMs)}, total: ${format(cpuUserMs + cpuSystemMs)}\nWall time: ${format(wallMs)}\n`;
}

/**
 * What `%timeit -o` returns. Field names are IPython's (`all_runs`, `compile_time`), so code
 * written against IPython's TimeitResult reads the same here.
 */
export class TimeitResult {
  readonly repeat: number;
  /** Seconds per loop, one per run. */
  readonly timings: number[];
  readonly best: number;
  readonly worst: number;
  readonly average: number;
  /** Population standard deviation of `timings`, as IPython computes it. */
  readonly stdev: number;
  /** The statement was compiled with the rest of the cell, so there is no compile step to report. */
  readonly compile_time = 0;

  /** `all_runs`: seconds for each run of `loops` calls. */
  constructor(
    readonly loops: number,
    readonly all_runs: number[],
    private readonly precision: number,
  ) {
    this.repeat = all_runs.length;
    this.timings = all_runs.map((seconds) => seconds / loops);
    // reduce, not Math.min(...spread), which overflows the stack for a very large -r.
    this.best = this.timings.reduce((a, b) => Math.min(a, b));
    this.worst = this.timings.reduce((a, b) => Math.max(a, b));
    this.average = mean(this.timings);
    this.stdev = Math.sqrt(mean(this.timings.map((seconds) => (seconds - this.average) ** 2)));
  }

  /** IPython's `str(result)`, the line `%timeit` prints. */
  toString(): string {
    const runs = `${this.repeat} run${this.repeat === 1 ? '' : 's'}`;
    // Python's `{:,}`: 1,000,000 loops.
    const loops = `${this.loops.toLocaleString('en-US')} loop${this.loops === 1 ? '' : 's'}`;
    const spread = `${formatTime(this.average, this.precision)} ± ${formatTime(this.stdev, this.precision)}`;
    return `${spread} per loop (mean ± std. dev. of ${runs}, ${loops} each)`;
  }

  /** IPython's repr, what a cell ending in the result shows. */
  [inspect.custom](): string {
    return `<TimeitResult : ${this.toString()}>`;
  }
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

interface TimeitOptions {
  /** Absent: calibrate, as IPython does without -n. */
  loops?: number;
  repeat: number;
  precision: number;
  quiet: boolean;
  returnResult: boolean;
}

const COUNT_FLAGS = { n: 'loops', r: 'repeat', p: 'precision' } as const;
const FLAG_HELP = 'options: -n N, -r R, -p P, -q, -o';

/** IPython's getopt string `n:r:p:qo`: `-n 3`, `-n3` and clustered `-qo` all work. */
function parseTimeitFlags(flags: string): TimeitOptions {
  const options: TimeitOptions = { repeat: 7, precision: 3, quiet: false, returnResult: false };
  const tokens = flags.split(/\s+/).filter((token) => token !== '');
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    if (!/^-./.test(token)) throw new MagicUsageError(`%timeit: unexpected ${JSON.stringify(token)} (${FLAG_HELP})`);
    for (let at = 1; at < token.length; at++) {
      const letter = token[at];
      if (letter === 'q') options.quiet = true;
      else if (letter === 'o') options.returnResult = true;
      else if (letter === 'n' || letter === 'r' || letter === 'p') {
        // The value is the rest of this token, or else the next token.
        const value = at + 1 < token.length ? token.slice(at + 1) : tokens[++index];
        options[COUNT_FLAGS[letter]] = parseCount(letter, value);
        break;
      } else throw new MagicUsageError(`%timeit: unknown option -${letter} (${FLAG_HELP})`);
    }
  }
  return options;
}

function parseCount(letter: 'n' | 'r' | 'p', value: string | undefined): number {
  const max = letter === 'p' ? MAX_PRECISION : Number.MAX_SAFE_INTEGER;
  const count = value !== undefined && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(count >= 1 && count <= max)) {
    const range = letter === 'p' ? `from 1 to ${MAX_PRECISION}` : 'of at least 1';
    throw new MagicUsageError(`%timeit: -${letter} needs a whole number ${range}, not ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
  }
  return count;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/**
 * Seconds for `loops` calls of `body`. An async body is awaited on every call, so its time
 * includes the wait; a sync body runs in a tight loop, since an await per call would dwarf a fast
 * statement.
 */
async function timeLoops(body: () => unknown, loops: number): Promise<number> {
  const start = performance.now();
  const first = body();
  if (isThenable(first)) {
    await first;
    for (let call = 1; call < loops; call++) await body();
  } else {
    for (let call = 1; call < loops; call++) body();
  }
  return (performance.now() - start) / 1000;
}

/** Loops per run: the first of 1, 2, 5, 10, 20, 50, … whose run takes CALIBRATION_SECONDS. */
async function calibrateLoops(body: () => unknown): Promise<number> {
  for (let decade = 1; ; decade *= 10) {
    for (const step of [1, 2, 5]) {
      if ((await timeLoops(body, decade * step)) >= CALIBRATION_SECONDS) return decade * step;
    }
  }
}

/** The warning (when the runs differ widely) and the result line `%timeit` prints. */
function timeitReport(result: TimeitResult): string {
  const { best, worst } = result;
  // IPython's guards: no ratio from a zero best, and no warning when even the worst is under 1 µs.
  const spread = worst > SPREAD_WARNING_RATIO * best && best > 0 && worst > 1e-6;
  const warning = spread
    ? `The slowest run took ${(worst / best).toFixed(2)} times longer than the fastest. This could mean that an intermediate result is being cached.\n`
    : '';
  return `${warning}${result}\n`;
}

/** `print` writes to the running cell's stdout. */
export function createTimeMagics(print: (text: string) => void): TimeMagics {
  // A stack, so a `%time` inside code timed by another pairs with its own start. A statement that
  // throws leaves its start behind; the entries above it still pair correctly.
  const starts: { cpu: NodeJS.CpuUsage; wallMs: number }[] = [];
  return {
    timeStart() {
      starts.push({ cpu: process.cpuUsage(), wallMs: performance.now() });
    },
    timeEnd(value) {
      const wallMs = performance.now();
      const start = starts.pop();
      if (!start) throw new MagicUsageError('timeEnd() was called without a timeStart()');
      const cpu = process.cpuUsage(start.cpu);
      print(formatTimes(cpu.user / 1000, cpu.system / 1000, wallMs - start.wallMs));
      // A promise (`%time fetch(url)` without await) is returned as it is, unawaited, as IPython
      // returns a coroutine: the times cover starting the work, not waiting for it.
      return value;
    },
    async timeit(body, flags) {
      const options = parseTimeitFlags(flags);
      const loops = options.loops ?? (await calibrateLoops(body));
      const allRuns: number[] = [];
      for (let run = 0; run < options.repeat; run++) allRuns.push(await timeLoops(body, loops));
      const result = new TimeitResult(loops, allRuns, options.precision);
      if (!options.quiet) print(timeitReport(result));
      return options.returnResult ? result : undefined;
    },
  };
}
