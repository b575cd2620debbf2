// Widgets in JupyterLab 4 with @jupyter-widgets/jupyterlab-manager (test/jupyterlab), as a reader
// uses them: drag interact's slider with the mouse and watch the run's output, timing line and
// chart change; click a button. Any console error the page reports fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempoNotebook } from './notebook-server.mjs';
import { LAB_MISSING, codeCells, labSession, openInLab, outputText, runCellWithKeyboard } from './lab.mjs';

const NOTEBOOKS = {
  'widgets.ipynb': tempoNotebook([
    [
      '%%timeline',
      'const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));',
      'interact(async ({ jobs }) => {',
      '  await Promise.all(Array.from({ length: jobs }, () => sleep(300)));',
      '  console.log(`${jobs} jobs done`);',
      '}, { jobs: [1, 10] })',
    ].join('\n'),
    [
      'let clicks = 0;',
      'const out = widgets.output();',
      'const button = widgets.button({ description: "Count", onClick: () => out.capture(() => console.log(`click ${++clicks}`)) });',
      'widgets.vbox([button, out])',
    ].join('\n'),
    'clicks',
  ]),
};

const lab = labSession({ extraNotebooks: NOTEBOOKS, logName: 'lab-widgets-server' });

/** Waits until the cell's output text matches `pattern`; returns that text. */
async function waitForOutput(cell, pattern, timeoutMs = 20_000) {
  await cell.page().waitForFunction(([element, source]) => new RegExp(source).test(element.querySelector('.jp-OutputArea')?.innerText ?? ''), [await cell.elementHandle(), pattern.source], { timeout: timeoutMs, polling: 50 });
  return outputText(cell);
}

/** The chart's picture in a cell's output, as its data URL. */
const chartOf = (cell) => cell.locator('img.tempo-timeline').first().getAttribute('src');

test("dragging interact's slider reruns the function: its output, timing line and chart change with the value", { skip: LAB_MISSING, timeout: 120_000 }, async () => {
  await openInLab(lab.page, lab.server, 'widgets.ipynb');
  const cell = codeCells(lab.page).nth(0);
  await runCellWithKeyboard(cell);
  const slider = cell.locator('.widget-slider').first();
  await slider.waitFor({ timeout: 20_000 });
  assert.equal((await cell.locator('.widget-readout').first().innerText()).trim(), '6', 'the slider starts mid-range');
  const first = await waitForOutput(cell, /6 jobs done[\s\S]*jobs=6 · ⏱ 3\d\d ms wall/);
  assert.match(first, /overlap ×(5\.[5-9]|6\.0)/, `the run's own timing line: six sleeps at once\n${first}`);
  const firstChart = await chartOf(cell);
  assert.ok(firstChart?.startsWith('data:image/svg+xml;base64,'), 'the run drew its timeline');

  // Drag the handle to the far right end of the track, as a person does with the mouse.
  const handle = await cell.locator('.noUi-handle').first().boundingBox();
  const track = await cell.locator('.noUi-target').first().boundingBox();
  await lab.page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
  await lab.page.mouse.down();
  await lab.page.mouse.move(track.x + track.width + 20, handle.y + handle.height / 2, { steps: 10 });
  await lab.page.mouse.up();
  assert.equal((await cell.locator('.widget-readout').first().innerText()).trim(), '10');
  const moved = await waitForOutput(cell, /10 jobs done[\s\S]*jobs=10 · ⏱ 3\d\d ms wall/);
  assert.doesNotMatch(moved, /6 jobs done/, "the previous run's output is replaced");
  assert.match(moved, /overlap ×(9\.[5-9]|10\.0)/);
  assert.doesNotMatch(moved, /still pending/, 'the run awaited all it started');
  assert.notEqual(await chartOf(cell), firstChart, 'the chart was redrawn');
  assert.equal(await cell.locator('img.tempo-timeline').count(), 1, 'one chart: the run’s, not one per run');
  assert.deepEqual(lab.consoleProblems(), [], 'console errors or warnings on the page');
});

test('clicking a button calls its onClick; what it prints into an Output widget appears, and the kernel counted', { skip: LAB_MISSING, timeout: 90_000 }, async () => {
  await openInLab(lab.page, lab.server, 'widgets.ipynb');
  const cells = codeCells(lab.page);
  await runCellWithKeyboard(cells.nth(1));
  const button = cells.nth(1).locator('button.widget-button:has-text("Count")');
  await button.waitFor({ timeout: 20_000 });
  await button.click();
  await waitForOutput(cells.nth(1), /click 1/);
  await button.click();
  assert.match(await waitForOutput(cells.nth(1), /click 2/), /click 1\s+click 2/);
  await runCellWithKeyboard(cells.nth(2));
  assert.match(await outputText(cells.nth(2)), /\b2\b/);
  assert.deepEqual(lab.consoleProblems(), [], 'console errors or warnings on the page');
});
