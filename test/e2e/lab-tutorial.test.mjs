// The tutorial in JupyterLab 4 (test/jupyterlab), as a reader runs it: Run → Run All Cells, watching
// the blocking example print line by line and the progress bar fill while it runs; then every
// cell's outcome, the timing lines and charts, highlighting, and a rerun of an edited cell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { tutorialNotebook } from './notebook-server.mjs';
import { LAB_MISSING, codeCells, labSession, labMenu, outputText, runCellWithKeyboard, typeInto, waitForLabIdle, waitForRun } from './lab.mjs';

// Code cells of the tutorial by what they do, found in the file (the page renders cells lazily).
const SOURCES = JSON.parse(readFileSync(tutorialNotebook, 'utf8')).cells.filter((cell) => cell.cell_type === 'code');
const indexOf = (needle) => SOURCES.findIndex((cell) => [cell.source].flat().join('').includes(needle));
const BLOCKING = indexOf('for (let i = 0; i < 5; i++) job(i);');
const PARALLEL = indexOf('await Promise.all([0, 1, 2, 3, 4].map(asyncJob))');
const PROGRESS = indexOf('progress.all');
const SLIDERS = SOURCES.findIndex((cell) => cell.id === 'exp-sliders');
const TAGGED = SOURCES.flatMap((cell, index) => ((cell.metadata.tags ?? []).includes('raises-exception') ? [index] : []));

const lab = labSession({ notebooks: [tutorialNotebook], open: path.basename(tutorialNotebook), logName: 'lab-tutorial-server' });

/** In the page, at its next frame: the blocking cell's output text and the progress cell's bars. */
async function sample([blocking, progress]) {
  await new Promise((resolve) => requestAnimationFrame(resolve));
  const cells = document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell');
  const bars = [...cells[progress].querySelectorAll('.jp-OutputArea-output')].flatMap((output, index) => {
    const bar = output.querySelector('progress');
    return bar ? [{ index, text: output.textContent.trim(), value: bar.getAttribute('value'), max: bar.getAttribute('max') }] : [];
  });
  const prompt = (cell) => /\[(.*)\]/.exec(cell.querySelector('.jp-InputPrompt')?.textContent ?? '')?.[1] ?? '';
  return { at: Date.now(), blocking: cells[blocking].querySelector('.jp-OutputArea')?.textContent ?? '', blockingDone: /^\d+$/.test(prompt(cells[blocking])), bars, progressDone: /^\d+$/.test(prompt(cells[progress])) };
}

test('Run All Cells: the blocking example prints line by line and the progress bar fills while the cells run', { skip: LAB_MISSING, timeout: 180_000 }, async (t) => {
  await labMenu(lab.page, 'Run', 'Run All Cells');
  // No event reports "the output changed": sampling is paced by the page's animation frames.
  const samples = [];
  const deadline = Date.now() + 120_000;
  for (let last; !(last?.progressDone && /done/.test(last.bars[0]?.text ?? '')); ) {
    assert.ok(Date.now() < deadline, `the progress cell did not finish; last sample ${JSON.stringify(samples.at(-1))}`);
    last = await lab.page.evaluate(sample, [BLOCKING, PROGRESS]);
    samples.push(last);
  }
  const firstSeen = {};
  for (const { at, blocking } of samples) for (const [, n] of blocking.matchAll(/Starting job (\d)/g)) firstSeen[n] ??= at;
  assert.deepEqual(Object.keys(firstSeen).sort(), ['0', '1', '2', '3', '4'], 'all five "Starting job N" lines appeared');
  assert.ok(samples.some(({ blocking }) => blocking.includes('Starting job 1') && !blocking.includes('Starting job 4')), 'the lines arrived one by one, not all at the end');
  assert.ok(firstSeen[4] - firstSeen[0] >= 2500, `"Starting job" lines appeared ${firstSeen[4] - firstSeen[0]} ms apart in all; expected >= 2500`);
  const withBar = samples.filter(({ bars }) => bars.length > 0);
  assert.ok(withBar.every(({ bars }) => bars.length === 1), 'one progress bar at a time');
  assert.equal(new Set(withBar.map(({ bars }) => bars[0].index)).size, 1, 'the bar stays in one place: it is updated, not appended');
  const counts = [...new Set(withBar.map(({ bars }) => /(\d)\/5/.exec(bars[0].text)?.[1]).filter(Boolean))];
  t.diagnostic(`${samples.length} samples; progress counts seen ${counts.join(', ')}`);
  assert.ok(counts.length >= 2, `the bar filled visibly during the run (counts seen: ${counts})`);
  const lastBar = withBar.at(-1).bars[0];
  assert.match(lastBar.text, /5\/5.*done/);
  assert.equal(lastBar.max, '5');
});

