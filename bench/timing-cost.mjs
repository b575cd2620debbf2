// "Timing: cost and accuracy": how right the timing line's figures are, and what the timing line
// and %%timeline cost, and the floor under the line's cost that the client sets by itself
// (bench/message-floor.py). Tempo only (tslab has neither); every run is one freshly spawned kernel,
// its cells driven through Debian's jupyter_client (bench/cells.py), always killed at the end.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { launchKernel } from './kernels.mjs';
import { openCells, PYTHON, PYTHON_ENV } from './cells.mjs';
import { treeRssMb } from './proctree.mjs';
import { median, summarize } from './stats.mjs';

/** Trivial cells per run for the timing line's cost: blocks of `%timing on` and `%timing off` cells, ABBA. */
const LINE_BLOCKS = 8;
const LINE_BLOCK_CELLS = 30;
const LINE_WARMUP_CELLS = 20;
/** Cell pairs per run for the floor under that cost: the client's own cost of one more IOPub message. */
const FLOOR_PAIRS = 1000;
/** Timeline cost: cells per run with and without `%%timeline` for each workload, alternating ABBA, after uncounted ones. */
const TIMELINE_BLOCKS = 12;
const TIMELINE_WARMUP = 3;
/** Memory: RSS after this many `%%timeline` cells, and again after as many more. */
const MEMORY_CELLS = 20;
/** Pause before reading RSS, so the kernel has sent everything and the executor is idle. */
const RSS_SETTLE_MS = 500;
/** Timeline data a cell leaves behind, if any, shows as heap still in use after a full GC. */
const HEAP_TARGET_MB = 1;
// A full GC on demand in the executor (a throwaway kernel): node's --expose-gc, switched on at run time.
const GC_SETUP = "const benchGc = (require('v8').setFlagsFromString('--expose-gc'), require('vm').runInNewContext('gc'));";
const GC_HEAP_MB = 'benchGc(); process.memoryUsage().heapUsed / 1048576';

const SLEEP_1S = 'await new Promise(r => setTimeout(r, 1000))';
const BLOCK_1S = 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000)';
// The same sleep timed from inside the cell too: what the kernel adds around the code, apart from the timer's own lateness.
const SLEEP_1S_SELF_TIMED = `const benchT0 = performance.now(); ${SLEEP_1S}; performance.now() - benchT0`;
const TIMERS_10K = 'await Promise.all(Array.from({length: 10000}, () => new Promise(r => setTimeout(r, 1))))';
const CHAINS_10K = 'await Promise.all(Array.from({length: 10000}, (_, i) => Promise.resolve(i).then((x) => x + 1).then((x) => x * 2).then((x) => x - 1)))';
const TIMELINE = '%%timeline\n';
// What naming a lane by origin costs per timer or I/O operation: the clock's init hook captures a
// 14-frame stack (V8 formats it only when the cell ends); here the same capture, 10,000 times, in µs each.
const ORIGIN_CAPTURES = 10_000;
const ORIGIN_COST = `const benchHolder = {}; const benchT0 = performance.now(); for (let i = 0; i < ${ORIGIN_CAPTURES}; i++) { const limit = Error.stackTraceLimit; Error.stackTraceLimit = 14; Error.captureStackTrace(benchHolder); Error.stackTraceLimit = limit; } (performance.now() - benchT0) * 1000 / ${ORIGIN_CAPTURES}`;

const HERE = fileURLToPath(new URL('.', import.meta.url));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const ms = (value) => `${value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2)} ms`;
const mb = (value) => `${value.toFixed(1)} MB`;
const times = (value) => `${value.toFixed(2)}×`;
// A sign only where the rounded figure is not zero: no `−0.0 MB`.
const signed = (show) => (value) => (show(Math.abs(value)) === show(0) ? show(0) : `${value > 0 ? '+' : '−'}${show(Math.abs(value))}`);
const signedMs = signed(ms);
const signedMb = signed(mb);

