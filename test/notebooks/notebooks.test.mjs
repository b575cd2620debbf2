// The tutorial notebooks: each one validates with Debian's nbformat, runs top to bottom through
// Debian's nbclient with this checkout's Tempo kernel (only cells tagged raises-exception may
// fail), the timings its prose promises hold (generous bounds), and its committed outputs are not
// stale. Every notebook executes once; the translations must keep the same code cells.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernelEnv, repo } from '../helpers/kernel-env.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const notebooksDir = path.join(repo, 'notebooks');
const env = kernelEnv();

function findNotebooks(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name.startsWith('.') ? [] : findNotebooks(full);
    return entry.name.endsWith('.ipynb') ? [full] : [];
  });
}

const notebooks = findNotebooks(notebooksDir).sort();
const english = path.join(notebooksDir, '01-async-basics.ipynb');
const korean = path.join(notebooksDir, 'ko', '01-async-basics.ipynb');

// One execution per notebook, shared by its tests; all notebooks start at once (own kernels).
const reports = new Map();
function report(nb) {
  if (!reports.has(nb)) {
    const pending = env.runScenario(path.join(here, 'execute_notebook.py'), [nb], { timeoutMs: 240_000 });
    pending.catch(() => {}); // awaited by the tests; do not let an early failure go unhandled
    reports.set(nb, pending);
  }
  return reports.get(nb);
}
// Registered after kernelEnv's hook, so the kernelspec is installed by then.
before(() => notebooks.forEach(report));

const SECONDS = { s: 1, ms: 1e-3, 'µs': 1e-6, us: 1e-6, ns: 1e-9 };
const toSeconds = (value, unit) => Number(value) * SECONDS[unit];

/** Parses `⏱ 1.00 s wall · event loop blocked 2 ms · 5 timers, overlap ×5.0 · …`. */
function parseTimingLine(text) {
  const wall = text.match(/⏱\s*([\d.]+)\s*(s|ms|µs|us|ns) wall/);
  if (!wall) return null;
  const blocked = text.match(/event loop blocked ([\d.]+)\s*(s|ms|µs|us|ns)/);
  const overlap = text.match(/overlap ×([\d.]+)/);
  const timing = {
    text,
    wall: toSeconds(wall[1], wall[2]),
    blocked: blocked ? toSeconds(blocked[1], blocked[2]) : 0,
    overlap: overlap ? Number(overlap[1]) : 1,
    pending: /still pending/.test(text),
  };
  timing.blockedShare = timing.wall > 0 ? timing.blocked / timing.wall : 0;
  return timing;
}

/** The lines of a cell's displays; an interact's display holds its first run's (its text copy for front ends without widgets). */
const displayLines = (cell) => cell.outputs.filter((o) => o.output_type === 'display_data').flatMap((o) => o.text.split('\n'));
const timingOf = (cell) => {
  const lines = displayLines(cell).filter((line) => /(^|· )⏱/.test(line)).map(parseTimingLine);
  return lines.at(-1) ?? null;
};
/** The text rendering of a cell's %%timeline chart (from its `wall …` line on). */
const chartOf = (cell) => {
  const text = cell.outputs.find((o) => o.output_type === 'display_data' && o.mimes.includes('text/html') && /^wall /m.test(o.text))?.text ?? '';
  return text.slice(text.search(/^wall /m));
};
const stdoutOf = (cell) => cell.outputs.filter((o) => o.output_type === 'stream' && o.name === 'stdout').map((o) => o.text).join('');
const codeCells = (cells) => cells.filter((c) => c.cell_type === 'code');
const byId = (cells, id) => {
  const cell = cells.find((c) => c.id === id);
  assert.ok(cell, `no cell with id ${id}`);
  return cell;
};

