import type { TimelineData, TimelineLane } from '../../common/timeline-data';
import { escapeHtml } from '../html';
import { formatDuration } from '../timing-line';
import { ANSI_ESCAPE, DEFINITIONS, LATE_MS, MAX_DOTS, TOOLTIP_MARKS, type Row, type Span, capitalize, clamp, formatMs, lateMsOf, oneLine, planTimeline, plural, ranMsOf, rowLabel, ticksOf, truncate } from './plan';

// The chart as SVG, for notebooks.

export const WIDTH = 760;
const PAD = 12;
const LABEL_CHARS = 28;
const PLOT_X = 212;
/** Leaves room right of the plot for a pending lane's arrow and the last tick's label. */
const PLOT_W = WIDTH - PLOT_X - 32;
const AXIS_Y = 46;
const ROW_H = 26;

/**
 * Mid-tone colours on a transparent background, so the same SVG reads on JupyterLab's light and
 * dark themes (an `<img>` does not inherit the page's text colour, so no `currentColor`).
 */
const COLOR = {
  text: '#888888',
  bar: { main: '#3178C6', timer: '#3178C6', io: '#2A9D8F', other: '#8E6CC9' },
  more: '#888888',
  mark: '#E8A33D',
  blocked: '#D9534F',
  /** Stripes, so late never reads as a longer wait of the lane's own colour. */
  late: '#E8590C',
  /** A callback running is the loop blocked: the band's red, solid on the lane. */
  run: '#C9302C',
} as const;
/** Enough to read as a band on #111 without hiding the bars beneath it on white. */
const BLOCKED_OPACITY = 0.3;

const KIND_NAMES: Record<TimelineLane['kind'], string> = { main: 'cell code', timer: 'timer', io: 'I/O', other: 'other' };

const LEGEND_LINE_H = 18;