/** The rows of the table, in order; `met(median)` answers "meets target". */
const ROWS = [
  { key: 'sleepWallMs', label: `\`${SLEEP_1S}\` → reported \`wallMs\``, target: '1000 ± 10 ms', show: ms, met: (v) => Math.abs(v - 1000) <= 10 },
  { key: 'sleepAddedMs', label: '… of which outside the cell\'s code: reported `wallMs` − the same sleep timed inside the cell', target: '–', show: signedMs },
  { key: 'blockedMs', label: `Blocking 1 s sleep \`${BLOCK_1S}\` → reported \`blockedMs\``, target: '≥ 990 ms', show: ms, met: (v) => v >= 990 },
  { key: 'lineOnMs', label: `Trivial cell \`1 + 1\` round trip, \`%timing on\` (median of ${(LINE_BLOCKS / 2) * LINE_BLOCK_CELLS})`, target: '–', show: ms },
  { key: 'lineOffMs', label: `Trivial cell \`1 + 1\` round trip, \`%timing off\` (median of ${(LINE_BLOCKS / 2) * LINE_BLOCK_CELLS})`, target: '–', show: ms },
  { key: 'lineCostMs', label: 'Cost of the timing line: on − off, same kernel', target: '≤ 0.2 ms', show: signedMs, met: (v) => v <= 0.2 },
  { key: 'lineReplyCostMs', label: '… the same, execute_request → execute_reply only (no client-side handling of the extra message)', target: '–', show: signedMs },
  { key: 'floorCostMs', label: '… floor: one more, minimal IOPub message from a stub kernel that does no work (bench/message-floor.py)', target: '–', show: signedMs },
  { key: 'floorReplyCostMs', label: '… floor, execute_request → execute_reply only', target: '–', show: signedMs },
  { key: 'floorCellMs', label: 'Floor under the trivial-cell round trip: the same stub kernel (Python, so its own sends count too) answering as Tempo answers `1 + 1`: five IOPub messages and the reply, no work', target: '–', show: ms },
  ...[
    ['timers', '10,000 concurrent 1 ms timers'],
    ['chains', '10,000 concurrent promise chains'],
  ].flatMap(([name, what]) => [
    { key: `${name}PlainMs`, label: `${what}: reported \`wallMs\` without \`%%timeline\``, target: '–', show: ms },
    { key: `${name}TimelineMs`, label: `${what}: reported \`wallMs\` with \`%%timeline\``, target: '–', show: ms },
    { key: `${name}Ratio`, label: `${what}: with ÷ without \`%%timeline\` (wall)`, target: '≤ 1.3×', show: times, met: (v) => v <= 1.3 },
    { key: `${name}RoundTripRatio`, label: `${what}: with ÷ without \`%%timeline\` (round trip, SVG included)`, target: '–', show: times },
  ]),
  { key: 'originUs', label: 'Naming lanes by origin: one stack capture, as the init hook makes for each of a cell\'s first 100 timers or I/O operations (later ones like the one before share it; mean of 10,000 in one cell)', target: '–', show: (v) => `${v.toFixed(2)} µs` },
  { key: 'rssBeforeMb', label: 'RSS of kernel process tree before the `%%timeline` cells', target: '–', show: mb },
  { key: 'rssAfterMb', label: `… after ${MEMORY_CELLS} \`%%timeline\` cells of 10,000 timers`, target: 'bounded (see the heap row)', show: mb },
  { key: 'rssGrowthMb', label: `… growth over those ${MEMORY_CELLS} cells`, target: '–', show: signedMb },
  { key: 'rssFurtherMb', label: `… further growth over ${MEMORY_CELLS} more such cells`, target: '–', show: signedMb },
  { key: 'heapGrowthMb', label: `Executor heap in use after a full GC: after those ${2 * MEMORY_CELLS} cells − before`, target: `≤ ${HEAP_TARGET_MB} MB (nothing kept per cell)`, show: signedMb, met: (v) => v <= HEAP_TARGET_MB },
];

/** Runs `a` and `b` in ABBA blocks (a b b a a b …) so that drift on the shared machine hits both alike. */
async function alternate(blocks, a, b) {
  const results = { a: [], b: [] };
  for (let block = 0; block < blocks; block++) {
    const order = block % 2 === 0 ? [['a', a], ['b', b]] : [['b', b], ['a', a]];
    for (const [key, run] of order) results[key].push(...(await run()));
  }
  return results;
}

const wallOf = (run) => run.timing.wallMs;

/** The number a cell returned (its execute_result). */
function numberOf(run) {
  const value = run.result === null ? NaN : Number(run.result);
  if (!Number.isFinite(value)) throw new Error(`expected a number from the cell, got ${JSON.stringify(run.result)}`);
  return value;
}

/** Wall time of a workload with and without `%%timeline`, from the same kernel. */
async function timelineCost(cells, code) {
  // Uncounted cells first: V8 keeps speeding the workload up over its first few runs.
  await cells.run(code, { repeat: TIMELINE_WARMUP });
  await cells.run(TIMELINE + code, { repeat: TIMELINE_WARMUP });
  const { a: plain, b: drawn } = await alternate(TIMELINE_BLOCKS, () => cells.run(code), () => cells.run(TIMELINE + code));
  if (!drawn.every((run) => run.svg) || plain.some((run) => run.svg)) throw new Error('a %%timeline cell drew no SVG, or a plain cell drew one');
  const [plainMs, timelineMs] = [plain, drawn].map((runs) => median(runs.map(wallOf)));
  const roundTrip = (runs) => median(runs.map((run) => run.ms));
  return { plainMs, timelineMs, ratio: timelineMs / plainMs, roundTripRatio: roundTrip(drawn) / roundTrip(plain) };
}