/** What kinds of output a cell produced, in order, with repeats collapsed (batching varies). */
function outputKinds(cell) {
  const kinds = cell.outputs.map((o) => {
    if (o.output_type === 'stream') return `stream:${o.name}`;
    if (o.output_type === 'display_data') return `display_data:${o.mimes.join('+')}`;
    return o.output_type;
  });
  return kinds.filter((k, i) => k !== kinds[i - 1]);
}

/** The distinct printed lines with numbers blanked: stable across runs, changes with the code. */
const printedShapes = (cell) => [...new Set(stdoutOf(cell).split('\n').filter(Boolean).map((l) => l.replace(/\d+(\.\d+)?/g, '#')))].sort();

test('there are tutorial notebooks, in English and Korean', () => {
  assert.ok(notebooks.includes(english), `missing ${english}`);
  assert.ok(notebooks.includes(korean), `missing ${korean}`);
});

for (const nb of notebooks) {
  const name = path.relative(repo, nb);

  test(`${name}: valid nbformat 4.5 with cell ids and the Tempo kernelspec`, async () => {
    const r = await report(nb);
    assert.equal(r.validation_error, null, r.validation_error ?? '');
    assert.deepEqual(r.nbformat, [4, 5]);
    assert.ok(r.committed.every((c) => typeof c.id === 'string' && c.id.length > 0), 'every cell has an id');
    assert.deepEqual(r.metadata.kernelspec, { name: 'tempo', display_name: 'TypeScript (Tempo)', language: 'typescript' });
    assert.equal(r.metadata.language_info?.name, 'typescript');
  });

  test(`${name}: runs through nbclient with no errors except in cells tagged raises-exception`, async (t) => {
    const r = await report(nb);
    t.diagnostic(`executed in ${r.seconds.toFixed(1)} s`);
    assert.equal(r.execution_error, null, r.execution_error ?? '');
    for (const cell of codeCells(r.executed)) {
      const errors = cell.outputs.filter((o) => o.output_type === 'error');
      if (cell.tags.includes('raises-exception')) {
        assert.ok(errors.length > 0, `cell ${cell.id} is tagged raises-exception but did not fail`);
      } else {
        assert.deepEqual(errors, [], `cell ${cell.id} failed`);
      }
      // Every cell that ran is timed, a failing one too (its line comes after the error).
      assert.ok(timingOf(cell), `cell ${cell.id} has no timing line:\n${JSON.stringify(cell.outputs, null, 1)}`);
      if (cell.source.startsWith('%%timeline')) {
        assert.ok(chartOf(cell) !== '', `%%timeline cell ${cell.id} drew no chart`);
      }
    }
    assert.ok(r.seconds < 40, `the notebook took ${r.seconds.toFixed(1)} s; keep it quick to rerun`);
  });

  test(`${name}: the committed outputs are not stale`, async () => {
    const r = await report(nb);
    const committed = codeCells(r.committed);
    const executed = codeCells(r.executed);
    assert.deepEqual(executed.map((c) => c.source), committed.map((c) => c.source));
    // One clean top-to-bottom run: counts 1, 2, 3, ... and every cell has output.
    assert.deepEqual(committed.map((c) => c.execution_count), committed.map((_, i) => i + 1), 'execution counts of a single Run All');
    for (const [i, cell] of committed.entries()) {
      assert.ok(cell.outputs.length > 0, `committed cell ${cell.id} has no outputs`);
      assert.deepEqual(outputKinds(cell), outputKinds(executed[i]), `cell ${cell.id}: committed output kinds differ from a fresh run`);
      assert.deepEqual(printedShapes(cell), printedShapes(executed[i]), `cell ${cell.id}: committed printed lines differ from a fresh run`);
    }
  });
}

