// `npm run bench`: Tempo and tslab measured side by side in one run, on this machine.
// Prints two markdown tables to stdout (progress goes to stderr): start-up, round trip and memory,
// then "Timing: cost and accuracy" (Tempo only, bench/timing-cost.mjs); `--write` also saves both
// to bench/RESULTS.md. Options: --runs N (default 7), --cells N (200), --warmup N (20),
// --timing-runs N (5; 0 leaves the second table out).
import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { PYTHON, PYTHON_ENV } from './cells.mjs';
import { firstKernelInfoReply } from './kernel-info.mjs';
import { kernelsUnderTest, launchKernel } from './kernels.mjs';
import { killOnExit, treePssMb, treeRssMb } from './proctree.mjs';
import { median, summarize } from './stats.mjs';
import { measureTimingCost, renderTimingNotes, renderTimingTable } from './timing-cost.mjs';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    cells: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '20' },
    'timing-runs': { type: 'string', default: '5' },
    write: { type: 'boolean', default: false },
  },
});
const RUNS = Number(opts.runs);
const RSS_DELAY_MS = 1000;
const HERE = fileURLToPath(new URL('.', import.meta.url));

// Targets from the issue; for each figure lower is better.
const METRICS = [
  { key: 'coldStartMs', label: 'Cold start (spawn → first kernel_info_reply)', target: 150, show: (ms) => `${(ms / 1000).toFixed(3)} s` },
  { key: 'cellMs', label: `Trivial cell \`1 + 1\` round trip (median of ${opts.cells})`, target: 1.5, show: (ms) => `${ms.toFixed(2)} ms` },
  { key: 'rssMb', label: `RSS of kernel process tree, ${RSS_DELAY_MS / 1000} s after kernel_info_reply`, target: 80, show: (mb) => `${mb.toFixed(1)} MB` },
  { key: 'pssMb', label: 'PSS of the same tree (shared pages counted once)', target: 80, show: (mb) => `${mb.toFixed(1)} MB` },
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const progress = (text) => process.stderr.write(`${text}\n`);

/**
 * Cells go through Debian's jupyter_client (the Python a Jupyter server would use), with a
 * clean PATH so no other python or venv is picked up. Returns { times_ms, lost } (see roundtrip.py).
 */
async function cellRoundTrips(connectionFile) {
  const running = promisify(execFile)(
    PYTHON,
    [join(HERE, 'roundtrip.py'), connectionFile, '--warmup', opts.warmup, '--cells', opts.cells],
    { env: PYTHON_ENV, timeout: 300_000 },
  );
  const forget = killOnExit(running.child.pid);
  try {
    return JSON.parse((await running).stdout);
  } catch (error) {
    // Python's last stderr line says what went wrong (a traceback's exception, or sys.exit's text).
    throw new Error(`roundtrip.py: ${error.stderr?.trim().split('\n').at(-1) || error.message}`);
  } finally {
    forget();
  }
}

/** One fresh kernel: cold start, then RSS once it has settled, then cell round trips; always killed. */
async function measureOnce(kernel, scratch) {
  const launched = await launchKernel(kernel, scratch);
  try {
    const coldStartMs = (await firstKernelInfoReply(launched.connection.info, launched.isAlive)) - launched.startedAt;
    await sleep(RSS_DELAY_MS);
    const rssMb = treeRssMb(launched.pid);
    const pssMb = treePssMb(launched.pid);
    const cells = await cellRoundTrips(launched.connection.path);
    return { coldStartMs, rssMb, pssMb, cellMs: median(cells.times_ms), lostCells: cells.lost };
  } catch (error) {
    const output = launched.output();
    throw new Error(`${error.message.trim()}${output ? `\nkernel output:\n${output}` : ''}`);
  } finally {
    await launched.stop();
  }
}

/** The floor for any Node kernel's cold start: spawning `node -e 0` until it exits. */
async function nodeBaselineMs() {
  const start = performance.now();
  await new Promise((resolve, reject) => spawn(process.execPath, ['-e', '0']).once('exit', resolve).once('error', reject));
  return performance.now() - start;
}

/**
 * RUNS rounds, each starting every kernel once, after one uncounted round that fills the page
 * cache. Kernels alternate within a round, so slow phases of the shared VM hit all of them alike.
 * A kernel that fails once is not retried: its error goes in the table.
 */
async function measureAll(kernels, scratch) {
  const results = new Map(kernels.map((k) => [k.name, { runs: [], error: typeof k.argv === 'string' ? k.argv : undefined }]));
  const baseline = [];
  for (let round = 0; round <= RUNS; round++) {
    const counted = round > 0;
    // Sampled within each round, so it sees the same load as the kernels beside it.
    const nodeMs = await nodeBaselineMs();
    if (counted) baseline.push(nodeMs);
    for (const kernel of kernels) {
      const result = results.get(kernel.name);
      if (result.error) continue;
      try {
        const run = await measureOnce(kernel, scratch);
        progress(`${counted ? `run ${round}/${RUNS}` : 'warm-up'} ${kernel.name}: ${METRICS.map((m) => m.show(run[m.key])).join(', ')}`);
        if (counted) result.runs.push(run);
      } catch (error) {
        result.error = error.message;
        progress(`${kernel.name} failed: ${error.message}`);
      }
    }
  }
  return { results, baseline: summarize(baseline) };
}

function renderTable(kernels, results) {
  const [tempo, peer] = kernels.map((kernel) => results.get(kernel.name));
  const cell = (result, metric) => {
    if (result.error) return `did not run: ${result.error.split('\n')[0].replaceAll('|', '\\|')}`;
    const s = summarize(result.runs.map((run) => run[metric.key]));
    return `**${metric.show(s.median)}** (${metric.show(s.min)} – ${metric.show(s.max)})`;
  };
  const lines = [
    `| Metric | Target | ${kernels[0].name} | ${kernels[1].name} | ${kernels[1].name} ÷ ${kernels[0].name} | ${kernels[0].name} meets target |`,
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const metric of METRICS) {
    const [ours, theirs] = [tempo, peer].map((r) => (r.error ? undefined : median(r.runs.map((run) => run[metric.key]))));
    const ratio = ours === undefined || theirs === undefined ? '–' : `${(theirs / ours).toFixed(1)}×`;
    const met = ours === undefined ? '–' : ours < metric.target ? 'yes' : 'no';
    lines.push(`| ${metric.label} | < ${metric.show(metric.target)} | ${cell(tempo, metric)} | ${cell(peer, metric)} | ${ratio} | ${met} |`);
  }
  return lines.join('\n');
}

function renderNotes(results, baseline) {
  const cellsPerRun = Number(opts.warmup) + Number(opts.cells);
  const lost = [...results]
    .map(([name, result]) => [name, result.runs.reduce((sum, run) => sum + run.lostCells, 0), result.runs.length * cellsPerRun])
    .filter(([, count]) => count > 0)
    .map(([name, count, total]) => `${name}: ${count} of ${total} cells never got their output or idle status (see bench/roundtrip.py); they are left out of its round-trip figure.`);
  return [
    `Each figure is the median of ${RUNS} runs, each on a freshly spawned kernel (min – max across runs in brackets); one uncounted warm-up run per kernel comes first.`,
    `Trivial cell: per run, the median of ${opts.cells} cells after ${opts.warmup} warm-up cells, execute_request → execute_reply and idle status, through /usr/bin/python3's jupyter_client.`,
    'RSS: VmRSS summed over the kernel and all its descendants; pages they share, such as the node binary, count once in each.',
    ...lost,
    `Baseline: \`node -e 0\`, spawn → exit, takes ${baseline.median.toFixed(0)} ms (${baseline.min.toFixed(0)} – ${baseline.max.toFixed(0)}) here, for comparison with cold start.`,
    // Node then parses the whole CA bundle at every start, kernels and executors included.
    ...(process.env.NODE_EXTRA_CA_CERTS ? ['NODE_EXTRA_CA_CERTS is set in this environment, which every node process (kernels, executor, baseline) pays for at start.'] : []),
  ].join('\n');
}

/**
 * A hash of every file under dist/, compared before and after the run: on a shared checkout
 * someone may rebuild dist/ meanwhile, and the runs would then mix two builds. Content, not
 * mtimes, so a rebuild that changes nothing does not count.
 */
function distFingerprint() {
  const dist = join(HERE, '..', 'dist');
  try {
    const hash = createHash('sha256');
    const files = readdirSync(dist, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
      .sort();
    for (const file of files) hash.update(`${relative(dist, file)}\0`).update(readFileSync(file));
    return hash.digest('hex');
  } catch (error) {
    return error.message;
  }
}

/** The commit measured, so that a later RESULTS.md can be compared with the right code. */
function commit() {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: HERE, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', '../kernel'], { cwd: HERE, encoding: 'utf8' }) !== '';
    return dirty ? `${head} with uncommitted changes in kernel/` : head;
  } catch {
    return 'unknown';
  }
}

const TIMING_HEADING = '## Timing: cost and accuracy';

function resultsMarkdown(table, notes, timingSection) {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  return `# Benchmark results: Tempo beside tslab

Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with \`npm run bench -- --write\`.

- Tempo: commit ${commit()}, as built in dist/
- Node: ${process.version}
- CPU: ${cpu} (${cpus().length} cores)
- Machine: a shared, noisy 2-core VM; other work runs beside the benchmark, so expect run-to-run spread
  (1-minute load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end).

${table}

${notes}

Measured by hand earlier on the same kind of machine, for comparison: tslab cold start 1.6–2.3 s,
trivial cell 7.5–15 ms, RSS 173 MB.
${timingSection ? `\n${timingSection}\n` : ''}`;
}

const scratch = mkdtempSync(join(tmpdir(), 'tempo-bench-'));
// On 'exit' rather than in a finally, so that Ctrl-C cleans up too.
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
const distBefore = distFingerprint();
const [loadAtStart] = loadavg();
const kernels = kernelsUnderTest(scratch);
const { results, baseline } = await measureAll(kernels, scratch);
const table = renderTable(kernels, results);
const rebuilt = 'dist/ was rebuilt while this benchmark ran (other work on the same checkout), so its runs may mix two builds: run it again.';
const notes = renderNotes(results, baseline) + (distFingerprint() === distBefore ? '' : `\n${rebuilt}`);
process.stdout.write(`${table}\n\n${notes}\n`);
// After the first table's runs, so that neither measurement shares the machine with the other.
const timingRuns = Number(opts['timing-runs']);
const tempo = kernels.find((kernel) => kernel.name === 'Tempo');
const timing = timingRuns > 0 ? await measureTimingCost(tempo, scratch, timingRuns, progress) : undefined;
const timingNotes = timing && renderTimingNotes(timing) + (distFingerprint() === distBefore ? '' : `\n${rebuilt}`);
const timingSection = timing && `${TIMING_HEADING}\n\n${renderTimingTable(tempo, timing)}\n\n${timingNotes}`;
if (timingSection) process.stdout.write(`\n${timingSection}\n`);
if (opts.write) writeFileSync(join(HERE, 'RESULTS.md'), resultsMarkdown(table, notes, timingSection));
if ([...results.values()].some((result) => result.error) || timing?.error) process.exitCode = 1;