test('after Run All: every cell ran, errors only where tagged, the promised totals, timing lines and drawn charts', { skip: LAB_MISSING, timeout: 120_000 }, async () => {
  const cells = codeCells(lab.page);
  assert.equal(await cells.count(), SOURCES.length);
  for (let i = 0; i < SOURCES.length; i++) await waitForRun(cells.nth(i), '', { timeoutMs: 60_000 });
  await waitForLabIdle(lab.page);
  const outcomes = await lab.page.evaluate(() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell')].map((cell) => ({
    // JupyterLab shows error outputs with the stderr MIME type: the traceback's ename tells them apart.
    error: [...cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')].some((output) => /^\w*Error\b|^\w+: /m.test(output.textContent)),
    text: cell.querySelector('.jp-OutputArea')?.textContent ?? '',
    timing: [...cell.querySelectorAll('.tempo-timing')].map((line) => ({ text: line.textContent, visible: line.checkVisibility() && line.getBoundingClientRect().height > 0 })),
    charts: [...cell.querySelectorAll('img.tempo-timeline')].map((image) => ({ drawn: image.complete && image.naturalWidth > 100, visible: image.checkVisibility() })),
  })));
  assert.deepEqual(outcomes.flatMap((outcome, index) => (outcome.error ? [index] : [])), TAGGED, 'errors exactly in the cells tagged raises-exception');
  assert.match(outcomes[BLOCKING].text, /Total: 5\.\d+ s/);
  assert.match(outcomes[PARALLEL].text, /Total: 1\.\d+ s/);
  assert.match(outcomes[PARALLEL].text, /\[ 0, 1, 2, 3, 4 \]/, 'the last expression is the cell result');
  for (const index of [BLOCKING, PARALLEL]) {
    assert.equal(outcomes[index].timing.length, 1, `one timing line under code cell ${index}`);
    assert.ok(outcomes[index].timing[0].visible, `the timing line of code cell ${index} is visible`);
    assert.ok(outcomes[index].charts.length === 1 && outcomes[index].charts[0].drawn && outcomes[index].charts[0].visible, `code cell ${index}'s chart is drawn: ${JSON.stringify(outcomes[index].charts)}`);
  }
  assert.match(outcomes[BLOCKING].timing[0].text, /event loop blocked [\d.]+ s \((9\d|100)%\)/);
  assert.match(outcomes[PARALLEL].timing[0].text, /overlap ×[45]\.\d/);
  assert.deepEqual(lab.consoleProblems(), [], 'console errors or warnings on the page');
});

test("the experiments' sliders: moving \"jobs\" reruns the jobs, and the total, the timing line and the chart follow", { skip: LAB_MISSING, timeout: 90_000 }, async () => {
  const cell = codeCells(lab.page).nth(SLIDERS);
  await cell.scrollIntoViewIfNeeded();
  const jobs = cell.locator('.widget-slider').first();
  await jobs.waitFor({ timeout: 20_000 });
  const shown = () => cell.locator('.jupyter-widgets-output-area, .widget-output').first().innerText();
  const before = await shown();
  assert.match(before, /5 jobs, at most 2 at a time: \d+ ms[\s\S]*jobs=5, limit=2 · ⏱/);
  const chartBefore = await cell.locator('img.tempo-timeline').first().getAttribute('src');
  // Drag the handle about a seventh of the way along the track (1 to 50 jobs), as a person does.
  const handle = await cell.locator('.noUi-handle').first().boundingBox();
  const track = await cell.locator('.noUi-target').first().boundingBox();
  await lab.page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
  await lab.page.mouse.down();
  await lab.page.mouse.move(track.x + track.width / 7, handle.y + handle.height / 2, { steps: 5 });
  await lab.page.mouse.up();
  const n = Number((await cell.locator('.widget-readout').first().innerText()).trim());
  assert.ok(n > 5 && n < 15, `the slider reads ${n}`);
  await lab.page.waitForFunction(([element, count]) => element.innerText.includes(`jobs=${count}, limit=2 · ⏱`), [await cell.elementHandle(), n], { timeout: 20_000, polling: 50 });
  const after = await shown();
  const total = Number(new RegExp(`${n} jobs, at most 2 at a time: (\\d+) ms`).exec(after)?.[1]);
  const expected = Math.ceil(n / 2) * 300;
  assert.ok(total >= expected && total < expected + 400, `${n} jobs, 2 at a time: ${total} ms, expected about ${expected} ms`);
  assert.doesNotMatch(after, /5 jobs/, 'the new run replaced the old output');
  assert.notEqual(await cell.locator('img.tempo-timeline').first().getAttribute('src'), chartBefore, 'the chart was redrawn');
  assert.deepEqual(lab.consoleProblems(), [], 'console errors or warnings on the page');
});

test('code cells are highlighted as TypeScript', { skip: LAB_MISSING }, async () => {
  const first = codeCells(lab.page).first();
  await first.scrollIntoViewIfNeeded();
  const tokens = await first.evaluate((cell) => [...cell.querySelectorAll('.cm-content span')].map((span) => ({ text: span.textContent, color: getComputedStyle(span).color })));
  const colorOf = (word) => tokens.find((token) => token.text === word)?.color;
  const plain = await first.evaluate((cell) => getComputedStyle(cell.querySelector('.cm-content')).color);
  assert.ok(colorOf('const') && colorOf('const') !== plain, `'const' is coloured as a keyword: ${JSON.stringify(tokens.slice(0, 12))}`);
  const colours = new Set(tokens.map((token) => token.color));
  assert.ok(colours.size >= 3, `keywords, names and literals in several colours: ${[...colours].join(' ')}`);
});

test('edit a cell that declares with const and rerun it: no "already declared"', { skip: LAB_MISSING, timeout: 60_000 }, async () => {
  const first = codeCells(lab.page).first();
  await first.scrollIntoViewIfNeeded();
  await lab.page.waitForFunction((el) => (el.querySelector('.cm-content')?.textContent ?? '').length > 0, await first.elementHandle(), { timeout: 10_000 });
  const source = await first.locator('.cm-content').innerText();
  assert.match(source, /\bconst\b/);
  await typeInto(first, `${source}\nconst rerunMarker = "edited";\nconsole.log(rerunMarker);`);
  await lab.page.keyboard.press('Escape');
  await runCellWithKeyboard(first);
  const text = await outputText(first);
  assert.match(text, /edited/);
  assert.doesNotMatch(text, /already been declared|Cannot redeclare/);
  assert.deepEqual(lab.consoleProblems(), [], 'console errors or warnings on the page');
});
