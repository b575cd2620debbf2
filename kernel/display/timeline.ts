import type { TimelineData, TimelineLane } from '../timing/timeline-data';
import { escapeHtml } from './html';
import { formatDuration } from './timing-line';

/**
 * `%%timeline`: the event loop of one cell as a Gantt chart, in SVG for notebooks and in
 * characters for terminals and the headless runner. Both renderers share one plan (which lanes get
 * a row, the time domain, the merged blocked spans), so they always tell the same story.
 */

/** Rows drawn at most; past it the rest share one "+N more" row, so a chart stays a chart. */
const MAX_ROWS = 40;

interface Span {
  startMs: number;
  endMs: number;
}

interface Row {
  lane: TimelineLane;
  /** How many lanes this row stands for: more than 1 only on the "+N more" row. */
  merged: number;
}

interface Plan {
  /** Right edge of the chart: the wall time, or later if something was recorded later. */
  domainMs: number;
  rows: Row[];
  /** The blocked spans clipped to the domain, sorted and merged where they overlap. */
  blocked: Span[];
  caption: string;
  droppedNote?: string;
}

// ── shared plan ────────────────────────────────────────────────────────────────────────────

function planTimeline(data: TimelineData): Plan {
  const domainMs = domainOf(data);
  const blocked = unionOf(data.blocked, domainMs);
  const blockedMs = blocked.reduce((sum, span) => sum + span.endMs - span.startMs, 0);
  // Capped data says so: lanes past the cap are missing, spans past it widen the last one.
  const capped = [
    data.droppedLanes > 0 ? `${data.droppedLanes} more ${plural(data.droppedLanes, 'lane')} not recorded` : '',
    data.mergedSpans > 0 ? `${data.mergedSpans} later blocked ${plural(data.mergedSpans, 'span')} drawn as part of the last one` : '',
  ].filter(Boolean);
  const droppedNote = capped.length > 0 ? capped.join('; ') : undefined;
  return {
    domainMs,
    rows: rowsOf(data.lanes),
    blocked,
    // Overlap compares timers and I/O with the wall time: a cell that started none has nothing to compare.
    caption: [`wall ${formatMs(data.wallMs)}`, data.lanes.length > 1 ? `overlap ×${data.overlap.toFixed(1)}` : '', `blocked ${formatMs(blockedMs)}`].filter(Boolean).join(' · '),
    droppedNote,
  };
}

/** The cell's wall time, stretched if anything was recorded later; never zero, to divide by. */
function domainOf(data: TimelineData): number {
  const times = [
    ...data.lanes.flatMap((lane) => [lane.startMs, lane.endMs ?? 0, ...lane.marks.map((mark) => mark.atMs)]),
    ...data.blocked.map((span) => span.endMs),
  ];
  const latest = Math.max(data.wallMs, ...times.filter(Number.isFinite));
  return latest > 0 ? latest : 1;
}

/** Overlapping spans are drawn once and counted once in the caption's blocked total. */
function unionOf(spans: readonly Span[], domainMs: number): Span[] {
  const clipped = spans
    .map((span) => ({ startMs: clamp(span.startMs, domainMs), endMs: clamp(span.endMs, domainMs) }))
    .filter((span) => span.endMs > span.startMs)
    .sort((a, b) => a.startMs - b.startMs);
  const union: Span[] = [];
  for (const span of clipped) {
    const last = union[union.length - 1];
    if (last && span.startMs <= last.endMs) last.endMs = Math.max(last.endMs, span.endMs);
    else union.push({ ...span });
  }
  return union;
}

function rowsOf(lanes: readonly TimelineLane[]): Row[] {
  if (lanes.length <= MAX_ROWS) return lanes.map((lane) => ({ lane, merged: 1 }));
  const rest = lanes.slice(MAX_ROWS - 1);
  return [...lanes.slice(0, MAX_ROWS - 1).map((lane) => ({ lane, merged: 1 })), { lane: envelopeOf(rest), merged: rest.length }];
}

/** The "+N more" row: one bar from the first start to the last end, pending if any lane is. */
function envelopeOf(lanes: readonly TimelineLane[]): TimelineLane {
  const pending = lanes.some((lane) => lane.endMs === undefined);
  return {
    label: `+${lanes.length} more`,
    kind: 'other',
    startMs: Math.min(...lanes.map((lane) => lane.startMs)),
    endMs: pending ? undefined : Math.max(...lanes.map((lane) => lane.endMs ?? 0)),
    runs: [],
    marks: [],
  };
}

