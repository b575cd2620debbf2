// End-to-end: the tutorial notebook in the classic Notebook UI with the Tempo kernel, driven by a
// headless Debian chromium. Checks that Run All works, that the blocking example streams its lines
// one by one (not all at the end), the timings the tutorial promises, and TypeScript highlighting.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  clickMenu, codeCellIndex, codeCellStates, fullNotebookScreenshot, launchBrowser, openNotebook,
  outputDir, startServerAndBrowser, tutorialNotebook, waitForKernelIdle,
} from './notebook-server.mjs';

const NOTEBOOK = path.basename(tutorialNotebook);
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
  const blocking = await codeCellIndex(page, 'blockingSleep(1000)');
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

test('Run All finishes: every code cell has output, no errors, the promised timings', async () => {
  await page.waitForFunction(
    () => {
      const cells = Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code');
      return cells.length === 3 && cells.every((c) => typeof c.input_prompt_number === 'number' && c.output_area.outputs.length > 0);
    },
    null,
    { timeout: 30_000, polling: 100 },
  );
  await waitForKernelIdle(page);
  const cells = await codeCellStates(page);
  assert.equal(cells.length, 3);
  assert.equal(await page.locator('.output_area .output_error').count(), 0, `error output:\n${cells.map((c) => c.text).join('\n---\n')}`);
  const blocking = cells.find((c) => c.source.includes('blockingSleep(1000)'));
  const parallel = cells.find((c) => c.source.includes('Promise.all'));
  assert.match(blocking.text, /Total: 5\.\d+ s/);
  assert.match(parallel.text, /Total: 1\.\d+ s/);
  assert.match(parallel.text, /\[ 0, 1, 2, 3, 4 \]/, 'the last expression `results` is shown as the cell result');
  assert.match(cells[0].text, /Hello\s+World/);
});

test('code cells show TypeScript syntax highlighting', async () => {
  const counts = await page.evaluate(() => {
    const cells = [...document.querySelectorAll('.cell.code_cell')];
    return cells.map((cell) => ({
      keywords: [...cell.querySelectorAll('.CodeMirror-code .cm-keyword')].map((e) => e.textContent),
      types: [...cell.querySelectorAll('.CodeMirror-code .cm-type')].map((e) => e.textContent),
    }));
  });
  assert.equal(counts.length, 3);
  for (const [i, { keywords }] of counts.entries()) {
    assert.ok(keywords.length > 0, `code cell ${i} has no .cm-keyword tokens`);
  }
  // TypeScript mode (not plain JavaScript): annotations like `number` / `void` are type tokens.
  assert.ok(counts.flatMap((c) => c.types).some((t) => t === 'number' || t === 'void'), 'no TypeScript .cm-type tokens');
});
