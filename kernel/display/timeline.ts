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
  /** How many lanes this row stands for: more than 1 on the "+N more" row. */
  merged: number;
  /** Identical lanes (same origin, same times) drawn as this one: the `×N` badge. */
  count: number;
}

/** A callback that ran this much after it was due is late: node's timers are otherwise ~1 ms off. */
const LATE_MS = 10;
/** Lanes whose times differ by less than this share of the chart look the same: one row, `×N`. */
const SAME_SHARE = 0.02;
/** Callback runs a group keeps for drawing: a thousand 3 µs runs draw as one anyway. */
const MAX_GROUP_RUNS = 100;
/** Writes a dot's tooltip lists. */
const TOOLTIP_MARKS = 4;
/** Dots drawn on one lane at most. */
const MAX_DOTS = 20;

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
  // Capped data says so: lanes past the cap are missing, spans past it widen the last one.
  const capped = [
    data.droppedLanes > 0 ? `${data.droppedLanes} more ${plural(data.droppedLanes, 'lane')} not recorded` : '',
    data.mergedSpans > 0 ? `${data.mergedSpans} later blocked ${plural(data.mergedSpans, 'span')} drawn as part of the last one` : '',
  ].filter(Boolean);
  const droppedNote = capped.length > 0 ? capped.join('; ') : undefined;
  return {
    domainMs,
    rows: rowsOf(groupsOf(data.lanes, domainMs)),
    blocked,
    // Overlap compares timers and I/O with the wall time: a cell that started none has nothing to compare.
    // Blocked is the timing line's own figure, printed the same way, so the two always agree.
    caption: [`wall ${formatDuration(data.wallMs)}`, data.lanes.length > 1 ? `overlap ×${data.overlap.toFixed(1)}` : '', `blocked ${formatDuration(data.blockedMs)}`].filter(Boolean).join(' · '),
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

/**
 * Late by how much, when it counts as late: from due to when its callback ran, or to when it was
 * cleared if it never ran (an interval the thread was too busy to tick). Undefined when on time or
 * still waiting.
 */
function lateMsOf(lane: TimelineLane): number | undefined {
  const ran = lane.firedMs ?? lane.endMs;
  if (lane.dueMs === undefined || ran === undefined) return undefined;
  const late = ran - lane.dueMs;
  return late >= LATE_MS ? late : undefined;
}

/** Time its callbacks ran, with the promise reactions they set off. */
function ranMsOf(lane: TimelineLane): number {
  return lane.runs.reduce((sum, run) => sum + run.endMs - run.startMs, 0);
}

/**
 * Identical lanes become one row marked ×N: 1,000 `sleep(50)` started in one loop are one lane,
 * not a thousand. Identical is the same origin and kind, the same delay (within a hair of the
 * chart's width), both late or both not, both pending or both not, each started close to the lane
 * before it: a burst of them. Lanes come
 * in creation order, so each is compared with the last group of its origin only.
 */
function groupsOf(lanes: readonly TimelineLane[], domainMs: number): { lane: TimelineLane; count: number }[] {
  const hair = domainMs * SAME_SHARE;
  const near = (a: number | undefined, b: number | undefined): boolean => (a === undefined ? b === undefined : b !== undefined && Math.abs(a - b) <= hair);
  const since = (lane: TimelineLane, ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms - lane.startMs);
  const alike = (a: TimelineLane, b: TimelineLane): boolean =>
    a.kind !== 'main' && near(since(a, a.dueMs), since(b, b.dueMs)) && (a.endMs === undefined) === (b.endMs === undefined) && (lateMsOf(a) === undefined) === (lateMsOf(b) === undefined);
  const groups: { lane: TimelineLane; count: number; lastStartMs: number }[] = [];
  const lastOf = new Map<string, (typeof groups)[number]>();
  for (const lane of lanes) {
    const key = `${lane.kind}\u0000${lane.label}`;
    const last = lastOf.get(key);
    if (last && near(last.lastStartMs, lane.startMs) && alike(last.lane, lane)) {
      last.count += 1;
      last.lastStartMs = lane.startMs;
      // The row spans the burst, holds every member's output and callbacks, and is pending while one is.
      const endMs = last.lane.endMs === undefined || lane.endMs === undefined ? undefined : Math.max(last.lane.endMs, lane.endMs);
      const runs = last.lane.runs.length < MAX_GROUP_RUNS ? [...last.lane.runs, ...lane.runs] : last.lane.runs;
      last.lane = { ...last.lane, endMs, runs, marks: lane.marks.length > 0 ? [...last.lane.marks, ...lane.marks] : last.lane.marks };
      continue;
    }
    const group = { lane, count: 1, lastStartMs: lane.startMs };
    groups.push(group);
    lastOf.set(key, group);
  }
  return groups;
}

function rowsOf(groups: readonly { lane: TimelineLane; count: number }[]): Row[] {
  const row = ({ lane, count }: { lane: TimelineLane; count: number }): Row => ({ lane, count, merged: 1 });
  if (groups.length <= MAX_ROWS) return groups.map(row);
  const rest = groups.slice(MAX_ROWS - 1);
  const merged = rest.reduce((sum, group) => sum + group.count, 0);
  return [...groups.slice(0, MAX_ROWS - 1).map(row), { lane: envelopeOf(rest.map((group) => group.lane), merged), merged, count: 1 }];
}

/** What a row is called: its origin, with the ×N badge of a group. */
function rowLabel(row: Row): string {
  return row.count > 1 ? `${oneLine(row.lane.label)} ×${row.count}` : oneLine(row.lane.label);
}

/** The "+N more" row: one bar from the first start to the last end, pending if any lane is. */
function envelopeOf(lanes: readonly TimelineLane[], count: number): TimelineLane {
  const pending = lanes.some((lane) => lane.endMs === undefined);
  return {
    label: `+${count} more`,
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

const WIDTH = 760;
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

/** What the header's and badges' words mean, under every chart: a saved notebook has no hover. */
const DEFINITIONS = 'overlap = total waiting ÷ wall · blocked = time your code ran (nothing else could) · ×N = N identical lanes · late = ran after it was due';

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

// ── text ───────────────────────────────────────────────────────────────────────────────────

const GLYPH = { main: '─', lane: '━', late: '~', run: '█', more: '┄', mark: '•', pending: '>', blocked: '█', partly: '▒', free: '░' } as const;
/** What the glyphs and words mean, under every text chart. */
const TEXT_LEGEND = `${GLYPH.lane} waiting · ${GLYPH.late} late · ${GLYPH.run} callback running · ${GLYPH.mark} output · ${GLYPH.pending} pending at end · ${DEFINITIONS}`;

/**
 * The same chart in characters: a header, an axis, one line per row and the blocked band (the
 * 40-row cap applies here too), then each lane's figures in a table and the legend, so a saved or
 * printed notebook keeps every number the picture shows.
 */
export function renderTimelineText(data: TimelineData, width = 80, plan = planTimeline(data)): string {
  const labels = plan.rows.map(rowLabel);
  // As wide as the longest label up to 28 characters, and never more than a third of the line.
  const labelWidth = Math.min(28, Math.floor(width / 3), Math.max('blocked'.length, ...labels.map((label) => Array.from(label).length)));
  const columns = Math.max(10, width - labelWidth - 1);
  const column = (ms: number): number => Math.min(columns - 1, Math.floor((clamp(ms, plan.domainMs) / plan.domainMs) * columns));
  const pad = (label: string): string => truncate(label, labelWidth).padEnd(labelWidth + 1);
  const table = figuresTable(plan.rows);
  return [
    [plan.caption, plan.droppedNote].filter(Boolean).join(' · '),
    ' '.repeat(labelWidth + 1) + textAxis(plan.domainMs, columns, column),
    ...plan.rows.map((row, index) => pad(labels[index]) + textBar(row, columns, column, plan.domainMs)),
    pad('blocked') + textBlocked(plan.blocked, plan.domainMs, columns),
    ...(table.length > 0 ? ['', ...table] : []),
    ...wrap(TEXT_LEGEND.split(' · '), ' · ', width),
  ].join('\n');
}

/** The pieces joined by `separator` into lines of at most `width` characters where they fit. */
function wrap(pieces: readonly string[], separator: string, width: number): string[] {
  const lines: string[] = [];
  for (const piece of pieces) {
    const last = lines[lines.length - 1];
    if (last !== undefined && Array.from(last + separator + piece).length <= width) lines[lines.length - 1] = last + separator + piece;
    else lines.push(piece);
  }
  return lines;
}

/** Start, due, fired, late by and callback time of every lane shown: what the SVG shows by position. */
function figuresTable(rows: readonly Row[]): string[] {
  const lanes = rows.filter((row) => row.lane.kind !== 'main' && row.merged === 1);
  if (lanes.length === 0) return [];
  const dash = '–';
  const cells = lanes.map((row) => {
    const { lane } = row;
    const late = lateMsOf(lane);
    return [
      rowLabel(row),
      formatMs(lane.startMs),
      lane.dueMs === undefined ? dash : formatMs(lane.dueMs),
      lane.firedMs !== undefined ? formatMs(lane.firedMs) : lane.endMs === undefined ? 'not yet' : 'never',
      // Worded as in the SVG's label, so the text says `late by 400 ms` too.
      late === undefined ? dash : `late by ${formatDuration(late)}`,
      lane.runs.length === 0 ? dash : formatDuration(ranMsOf(lane)),
    ];
  });
  const header = ['lane', 'start', 'due', 'fired', 'late', 'ran'];
  const widths = header.map((title, index) => Math.max(Array.from(title).length, ...cells.map((cell) => Array.from(cell[index]).length)));
  const line = (cell: string[]): string => cell.map((text, index) => (index === 0 ? text.padEnd(widths[0]) : text.padStart(widths[index]))).join('  ').trimEnd();
  const more = rows.find((row) => row.merged > 1);
  return [line(header), ...cells.map(line), ...(more ? [`(+${more.merged} more lanes not listed)`] : [])];
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

function textBar(row: Row, columns: number, column: (ms: number) => number, domainMs: number): string {
  const { lane } = row;
  const line = Array<string>(columns).fill(' ');
  const glyph = row.merged > 1 ? GLYPH.more : lane.kind === 'main' ? GLYPH.main : GLYPH.lane;
  const end = lane.endMs === undefined ? columns - 1 : column(lane.endMs);
  line.fill(glyph, column(lane.startMs), end + 1);
  const late = lateMsOf(lane);
  if (late !== undefined && lane.dueMs !== undefined) line.fill(GLYPH.late, column(lane.dueMs), column(lane.dueMs + late));
  // Only runs that fill half a column: a 0.1 ms callback would hide the dot of what it printed.
  for (const run of lane.runs) if (run.endMs - run.startMs >= domainMs / columns / 2) line.fill(GLYPH.run, column(run.startMs), column(run.endMs) + 1);
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
