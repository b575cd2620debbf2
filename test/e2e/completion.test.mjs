// End-to-end: Tab completion and Shift-Tab tooltips from the classic Notebook UI in a scratch
// notebook. The kernel's type checker loads in the background at start, so the first request may
// take a few seconds: the tests retry the key press until a deadline instead of sleeping.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { openNotebook, outputDir, pollUntil, startServerAndBrowser, tempoNotebook } from './notebook-server.mjs';

const NOTEBOOK = 'scratch-completion.ipynb';
let server;
let browser;
let page;

before(async () => {
  ({ server, browser } = await startServerAndBrowser({ extraNotebooks: { [NOTEBOOK]: tempoNotebook(['', '', '']) }, logName: 'completion-server' }));
  page = browser.page;
  await openNotebook(page, server, NOTEBOOK);
});

after(async () => {
  try {
    if (page) await page.screenshot({ path: path.join(outputDir, 'completion.png') }).catch((err) => console.error('screenshot failed:', err.message));
  } finally {
    try {
      await browser?.close();
    } finally {
      await server?.stop();
    }
  }
});

/** Replaces the text of code cell `index` by typing it (so the editor has focus, cursor at end). */
async function typeIntoCell(index, text) {
  await page.locator('.cell.code_cell').nth(index).locator('.input_area').click();
  await page.evaluate((i) => {
    const cell = Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code')[i];
    cell.set_text('');
    cell.code_mirror.focus();
  }, index);
  await page.keyboard.type(text);
}

const cellText = (index) => page.evaluate((i) => Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code')[i].get_text(), index);

test('Tab after `Math.fl` completes floor (a popup, or the single match inserted)', async (t) => {
  await typeIntoCell(0, 'Math.fl');
  const started = Date.now();
  let presses = 0;
  // Retry Tab until the popup shows (or the single match was inserted): the type checker may still be loading.
  const outcome = await pollUntil(async () => {
    if (await page.locator('#complete').isVisible()) return 'popup';
    if ((await cellText(0)) !== 'Math.fl') return 'inserted';
    presses += 1;
    await page.keyboard.press('Tab');
    // Wait for this press to be answered (popup or insertion) before pressing again, so a late
    // reply cannot meet a second Tab.
    await page.waitForFunction(
      () => document.querySelector('#complete')?.offsetParent != null
        || Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code')[0].get_text() !== 'Math.fl',
      null, { timeout: 10_000, polling: 100 },
    ).catch(() => {});
    return null;
  }, { timeoutMs: 30_000, intervalMs: 100, what: 'a completion popup for Math.fl' });
  t.diagnostic(`completion outcome: ${outcome} after ${Date.now() - started} ms and ${presses} Tab press(es)`);
  if (outcome === 'popup') {
    const options = await page.locator('#complete select option').allTextContents();
    t.diagnostic(`popup options: ${JSON.stringify(options)}`);
    assert.ok(options.some((o) => /\bfloor$/.test(o.trim())), `options: ${JSON.stringify(options)}`);
    await page.keyboard.press('Escape');
  } else {
    // The classic completer inserts a single match directly instead of showing a popup.
    assert.equal(await cellText(0), 'Math.floor', 'the only match, floor, was inserted');
  }
});

test('Tab after `Math.f` shows the popup listing floor and fround', async (t) => {
  // `Math.fl` has a single match, which the classic UI inserts without a popup; `Math.f` has several.
  await typeIntoCell(2, 'Math.f');
  await pollUntil(async () => {
    if (await page.locator('#complete').isVisible()) return true;
    await page.keyboard.press('Tab');
    await page.waitForSelector('#complete', { state: 'visible', timeout: 10_000 }).catch(() => {});
    return false;
  }, { timeoutMs: 30_000, intervalMs: 100, what: 'a completion popup for Math.f' });
  const options = (await page.locator('#complete select option').allTextContents()).map((o) => o.trim());
  t.diagnostic(`popup options: ${JSON.stringify(options)}`);
  assert.ok(options.some((o) => /\bfloor$/.test(o)), `options: ${JSON.stringify(options)}`);
  assert.ok(options.some((o) => /\bfround$/.test(o)), `options: ${JSON.stringify(options)}`);
  await page.screenshot({ path: path.join(outputDir, 'completion-popup.png') }).catch(() => {});
  await page.keyboard.press('Escape');
});

test('Shift-Tab after `Math.floor(` shows the signature tooltip', async (t) => {
  await typeIntoCell(1, 'Math.floor(');
  const text = await pollUntil(async () => {
    const tooltip = page.locator('#tooltip');
    if (await tooltip.isVisible()) {
      const content = (await tooltip.innerText()).trim();
      if (content) return content;
    }
    await page.keyboard.press('Shift+Tab');
    await page.waitForSelector('#tooltip', { state: 'visible', timeout: 10_000 }).catch(() => {});
    return null;
  }, { timeoutMs: 30_000, intervalMs: 100, what: 'the tooltip for Math.floor(' });
  t.diagnostic(`tooltip: ${JSON.stringify(text)}`);
  assert.match(text, /floor/);
  assert.match(text, /floor\(x: number\): number/);
});
