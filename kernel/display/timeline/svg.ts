import type { Span, TimelineData, TimelineLane } from '../../common/timeline-data';
import { DEFINITIONS } from './figures';
import { capitalize, formatMs, oneLine, plural, truncate } from './format';
import { lateOf } from './lane-times';
import { fractionOf, planTimeline, rowLabel, type Row } from './plan';
import { svgLegend } from './svg-legend';
import { el, escapeXml, num } from './svg-markup';
import { svgFigures, svgMarks } from './svg-notes';
import { AXIS_Y, BLOCKED_OPACITY, COLOR, KIND_NAMES, LABEL_CHARS, LEGEND_LINE_H, PAD, PLOT_W, PLOT_X, ROW_H, WIDTH, barStyle, latePattern } from './svg-style';
import { ticksOf } from './ticks';

/** The chart as a standalone SVG document, 760 px wide and as tall as its rows need. */
export function renderTimelineSvg(data: TimelineData, plan = planTimeline(data)): string {
  const rowsBottom = AXIS_Y + 6 + plan.rows.length * ROW_H;
  const notes = [
    plan.rows.some((row) => row.merged > 1) ? `Showing ${plan.rows.length - 1} of ${data.lanes.length} lanes; the last row merges the other ${plan.rows[plan.rows.length - 1].merged}.` : '',
    plan.droppedNote ? `${capitalize(plan.droppedNote)} (over the recording cap).` : '',
  ].filter(Boolean);
  const legend = svgLegend(plan.rows, rowsBottom + 22);
  const below = rowsBottom + (legend.lines - 1) * LEGEND_LINE_H;
  const height = below + 50 + notes.length * 16;
  const summary = `Event-loop timeline: ${plan.caption} · ${data.lanes.length} ${plural(data.lanes.length, 'lane')}`;
  const x = (ms: number): number => PLOT_X + fractionOf(ms, plan.domainMs) * PLOT_W;
  const body = [
    el('title', {}, escapeXml(summary)),
    el('rect', { class: 'background', width: WIDTH, height, rx: 4, fill: COLOR.background }),
    latePattern(),
    el('text', { x: PAD, y: 18, 'font-size': 13 }, escapeXml(plan.caption)),
    svgAxis(plan.domainMs, x, rowsBottom),
    // Under the rows: the band tints every row, while bars stay crisp and marks keep their tooltips.
    ...plan.blocked.map((span) => svgBlocked(span, x, rowsBottom)),
    ...plan.rows.map((row, index) => svgRow(row, index, x)),
    legend.svg,
    el('text', { class: 'definitions', x: PAD, y: below + 42, 'font-size': 11 }, escapeXml(DEFINITIONS)),
    ...notes.map((note, index) => el('text', { class: 'note', x: PAD, y: below + 60 + index * 16, 'font-size': 11 }, escapeXml(note))),
  ];
  const root = {
    xmlns: 'http://www.w3.org/2000/svg',
    class: 'tempo-timeline',
    width: WIDTH,
    height,
    viewBox: `0 0 ${WIDTH} ${height}`,
    role: 'img',
    'aria-label': summary,
    'font-family': 'sans-serif',
    'font-size': 12,
    fill: COLOR.text,
  };
  return `${el('svg', root, '\n', body.join('\n'), '\n')}\n`;
}

function svgAxis(domainMs: number, x: (ms: number) => number, rowsBottom: number): string {
  const parts = [el('line', { class: 'axis', x1: PLOT_X, y1: AXIS_Y, x2: PLOT_X + PLOT_W, y2: AXIS_Y, stroke: COLOR.text })];
  for (const tick of ticksOf(domainMs)) {
    const at = x(tick.atMs);
    parts.push(
      el('line', { class: 'grid', x1: at, y1: AXIS_Y - 4, x2: at, y2: rowsBottom, stroke: COLOR.text, 'stroke-opacity': 0.25 }),
      el('text', { x: at, y: AXIS_Y - 8, 'text-anchor': 'middle', 'font-size': 11 }, escapeXml(tick.label)),
    );
  }
  return parts.join('\n');
}

