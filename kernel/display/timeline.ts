// `%%timeline`: the event loop of one cell as a Gantt chart, in SVG for notebooks and in
// characters for terminals and the headless runner. Both renderers share one plan (which lanes get
// a row, the time domain, the merged blocked spans), so they always tell the same story. The
// parts live in timeline/; this module is their public entry.
import type { TimelineData } from '../common/timeline-data';
import { escapeHtml } from './html';
import { figuresTable } from './timeline/figures';
import { planTimeline } from './timeline/plan';
import { renderTimelineSvg } from './timeline/svg';
import { WIDTH } from './timeline/svg-style';
import { renderTimelineText } from './timeline/text';

export { renderTimelineSvg, renderTimelineText };

/**
 * The display_data bundle for `%%timeline`: HTML for notebooks, text for terminals and logs.
 * The picture is the SVG as an `<img>` inside the HTML, not an image/svg+xml output: nbconvert 6.5
 * strips SVG outputs from HTML exports, and JupyterLab sanitizes inline SVG away in a notebook
 * it does not trust, while both keep an image with a data URL. The lanes' figures follow as text,
 * so a saved or printed notebook keeps them.
 */
export function timelineBundle(data: TimelineData): Record<string, string> {
  // One plan for the three renderings: grouping 10,000 lanes is the costly part.
  const plan = planTimeline(data);
  const svg = renderTimelineSvg(data, plan);
  const text = renderTimelineText(data, undefined, plan);
  const size = /^<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg);
  const image = `<img class="tempo-timeline" src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}" width="${size?.[1] ?? WIDTH}" height="${size?.[2] ?? ''}" alt="${escapeHtml(text.split('\n')[0])}">`;
  // The picture has its own legend; under it, only what it shows by position.
  const table = figuresTable(plan.rows);
  const details = table.length > 0 ? `<pre style="font-size: 11px; line-height: 1.35; margin: 4px 0 0 0">${escapeHtml(table.join('\n'))}</pre>` : '';
  return { 'text/html': `<div class="tempo-timeline">${image}${details}</div>`, 'text/plain': text };
}
