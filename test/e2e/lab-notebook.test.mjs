// Tempo in JupyterLab 4's own UI (test/jupyterlab), as a person uses it: menus, toolbar and
// keyboard. Interrupt and restart, completion and the tooltip, type errors, display updates,
// input, late output, floods and a killed executor (the tutorial is lab-tutorial.test.mjs). Any
// console error the page reports (a renderer failing, a message JupyterLab cannot place) fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { tempoNotebook } from './notebook-server.mjs';
import { LAB_MISSING, codeCells, labSession, labMenu, openInLab, outputText, promptOf, runCellWithKeyboard, typeInto, waitForLabIdle, waitForRun } from './lab.mjs';

const NOTEBOOKS = {
  'control.ipynb': tempoNotebook(['let kept = 42;', 'while (true) {}', 'kept', 'process.kill(process.pid, "SIGKILL")', '1 + 1', '(process as any).reallyExit(3)']),
  'assist.ipynb': tempoNotebook(['/** How many jobs may run at once. */\nconst concurrencyLimit = 3;\nconst jobs = { start(): number { return 1; }, stop(): void {} };', '']),
  'errors.ipynb': tempoNotebook(['const n: number = "five";']),
  'display.ipynb': tempoNotebook([
    'const shown = display("before", { id: true });',
    'shown.update("after");',
    'console.log("old line");\nclearOutput({ wait: true });\nconsole.log("new line");',
  ]),
  'input.ipynb': tempoNotebook(['const name = await input("Name? ");\nconsole.log(`Hello, ${name}!`);']),
  'late.ipynb': tempoNotebook(['setTimeout(() => console.log("late from A"), 1500); "A"', 'await new Promise((r) => setTimeout(r, 4000)); "B"']),
  'flood.ipynb': tempoNotebook(['for (let i = 0; i < 100_000; i++) console.log(`line ${i}`);']),
};

const lab = labSession({ extraNotebooks: NOTEBOOKS, logName: 'lab-server' });

/** What the page's console said during a test must be only the known noise. */
function assertQuietConsole() {
  const problems = lab.consoleProblems();
  assert.deepEqual(problems, [], 'console errors or warnings on the page');
}

test('interrupt a busy loop from the toolbar: the cell says so and variables survive; restart from the Kernel menu', { skip: LAB_MISSING, timeout: 120_000 }, async () => {
  await openInLab(lab.page, lab.server, 'control.ipynb');
  const cells = codeCells(lab.page);
  await runCellWithKeyboard(cells.nth(0));
  const loop = cells.nth(1);
  await loop.locator('.jp-InputPrompt').first().click();
  await lab.page.keyboard.press('Shift+Enter');
  await lab.page.waitForFunction((el) => /\[\*\]/.test(el.querySelector('.jp-InputPrompt')?.textContent ?? ''), await loop.elementHandle(), { timeout: 10_000 });
  await lab.page.click('.jp-NotebookPanel:not(.lm-mod-hidden) [data-command="notebook:interrupt-kernel"]');
  await waitForRun(loop, '', { timeoutMs: 20_000 });
  assert.match(await outputText(loop), /Interrupt/i);
  await runCellWithKeyboard(cells.nth(2));
  assert.match(await outputText(cells.nth(2)), /\b42\b/, 'kept survives the interrupt');

  await labMenu(lab.page, 'Kernel', 'Restart Kernel…');
  await lab.page.click('.jp-Dialog .jp-Dialog-button.jp-mod-accept');
  await waitForLabIdle(lab.page);
  await runCellWithKeyboard(cells.nth(4));
  assert.match(await outputText(cells.nth(4)), /\b2\b/, 'the restarted kernel runs the next cell');
  assertQuietConsole();
});

test('process.kill(process.pid, "SIGKILL") or process.reallyExit(3) in a cell: the cell says the executor restarted, and the next cell runs', { skip: LAB_MISSING, timeout: 120_000 }, async () => {
  await openInLab(lab.page, lab.server, 'control.ipynb');
  const cells = codeCells(lab.page);
  for (const [ending, why] of [[3, /killed by SIGKILL/], [5, /exit code 3/]]) {
    await runCellWithKeyboard(cells.nth(ending), { timeoutMs: 30_000 });
    const text = await outputText(cells.nth(ending));
    assert.match(text, /restarted/i);
    assert.match(text, why);
    await waitForLabIdle(lab.page);
    await runCellWithKeyboard(cells.nth(4));
    assert.match(await outputText(cells.nth(4)), /\b2\b/);
  }
  assertQuietConsole();
});

