// Regenerates the README's picture: the tutorial run in JupyterLab 4 (test/jupyterlab) with the
// Tempo kernel, showing the blocking example and the Promise.all example with their outputs
// (printed lines, timeline chart, timing line); the cells between them are hidden for the picture
// only. Usage: node test/e2e/take-screenshot.mjs [--dark] [out.png]
// (default out: docs/screenshot.png, or docs/screenshot-dark.png with --dark).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { launchBrowser, repo, startLabServer, tutorialNotebook } from './notebook-server.mjs';
import { codeCells, ensureLabBuilt, labMenu, openInLab, switchTheme, waitForLabIdle, waitForRun } from './lab.mjs';

const dark = process.argv.includes('--dark');
const out = path.resolve(process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? path.join(repo, 'docs', dark ? 'screenshot-dark.png' : 'screenshot.png'));
const BLOCKING = 'for (let i = 0; i < 5; i++) job(i);';
const PARALLEL = 'await Promise.all([0, 1, 2, 3, 4].map(asyncJob))';

console.log(ensureLabBuilt());
const server = await startLabServer({ notebooks: [tutorialNotebook] });
const browser = await launchBrowser({ viewport: { width: 1300, height: 900 } });
try {
  const { page } = browser;
  await openInLab(page, server, path.basename(tutorialNotebook));
  if (dark) {
    await switchTheme(page, 'JupyterLab Dark');
  }
  await labMenu(page, 'Run', 'Run All Cells');
  const cells = codeCells(page);
  for (let i = 0, n = await cells.count(); i < n; i++) await waitForRun(cells.nth(i), '', { timeoutMs: 120_000 });
  await waitForLabIdle(page);
  await page.keyboard.press('Control+s');
  // The side bar and its file list are not the subject.
  await page.keyboard.press('Control+b');
  await page.setViewportSize({ width: 1300, height: 1700 });
  await page.evaluate(([blocking, parallel]) => {
    const all = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell')];
    const codeOf = (cell) => cell.querySelector('.cm-content')?.textContent ?? '';
    const from = all.findIndex((cell) => codeOf(cell).includes(blocking));
    const to = all.findIndex((cell) => codeOf(cell).includes(parallel));
    for (const cell of all.slice(from + 1, to)) cell.style.display = 'none';
    // Start at the markdown cell that introduces the blocking example.
    all[from - 1].scrollIntoView({ block: 'start' });
    document.activeElement?.blur();
  }, [BLOCKING, PARALLEL]);
  await page.waitForTimeout(500); // lets JupyterLab lay out the cells scrolled into view (no event reports it)
  mkdirSync(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  console.log(`wrote ${path.relative(process.cwd(), out) || out}`);
} finally {
  try {
    await browser.close();
  } finally {
    await server.stop();
  }
}
