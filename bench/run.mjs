// `npm run bench`: Tempo and its peers (bench/peers.mjs: tslab, jslab, IJavascript, Deno, IPython)
// measured in the same run on this machine. Installs and downloads nothing: the peers are dev
// dependencies, or Debian's python3-ipykernel (`apt-get install -y python3-ipykernel`), and a
// peer that cannot run here says why in its column. Prints the table (then Tempo's own "Timing:
// cost and accuracy", bench/timing-cost.mjs) to stdout, progress to stderr; `--write` also saves
// them to bench/RESULTS.md with the machine's description. Options: --runs N (default 5),
// --cells N (200), --warmup N (20), --timing-runs N (3; 0 leaves the timing table out),
// --runner-runs N (9: `tempo run` beside `jupyter nbconvert --execute`, bench/runner.mjs; 0 leaves
// it out), --only Tempo,IPython (those peers alone, for a quick look while developing).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ALL_ROWS, measureFirstTypedCell, measureRun, warmUp } from './measure.mjs';
import { resolvePeers } from './peers.mjs';
import { renderNotes, renderTable } from './report.mjs';
import { summarize } from './stats.mjs';
import { measureTimingCost, renderTimingNotes, renderTimingTable } from './timing-cost.mjs';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    cells: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '20' },
    'timing-runs': { type: 'string', default: '3' },
    'runner-runs': { type: 'string', default: '9' },
    only: { type: 'string' },
    write: { type: 'boolean', default: false },
  },
});
const opts = { runs: Number(args.runs), cells: Number(args.cells), warmup: Number(args.warmup) };
const HERE = fileURLToPath(new URL('.', import.meta.url));

const progress = (text) => process.stderr.write(`${text}\n`);
const firstLine = (error) => error.message.split('\n')[0];

/** The floor for any Node kernel's cold start: spawning `node -e 0` until it exits. */
async function nodeBaselineMs() {
  const start = performance.now();
  await new Promise((resolve, reject) => spawn(process.execPath, ['-e', '0']).once('exit', resolve).once('error', reject));
  return performance.now() - start;
}

/** Adds one run's figures, errors and counts to a peer's result. */
function record(result, { values, errors, counts }) {
  result.runs.push(values);
  for (const [row, message] of Object.entries(errors)) {
    result.errors[row] ??= { message, count: 0 };
    result.errors[row].count++;
  }
  result.counts.lost += counts.lost;
  result.counts.late += counts.late;
  result.counts.cells += opts.warmup + opts.cells;
}

/** One run of one peer: the main kernel, then for TypeScript peers a kernel for the first typed cell. */
async function runOnce({ peer, skip }, scratch) {
  let run;
  try {
    run = await measureRun(peer, scratch, { ...opts, skip });
  } catch (error) {
    // The kernel could not even be spawned.
    run = { values: {}, errors: Object.fromEntries(ALL_ROWS.map((row) => [row, firstLine(error)])), counts: { lost: 0, late: 0 } };
  }
  if (peer.typeChecks) {
    const first = await measureFirstTypedCell(peer, scratch);
    Object.assign(run.values, first.values);
    Object.assign(run.errors, first.errors);
  }
  return run;
}

