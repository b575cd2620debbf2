// End-to-end: the tutorial notebook in the classic Notebook UI with the Tempo kernel, driven by a
// headless Debian chromium. Checks that Run All works, that the blocking example streams its lines
// one by one (not all at the end), the timings the tutorial promises, the timing line under the
// headline cells, a %%timeline chart that is really drawn, and TypeScript highlighting.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  clickMenu, codeCellIndex, codeCellStates, fullNotebookScreenshot, launchBrowser, openNotebook,
  outputDir, startServerAndBrowser, tutorialNotebook, waitForKernelIdle,
} from './notebook-server.mjs';

const NOTEBOOK = path.basename(tutorialNotebook);
// Needles that find the tutorial's headline cells by their code.
const BLOCKING = 'for (let i = 0; i < 5; i++) job(i);';
const PARALLEL = 'await Promise.all([0, 1, 2, 3, 4].map(asyncJob))';
let server;
let browser;
let page;

before(async () => {
  ({ server, browser } = await startServerAndBrowser({ notebooks: [tutorialNotebook], logName: 'tutorial-server' }));
  page = browser.page;
});

after(async () => {
  try {
    if (page) await fullNotebookScreenshot(page, path.join(outputDir, 'tutorial.png')).catch((err) => console.error('screenshot failed:', err.message));
  } finally {
    try {
      await browser?.close();
    } finally {
      await server?.stop();
    }
  }
});

test('the tutorial opens in the classic UI with the Tempo kernel', async () => {
  await openNotebook(page, server, NOTEBOOK);
  const info = await page.evaluate(() => ({
    metadataKernel: Jupyter.notebook.metadata.kernelspec?.name,
    kernelName: Jupyter.notebook.kernel?.name,
    indicator: document.querySelector('#kernel_indicator .kernel_indicator_name')?.textContent,
    language: Jupyter.notebook.metadata.language_info?.name,
  }));
  assert.equal(info.metadataKernel, 'tempo');
  assert.equal(info.kernelName, 'tempo');
  assert.equal(info.indicator, 'TypeScript (Tempo)');
  assert.equal(info.language, 'typescript', 'language_info from kernel_info_reply');
  const sessions = await server.api('/api/sessions');
  assert.deepEqual(sessions.map((s) => [s.path, s.kernel.name]), [[NOTEBOOK, 'tempo']]);
});

// Filled by the Run All test, checked by the ones after it.
let samples = [];

test('Run All: the blocking example prints its "Starting job N" lines one by one', async (t) => {
  const blocking = await codeCellIndex(page, BLOCKING);
  await clickMenu(page, '#celllink', '#run_all_cells a');

  // Sample the blocking cell's output every ~100 ms until its run has finished.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const sample = await page.evaluate((i) => {
      const cell = Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code')[i];
      return { text: cell.output_area.element[0].innerText, prompt: cell.input_prompt_number ?? null };
    }, blocking);
    samples.push({ t: Date.now(), ...sample });
    if (typeof sample.prompt === 'number') break;
    assert.ok(Date.now() < deadline, `blocking cell did not finish in 30 s; last output:\n${sample.text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const firstSeen = {};
  for (const { t, text } of samples) {
    for (const m of text.matchAll(/Starting job (\d+)/g)) firstSeen[m[1]] ??= t;
  }
  const jobs = Object.keys(firstSeen).map(Number).sort((a, b) => a - b);
  assert.deepEqual(jobs, [0, 1, 2, 3, 4], 'all five "Starting job N" lines appeared');
  for (let n = 1; n < jobs.length; n++) {
    assert.ok(firstSeen[n] >= firstSeen[n - 1], `"Starting job ${n}" appeared before "Starting job ${n - 1}"`);
  }
  const partial = samples.find(({ text }) => text.includes('Starting job 1') && !text.includes('Starting job 4'));
  assert.ok(partial, `never saw "Starting job 1" without "Starting job 4": output arrived in one piece (${samples.length} samples)`);
  const spread = firstSeen[4] - firstSeen[0];
  t.diagnostic(`${samples.length} samples; "Starting job N" first seen at +${jobs.map((n) => firstSeen[n] - firstSeen[0]).join(', +')} ms`);
  assert.ok(spread >= 2500, `"Starting job" lines appeared only ${spread} ms apart in total; expected >= 2500 ms`);
});

test('Run All: the progress.all bar updates one display in place and ends at 5/5 done', async (t) => {
  const progressCell = await codeCellIndex(page, 'progress.all');
  // Poll the cell's output area (no fixed sleeps: each evaluate is itself the pacing) until it has run.
  const seen = [];
  const deadline = Date.now() + 90_000;
  let finishedAt;
  for (;;) {
    const sample = await page.evaluate((i) => {
      const cell = Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code')[i];
      const outs = [...cell.output_area.element[0].querySelectorAll('.output_area')];
      const withBar = outs.map((e, k) => [k, e]).filter(([, e]) => e.querySelector('progress'));
      return {
        prompt: cell.input_prompt_number ?? null,
        outputs: cell.output_area.outputs.length,
        bars: withBar.map(([k, e]) => ({ index: k, text: e.innerText.trim(), value: e.querySelector('progress').getAttribute('value'), max: e.querySelector('progress').getAttribute('max') })),
      };
    }, progressCell);
    if (sample.bars.length) seen.push(sample);
    // The prompt number comes with execute_reply on shell; the bar's last update comes on IOPub,
    // and the browser may handle the two channels in either order: give IOPub a moment to catch up.
    if (typeof sample.prompt === 'number') {
      finishedAt ??= Date.now();
      if (/done/.test(sample.bars[0]?.text ?? '') || Date.now() - finishedAt > 10_000) break;
    }
    assert.ok(Date.now() < deadline, `progress cell did not finish in 90 s; seen ${JSON.stringify(seen.slice(-3))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.ok(seen.length > 0, 'never saw a <progress> bar in the progress.all cell');
  for (const s of seen) assert.equal(s.bars.length, 1, `exactly one progress output at a time: ${JSON.stringify(s)}`);
  const indices = new Set(seen.map((s) => s.bars[0].index));
  assert.equal(indices.size, 1, `the bar stayed at one output position: ${[...indices]}`);
  const counts = [...new Set(seen.map((s) => s.bars[0].text.match(/(\d)\/5/)?.[1]).filter(Boolean))];
  t.diagnostic(`${seen.length} samples with the bar; counts seen: ${counts.join(', ')}`);
  assert.ok(counts.length >= 2, `expected at least two different counts in the same bar, saw ${JSON.stringify(counts)}`);
  const last = seen.at(-1).bars[0];
  assert.match(last.text, /5\/5/);
  assert.match(last.text, /done/);
  assert.equal(last.max, '5');
});

