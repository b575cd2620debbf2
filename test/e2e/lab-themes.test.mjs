// The timing line and the %%timeline chart in JupyterLab's light and dark themes: the text must
// stand out from what is behind it (WCAG's contrast ratio, measured on the page), not merely exist.
// (test/e2e/take-screenshot.mjs retakes the README's pictures in both themes.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempoNotebook } from './notebook-server.mjs';
import { LAB_MISSING, codeCells, labSession, openInLab, runCellWithKeyboard, switchTheme } from './lab.mjs';

/** WCAG 2's minimum for text of this size (11-12 px): AA, normal text. */
const MIN_CONTRAST = 4.5;

const CHART_CELL = '%%timeline\nconst nap = (ms: number) => new Promise((r) => setTimeout(r, ms));\nconsole.log("started");\nawait Promise.all([nap(200), nap(300)]);\nconsole.log("done");';

const lab = labSession({ extraNotebooks: { 'chart.ipynb': tempoNotebook([CHART_CELL]) }, logName: 'lab-themes-server' });

/**
 * In the page: the contrast ratio of each piece of Tempo's text against the colour behind it,
 * blending translucent colours over what is below them, as the eye sees it.
 */
function measureContrast() {
  const parse = (css) => {
    const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(css);
    return m ? { r: +m[1], g: +m[2], b: +m[3], a: m[4] === undefined ? 1 : +m[4] } : { r: 0, g: 0, b: 0, a: 0 };
  };
  const over = (top, bottom) => ({ r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a), b: top.b * top.a + bottom.b * (1 - top.a), a: 1 });
  /** The opaque colour behind `element`: its ancestors' backgrounds blended down to the page's. */
  const backgroundOf = (element) => {
    const layers = [];
    for (let node = element; node; node = node.parentElement) layers.push(parse(getComputedStyle(node).backgroundColor));
    return layers.reverse().reduce((below, layer) => over(layer, below), { r: 255, g: 255, b: 255, a: 1 });
  };
  const luminance = ({ r, g, b }) => {
    const channel = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const textContrast = (element) => {
    const background = backgroundOf(element);
    return ratio(over(parse(getComputedStyle(element).color), background), background);
  };
  const line = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .tempo-timing');
  const table = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) div.tempo-timeline pre');
  const image = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) img.tempo-timeline');
  // The chart is an SVG picture: its text colours are in its source, its background is the page's.
  const svg = atob(image.src.split(',')[1]);
  // Text without a fill of its own takes the root <svg>'s.
  const rootFill = /<svg[^>]*?\sfill="(#[0-9a-fA-F]{6})"/.exec(svg)?.[1];
  const fills = [...new Set([...svg.matchAll(/<text([^>]*)>/g)].map((m) => /\sfill="(#[0-9a-fA-F]{6})"/.exec(m[1])?.[1] ?? rootFill).filter(Boolean))];
  const chartBackground = backgroundOf(image);
  const hex = (h) => ({ r: parseInt(h.slice(1, 3), 16), g: parseInt(h.slice(3, 5), 16), b: parseInt(h.slice(5, 7), 16), a: 1 });
  const svgBackground = /<rect[^>]*class="background"[^>]*fill="(#[0-9a-fA-F]{6})"/.exec(svg)?.[1];
  const behindChart = svgBackground ? hex(svgBackground) : chartBackground;
  return {
    theme: document.body.dataset.jpThemeName,
    line: textContrast(line),
    table: textContrast(table),
    chart: Object.fromEntries(fills.map((fill) => [fill, ratio(hex(fill), behindChart)])),
  };
}

async function checkLegible(theme) {
  const measured = await lab.page.evaluate(measureContrast);
  assert.equal(measured.theme, theme);
  assert.ok(measured.line >= MIN_CONTRAST, `${theme}: timing line contrast ${measured.line.toFixed(2)} < ${MIN_CONTRAST}`);
  assert.ok(measured.table >= MIN_CONTRAST, `${theme}: chart's figures table contrast ${measured.table.toFixed(2)} < ${MIN_CONTRAST}`);
  assert.ok(Object.keys(measured.chart).length > 0, 'the chart has text');
  for (const [fill, contrast] of Object.entries(measured.chart)) {
    assert.ok(contrast >= MIN_CONTRAST, `${theme}: chart text ${fill} contrast ${contrast.toFixed(2)} < ${MIN_CONTRAST}`);
  }
  return measured;
}

test('the timing line and the %%timeline chart are legible in the light theme and in the dark one', { skip: LAB_MISSING, timeout: 120_000 }, async () => {
  await openInLab(lab.page, lab.server, 'chart.ipynb');
  const cell = codeCells(lab.page).first();
  await runCellWithKeyboard(cell);
  await cell.locator('img.tempo-timeline').waitFor({ timeout: 10_000 });
  console.log('light', JSON.stringify(await checkLegible('JupyterLab Light')));
  await switchTheme(lab.page, 'JupyterLab Dark');
  console.log('dark', JSON.stringify(await checkLegible('JupyterLab Dark')));
  assert.deepEqual(lab.consoleProblems(), []);
});