/** The stripes that `url(#late)` fills with. */
function latePattern(): string {
  const stripe = el('rect', { width: 3, height: 6, fill: COLOR.late });
  return el('defs', {}, el('pattern', { id: 'late', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' }, stripe));
}

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
  const x = (ms: number): number => PLOT_X + (clamp(ms, plan.domainMs) / plan.domainMs) * PLOT_W;
  const body = [
    el('title', {}, escapeXml(summary)),
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
  const late = lateMsOf(lane);
  if (late === undefined || lane.dueMs === undefined) return [];
  const from = x(lane.dueMs);
  return [el('rect', { class: 'late', x: from, y: barY - 1, width: Math.max(2, x(lane.dueMs + late) - from), height: 11, fill: 'url(#late)' })];
}

/** A callback's own run, solid on its lane: where a red band comes from. */
function svgRun(run: Span, barY: number, x: (ms: number) => number): string {
  const from = x(run.startMs);
  return el('rect', { class: 'run', x: from, y: barY - 2, width: Math.max(1.5, x(run.endMs) - from), height: 13, fill: COLOR.run }, el('title', {}, escapeXml(`callback ran ${formatMs(run.startMs)} → ${formatMs(run.endMs)} (${formatMs(run.endMs - run.startMs)})`)));
}

/** The figures a reader should not have to hover for: how late it ran, and a long callback's time. */
function svgFigures(lane: TimelineLane, x: (ms: number) => number): Note[] {
  const notes: Note[] = [];
  const late = lateMsOf(lane);
  if (late !== undefined && lane.dueMs !== undefined) notes.push(noteAt(x(lane.dueMs), `late by ${formatDuration(late)}`));
  const ran = ranMsOf(lane);
  const first = lane.runs[0];
  if (first && ran >= LATE_MS) {
    const note = noteAt(x(first.startMs), `ran ${formatDuration(ran)}`);
    if (isClear(note, notes)) notes.push(note);
  }
  return notes;
}

function barStyle(kind: TimelineLane['kind'], pending: boolean): { fill: string; 'fill-opacity': number; stroke: string; 'stroke-dasharray'?: string } {
  const colour = COLOR.bar[kind];
  // The cell's own lane is hollow: it spans the whole cell but only ran in the blocked spans.
  const opacity = kind === 'main' ? 0.3 : pending ? 0.45 : 0.9;
  return { fill: colour, 'fill-opacity': opacity, stroke: colour, 'stroke-dasharray': pending ? '4 3' : undefined };
}

function barTitle(row: Row): string {
  const { lane } = row;
  const who = row.merged > 1 ? `${row.merged} more lanes` : `${lane.label} (${KIND_NAMES[lane.kind]})`;
  if (lane.endMs === undefined) return `${who}: from ${formatMs(lane.startMs)} (pending)`;
  return `${who}: ${formatMs(lane.startMs)} → ${formatMs(lane.endMs)} (${formatMs(lane.endMs - lane.startMs)})`;
}

/**
 * A dot per console write, with its text as a tooltip. Writes closer than a few pixels share one
 * dot (five `console.log`s at 0 ms are one event to the eye), and dots get their text written
 * above the bar where there is room for it.
 */
function svgMarks(lane: TimelineLane, barY: number, x: (ms: number) => number, taken: readonly Note[]): string[] {
  const clusters = clustersOf(lane.marks, x);
  const dots = clusters.map((cluster) => {
    // A dot may stand for thousands of writes: its tooltip lists the first few, so the SVG stays small.
    const listed = cluster.slice(0, TOOLTIP_MARKS).map((mark) => `${formatMs(mark.atMs)}: ${truncate(oneLine(mark.text), 80)}`);
    const tooltip = [...listed, ...(cluster.length > TOOLTIP_MARKS ? [`… and ${cluster.length - TOOLTIP_MARKS} more`] : [])].join('\n');
    return el('circle', { class: 'mark', cx: x(cluster[0].atMs), cy: barY + 4.5, r: 4.5, fill: COLOR.mark }, el('title', {}, escapeXml(tooltip)));
  });
  const notes = placeNotes(clusters, x, taken).map((note) =>
    el('text', { class: 'mark-note', x: note.x, y: barY - 3, 'font-size': 10, 'text-anchor': note.anchor }, escapeXml(note.text)),
  );
  return [...dots, ...notes];
}

type Marks = TimelineLane['marks'];

function clustersOf(marks: Marks, x: (ms: number) => number): Marks[] {
  const sorted = [...marks].sort((a, b) => a.atMs - b.atMs);
  // Dots at least 6 px apart, and no more than MAX_DOTS on a lane: a group of a thousand lanes
  // that each printed once would otherwise carry a thousand tooltips.
  const gap = sorted.length > MAX_DOTS ? Math.max(6, PLOT_W / MAX_DOTS) : 6;
  const clusters: Marks[] = [];
  for (const mark of sorted) {
    const last = clusters[clusters.length - 1];
    if (last && x(mark.atMs) - x(last[0].atMs) <= gap) last.push(mark);
    else clusters.push([mark]);
  }
  return clusters;
}

interface Note {
  text: string;
  /** The dot's x. */
  at: number;
  x: number;
  anchor: 'start' | 'end';
  left: number;
  right: number;
}

/**
 * Which dots get their text above the bar: the first and the last dot first (where the lane's
 * story starts and ends), then the others left to right, each only where it overlaps no other
 * note nor the lane's figures. A dot's other writes are in its tooltip, not in a badge.
 */
function placeNotes(clusters: readonly Marks[], x: (ms: number) => number, taken: readonly Note[]): Note[] {
  const order = clusters.length > 1 ? [clusters[0], clusters[clusters.length - 1], ...clusters.slice(1, -1)] : clusters;
  const placed: Note[] = [];
  for (const cluster of order) {
    const note = noteAt(x(cluster[0].atMs), truncate(oneLine(cluster[0].text), 32));
    if (isClear(note, [...taken, ...placed])) placed.push(note);
  }
  return placed.sort((a, b) => a.left - b.left);
}

function isClear(note: Note, others: readonly Note[]): boolean {
  return note.left >= PLOT_X - 6 && others.every((other) => note.right + 10 <= other.left || note.left >= other.right + 10);
}

/** Starting at the dot, or ending at it where the chart would end first. */
function noteAt(at: number, text: string): Note {
  const width = noteWidth(text);
  if (at + width <= WIDTH - PAD) return { text, at, x: at - 3, anchor: 'start', left: at - 3, right: at - 3 + width };
  return { text, at, x: at + 3, anchor: 'end', left: at + 3 - width, right: at + 3 };
}

/** A rough width of 10 px sans-serif text, only to decide whether a note fits: narrow glyphs count half. */
function noteWidth(text: string): number {
  return Array.from(text).reduce((width, char) => width + (/[\sijlft.,:;'!|()[\]]/.test(char) ? 3.2 : /[mwMW]/.test(char) ? 8.5 : 6.2), 0);
}

function svgBlocked(span: Span, x: (ms: number) => number, rowsBottom: number): string {
  // At least a pixel wide: a 0.3 ms block on a one-second chart still deserves to be seen.
  const width = Math.max(1, x(span.endMs) - x(span.startMs));
  const attrs = { class: 'blocked', x: x(span.startMs), y: AXIS_Y, width, height: rowsBottom - AXIS_Y, fill: COLOR.blocked, 'fill-opacity': BLOCKED_OPACITY };
  return el('rect', attrs, el('title', {}, escapeXml(`event loop blocked ${formatMs(span.startMs)} → ${formatMs(span.endMs)}`)));
}

/** One entry per thing the chart shows, so a reader never meets a colour the legend leaves out. */
function svgLegend(rows: readonly Row[], y: number): { svg: string; lines: number } {
  const shown = (test: (row: Row) => boolean): boolean => rows.some((row) => row.merged === 1 && test(row));
  const bar = (kind: TimelineLane['kind'], pending: boolean) => (x: number) => el('rect', { x, y: y - 8, width: 16, height: 8, rx: 2, ...barStyle(kind, pending) });
  const items: { width: number; draw: (x: number) => string; name: string }[] = [
    ...(['main', 'timer', 'io', 'other'] as const).filter((kind) => shown((row) => row.lane.kind === kind)).map((kind) => ({ width: 16, draw: bar(kind, false), name: KIND_NAMES[kind] })),
    ...(shown((row) => row.lane.endMs === undefined) ? [{ width: 16, draw: bar('timer', true), name: 'pending at cell end' }] : []),
    ...(shown((row) => lateMsOf(row.lane) !== undefined) ? [{ width: 16, draw: (x: number) => el('rect', { x, y: y - 9, width: 16, height: 11, fill: 'url(#late)' }), name: 'late (due → ran)' }] : []),
    ...(shown((row) => row.lane.runs.length > 0) ? [{ width: 16, draw: (x: number) => el('rect', { x, y: y - 10, width: 16, height: 13, fill: COLOR.run }), name: 'callback running' }] : []),
    ...(shown((row) => row.lane.marks.length > 0) ? [{ width: 10, draw: (x: number) => el('circle', { cx: x + 4.5, cy: y - 4, r: 4.5, fill: COLOR.mark }), name: 'console output' }] : []),
    { width: 16, draw: (x: number) => el('rect', { x, y: y - 11, width: 16, height: 14, fill: COLOR.blocked, 'fill-opacity': BLOCKED_OPACITY }), name: 'event loop blocked' },
  ];
  let x = PAD;
  let line = 0;
  const parts = items.map(({ width, draw, name }) => {
    const size = width + 5 + name.length * 6.2 + 16;
    if (x + size > WIDTH - PAD && x > PAD) [x, line] = [PAD, line + 1];
    const item = el('g', { class: 'legend-item', transform: line > 0 ? `translate(0 ${line * LEGEND_LINE_H})` : undefined }, draw(x), el('text', { x: x + width + 5, y, 'font-size': 11 }, escapeXml(name)));
    x += size;
    return item;
  });
  return { svg: el('g', { class: 'legend' }, ...parts), lines: line + 1 };
}

type Attrs = Record<string, string | number | undefined>;

/** One element; `children` are markup already, so text must pass through `escapeXml` first. */
function el(name: string, attrs: Attrs, ...children: string[]): string {
  const attrText = Object.entries(attrs)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${typeof value === 'number' ? num(value) : escapeXml(value)}"`)
    .join('');
  return children.length === 0 ? `<${name}${attrText}/>` : `<${name}${attrText}>${children.join('')}</${name}>`;
}

/** Hundredths (of a pixel or of opacity): short, and the same string for the same input every time. */
function num(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/**
 * Escapes markup and drops what XML 1.0 forbids outright (console output may carry ANSI colour
 * codes or stray control characters), so the SVG always parses.
 */
function escapeXml(text: string): string {
  const cleaned = text
    .replace(ANSI_ESCAPE, '')
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '');
  return escapeHtml(cleaned);
}
