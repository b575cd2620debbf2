// What one cell started and ran, as CellClock records it: its resources by kind, the lanes of its
// timers and I/O, its blocked spans; and what it leaves behind, as the pending list and the chart's lanes.
import { AsyncIdTable } from './async-id-table';
import type { LaneApi, Origin } from './lane-origin';
import type { PendingItem, Span, TimelineLane } from '../../common/timeline-data';

/** One timer or I/O operation a cell started, from creation to the end of its callback. */
export interface Lane extends TimelineLane {
  kind: 'timer' | 'io';
  /** Where it was created, named only when the cell ends. */
  origin: Origin;
  api: LaneApi;
}

type Kind = 'timer' | 'promise' | 'io';

/** Resources node creates for its own bookkeeping, not work the user started. */
const IGNORED = new Set(['TickObject', 'PROMISEWRAP', 'SIGNALWRAP', 'TTYWRAP', 'PIPEWRAP', 'PROCESSWRAP', 'Microtask']);
/** Blocked spans recorded per cell at most, so a cell that runs a million callbacks stays bounded. */
const MAX_SPANS = 10_000;
/** Busy spans closer than this are one span on the chart. */
const SPAN_JOIN_MS = 0.5;
/** How the live-resource table codes a kind: 0 is "not the cell's, or settled". */
export const CODE = { promise: 1, timer: 2, io: 3, interval: 4 } as const;
export const KIND_OF_CODE: readonly Kind[] = ['promise', 'promise', 'timer', 'io', 'timer'];

export function kindOf(type: string): Kind | undefined {
  if (type === 'PROMISE') return 'promise';
  if (type === 'Timeout' || type === 'Immediate') return 'timer';
  return IGNORED.has(type) ? undefined : 'io';
}

export interface TimerResource {
  _idleTimeout?: unknown;
  _repeat?: unknown;
  _destroyed?: boolean;
}

export function apiOf(kind: 'timer' | 'io', type: string, resource: unknown): LaneApi {
  if (kind === 'io' || type !== 'Timeout') return { kind, type };
  const timer = resource as TimerResource;
  const delayMs = typeof timer._idleTimeout === 'number' && timer._idleTimeout >= 0 ? timer._idleTimeout : 1;
  return { kind, type, delayMs, repeats: timer._repeat !== null && timer._repeat !== undefined };
}

export class CellActivity {
  readonly counts = { timer: 0, promise: 0, io: 0 };
  readonly pending = { timer: 0, promise: 0, io: 0 };
  /** The kind code of every resource the cell started that is still pending, by async id. */
  readonly live = new AsyncIdTable();
  /**
   * The timers still pending, to ask at the cell's end whether they were cleared: node reports a
   * cleared timer destroyed only on a later tick, after a cell that clears it last has ended.
   */
  readonly liveTimers = new Map<number, TimerResource>();
  /** The lanes of those that have one (timers and I/O under the cap). */
  readonly liveLanes = new Map<number, Lane>();
  readonly lanes: Lane[] = [];
  lanesDropped = 0;
  /** What ran when, and the printed marks; the spans are kept whether or not the chart is drawn. */
  readonly main: TimelineLane = { label: 'cell', kind: 'main', startMs: 0, runs: [], marks: [] };
  readonly spans: Span[] = [];
  /** Spans past the cap, drawn as part of the last recorded one. */
  spansMerged = 0;
  /** The lane whose callback ran last: its run grows with the reactions it set off, and output they print goes on it. */
  lastFired: Lane | undefined;
  callbackStart: number | undefined;
  /**
   * When a callback that is not the user's (Tempo's own, node's) last started: promise
   * reactions of the cell's that run after it start a new span rather than widen an old one.
   */
  foreignStart: number | undefined;
  /** The cell's promise reactions that ran since its last other callback (see CellClock.reactionStarts). */
  reactions = 0;
  /** The last stack captured for a lane, and for what: later lanes just like it may share it. */
  lastOrigin: { run: number; type: string; delayMs: number | undefined; repeats: boolean | undefined; origin: Origin } | undefined;
  constructor(readonly timeline: boolean) {}

  /** The user's code running since the last span ended has gone on until `endMs`. */
  extendSpan(endMs: number): void {
    const last = this.spans[this.spans.length - 1];
    const foreign = this.foreignStart;
    // Reactions after a callback that is not the user's start where that callback started.
    if (foreign !== undefined && (!last || foreign >= last.endMs)) {
      this.foreignStart = undefined;
      this.addSpan(foreign, endMs);
      return;
    }
    if (last) last.endMs = Math.max(last.endMs, endMs);
    else this.spans.push({ startMs: endMs, endMs });
    this.runReaches(endMs);
  }

  /** The lane whose callback ran last has run (with its reactions) until `endMs`; a timeout or I/O lane ends there. */
  runReaches(endMs: number): void {
    const lane = this.lastFired;
    const run = lane?.runs[lane.runs.length - 1];
    if (!lane || !run) return;
    run.endMs = Math.max(run.endMs, endMs);
    if (!lane.api.repeats && lane.runs.length === 1) lane.endMs = run.endMs;
  }

  /** Past the cap a span widens the last one: blocked time is overstated rather than lost, and the chart says so. */
  addSpan(startMs: number, endMs: number): void {
    const last = this.spans[this.spans.length - 1];
    const joins = last !== undefined && startMs - last.endMs < SPAN_JOIN_MS;
    if (last && (joins || this.spans.length >= MAX_SPANS)) {
      if (!joins) this.spansMerged += 1;
      last.endMs = Math.max(last.endMs, endMs);
    } else this.spans.push({ startMs, endMs });
  }
}

/** Everything a cell recorded but what it still runs, for the pending list: lanes still live, by label. */
export function pendingItems(activity: CellActivity, labels: Map<Lane, string>): PendingItem[] {
  const items = new Map<string, PendingItem>();
  const add = (kind: PendingItem['kind'], label: string | undefined, count: number): void => {
    if (count <= 0) return;
    const key = `${kind}\u0000${label ?? ''}`;
    const item = items.get(key);
    if (item) item.count += count;
    else items.set(key, label === undefined ? { kind, count } : { kind, label, count });
  };
  const named = { timer: 0, io: 0 };
  for (const lane of activity.liveLanes.values()) {
    add(lane.kind, labels.get(lane), 1);
    named[lane.kind] += 1;
  }
  // Past the lane cap there is no origin to name.
  add('timer', undefined, activity.pending.timer - named.timer);
  add('io', undefined, activity.pending.io - named.io);
  add('promise', undefined, activity.pending.promise);
  return [...items.values()];
}

/** What the chart needs of a lane: not its stack nor its API. */
export function drawn(lane: Lane, label: string): TimelineLane {
  const { kind, startMs, dueMs, firedMs, endMs, runs, marks } = lane;
  return { label, kind, startMs, dueMs, firedMs, endMs, runs, marks };
}

/** The union of spans recorded in time order (a span may still overlap the one before it). */
export function totalOf(spans: readonly Span[]): number {
  let total = 0;
  let reached = -Infinity;
  for (const span of spans) {
    const from = Math.max(span.startMs, reached);
    if (span.endMs > from) total += span.endMs - from;
    reached = Math.max(reached, span.endMs);
  }
  return total;
}
