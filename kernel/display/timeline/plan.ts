import type { TimelineData, TimelineLane } from '../../common/timeline-data';
import { formatDuration } from '../timing-line';

// What both renderings draw: which lanes get a row, the time domain, the merged blocked spans.

/** Rows drawn at most; past it the rest share one "+N more" row, so a chart stays a chart. */
const MAX_ROWS = 40;

export interface Span {
  startMs: number;
  endMs: number;
}

export interface Row {
  lane: TimelineLane;
  /** How many lanes this row stands for: more than 1 on the "+N more" row. */
  merged: number;
  /** Identical lanes (same origin, same times) drawn as this one: the `×N` badge. */
  count: number;
}

/** A callback that ran this much after it was due is late: node's timers are otherwise ~1 ms off. */
export const LATE_MS = 10;
/** Lanes whose times differ by less than this share of the chart look the same: one row, `×N`. */
const SAME_SHARE = 0.02;
/** Callback runs a group keeps for drawing: a thousand 3 µs runs draw as one anyway. */
const MAX_GROUP_RUNS = 100;
/** Writes a dot's tooltip lists. */
export const TOOLTIP_MARKS = 4;
/** Dots drawn on one lane at most. */
export const MAX_DOTS = 20;

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

export function planTimeline(data: TimelineData): Plan {
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
export function lateMsOf(lane: TimelineLane): number | undefined {
  const ran = lane.firedMs ?? lane.endMs;
  if (lane.dueMs === undefined || ran === undefined) return undefined;
  const late = ran - lane.dueMs;
  return late >= LATE_MS ? late : undefined;
}

/** Time its callbacks ran, with the promise reactions they set off. */
export function ranMsOf(lane: TimelineLane): number {
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
export function rowLabel(row: Row): string {
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

export function ticksOf(domainMs: number): { atMs: number; label: string }[] {
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

/** `0 ms` rather than `0 µs` for the start of the cell; otherwise the timing line's format. */
export function formatMs(ms: number): string {
  return ms === 0 ? '0 ms' : formatDuration(ms);
}

export function clamp(ms: number, domainMs: number): number {
  return Math.min(domainMs, Math.max(0, ms));
}

/** Cut to `max` characters (code points, so an emoji is never split), ending in `…` when cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** Colour and cursor codes a program may print; they are no text to a chart. */
export const ANSI_ESCAPE = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** Labels and notes are one line of plain text, whatever was printed, so text columns stay aligned. */
export function oneLine(text: string): string {
  return text.replace(ANSI_ESCAPE, '').replace(/\s+/g, ' ').trim();
}

export function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** What the header's and badges' words mean, under every chart: a saved notebook has no hover. */
export const DEFINITIONS = 'overlap = total waiting ÷ wall · blocked = time your code ran (nothing else could) · ×N = N identical lanes · late = ran after it was due';
