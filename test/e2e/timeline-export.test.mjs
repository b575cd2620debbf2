// Issue 16: a saved notebook keeps its charts in an HTML export made with Debian's nbconvert 6.5,
// which strips SVG outputs. The committed tutorial (real kernel outputs) is exported, opened in
// Debian's chromium, and each %%timeline chart must be a drawn picture with its figures as text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchBrowser, outputDir, tutorialNotebook } from './notebook-server.mjs';

let folder;
let browser;
let page;

before(async () => {
  folder = mkdtempSync(path.join(tmpdir(), 'tempo-export-'));
  mkdirSync(outputDir, { recursive: true });
  const exported = spawnSync('/usr/bin/python3', ['-m', 'nbconvert', '--to', 'html', '--output-dir', folder, tutorialNotebook], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: folder } });
  assert.equal(exported.status, 0, `Debian's nbconvert (python3-nbconvert) failed:\n${exported.stderr}`);
  browser = await launchBrowser({ viewport: { width: 1100, height: 900 } });
  page = browser.page;
  await page.goto(pathToFileURL(path.join(folder, `${path.basename(tutorialNotebook, '.ipynb')}.html`)).href);
  await page.waitForFunction(() => [...document.querySelectorAll('img.tempo-timeline')].every((img) => img.complete));
});

after(async () => {
  try {
    await browser?.close();
  } finally {
    if (folder) rmSync(folder, { recursive: true, force: true });
  }
});

test('every %%timeline chart of the exported tutorial is a drawn picture, not a blank box', async () => {
  const charts = await page.$$eval('img.tempo-timeline', (images) => images.map((img) => ({ width: img.naturalWidth, height: img.naturalHeight, shown: img.getBoundingClientRect().height })));
  assert.ok(charts.length >= 10, `${charts.length} charts in the export`);
  for (const chart of charts) assert.ok(chart.width === 760 && chart.height > 100 && chart.shown > 100, JSON.stringify(chart));
  await page.locator('img.tempo-timeline').nth(0).screenshot({ path: path.join(outputDir, 'export-first-chart.png') });
});

/** How many pixels of the picture are close to `rgb`, read back from a canvas it is drawn on. */
function countColour(index, rgb) {
  return page.$$eval(
    'img.tempo-timeline',
    (images, [index, rgb]) => {
      const img = images[index];
      const canvas = Object.assign(document.createElement('canvas'), { width: img.naturalWidth, height: img.naturalHeight });
      const context = canvas.getContext('2d');
      context.drawImage(img, 0, 0);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let count = 0;
      for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - rgb[0]) + Math.abs(data[i + 1] - rgb[1]) + Math.abs(data[i + 2] - rgb[2]) < 30 && data[i + 3] > 200) count++;
      return count;
    },
    [index, rgb],
  );
}

test('the rude job\'s chart shows the late stripes and the long callback run, and says "late by" in text', async () => {
  const index = await page.$$eval('div.tempo-timeline', (charts) => charts.findIndex((chart) => chart.textContent.includes('rudeJob')));
  assert.ok(index >= 0, 'the rude job\'s chart is in the export');
  const stripes = await countColour(index, [0xe8, 0x59, 0x0c]);
  const run = await countColour(index, [0xc9, 0x30, 0x2c]);
  assert.ok(stripes > 300, `${stripes} pixels of late stripes`);
  assert.ok(run > 3000, `${run} pixels of the rude job's run`);
  const figures = await page.locator('div.tempo-timeline').nth(index).locator('pre').innerText();
  assert.match(figures, /politeJob · sleep\(500\)[^\n]*late by [34]\d\d ms/);
  await page.locator('div.tempo-timeline').nth(index).screenshot({ path: path.join(outputDir, 'export-rude-job.png') });
});
