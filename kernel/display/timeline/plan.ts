// The plan both renderings draw from (which lanes get a row, the time domain, the merged blocked
// spans), so the SVG and the text always tell the same story.
import type { Span, TimelineData, TimelineLane } from '../../common/timeline-data';
import { formatDuration } from '../timing-line';
import { oneLine, plural } from './format';
import { lateOf } from './lane-times';

/** Rows drawn at most; past it the rest share one "+N more" row, so a chart stays a chart. */
const MAX_ROWS = 40;
/** Lanes whose times differ by less than this share of the chart look the same: one row, `×N`. */
const SAME_SHARE = 0.02;
/** Callback runs a group keeps for drawing: a thousand 3 µs runs draw as one anyway. */
const MAX_GROUP_RUNS = 100;

export interface Row {
  lane: TimelineLane;
  /** How many lanes this row stands for: more than 1 on the "+N more" row. */
  merged: number;
  /** Identical lanes (same origin, same times) drawn as this one: the `×N` badge. */
  count: number;
}

export interface Plan {
  /** Right edge of the chart: the wall time, or later if something was recorded later. */
  domainMs: number;
  rows: Row[];
  /** The blocked spans clipped to the domain, sorted and merged where they overlap. */
  blocked: Span[];
  caption: string;
  droppedNote?: string;
}

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

/** Where `ms` falls across the chart, from 0 at the cell's start to 1 at the domain's end. */
export function fractionOf(ms: number, domainMs: number): number {
  return clamp(ms, domainMs) / domainMs;
}

/** What a row is called: its origin, with the ×N badge of a group. */
export function rowLabel(row: Row): string {
  return row.count > 1 ? `${oneLine(row.lane.label)} ×${row.count}` : oneLine(row.lane.label);
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
    a.kind !== 'main' && near(since(a, a.dueMs), since(b, b.dueMs)) && (a.endMs === undefined) === (b.endMs === undefined) && (lateOf(a) === undefined) === (lateOf(b) === undefined);
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

function clamp(ms: number, domainMs: number): number {
  return Math.min(domainMs, Math.max(0, ms));
}