/** A full GC in the executor, then the tree's RSS once the kernel is idle again: { heapMb, rssMb }. */
async function memoryAfterGc(cells, pid) {
  const heapMb = numberOf((await cells.run(GC_HEAP_MB))[0]);
  await sleep(RSS_SETTLE_MS);
  return { heapMb, rssMb: treeRssMb(pid) };
}

/** One fresh kernel: accuracy, then the timing line's cost, then timeline memory and wall cost. */
async function measureOnce(kernel, scratch) {
  const launched = await launchKernel(kernel, scratch);
  let cells;
  try {
    cells = await openCells(launched.connection.path);
    const result = {};
    const [one] = await cells.run('1 + 1');
    if (!one.timing) throw new Error('execute_reply has no metadata.timing: is dist/ built from a kernel with the timing line?');

    // 1. Accuracy.
    result.sleepWallMs = wallOf((await cells.run(SLEEP_1S))[0]);
    const [selfTimed] = await cells.run(SLEEP_1S_SELF_TIMED);
    result.sleepAddedMs = wallOf(selfTimed) - numberOf(selfTimed);
    result.blockedMs = (await cells.run(BLOCK_1S))[0].timing.blockedMs;

    // 2. The timing line's cost: `%timing on` and `%timing off` blocks in the same kernel.
    await cells.run('1 + 1', { repeat: LINE_WARMUP_CELLS });
    const block = (setting) => async () => {
      await cells.run(`%timing ${setting}`);
      return cells.run('1 + 1', { repeat: LINE_BLOCK_CELLS });
    };
    const { a: on, b: off } = await alternate(LINE_BLOCKS, block('on'), block('off'));
    if (!on.every((run) => run.timing_line) || off.some((run) => run.timing_line)) throw new Error('%timing on/off did not show/hide the timing line');
    if (![...on, ...off].every((run) => run.result === '2')) throw new Error('a trivial cell did not show 2');
    result.lineOnMs = median(on.map((run) => run.ms));
    result.lineOffMs = median(off.map((run) => run.ms));
    result.lineCostMs = result.lineOnMs - result.lineOffMs;
    result.lineReplyCostMs = median(on.map((run) => run.reply_ms)) - median(off.map((run) => run.reply_ms));

    // 3a. Memory: before any %%timeline cell (the workload itself warmed up without one), after 20, after 40.
    await cells.run(GC_SETUP);
    await cells.run(TIMERS_10K, { repeat: 2 });
    const before = await memoryAfterGc(cells, launched.pid);
    await cells.run(TIMELINE + TIMERS_10K, { repeat: MEMORY_CELLS });
    const after = await memoryAfterGc(cells, launched.pid);
    await cells.run(TIMELINE + TIMERS_10K, { repeat: MEMORY_CELLS });
    const further = await memoryAfterGc(cells, launched.pid);
    Object.assign(result, {
      rssBeforeMb: before.rssMb,
      rssAfterMb: after.rssMb,
      rssGrowthMb: after.rssMb - before.rssMb,
      rssFurtherMb: further.rssMb - after.rssMb,
      heapGrowthMb: further.heapMb - before.heapMb,
    });

    // 3b. Wall time with and without %%timeline.
    for (const [name, code] of [['timers', TIMERS_10K], ['chains', CHAINS_10K]]) {
      const cost = await timelineCost(cells, code);
      Object.assign(result, { [`${name}PlainMs`]: cost.plainMs, [`${name}TimelineMs`]: cost.timelineMs, [`${name}Ratio`]: cost.ratio, [`${name}RoundTripRatio`]: cost.roundTripRatio });
    }
    result.originUs = numberOf((await cells.run(ORIGIN_COST))[0]);
    return result;
  } catch (error) {
    const output = launched.output();
    throw new Error(`${error.message.trim()}${output ? `\nkernel output:\n${output}` : ''}`);
  } finally {
    try {
      await cells?.close();
    } finally {
      await launched.stop();
    }
  }
}

/** What one more IOPub message costs the client by itself, whatever the kernel (bench/message-floor.py). */
async function messageFloor() {
  const { stdout } = await promisify(execFile)(PYTHON, [join(HERE, 'message-floor.py'), String(FLOOR_PAIRS)], { env: PYTHON_ENV, timeout: 120_000 });
  const floor = JSON.parse(stdout);
  return { floorCostMs: floor.ms, floorReplyCostMs: floor.reply_ms, floorCellMs: floor.cell_ms };
}