/** 1-2-5×10^k: the steps a person counts in, about six of them across the chart. */
function tickStep(domainMs: number): number {
  const raw = domainMs / 6;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * magnitude).find((step) => step >= raw * (1 - 1e-9)) ?? 10 * magnitude;
}

function ticksOf(domainMs: number): { atMs: number; label: string }[] {
  const step = tickStep(domainMs);
  // Seconds once the cell lasts one, with as many decimals as the step needs (0.2 s, 0.05 s).
  const [unit, scale] = domainMs >= 1000 ? ['s', 1000] : ['ms', 1];
  const decimals = Math.max(0, Math.ceil(-Math.log10(step / scale) - 1e-9));
  const ticks = [];
  // Multiply rather than accumulate, so 0.1 + 0.2 never drifts a tick off its label.
  for (let k = 0; k * step <= domainMs * (1 + 1e-9); k++) {
    ticks.push({ atMs: k * step, label: k === 0 ? '0' : `${((k * step) / scale).toFixed(decimals)} ${unit}` });
  }
  return ticks;
}

// ── SVG ────────────────────────────────────────────────────────────────────────────────────

const WIDTH = 720;
const PAD = 12;
const LABEL_CHARS = 22;
const PLOT_X = 172;
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
} as const;
/** Enough to read as a band on #111 without hiding the bars beneath it on white. */
const BLOCKED_OPACITY = 0.3;

const KIND_NAMES: Record<TimelineLane['kind'], string> = { main: 'cell code', timer: 'timer', io: 'I/O', other: 'other' };

