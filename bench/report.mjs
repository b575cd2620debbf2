// The benchmark table: one row per figure, one column per peer, Tempo ÷ best peer, and the notes
// that say how each figure was taken. Lower is better for every figure.
import { JOB_MS, EXPECTED_MS } from './seeds.mjs';
import { PRINT_LINES, TYPED_SETUP_CELLS } from './peers.mjs';
import { RSS_DELAY_MS, SLOW_STEP_MS, TYPED_REPEAT } from './measure.mjs';
import { summarize } from './stats.mjs';

const fixed = (value, digits) => value.toFixed(digits);
/** Three significant figures at most, so that columns stay narrow. */
const short = (value) => fixed(value, Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
/** How a row's figures (measured in ms or MB) are shown. */
const UNITS = {
  s: { show: (ms) => fixed(ms / 1000, 2), name: 's' },
  ms: { show: short, name: 'ms' },
  // Signed: how far a reported time is off what it should be.
  'ms±': { show: (ms) => `${ms > 0 ? '+' : ms < 0 ? '−' : ''}${short(Math.abs(ms))}`, name: 'ms' },
  MB: { show: (mb) => fixed(mb, 0), name: 'MB' },
};

const SEED_LABELS = {
  blocking: `five blocking ${JOB_MS} ms jobs`,
  sequential: `five sequential awaited ${JOB_MS} ms sleeps`,
  concurrent: `\`Promise.all\` of five ${JOB_MS} ms sleeps`,
};

/**
 * The rows, in the order shown. `typed`: TypeScript rows, for the peers that type-check.
 * `target` and `met(tempo, medians)` (in ms or MB) for the "Tempo meets target" column.
 */
const rows = ({ cells, warmup }) => [
  { key: 'coldStartMs', label: 'Cold start: spawn → first `kernel_info_reply`', unit: 's', target: '< 0.15 s', met: (v) => v < 150 },
  { key: 'trivialMs', label: `Trivial cell round trip (\`1 + 1\`, median of ${cells})`, unit: 'ms', target: '< 1.5 ms', met: (v) => v < 1.5 },
  { key: 'firstTypedMs', label: 'First typed cell after kernel start', unit: 's', typed: true, target: '< 0.5 s', met: (v) => v < 500 },
  {
    key: 'typedMs',
    label: `Typed cell after ${TYPED_SETUP_CELLS} typed cells`,
    unit: 'ms',
    typed: true,
    target: '< 30 ms, below tslab',
    met: (v, medians) => v < 30 && (medians.tslab === undefined || v < medians.tslab),
  },
  { key: 'completeMs', label: 'Completion round trip (`Math.fl`)', unit: 'ms', typed: true, target: '< 30 ms', met: (v) => v < 30 },
  { key: 'printMs', label: `${PRINT_LINES.toLocaleString('en')} printed lines, end to end`, unit: 's' },
  ...Object.entries(SEED_LABELS).map(([name, what]) => ({
    key: `${name}SeedMs`,
    label: `Seed example, ${what}: reported − expected ${EXPECTED_MS[name]} ms`,
    unit: 'ms±',
  })),
  { key: 'rssStartMb', label: 'RSS after start', unit: 'MB', target: '< 80 MB', met: (v) => v < 80 },
  { key: 'pssStartMb', label: 'PSS after start (shared pages counted once)', unit: 'MB', target: '< 80 MB', met: (v) => v < 80 },
  { key: 'rssCellsMb', label: `RSS after ${warmup + cells} trivial cells`, unit: 'MB' },
  { key: 'rssCheckerMb', label: 'RSS with the checker loaded', unit: 'MB', typed: true },
  { key: 'pssCheckerMb', label: 'PSS with the checker loaded', unit: 'MB', typed: true },
  { key: 'restartMs', label: 'Kernel restart: `shutdown_request` (restart) → new `kernel_info_reply`', unit: 's' },
];

const escape = (text) => text.replaceAll('|', '\\|');
const applies = (row, peer) => !row.typed || peer.typeChecks;

/** Median, min and max of a peer's runs for a row, or undefined if none measured it. */
function medianOf(result, row) {
  const values = result.runs.map((run) => run[row.key]).filter((value) => value !== undefined);
  return values.length > 0 ? summarize(values) : undefined;
}

function cell(result, row, first) {
  const { peer } = result;
  if (peer.unavailable) return first ? `cannot run: ${escape(peer.unavailable)}` : '–';
  if (!applies(row, peer)) return 'n/a';
  const unit = UNITS[row.unit];
  const s = medianOf(result, row);
  const error = result.errors[row.key];
  const failed = error && `failed${s ? ` in ${error.count} of ${error.count + s.n} runs` : ''}: ${escape(error.message)}`;
  if (!s) return failed ?? '–';
  const figure = `**${unit.show(s.median)} ${unit.name}** (${unit.show(s.min)}–${unit.show(s.max)})`;
  return failed ? `${figure}; ${failed}` : figure;
}

/** Tempo's median ÷ the lowest peer median, naming that peer. */
function ratio(results, row) {
  const figures = results.map((result) => ({ name: result.peer.name, s: result.peer.unavailable ? undefined : medianOf(result, row) }));
  const tempo = figures.find((figure) => figure.name === 'Tempo');
  const best = figures.filter((figure) => figure !== tempo && figure.s).sort((a, b) => a.s.median - b.s.median)[0];
  // A ratio of two errors that straddle zero says nothing.
  if (!tempo?.s || !best || best.s.median <= 0 || tempo.s.median < 0) return '–';
  return `${(tempo.s.median / best.s.median).toFixed(2)}× (${best.name})`;
}

/**
 * `results`: [{ peer, runs: [{ row: value }], errors: { row: { message, count } } }], one per
 * column; `opts`: { cells, warmup } as measured.
 */
export function renderTable(results, opts) {
  const names = results.map((result) => result.peer.name);
  const lines = [
    `| Figure (lower is better) | Target | ${names.join(' | ')} | Tempo ÷ best peer | Tempo meets target |`,
    `| --- | --- | ${names.map(() => '---').join(' | ')} | --- | --- |`,
  ];
  for (const [index, row] of rows(opts).entries()) {
    const medians = Object.fromEntries(
      results.filter((result) => !result.peer.unavailable).map((result) => [result.peer.name, medianOf(result, row)?.median]),
    );
    const met = !row.met || medians.Tempo === undefined ? '–' : row.met(medians.Tempo, medians) ? 'yes' : 'no';
    const cells = results.map((result) => cell(result, row, index === 0));
    lines.push(`| ${row.label} | ${row.target ?? '–'} | ${cells.join(' | ')} | ${ratio(results, row)} | ${met} |`);
  }
  return lines.join('\n');
}

/** How each figure was taken, and anything a reader must know to trust it. */
export function renderNotes(results, { runs, cells, warmup, baseline }) {
  const labels = Object.fromEntries(rows({ cells, warmup }).map((row) => [row.key, row.label]));
  const countNotes = results
    .filter((result) => result.counts.lost > 0 || result.counts.late > 0)
    .map(({ peer, counts }) =>
      [
        counts.lost > 0 ? `${peer.name}: ${counts.lost} of ${counts.cells} trivial cells never got their output or idle status (see bench/roundtrip.py); they are left out of its figure.` : '',
        counts.late > 0 ? `${peer.name}: ${counts.late} cells sent output after their idle status; their figures wait for that output.` : '',
      ].join(' ').trim(),
    );
  return [
    `Each figure is the median of ${runs} runs, each on a freshly spawned kernel (min–max across runs in brackets), lower is better for every one; Tempo ÷ best peer divides Tempo's median by the lowest peer median (below 1: Tempo is ahead). Before the first run each kernel is started once, uncounted, to fill the page cache; kernels alternate within each run, so that slow phases of the shared machine hit all of them alike.`,
    'Cells go through /usr/bin/python3\'s jupyter_client (bench/cells.py), and a cell counts as done once its `execute_reply`, its idle status and its output have all arrived. Each peer runs the same code in its own language (Python for IPython, JavaScript for jslab, IJavascript and Deno, TypeScript for Tempo and tslab): see bench/peers.mjs.',
    `Trivial cell: per run, the median of ${cells} cells after ${warmup} warm-up cells.`,
    `TypeScript rows (Tempo and tslab; Deno runs TypeScript without type-checking it, jslab and IPython do not take TypeScript): the first typed cell on a kernel of its own, sent as soon as the client is subscribed after \`kernel_info_reply\`; then, in the main run after the trivial cells, ${TYPED_SETUP_CELLS} cells declaring typed names and functions, and the median of ${TYPED_REPEAT} small cells using them, then of ${TYPED_REPEAT} \`complete_request\`s for \`Math.fl\` (which must offer \`floor\`); as test/conformance/scenarios/typecheck.py does.`,
    `${PRINT_LINES.toLocaleString('en')} printed lines: one cell printing them (\`console.log\` in a loop, \`print\` in Python), execute_request → the last line and the idle status at the client.`,
    'Seed examples: the three cells of notebooks/01-async-basics.ipynb (with their prints), with ' +
      `${JOB_MS} ms jobs instead of 1 s to keep runs short. Tempo's figure is the \`wallMs\` it reports in \`execute_reply\` metadata.timing; the peers report nothing, so theirs is the client's round trip, which also counts sending the cell and its output.`,
    `Memory: VmRSS (PSS for the PSS row) summed over the kernel and all its descendants, each read ${RSS_DELAY_MS / 1000} s after the kernel went quiet: after its \`kernel_info_reply\` (before any cell), after the trivial cells, and after the typed cells and completions. A page shared by two processes counts in both for RSS and once for PSS.`,
    'Restart: what jupyter_client\'s `KernelManager.restart_kernel()` does, done from Node (bench/kernels.mjs): `shutdown_request` with `restart: true` on control, wait for the kernel process to exit (killed after 5 s), clean up its tree, start the same argv on the same connection file; timed up to the new process\'s first `kernel_info_reply`. The exit is awaited directly rather than polled every 0.1 s as jupyter_client does.',
    ...countNotes,
    ...results
      .filter((result) => result.skip.size > 0)
      .map(({ peer, skip }) => `${peer.name}: ${[...skip].map((key) => labels[key]).join(', ')} took over ${SLOW_STEP_MS / 1000} s, so it was measured in the first run only.`),
    ...results.filter((result) => result.peer.unavailable).map(({ peer }) => `${peer.name} did not run: ${peer.unavailable}; see bench/peers.mjs.`),
    'IPython is Debian\'s python3-ipykernel, not an npm package: `apt-get install -y python3-ipykernel` if it is missing (CI does not install it, since CI does not run the benchmark).',
    `Baseline: \`node -e 0\`, spawn → exit, takes ${baseline.median.toFixed(0)} ms (${baseline.min.toFixed(0)}–${baseline.max.toFixed(0)}) here, for comparison with cold start.`,
    // Node then parses the whole CA bundle at every start, kernels and executors included.
    ...(process.env.NODE_EXTRA_CA_CERTS ? ['NODE_EXTRA_CA_CERTS is set in this environment, which every node process (kernels, executor, baseline) pays for at start.'] : []),
  ].join('\n');
}
