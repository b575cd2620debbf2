// End-to-end: controlling the Tempo kernel from the classic Notebook UI in a scratch notebook:
// the Interrupt toolbar button, Kernel → Restart, a cell that calls process.exit(), and where
// output that arrives after its cell finished ends up.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  clickMenu, codeCellStates, fullNotebookScreenshot, kernelEvents, openNotebook, outputDir, recordKernelEvents,
  runCodeCell, startServerAndBrowser, tempoNotebook, waitForCodeCellDone, waitForKernelIdle,
} from './notebook-server.mjs';

const NOTEBOOK = 'scratch-kernel-control.ipynb';
const CELLS = [
  'let kept = 41;', // 0
  'while (true) {}', // 1
  'kept + 1', // 2
  'typeof kept', // 3 (after the restart)
  'process.exit()', // 4
  '1 + 1', // 5
  'setTimeout(() => console.log("late from A"), 1500); "A"', // 6
  'await new Promise((r) => setTimeout(r, 3000)); "B"', // 7
  'const shown = display("before", { id: true });', // 8
  'shown.update("after"); "updated"', // 9
];
let server;
let browser;
let page;

before(async () => {
  ({ server, browser } = await startServerAndBrowser({ extraNotebooks: { [NOTEBOOK]: tempoNotebook(CELLS) }, logName: 'kernel-control-server' }));
  page = browser.page;
  await openNotebook(page, server, NOTEBOOK);
  await recordKernelEvents(page);
});

after(async () => {
  try {
    if (page) await fullNotebookScreenshot(page, path.join(outputDir, 'kernel-control.png')).catch((err) => console.error('screenshot failed:', err.message));
  } finally {
    try {
      await browser?.close();
    } finally {
      await server?.stop();
    }
  }
});

const INTERRUPT = 'button[data-jupyter-action="jupyter-notebook:interrupt-kernel"]';

test('the Interrupt button stops `while (true) {}` and the kernel keeps its variables', async () => {
  let before = await runCodeCell(page, 0);
  let cell = await waitForCodeCellDone(page, 0, before);
  assert.equal(cell.hasError, false, cell.text);

  before = await runCodeCell(page, 1);
  await page.waitForFunction(() => document.querySelector('#kernel_indicator_icon')?.classList.contains('kernel_busy_icon'), null, { timeout: 10_000, polling: 100 });
  await page.click(INTERRUPT);
  cell = await waitForCodeCellDone(page, 1, before, { timeoutMs: 15_000 });
  assert.equal(cell.hasError, true, `expected an error output, got:\n${cell.text}`);
  assert.match(cell.text, /interrupted/i);

  before = await runCodeCell(page, 2);
  cell = await waitForCodeCellDone(page, 2, before);
  assert.equal(cell.hasError, false, cell.text);
  assert.match(cell.text, /Out\[\d+\]:\s*42\s*⏱ [^\n]*$/);
});

test('Kernel → Restart brings the kernel back idle with a fresh scope', async () => {
  await page.evaluate(() => (window.__tempoEvents.length = 0));
  await clickMenu(page, '#kernellink', '#restart_kernel a');
  await page.click('.modal-dialog .modal-footer button.btn-danger'); // "Restart"
  await page.waitForFunction(() => window.__tempoEvents.some((e) => e.name === 'kernel_ready'), null, { timeout: 30_000, polling: 100 });
  await waitForKernelIdle(page);
  const events = (await kernelEvents(page)).map((e) => e.name);
  assert.ok(events.includes('kernel_restarting'), `events: ${events}`);
  assert.ok(!events.includes('kernel_dead'), `events: ${events}`);

  const before = await runCodeCell(page, 3);
  const cell = await waitForCodeCellDone(page, 3, before);
  assert.match(cell.text, /Out\[\d+\]:\s*'undefined'\s*⏱ [^\n]*$/, 'variables from before the restart are gone');
});

test('a cell calling process.exit() shows an error and the kernel stays usable', async (t) => {
  await page.evaluate(() => (window.__tempoEvents.length = 0));
  let before = await runCodeCell(page, 4);
  let cell = await waitForCodeCellDone(page, 4, before);
  t.diagnostic(`process.exit() output: ${JSON.stringify(cell.text)}`);
  assert.equal(cell.hasError, true, `expected an error output, got:\n${cell.text}`);
  const icon = await page.getAttribute('#kernel_indicator_icon', 'class');
  assert.doesNotMatch(icon, /kernel_dead_icon/);
  assert.equal(await page.locator('.modal-dialog:visible').count(), 0, 'no dialog (e.g. "Dead kernel") is shown');

  before = await runCodeCell(page, 5);
  cell = await waitForCodeCellDone(page, 5, before);
  assert.equal(cell.hasError, false, cell.text);
  assert.match(cell.text, /Out\[\d+\]:\s*2\s*⏱ [^\n]*$/);
  const events = (await kernelEvents(page)).map((e) => e.name);
  t.diagnostic(`kernel events around process.exit(): ${JSON.stringify(events)}`);
  assert.ok(!events.includes('kernel_dead'), `events: ${events}`);
});

test('late output shows under the cell that started it; a display updated from a later cell changes in place', async (t) => {
  let before = await runCodeCell(page, 6);
  const a = await waitForCodeCellDone(page, 6, before);
  before = await runCodeCell(page, 7);
  const b = await waitForCodeCellDone(page, 7, before, { timeoutMs: 20_000 });
  const [lateA, lateB] = (await codeCellStates(page)).slice(6, 8).map((c) => c.text);
  t.diagnostic(`A right after its reply: ${JSON.stringify(a.text)}; after B: A ${JSON.stringify(lateA)}, B ${JSON.stringify(b.text)} / ${JSON.stringify(lateB)}`);
  before = await runCodeCell(page, 8);
  await waitForCodeCellDone(page, 8, before);
  before = await runCodeCell(page, 9);
  await waitForCodeCellDone(page, 9, before);
  const [c, d] = (await codeCellStates(page)).slice(8, 10).map((c) => c.text);
  t.diagnostic(`display cell: ${JSON.stringify(c)}; updating cell: ${JSON.stringify(d)}`);
  // The notebook keeps a finished cell's output callbacks: A's timer output lands under A, after
  // its timing line, though B was running when it fired.
  assert.doesNotMatch(a.text, /late from A/, 'not there yet when A finished');
  assert.match(lateA, /⏱[^\n]*\nlate from A/);
  assert.doesNotMatch(lateB, /late from A/);
  // The update replaced the first cell's display in place; the updating cell shows only its own result.
  assert.match(c, /^'after'/);
  assert.doesNotMatch(c, /before/);
  assert.doesNotMatch(d, /after/);
});