/** `runs` fresh kernels in a row; resolves with { runs: [...] } or { runs, error } after the first failure. */
export async function measureTimingCost(kernel, scratch, runs, progress) {
  if (kernel.unavailable) return { runs: [], error: kernel.unavailable };
  const results = [];
  for (let run = 1; run <= runs; run++) {
    try {
      const result = { ...(await measureOnce(kernel, scratch)), ...(await messageFloor()) };
      results.push(result);
      progress(
        `timing run ${run}/${runs}: sleep ${ms(result.sleepWallMs)}, blocked ${ms(result.blockedMs)}, line ${signedMs(result.lineCostMs)} (floor ${signedMs(result.floorCostMs)}), ` +
          `timeline ×${result.timersRatio.toFixed(2)} / ×${result.chainsRatio.toFixed(2)}, ` +
          `RSS ${mb(result.rssBeforeMb)} → ${mb(result.rssAfterMb)} (${signedMb(result.rssFurtherMb)}), heap ${signedMb(result.heapGrowthMb)}`,
      );
    } catch (error) {
      progress(`timing run ${run}/${runs} failed: ${error.message}`);
      return { runs: results, error: error.message };
    }
  }
  return { runs: results };
}

export function renderTimingTable(kernel, measured) {
  const lines = [
    `| Measurement | Target | ${kernel.name} | Meets target |`,
    '| --- | --- | --- | --- |',
  ];
  for (const row of ROWS) {
    if (measured.runs.length === 0) {
      lines.push(`| ${row.label} | ${row.target} | did not run: ${(measured.error ?? 'no runs').split('\n')[0].replaceAll('|', '\\|')} | – |`);
      continue;
    }
    const s = summarize(measured.runs.map((run) => run[row.key]));
    const met = row.met ? (row.met(s.median) ? 'yes' : 'no') : '–';
    lines.push(`| ${row.label} | ${row.target} | **${row.show(s.median)}** (${row.show(s.min)} – ${row.show(s.max)}) | ${met} |`);
  }
  return lines.join('\n');
}

export function renderTimingNotes(measured) {
  const n = measured.runs.length;
  return [
    `Each figure is the median of ${n} runs, each on a freshly spawned Tempo kernel (min – max across runs in brackets); cells go through /usr/bin/python3's jupyter_client (bench/cells.py), and the \`wallMs\` and \`blockedMs\` figures are the kernel's own, from \`execute_reply\` metadata.timing.`,
    'The seed notebook\'s three examples are in the table above, beside the peers.',
    `Timing line: per run, ${LINE_BLOCKS} blocks of ${LINE_BLOCK_CELLS} trivial cells, \`%timing on\` and \`%timing off\` alternating on-off-off-on…, after ${LINE_WARMUP_CELLS} warm-up cells; round trip is execute_request → execute_reply and idle, as in the first table. \`%timing off\` only hides the line: the cell is measured (async_hooks) either way.`,
    `Floor: per run, ${FLOOR_PAIRS} pairs of cells through the same client from a stub kernel (plain pyzmq in its own process) that answers as Tempo answers \`1 + 1\`, one of each pair with one more, minimal display_data, sent just after the reply so that sending it delays nothing; every kernel that shows a line in its own output message pays at least this.`,
    `Timeline: per run, ${TIMELINE_BLOCKS / 2} cells with and ${TIMELINE_BLOCKS / 2} without \`%%timeline\` for each workload, alternating, after ${TIMELINE_WARMUP} uncounted cells of each; ratios are of the per-run medians. Timers: \`${TIMERS_10K}\`. Promise chains: \`${CHAINS_10K}\`. The round-trip ratio also counts drawing the SVG and sending it.`,
    `Memory: RSS is VmRSS summed over the kernel and its executor, read before any \`%%timeline\` cell (the workload itself having run twice without), after ${MEMORY_CELLS} \`%%timeline\` cells of the 10,000-timer workload (each at the 10,000-lane cap), and after ${MEMORY_CELLS} more; each time a cell first forces a full GC in the executor (\`--expose-gc\` switched on at run time) and reports its \`heapUsed\`, and RSS is read ${RSS_SETTLE_MS} ms later. RSS moves with when V8 grows or gives back its heap, so boundedness is judged on the heap still in use after a full GC: timeline data kept per cell (10,000 lanes each) would add megabytes per cell.`,
    ...(measured.error && n > 0 ? [`A later run failed, so only ${n} runs are counted: ${measured.error.split('\n')[0]}`] : []),
  ].join('\n');
}