test('Tab completes names and members from earlier cells; Shift+Tab shows the type and its JSDoc', { skip: LAB_MISSING, timeout: 90_000 }, async () => {
  await openInLab(lab.page, lab.server, 'assist.ipynb');
  const cells = codeCells(lab.page);
  await runCellWithKeyboard(cells.nth(0));
  const editor = cells.nth(1);
  await typeInto(editor, 'concurr');
  await lab.page.keyboard.press('Tab');
  // One match completes in place; several open the completer.
  await lab.page.waitForFunction((el) => /concurrencyLimit/.test(el.querySelector('.cm-content')?.textContent ?? '') || /concurrencyLimit/.test(document.querySelector('.jp-Completer')?.textContent ?? ''), await editor.elementHandle(), { timeout: 15_000 });
  await lab.page.keyboard.press('Escape');
  await typeInto(editor, 'jobs.');
  await lab.page.keyboard.press('Tab');
  const completer = lab.page.locator('.jp-Completer');
  await completer.waitFor({ state: 'visible', timeout: 15_000 });
  const items = await completer.locator('.jp-Completer-item').allInnerTexts();
  assert.ok(items.some((item) => /\bstart\b/.test(item)) && items.some((item) => /\bstop\b/.test(item)), `members offered: ${items.join(', ')}`);
  await lab.page.keyboard.press('Escape');
  await typeInto(editor, 'concurrencyLimit');
  await lab.page.keyboard.press('Shift+Tab');
  // The tooltip opens first and fills when the inspect_reply arrives.
  await lab.page.waitForFunction(() => /concurrencyLimit/.test(document.querySelector('.jp-Tooltip')?.textContent ?? ''), null, { timeout: 15_000 });
  const tip = await lab.page.locator('.jp-Tooltip').innerText();
  assert.match(tip, /concurrencyLimit: 3/);
  assert.match(tip, /How many jobs may run at once/);
  await lab.page.keyboard.press('Escape');
  assertQuietConsole();
});

test("a type error shows the cell's line and column, with a caret under the mistake", { skip: LAB_MISSING, timeout: 60_000 }, async () => {
  await openInLab(lab.page, lab.server, 'errors.ipynb');
  const cell = codeCells(lab.page).first();
  await runCellWithKeyboard(cell);
  const text = await outputText(cell);
  assert.match(text, /TS2322/);
  assert.match(text, /Cell In\[\d+\], line 1, column 7/, `line and column: ${text}`);
  assert.match(text, /\^/, 'a caret');
  assertQuietConsole();
});

test('display(..., { id: true }) is updated in place from a later cell; clearOutput({ wait: true }) replaces the output', { skip: LAB_MISSING, timeout: 60_000 }, async () => {
  await openInLab(lab.page, lab.server, 'display.ipynb');
  const cells = codeCells(lab.page);
  await runCellWithKeyboard(cells.nth(0));
  assert.match(await outputText(cells.nth(0)), /before/);
  await runCellWithKeyboard(cells.nth(1));
  await lab.page.waitForFunction((el) => /after/.test(el.querySelector('.jp-OutputArea')?.textContent ?? ''), await cells.nth(0).elementHandle(), { timeout: 10_000 });
  assert.doesNotMatch(await outputText(cells.nth(0)), /before/);
  await runCellWithKeyboard(cells.nth(2));
  const cleared = await outputText(cells.nth(2));
  assert.match(cleared, /new line/);
  assert.doesNotMatch(cleared, /old line/);
  assertQuietConsole();
});

test('await input("Name? ") shows JupyterLab\'s input box; typing answers the cell', { skip: LAB_MISSING, timeout: 60_000 }, async () => {
  await openInLab(lab.page, lab.server, 'input.ipynb');
  const cell = codeCells(lab.page).first();
  await cell.locator('.jp-InputPrompt').first().click();
  await lab.page.keyboard.press('Shift+Enter');
  const box = lab.page.locator('.jp-Stdin-input');
  await box.waitFor({ state: 'visible', timeout: 20_000 });
  assert.match(await cell.locator('.jp-Stdin').innerText(), /Name\?/);
  await box.fill('Ada');
  await box.press('Enter');
  await waitForRun(cell, '');
  assert.match(await outputText(cell), /Hello, Ada!/);
  assertQuietConsole();
});

test('output from a timer that cell A started appears under A while cell B runs', { skip: LAB_MISSING, timeout: 60_000 }, async () => {
  await openInLab(lab.page, lab.server, 'late.ipynb');
  const cells = codeCells(lab.page);
  await runCellWithKeyboard(cells.nth(0));
  await cells.nth(1).locator('.jp-InputPrompt').first().click();
  await lab.page.keyboard.press('Shift+Enter');
  await lab.page.waitForFunction((el) => /late from A/.test(el.querySelector('.jp-OutputArea')?.textContent ?? ''), await cells.nth(0).elementHandle(), { timeout: 10_000 });
  assert.equal(await promptOf(cells.nth(1)), '*', 'B is still running when A prints');
  assert.doesNotMatch(await outputText(cells.nth(1)), /late from A/);
  await waitForRun(cells.nth(1), '');
  assertQuietConsole();
});

test('a cell printing 100,000 lines neither freezes the page nor loses the last line', { skip: LAB_MISSING, timeout: 120_000 }, async (t) => {
  await openInLab(lab.page, lab.server, 'flood.ipynb');
  const cell = codeCells(lab.page).first();
  await cell.locator('.jp-InputPrompt').first().click();
  const started = Date.now();
  await lab.page.keyboard.press('Shift+Enter');
  // While the lines arrive, the page keeps answering: each round trip into it stays short.
  let slowest = 0;
  while ((await promptOf(cell)) !== '1' && Date.now() - started < 90_000) {
    const before = Date.now();
    await lab.page.evaluate(() => document.title);
    slowest = Math.max(slowest, Date.now() - before);
  }
  await waitForRun(cell, '', { timeoutMs: 90_000 });
  t.diagnostic(`slowest answer from the page while the lines arrived: ${slowest} ms`);
  assert.ok(slowest < 5000, `the page answered within 5 s throughout (slowest ${slowest} ms)`);
  await lab.page.waitForFunction((el) => /line 99999\b/.test(el.querySelector('.jp-OutputArea')?.textContent ?? ''), await cell.elementHandle(), { timeout: 30_000 });
  assertQuietConsole();
});