// What the prose of 01-async-basics claims, checked on the English run (the Korean notebook runs
// the same code cells, checked below, and its run must agree as well).
for (const nb of [english, korean]) {
  const name = path.relative(repo, nb);
  test(`${name}: the timings the tutorial promises`, async () => {
    const r = await report(nb);
    const cells = r.executed;
    const timing = (id) => {
      const t = timingOf(byId(cells, id));
      assert.ok(t, `cell ${id} has no timing line`);
      return t;
    };
    const hello = timing('hello');
    assert.ok(hello.wall >= 0.95 && hello.wall < 2, `hello: ${hello.text}`);
    assert.ok(hello.blockedShare < 0.1, `hello: ${hello.text}`);
    assert.match(stdoutOf(byId(cells, 'hello')), /^Hello\nWorld\n$/);

    const tickBlocking = timing('tick-blocking');
    assert.ok(tickBlocking.wall >= 0.95 && tickBlocking.blockedShare > 0.9, `tick-blocking: ${tickBlocking.text}`);
    assert.match(stdoutOf(byId(cells, 'tick-blocking')), /the ticker ran 0 times/);
    const tickAwait = timing('tick-await');
    assert.ok(tickAwait.wall >= 0.95 && tickAwait.blockedShare < 0.1, `tick-await: ${tickAwait.text}`);
    const ticks = Number(stdoutOf(byId(cells, 'tick-await')).match(/the ticker ran (\d+) times/)?.[1]);
    assert.ok(ticks >= 3, `the ticker ran ${ticks} times during await sleep; expected about 4`);

    const blocking = timing('five-blocking');
    assert.ok(blocking.wall >= 4.5 && blocking.wall < 8, `five-blocking: ${blocking.text}`);
    assert.ok(blocking.blockedShare > 0.9, `five-blocking: ${blocking.text}`);
    assert.match(stdoutOf(byId(cells, 'five-blocking')), /Total: 5\.\d\d s/);

    const loop = timing('five-await-loop');
    assert.ok(loop.wall >= 4.5 && loop.wall < 8, `five-await-loop: ${loop.text}`);
    assert.ok(loop.blockedShare < 0.1, `five-await-loop: ${loop.text}`);
    assert.ok(loop.overlap < 1.5, `five-await-loop waits should not overlap: ${loop.text}`);
    assert.match(stdoutOf(byId(cells, 'five-await-loop')), /Total: 5\.\d\d s/);

    const all = timing('five-promise-all');
    assert.ok(all.wall >= 0.95 && all.wall < 2, `five-promise-all: ${all.text}`);
    assert.ok(all.blockedShare < 0.1, `five-promise-all: ${all.text}`);
    assert.ok(all.overlap >= 4, `five-promise-all waits should overlap about ×5: ${all.text}`);
    assert.match(stdoutOf(byId(cells, 'five-promise-all')), /^(Starting job \d\n){5}/, 'all five jobs start before any finishes');
    assert.match(stdoutOf(byId(cells, 'five-promise-all')), /Total: 1\.\d\d s/);

    const why = timing('why-wait');
    assert.ok(why.wall >= 0.95 && why.wall < 2 && why.blockedShare < 0.1, `why-wait: ${why.text}`);
    assert.match(stdoutOf(byId(cells, 'why-wait')), /main: before await\n(.*heartbeat \d\n){3}main: after await\n/);

    const count = timing('exp-count');
    assert.ok(count.wall < 1.5 && count.overlap >= 4, `exp-count: ${count.text}`);
    const mix = timing('exp-mix');
    assert.ok(mix.wall >= 0.85 && mix.blockedShare > 0.5, `exp-mix: ${mix.text}`);
    assert.match(stdoutOf(byId(cells, 'exp-mix')), /rude job done\n(.|\n)*polite job 1 done/);
    const race = timing('exp-race');
    assert.ok(race.wall < 0.6 && race.pending, `exp-race: the losers are still pending: ${race.text}`);
    assert.match(race.text, /still pending: 2 timers \(.*sleep\(700\).*\)/, 'the losers are named by origin');
    assert.match(race.text, /still pending: 2 timers \(.*sleep\(500\).*\)/, 'the losers are named by origin');
    assert.ok(!tickBlocking.pending, `tick-blocking: a cleared interval is not pending: ${tickBlocking.text}`);
    const lates = [...chartOf(byId(cells, 'exp-mix')).matchAll(/late by ([\d.]+) ms/g)].map((m) => Number(m[1]));
    assert.ok(lates.length > 0 && lates.every((ms) => ms >= 300 && ms <= 700), `exp-mix: the polite timers are late by about 400 ms:\n${chartOf(byId(cells, 'exp-mix'))}`);
    assert.match(chartOf(byId(cells, 'five-promise-all')), /asyncJob · sleep\(1000\)\s*×5/, 'five identical timers: one lane marked ×5');
    assert.match(byId(cells, 'five-progress').outputs.map((o) => o.text ?? '').join('\n'), /settled at/, 'the progress bar says when each job settled');
    assert.match(stdoutOf(byId(cells, 'exp-race')), /first to finish: job 1 \(300 ms\)/);
    const settled = timing('exp-settled');
    assert.ok(settled.wall >= 0.45 && settled.wall < 1.2, `exp-settled: ${settled.text}`);
    assert.match(stdoutOf(byId(cells, 'exp-settled')), /job 0 ok\njob 1 ok\nrejected: job 2 failed\njob 3 ok/);
    // interact: the sliders' first run, kept as text for readers without widgets.
    const sliders = byId(cells, 'exp-sliders').outputs.find((o) => o.mimes.includes('application/vnd.jupyter.widget-view+json'));
    assert.ok(sliders?.mimes.includes('text/html'), 'the sliders cell shows widgets, with HTML for front ends without them');
    assert.match(sliders.text, /^5 jobs, at most 2 at a time: (8\d\d|9\d\d|1\d{3}) ms$/m, 'about ⌈5 / 2⌉ × 300 ms');
    const run = timingOf(byId(cells, 'exp-sliders'));
    assert.match(run.text, /^jobs=5, limit=2 · ⏱/, "the run's own timing line names its values");
    assert.ok(run.overlap >= 1.4 && run.overlap <= 2, `at most two at a time: overlap ${run.overlap}`);
    assert.match(chartOf(byId(cells, 'exp-sliders')), /worker · sleep\(300\)/, "the run's chart");
    const fail = byId(cells, 'exp-fail');
    assert.ok(fail.tags.includes('raises-exception'));
    assert.deepEqual(fail.outputs.filter((o) => o.output_type === 'error').map((o) => o.evalue), ['job 2 failed']);
    assert.doesNotMatch(stdoutOf(fail), /never printed/);
    const failTiming = timing('exp-fail');
    assert.ok(failTiming.wall >= 0.3 && failTiming.wall < 0.7, `exp-fail: Promise.all gives up at about 400 ms: ${failTiming.text}`);
    assert.ok(fail.outputs.findIndex((o) => o.output_type === 'error') < fail.outputs.findIndex((o) => o.text?.startsWith('⏱')), 'the timing line comes after the error');
    const limit = timing('exp-limit');
    assert.ok(limit.wall >= 1.4 && limit.wall < 2.5, `exp-limit: ${limit.text}`);
  });
}

test('the English and Korean notebooks have the same cells and the same code', async () => {
  const [en, ko] = await Promise.all([report(english), report(korean)]);
  assert.deepEqual(ko.committed.map((c) => [c.id, c.cell_type]), en.committed.map((c) => [c.id, c.cell_type]));
  assert.deepEqual(
    codeCells(ko.committed).map((c) => [c.id, c.source, c.tags]),
    codeCells(en.committed).map((c) => [c.id, c.source, c.tags]),
  );
  const hangul = /[\uac00-\ud7a3]/;
  for (const cell of ko.committed.filter((c) => c.cell_type === 'markdown')) {
    assert.match(cell.source, hangul, `Korean markdown cell ${cell.id} has no Korean text`);
  }
});