function svgRow(row: Row, index: number, x: (ms: number) => number): string {
  const top = AXIS_Y + 6 + index * ROW_H;
  const barY = top + 13;
  const { lane } = row;
  const badge = row.count > 1 ? ` ×${row.count}` : '';
  const label = truncate(oneLine(lane.label), LABEL_CHARS - badge.length) + badge;
  const figures = svgFigures(lane, x);
  const parts = [
    // Faint stripes on every other row guide the eye from label to bar; #888 at low opacity works on any theme.
    index % 2 === 1 ? el('rect', { x: PAD - 4, y: top, width: WIDTH - 2 * PAD + 8, height: ROW_H, fill: COLOR.text, 'fill-opacity': 0.07 }) : '',
    el(
      'text',
      { x: PAD, y: barY + 8, 'font-weight': lane.kind === 'main' ? 'bold' : undefined, 'font-style': row.merged > 1 ? 'italic' : undefined },
      escapeXml(label),
      label === rowLabel(row) ? '' : el('title', {}, escapeXml(rowLabel(row))),
    ),
    svgBar(row, barY, x),
    ...svgLate(lane, barY, x),
    ...lane.runs.map((run) => svgRun(run, barY, x)),
    ...figures.map((note) => el('text', { class: 'figure', x: note.x, y: barY - 3, 'font-size': 10, 'text-anchor': note.anchor, 'font-weight': 'bold' }, escapeXml(note.text))),
    ...svgMarks(lane, barY, x, figures),
  ];
  const rowClass = row.merged > 1 ? 'lane-more' : 'lane';
  return el('g', { class: rowClass, 'data-kind': lane.kind }, ...parts.filter(Boolean));
}

/** The lane's life: solid while it ran; pending ones fade out in a dashed bar ending in an arrow. */
function svgBar(row: Row, barY: number, x: (ms: number) => number): string {
  const { lane } = row;
  const pending = lane.endMs === undefined;
  const start = x(lane.startMs);
  const end = lane.endMs === undefined ? PLOT_X + PLOT_W : x(lane.endMs);
  const style = row.merged > 1 ? { ...barStyle('other', pending), fill: COLOR.more, stroke: COLOR.more } : barStyle(lane.kind, pending);
  const bar = el('rect', { class: 'bar', x: start, y: barY, width: Math.max(2, end - start), height: 9, rx: 2, ...style }, el('title', {}, escapeXml(barTitle(row))));
  if (!pending) return bar;
  const arrow = `${num(end + 2)},${num(barY - 2)} ${num(end + 9)},${num(barY + 4.5)} ${num(end + 2)},${num(barY + 11)}`;
  return el('g', { class: 'pending' }, bar, el('polygon', { points: arrow, fill: style.fill }));
}

/** Striped from when the callback was due to when it ran, when that is late. */
function svgLate(lane: TimelineLane, barY: number, x: (ms: number) => number): string[] {
  const late = lateOf(lane);
  if (late === undefined) return [];
  const from = x(late.dueMs);
  return [el('rect', { class: 'late', x: from, y: barY - 1, width: Math.max(2, x(late.dueMs + late.byMs) - from), height: 11, fill: 'url(#late)' })];
}

/** A callback's own run, solid on its lane: where a red band comes from. */
function svgRun(run: Span, barY: number, x: (ms: number) => number): string {
  const from = x(run.startMs);
  return el('rect', { class: 'run', x: from, y: barY - 2, width: Math.max(1.5, x(run.endMs) - from), height: 13, fill: COLOR.run }, el('title', {}, escapeXml(`callback ran ${fromTo(run.startMs, run.endMs)}`)));
}

function barTitle(row: Row): string {
  const { lane } = row;
  const who = row.merged > 1 ? `${row.merged} more lanes` : `${lane.label} (${KIND_NAMES[lane.kind]})`;
  if (lane.endMs === undefined) return `${who}: from ${formatMs(lane.startMs)} (pending)`;
  return `${who}: ${fromTo(lane.startMs, lane.endMs)}`;
}

/** A tooltip's `start → end (duration)`. */
function fromTo(startMs: number, endMs: number): string {
  return `${formatMs(startMs)} → ${formatMs(endMs)} (${formatMs(endMs - startMs)})`;
}

function svgBlocked(span: Span, x: (ms: number) => number, rowsBottom: number): string {
  // At least a pixel wide: a 0.3 ms block on a one-second chart still deserves to be seen.
  const width = Math.max(1, x(span.endMs) - x(span.startMs));
  const attrs = { class: 'blocked', x: x(span.startMs), y: AXIS_Y, width, height: rowsBottom - AXIS_Y, fill: COLOR.blocked, 'fill-opacity': BLOCKED_OPACITY };
  return el('rect', attrs, el('title', {}, escapeXml(`event loop blocked ${formatMs(span.startMs)} → ${formatMs(span.endMs)}`)));
}