const show = (ms) => (ms === undefined ? '–' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

/**
 * One uncounted start of each kernel to fill the page cache, then `runs` rounds, each running
 * every peer once in turn, so that slow phases of the shared VM hit all of them alike. A peer
 * that measured nothing in a round is not tried again.
 */
async function measureAll(peers, scratch) {
  // `skip`: rows too slow to measure more than once for that peer (see measure.mjs).
  const results = peers.map((peer) => ({ peer, runs: [], errors: {}, counts: { lost: 0, late: 0, cells: 0 }, skip: new Set() }));
  const live = () => results.filter((result) => !result.peer.unavailable && !result.gaveUp);
  for (const result of live()) {
    try {
      await warmUp(result.peer, scratch);
      progress(`warm-up ${result.peer.name}: started`);
    } catch (error) {
      progress(`warm-up ${result.peer.name} failed: ${firstLine(error)}`);
    }
  }
  const baseline = [];
  for (let round = 1; round <= opts.runs; round++) {
    // Sampled within each round, so it sees the same load as the kernels beside it.
    baseline.push(await nodeBaselineMs());
    for (const result of live()) {
      const started = performance.now();
      const run = await runOnce(result, scratch);
      record(result, run);
      const v = run.values;
      const failed = Object.keys(run.errors).length;
      progress(
        `run ${round}/${opts.runs} ${result.peer.name} (${show(performance.now() - started)}): start ${show(v.coldStartMs)}, cell ${show(v.trivialMs)}, ` +
          `typed ${show(v.typedMs)}, print ${show(v.printMs)}, restart ${show(v.restartMs)}, RSS ${v.rssStartMb?.toFixed(0) ?? '–'} MB` +
          (failed ? `; ${failed} rows failed, first: ${Object.values(run.errors)[0]}` : ''),
      );
      if (Object.keys(v).length === 0) result.gaveUp = true;
    }
  }
  return { results, baseline: summarize(baseline) };
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

const TIMING_HEADING = '## Timing: cost and accuracy';

/** bench/runner.mjs's table (or why it could not run), as a section of its own. */
function runnerSection(runs) {
  const run = spawnSync(process.execPath, [join(HERE, 'runner.mjs'), '--runs', String(runs)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const body = run.status === 0 ? run.stdout.replace(/^### /, '') : `bench/runner.mjs did not run (exit ${run.status}); its messages are above.`;
  return `## The notebook runner: \`tempo run\` beside \`jupyter nbconvert --execute\`\n\n${body.trim()}`;
}

function resultsMarkdown(peers, table, notes, sections, load) {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  const versions = peers.map((peer) => `${peer.name} (${peer.version()})`);
  return `# Benchmark results: Tempo beside its peers

Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with \`npm run bench -- --write\` (${((performance.now() - load.startedAt) / 60_000).toFixed(0)} min).

- Kernels: ${versions.join(', ')}
- Node: ${process.version}
- CPU: ${cpu} (${cpus().length} cores)
- Machine: a shared, noisy 2-core VM; other work runs beside the benchmark, so expect run-to-run spread
  (1-minute load average ${load.start.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end).

${table}

${notes}
${sections.map((section) => `\n${section}\n`).join('')}`;
}

const load = { startedAt: performance.now(), start: loadavg()[0] };
const scratch = mkdtempSync(join(tmpdir(), 'tempo-bench-'));
// On 'exit' rather than in a finally, so that Ctrl-C cleans up too.
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
const distBefore = distFingerprint();
const peers = resolvePeers(scratch).filter((peer) => !args.only || args.only.split(',').includes(peer.name));
for (const peer of peers.filter((p) => p.unavailable)) progress(`${peer.name} cannot run here: ${peer.unavailable}`);
const { results, baseline } = await measureAll(peers, scratch);
const table = renderTable(results, opts);
const rebuilt = 'dist/ was rebuilt while this benchmark ran (other work on the same checkout), so its runs may mix two builds: run it again.';
const notes = renderNotes(results, { ...opts, baseline }) + (distFingerprint() === distBefore ? '' : `\n${rebuilt}`);
process.stdout.write(`${table}\n\n${notes}\n`);
// After the first table's runs, so that neither measurement shares the machine with the other.
const timingRuns = Number(args['timing-runs']);
const tempo = peers.find((peer) => peer.name === 'Tempo');
const timing = timingRuns > 0 && tempo ? await measureTimingCost(tempo, scratch, timingRuns, progress) : undefined;
const timingNotes = timing && renderTimingNotes(timing) + (distFingerprint() === distBefore ? '' : `\n${rebuilt}`);
const timingSection = timing && `${TIMING_HEADING}\n\n${renderTimingTable(tempo, timing)}\n\n${timingNotes}`;
if (timingSection) process.stdout.write(`\n${timingSection}\n`);
const runnerRuns = Number(args['runner-runs']);
const runner = runnerRuns > 0 && tempo ? runnerSection(runnerRuns) : undefined;
if (runner) process.stdout.write(`\n${runner}\n`);
if (args.write) writeFileSync(join(HERE, 'RESULTS.md'), resultsMarkdown(peers, table, notes, [timingSection, runner].filter(Boolean), load));
// Peers that cannot run here are expected; Tempo failing is not.
const tempoResult = results.find((result) => result.peer === tempo);
if (tempo?.unavailable || Object.keys(tempoResult?.errors ?? {}).length > 0 || timing?.error) process.exitCode = 1;
