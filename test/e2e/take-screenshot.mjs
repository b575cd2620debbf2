// Regenerates docs/screenshot.png: the tutorial notebook executed in the classic Notebook UI with
// the Tempo kernel, scrolled so that the blocking example and the Promise.all example (with their
// outputs: printed lines, timeline chart, timing line) are in view under the notebook header; the
// cells between them are hidden for the picture only. Usage: node test/e2e/take-screenshot.mjs [out.png]
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  clickMenu, openNotebook, pollUntil, repo, startServerAndBrowser, tutorialNotebook, waitForKernelIdle,
} from './notebook-server.mjs';

const out = path.resolve(process.argv[2] ?? path.join(repo, 'docs', 'screenshot.png'));
const WIDTH = 1200;
const BLOCKING = 'for (let i = 0; i < 5; i++) job(i);';
const PARALLEL = 'await Promise.all([0, 1, 2, 3, 4].map(asyncJob))';

const { server, browser } = await startServerAndBrowser({ notebooks: [tutorialNotebook] }, { viewport: { width: WIDTH, height: 900 } });
try {
  const { page } = browser;
  await openNotebook(page, server, path.basename(tutorialNotebook));
  await clickMenu(page, '#celllink', '#run_all_cells a');
  await page.waitForFunction(
    () => Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code')
      .every((c) => typeof c.input_prompt_number === 'number' && c.output_area.outputs.length > 0),
    null,
    { timeout: 90_000, polling: 100 },
  );
  await waitForKernelIdle(page);
  // Save (File → Save and Checkpoint) so the header shows a checkpoint instead of "(unsaved changes)",
  // and leave the first cell selected so no cell of interest carries the selection bar.
  await clickMenu(page, '#filelink', '#save_checkpoint a');
  await pollUntil(() => page.evaluate(() => !Jupyter.notebook.dirty), { timeoutMs: 10_000, what: 'notebook saved' });
  // The "Checkpoint created" notice fades out after a few seconds.
  await page.waitForFunction(() => !window.$('#notification_notebook').is(':visible'), null, { timeout: 15_000, polling: 100 });
  await page.evaluate(() => {
    Jupyter.notebook.select(0);
    Jupyter.notebook.command_mode();
  });

  await page.evaluate(([b, p]) => {
    const cells = Jupyter.notebook.get_cells();
    const from = cells.findIndex((c) => c.cell_type === 'code' && c.get_text().includes(b));
    const to = cells.findIndex((c) => c.cell_type === 'code' && c.get_text().includes(p));
    for (const cell of cells.slice(from + 1, to)) cell.element[0].style.display = 'none';
  }, [BLOCKING, PARALLEL]);

  // Region of interest: from the markdown cell introducing the blocking example to the end of the
  // Promise.all cell's output.
  const region = () => page.evaluate(([b, p]) => {
    const cells = Jupyter.notebook.get_cells();
    const blocking = cells.findIndex((c) => c.cell_type === 'code' && c.get_text().includes(b));
    const parallel = cells.findIndex((c) => c.cell_type === 'code' && c.get_text().includes(p));
    const first = cells[blocking - 1]?.cell_type === 'markdown' ? blocking - 1 : blocking;
    const top = cells[first].element[0].getBoundingClientRect().top;
    const bottom = cells[parallel].element[0].getBoundingClientRect().bottom;
    const header = document.querySelector('#header').getBoundingClientRect().bottom;
    return { top, bottom, header };
  }, [BLOCKING, PARALLEL]);
  const r = await region();
  const MARGIN = 16;
  await page.setViewportSize({ width: WIDTH, height: Math.ceil(r.header + (r.bottom - r.top) + 2 * MARGIN) });
  await pollUntil(async () => {
    // The classic UI scrolls inside #site (resized on window resize); scroll until the region sits
    // just below the header.
    const now = await region();
    const delta = now.top - now.header - MARGIN;
    if (Math.abs(delta) < 1) return true;
    await page.evaluate((d) => (document.querySelector('#site').scrollTop += d), delta);
    return false;
  }, { timeoutMs: 10_000, what: 'the examples scrolled into view' });
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