test('Run All finishes: every code cell has output, errors only where tagged, the promised timings', async () => {
  await page.waitForFunction(
    () => {
      const cells = Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code');
      return cells.length > 3 && cells.every((c) => typeof c.input_prompt_number === 'number' && c.output_area.outputs.length > 0);
    },
    null,
    { timeout: 60_000, polling: 100 },
  );
  await waitForKernelIdle(page);
  const cells = await codeCellStates(page);
  const tagged = await page.evaluate(() => Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code')
    .map((c) => (c.metadata.tags ?? []).includes('raises-exception')));
  const unexpected = cells.filter((c, i) => c.hasError && !tagged[i]);
  assert.deepEqual(unexpected.map((c) => c.source.split('\n')[0]), [], `unexpected error output:\n${unexpected.map((c) => c.text).join('\n---\n')}`);
  assert.ok(cells.some((c, i) => c.hasError && tagged[i]), 'the cell tagged raises-exception shows its error');
  const blocking = cells.find((c) => c.source.includes(BLOCKING));
  const parallel = cells.find((c) => c.source.includes(PARALLEL));
  assert.match(blocking.text, /Total: 5\.\d+ s/);
  assert.match(parallel.text, /Total: 1\.\d+ s/);
  assert.match(parallel.text, /\[ 0, 1, 2, 3, 4 \]/, 'the last expression `results` is shown as the cell result');
  assert.match(cells[0].text, /Hello\s+World/);
});

test('the timing line is visible under the blocking and the Promise.all cells', async () => {
  const lines = await page.evaluate(([b, p]) => {
    const cells = Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code');
    return [b, p].map((needle) => {
      const cell = cells.find((c) => c.get_text().includes(needle));
      return [...cell.output_area.element[0].querySelectorAll('.output_subarea')]
        .filter((e) => e.innerText.includes('⏱'))
        .map((e) => ({ text: e.innerText.trim(), height: e.getBoundingClientRect().height, visible: e.checkVisibility() }));
    });
  }, [BLOCKING, PARALLEL]);
  const [blocking, parallel] = lines;
  for (const [name, found] of [['blocking', blocking], ['Promise.all', parallel]]) {
    assert.equal(found.length, 1, `${name} cell: expected one timing line, got ${JSON.stringify(found)}`);
    assert.ok(found[0].visible && found[0].height > 0, `${name} cell: timing line not visible: ${JSON.stringify(found[0])}`);
  }
  const seconds = (text) => Number(text.match(/⏱\s*([\d.]+) s wall/)?.[1]);
  assert.ok(seconds(blocking[0].text) >= 4.5, blocking[0].text);
  assert.match(blocking[0].text, /event loop blocked [\d.]+ s \((9\d|100)%\)/);
  assert.ok(seconds(parallel[0].text) < 2, parallel[0].text);
  assert.match(parallel[0].text, /overlap ×[45]\.\d/);
});

test('a %%timeline chart is drawn visibly in the output area', async () => {
  const charts = await page.evaluate((needle) => {
    const cells = Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code');
    const cell = cells.find((c) => c.get_text().includes(needle));
    return [...cell.output_area.element[0].querySelectorAll('svg, img')].map((e) => {
      const r = e.getBoundingClientRect();
      return { tag: e.tagName.toLowerCase(), width: r.width, height: r.height, visible: e.checkVisibility(), label: e.getAttribute('aria-label') ?? e.getAttribute('alt') ?? '' };
    });
  }, PARALLEL);
  const chart = charts.find((c) => c.width > 100 && c.height > 50 && c.visible);
  assert.ok(chart, `no visible timeline chart under the Promise.all cell: ${JSON.stringify(charts)}`);
});

test('code cells show TypeScript syntax highlighting', async () => {
  const counts = await page.evaluate(() => {
    const cells = [...document.querySelectorAll('.cell.code_cell')];
    return cells.map((cell) => ({
      keywords: [...cell.querySelectorAll('.CodeMirror-code .cm-keyword')].map((e) => e.textContent),
      types: [...cell.querySelectorAll('.CodeMirror-code .cm-type')].map((e) => e.textContent),
    }));
  });
  assert.ok(counts.length > 3, `${counts.length} code cells`);
  for (const [i, { keywords }] of counts.entries()) {
    assert.ok(keywords.length > 0, `code cell ${i} has no .cm-keyword tokens`);
  }
  // TypeScript mode (not plain JavaScript): annotations like `number` / `void` are type tokens.
  assert.ok(counts.flatMap((c) => c.types).some((t) => t === 'number' || t === 'void'), 'no TypeScript .cm-type tokens');
});
