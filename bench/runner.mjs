// `node bench/runner.mjs`: the notebook runner's end-to-end speed, `tempo run` side by side with
// `jupyter nbconvert --to notebook --execute` (Debian's /usr/bin/jupyter-nbconvert; on Debian
// `apt-get install -y jupyter-nbconvert`) on the same notebook of N trivial cells (`1 + 1`) with
// the same kernel: Tempo's kernelspec installed into a temp prefix that nbconvert finds through
// JUPYTER_PATH. Both write the executed notebook (`tempo run --out`, nbconvert `--output`).
// Each measurement is one whole command, process start to exit; runs alternate between the two.
// Prints a markdown table to stdout (progress to stderr): median of the runs with min–max, the
// ratio, and the target (tempo run at least 3× faster end to end).
// Options: --runs N (default 5), --cells N (50), --warmup N (1 unmeasured run of each first, to
// fill the page cache).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { summarize } from './stats.mjs';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    cells: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '1' },
  },
});
const RUNS = Number(opts.runs);
const CELLS = Number(opts.cells);
const WARMUP = Number(opts.warmup);
const TARGET = 3;

const REPO = fileURLToPath(new URL('..', import.meta.url));
const TEMPO = join(REPO, 'bin', 'tempo');
const NBCONVERT = '/usr/bin/jupyter-nbconvert';

if (!existsSync(NBCONVERT)) {
  console.error(`${NBCONVERT} not found; on Debian: apt-get install -y jupyter-nbconvert`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'tempo-bench-runner-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const prefix = join(dir, 'prefix');
const install = spawnSync(process.execPath, [TEMPO, 'install', '--prefix', prefix, '--name', 'tempo'], { encoding: 'utf8' });
if (install.status !== 0) throw new Error(`tempo install failed: ${install.stderr}`);

const notebook = join(dir, 'trivial.ipynb');
writeFileSync(
  notebook,
  JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'tempo', display_name: 'TypeScript (Tempo)', language: 'typescript' } },
    cells: Array.from({ length: CELLS }, (_, index) => ({ cell_type: 'code', id: `cell-${index}`, metadata: {}, source: '1 + 1', outputs: [], execution_count: null })),
  }),
);

const PYTHON_ENV = { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? dir, JUPYTER_PATH: join(prefix, 'share', 'jupyter'), PYTHONDONTWRITEBYTECODE: '1' };
const runners = {
  // As the README runs it: `bin/tempo run`, a command, not `node bin/tempo run` (see bin/tempo).
  'tempo run': () => [TEMPO, ['run', notebook, '--out', join(dir, 'tempo-out.ipynb'), '--no-color'], { ...process.env, NO_COLOR: '1' }],
  'jupyter nbconvert --execute': () => [
    NBCONVERT,
    ['--to', 'notebook', '--execute', '--ExecutePreprocessor.kernel_name=tempo', '--output-dir', dir, '--output', 'nbconvert-out.ipynb', notebook],
    PYTHON_ENV,
  ],
};

/** Seconds from spawn to exit of one whole run; throws if the run failed. */
function timeOnce(name) {
  const [command, args, env] = runners[name]();
  const start = performance.now();
  const result = spawnSync(command, args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  const seconds = (performance.now() - start) / 1000;
  if (result.status !== 0) throw new Error(`${name} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  return seconds;
}

const times = Object.fromEntries(Object.keys(runners).map((name) => [name, []]));
for (let i = 0; i < WARMUP; i++) for (const name of Object.keys(runners)) timeOnce(name);
for (let run = 1; run <= RUNS; run++) {
  for (const name of Object.keys(runners)) {
    const seconds = timeOnce(name);
    times[name].push(seconds);
    console.error(`run ${run}/${RUNS} ${name}: ${seconds.toFixed(2)} s`);
  }
}

const fmt = (s) => `${s.toFixed(2)} s`;
const tempoStats = summarize(times['tempo run']);
const nbconvertStats = summarize(times['jupyter nbconvert --execute']);
const ratio = nbconvertStats.median / tempoStats.median;
console.log(`### Runner: ${CELLS} trivial cells (\`1 + 1\`), end to end, median of ${RUNS} (min–max)\n`);
console.log('| runner | total time | per cell | vs nbconvert |');
console.log('|---|---|---|---|');
for (const [name, stats] of [['tempo run', tempoStats], ['jupyter nbconvert --execute', nbconvertStats]]) {
  const range = `${fmt(stats.median)} (${fmt(stats.min)}–${fmt(stats.max)})`;
  const perCell = `${((stats.median * 1000) / CELLS).toFixed(1)} ms`;
  const versus = name === 'tempo run' ? `${ratio.toFixed(2)}× faster` : '1×';
  console.log(`| ${name} | ${range} | ${perCell} | ${versus} |`);
}
console.log(`\nTarget: tempo run at least ${TARGET}× faster than nbconvert end to end — ${ratio >= TARGET ? 'met' : 'NOT met'} (${ratio.toFixed(2)}×).`);