/** The chart as a standalone SVG document, 720 px wide and as tall as its rows need. */
export function renderTimelineSvg(data: TimelineData): string {
  const plan = planTimeline(data);
  const rowsBottom = AXIS_Y + 6 + plan.rows.length * ROW_H;
  const notes = [
    plan.rows.some((row) => row.merged > 1) ? `Showing ${plan.rows.length - 1} of ${data.lanes.length} lanes; the last row merges the other ${plan.rows[plan.rows.length - 1].merged}.` : '',
    plan.droppedNote ? `${capitalize(plan.droppedNote)} (over the recording cap).` : '',
  ].filter(Boolean);
  const height = rowsBottom + 34 + notes.length * 16;
  const summary = `Event-loop timeline: ${plan.caption} · ${data.lanes.length} ${plural(data.lanes.length, 'lane')}`;
  const x = (ms: number): number => PLOT_X + (clamp(ms, plan.domainMs) / plan.domainMs) * PLOT_W;
  const body = [
    el('title', {}, escapeXml(summary)),
    el('text', { x: PAD, y: 18, 'font-size': 13 }, escapeXml(plan.caption)),
    svgAxis(plan.domainMs, x, rowsBottom),
    // Under the rows: the band tints every row, while bars stay crisp and marks keep their tooltips.
    ...plan.blocked.map((span) => svgBlocked(span, x, rowsBottom)),
    ...plan.rows.map((row, index) => svgRow(row, index, x)),
    svgLegend(plan.rows, rowsBottom + 22),
    ...notes.map((note, index) => el('text', { class: 'note', x: PAD, y: rowsBottom + 44 + index * 16, 'font-size': 11 }, escapeXml(note))),
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
  const label = truncate(oneLine(lane.label), LABEL_CHARS);
  const parts = [
    // Faint stripes on every other row guide the eye from label to bar; #888 at low opacity works on any theme.
    index % 2 === 1 ? el('rect', { x: PAD - 4, y: top, width: WIDTH - 2 * PAD + 8, height: ROW_H, fill: COLOR.text, 'fill-opacity': 0.07 }) : '',
    el(
      'text',
      { x: PAD, y: barY + 8, 'font-weight': lane.kind === 'main' ? 'bold' : undefined, 'font-style': row.merged > 1 ? 'italic' : undefined },
      escapeXml(label),
      label === oneLine(lane.label) ? '' : el('title', {}, escapeXml(lane.label)),
    ),
    svgBar(row, barY, x),
    ...svgMarks(lane, barY, x),
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
function svgMarks(lane: TimelineLane, barY: number, x: (ms: number) => number): string[] {
  const clusters = clustersOf(lane.marks, x);
  const dots = clusters.map((cluster) => {
    const tooltip = cluster.map((mark) => `${formatMs(mark.atMs)}: ${mark.text}`).join('\n');
    return el('circle', { class: 'mark', cx: x(cluster[0].atMs), cy: barY + 4.5, r: 4.5, fill: COLOR.mark }, el('title', {}, escapeXml(tooltip)));
  });
  const notes = placeNotes(clusters, x).map((note) =>
    el('text', { class: 'mark-note', x: note.x, y: barY - 3, 'font-size': 10, 'text-anchor': note.anchor }, escapeXml(note.text)),
  );
  return [...dots, ...notes];
}

type Marks = TimelineLane['marks'];

function clustersOf(marks: Marks, x: (ms: number) => number): Marks[] {
  const sorted = [...marks].sort((a, b) => a.atMs - b.atMs);
  const clusters: Marks[] = [];
  for (const mark of sorted) {
    const last = clusters[clusters.length - 1];
    if (last && x(mark.atMs) - x(last[0].atMs) <= 6) last.push(mark);
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
 * note. Shared dots then also say how many more writes they hold, if all of them have room.
 */
function placeNotes(clusters: readonly Marks[], x: (ms: number) => number): Note[] {
  const order = clusters.length > 1 ? [clusters[0], clusters[clusters.length - 1], ...clusters.slice(1, -1)] : clusters;
  const placed: { cluster: Marks; note: Note }[] = [];
  for (const cluster of order) {
    const note = noteAt(x(cluster[0].atMs), truncate(oneLine(cluster[0].text), 32));
    if (isClear(note, placed.map((other) => other.note))) placed.push({ cluster, note });
  }
  const counted = placed.map(({ cluster, note }) => (cluster.length > 1 ? noteAt(note.at, `${note.text} (+${cluster.length - 1})`) : note));
  // All or none: one dot saying "(+1)" would suggest its neighbours hold a single write each.
  const allClear = counted.every((note, index) => isClear(note, counted.slice(index + 1)));
  return (allClear ? counted : placed.map(({ note }) => note)).sort((a, b) => a.left - b.left);
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
function svgLegend(rows: readonly Row[], y: number): string {
  const shown = (test: (row: Row) => boolean): boolean => rows.some((row) => row.merged === 1 && test(row));
  const bar = (kind: TimelineLane['kind'], pending: boolean) => (x: number) => el('rect', { x, y: y - 8, width: 16, height: 8, rx: 2, ...barStyle(kind, pending) });
  const items: { width: number; draw: (x: number) => string; name: string }[] = [
    ...(['main', 'timer', 'io', 'other'] as const).filter((kind) => shown((row) => row.lane.kind === kind)).map((kind) => ({ width: 16, draw: bar(kind, false), name: KIND_NAMES[kind] })),
    ...(shown((row) => row.lane.endMs === undefined) ? [{ width: 16, draw: bar('timer', true), name: 'pending at cell end' }] : []),
    ...(shown((row) => row.lane.marks.length > 0) ? [{ width: 10, draw: (x: number) => el('circle', { cx: x + 4.5, cy: y - 4, r: 4.5, fill: COLOR.mark }), name: 'console output' }] : []),
    { width: 16, draw: (x: number) => el('rect', { x, y: y - 11, width: 16, height: 14, fill: COLOR.blocked, 'fill-opacity': BLOCKED_OPACITY }), name: 'event loop blocked' },
  ];
  let x = PAD;
  const parts = items.map(({ width, draw, name }) => {
    const item = el('g', { class: 'legend-item' }, draw(x), el('text', { x: x + width + 5, y, 'font-size': 11 }, escapeXml(name)));
    x += width + 5 + name.length * 6.2 + 16;
    return item;
  });
  return el('g', { class: 'legend' }, ...parts);
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

// ── text ───────────────────────────────────────────────────────────────────────────────────

const GLYPH = { main: '─', lane: '━', more: '┄', mark: '•', pending: '>', blocked: '█', partly: '▒', free: '░' } as const;

/**
 * The same chart in characters: a header, an axis, one line per row and the blocked band, at most
 * rows + 3 lines (the 40-row cap applies here too).
 */
export function renderTimelineText(data: TimelineData, width = 72): string {
  const plan = planTimeline(data);
  const labels = plan.rows.map((row) => oneLine(row.lane.label));
  // As wide as the longest label up to 20 characters, and never more than a third of the line.
  const labelWidth = Math.min(20, Math.floor(width / 3), Math.max('blocked'.length, ...labels.map((label) => Array.from(label).length)));
  const columns = Math.max(10, width - labelWidth - 1);
  const column = (ms: number): number => Math.min(columns - 1, Math.floor((clamp(ms, plan.domainMs) / plan.domainMs) * columns));
  const pad = (label: string): string => truncate(label, labelWidth).padEnd(labelWidth + 1);
  return [
    [plan.caption, plan.droppedNote].filter(Boolean).join(' · '),
    ' '.repeat(labelWidth + 1) + textAxis(plan.domainMs, columns, column),
    ...plan.rows.map((row, index) => pad(labels[index]) + textBar(row, columns, column)),
    pad('blocked') + textBlocked(plan.blocked, plan.domainMs, columns),
  ].join('\n');
}

/** Tick labels start at their tick's column; one that would overlap its neighbour is left out. */
function textAxis(domainMs: number, columns: number, column: (ms: number) => number): string {
  const line = Array<string>(columns).fill(' ');
  let free = 0;
  for (const tick of ticksOf(domainMs)) {
    const start = Math.min(column(tick.atMs), columns - tick.label.length);
    if (start < free) continue;
    line.splice(start, tick.label.length, ...tick.label);
    free = start + tick.label.length + 1;
  }
  return line.join('').trimEnd();
}

function textBar(row: Row, columns: number, column: (ms: number) => number): string {
  const { lane } = row;
  const line = Array<string>(columns).fill(' ');
  const glyph = row.merged > 1 ? GLYPH.more : lane.kind === 'main' ? GLYPH.main : GLYPH.lane;
  const end = lane.endMs === undefined ? columns - 1 : column(lane.endMs);
  line.fill(glyph, column(lane.startMs), end + 1);
  if (lane.endMs === undefined) line[columns - 1] = GLYPH.pending;
  for (const mark of lane.marks) line[column(mark.atMs)] = GLYPH.mark;
  return line.join('').trimEnd();
}

/** `█` where the loop was blocked most of a column's time, `▒` where only part of it, `░` where free. */
function textBlocked(blocked: readonly Span[], domainMs: number, columns: number): string {
  const share = Array<number>(columns).fill(0);
  const msPerColumn = domainMs / columns;
  for (const span of blocked) {
    const first = Math.floor(span.startMs / msPerColumn);
    const last = Math.min(columns - 1, Math.floor(span.endMs / msPerColumn));
    for (let c = first; c <= last; c++) {
      const overlap = Math.min(span.endMs, (c + 1) * msPerColumn) - Math.max(span.startMs, c * msPerColumn);
      share[c] += Math.max(0, overlap) / msPerColumn;
    }
  }
  return share.map((s) => (s >= 0.5 ? GLYPH.blocked : s > 0 ? GLYPH.partly : GLYPH.free)).join('');
}

// ── bundle and small helpers ───────────────────────────────────────────────────────────────

/** The display_data bundle for `%%timeline`: SVG for notebooks, text for terminals and logs. */
export function timelineBundle(data: TimelineData): Record<string, string> {
  return { 'image/svg+xml': renderTimelineSvg(data), 'text/plain': renderTimelineText(data) };
}

/** `0 ms` rather than `0 µs` for the start of the cell; otherwise the timing line's format. */
function formatMs(ms: number): string {
  return ms === 0 ? '0 ms' : formatDuration(ms);
}

function clamp(ms: number, domainMs: number): number {
  return Math.min(domainMs, Math.max(0, ms));
}

/** Cut to `max` characters (code points, so an emoji is never split), ending in `…` when cut. */
function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** Colour and cursor codes a program may print; they are no text to a chart. */
const ANSI_ESCAPE = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** Labels and notes are one line of plain text, whatever was printed, so text columns stay aligned. */
function oneLine(text: string): string {
  return text.replace(ANSI_ESCAPE, '').replace(/\s+/g, ' ').trim();
}

function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
