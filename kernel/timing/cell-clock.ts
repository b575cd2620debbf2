import { createHook, executionAsyncId, type AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { TimelineData, TimelineLane } from './timeline-data';

/** What the timing line and execute_reply metadata report for one cell. */
export interface CellTiming {
  wallMs: number;
  /** Time the event loop spent running code rather than waiting (ELU active): nothing else could run. */
  blockedMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  timers: number;
  promises: number;
  io: number;
  pendingTimers: number;
  pendingPromises: number;
  pendingIo: number;
  /** Sum of timer and I/O durations over wall time: ×5 when five one-second sleeps overlap. */
  overlap: number;
}

/** One timer or I/O operation a cell started, from creation to its first callback. */
interface Lane extends TimelineLane {
  kind: 'timer' | 'io';
}

type Kind = 'timer' | 'promise' | 'io';

/** Resources node creates for its own bookkeeping, not work the user started. */
const IGNORED = new Set(['TickObject', 'PROMISEWRAP', 'SIGNALWRAP', 'TTYWRAP', 'PIPEWRAP', 'PROCESSWRAP', 'Microtask']);
/** Lanes and blocked spans recorded per cell at most, so a cell that starts a million timers stays bounded. */
const MAX_LANES = 10_000;
const MAX_SPANS = 10_000;
/** Busy spans closer than this are one span on the chart. */
const SPAN_JOIN_MS = 0.5;

function kindOf(type: string): Kind | undefined {
  if (type === 'PROMISE') return 'promise';
  if (type === 'Timeout' || type === 'Immediate') return 'timer';
  return IGNORED.has(type) ? undefined : 'io';
}

class CellActivity {
  readonly counts = { timer: 0, promise: 0, io: 0 };
  readonly live = new Map<number, { kind: Kind; lane?: Lane }>();
  readonly lanes: Lane[] = [];
  lanesDropped = 0;
  /** Only with the timeline on: what ran when, and the printed marks. */
  readonly main: TimelineLane = { label: 'cell', kind: 'main', startMs: 0, marks: [] };
  readonly spans: { startMs: number; endMs: number }[] = [];
  /** The lane whose callback ran last: output from the promises it resolved belongs to it. */
  lastFired: Lane | undefined;
  callbackStart: number | undefined;
  constructor(readonly timeline: boolean) {}
}

function timerLabel(resource: unknown): string {
  const delay = (resource as { _idleTimeout?: unknown })._idleTimeout;
  return typeof delay === 'number' && delay >= 0 ? `setTimeout ${delay} ms` : 'setImmediate';
}

/**
 * Measures a cell with node's own machinery: wall and CPU clocks, event-loop utilisation for the
 * time the loop was blocked, and async_hooks for the timers, promises and I/O the cell started
 * (AsyncLocalStorage tells whose they are, through every callback and await).
 */
export class CellClock {
  private current: { parent: string; activity: CellActivity; startMs: number; cpu: NodeJS.CpuUsage; elu: ReturnType<typeof performance.eventLoopUtilization> } | undefined;

  private readonly hook: ReturnType<typeof createHook>;

  constructor(private readonly origin: AsyncLocalStorage<string>) {
    this.hook = createHook({
      init: (asyncId, type, _trigger, resource) => {
        const current = this.current;
        if (!current || this.origin.getStore() !== current.parent) return;
        const kind = kindOf(type);
        if (!kind) return;
        const activity = current.activity;
        activity.counts[kind] += 1;
        let lane: Lane | undefined;
        if (kind !== 'promise') {
          if (activity.lanes.length < MAX_LANES) {
            lane = { kind, label: kind === 'timer' ? timerLabel(resource) : type, startMs: performance.now() - current.startMs, marks: [] };
            activity.lanes.push(lane);
          } else activity.lanesDropped += 1;
        }
        activity.live.set(asyncId, { kind, lane });
      },
      before: (asyncId) => {
        // First find its lane, then settle it (which forgets a fired timer).
        this.callbackStarts(asyncId);
        this.settle(asyncId, false);
      },
      after: () => this.callbackEnds(),
      promiseResolve: (asyncId) => this.settle(asyncId, true),
      destroy: (asyncId) => this.settle(asyncId, true),
    });
  }

  /** The hooks run only while a cell is measured: between cells they cost nothing. */
  begin(parent: string, timeline: boolean): void {
    this.hook.enable();
    this.current = { parent, activity: new CellActivity(timeline), startMs: performance.now(), cpu: process.cpuUsage(), elu: performance.eventLoopUtilization() };
  }

  /** The cell's synchronous part has returned (its first `await`, or its end): one blocked span. */
  syncDone(): void {
    const current = this.current;
    if (current?.activity.timeline) this.addSpan(current.activity, 0, performance.now() - current.startMs);
  }

  /** Output the running cell printed, placed on the lane of the callback that printed it. */
  mark(text: string): void {
    const current = this.current;
    if (!current?.activity.timeline || this.origin.getStore() !== current.parent) return;
    const activity = current.activity;
    const lane = activity.live.get(executionAsyncId())?.lane ?? activity.lastFired ?? activity.main;
    if (lane.marks.length === 0 && lane.kind !== 'main') lane.label = text.trim().slice(0, 60) || lane.label;
    lane.marks.push({ atMs: performance.now() - current.startMs, text: text.replace(/\n$/, '') });
  }

  /** Ends the measurement; with the timeline on, also what it draws. */
  end(): { timing: CellTiming; timeline?: TimelineData } | undefined {
    const current = this.current;
    if (!current) return undefined;
    this.current = undefined;
    this.hook.disable();
    const wallMs = performance.now() - current.startMs;
    const cpu = process.cpuUsage(current.cpu);
    const elu = performance.eventLoopUtilization(current.elu);
    const { counts, live, lanes, lanesDropped, main, spans, timeline } = current.activity;
    const pending = { timer: 0, promise: 0, io: 0 };
    for (const { kind } of live.values()) pending[kind] += 1;
    const laneTotal = lanes.reduce((sum, lane) => sum + ((lane.endMs ?? wallMs) - lane.startMs), 0);
    const overlap = wallMs > 0 ? laneTotal / wallMs : 0;
    return {
      timeline: timeline ? { wallMs, lanes: [{ ...main, endMs: wallMs }, ...lanes], blocked: spans, overlap, droppedLanes: lanesDropped } : undefined,
      timing: {
        wallMs,
        blockedMs: Math.min(wallMs, elu.active),
        cpuUserMs: cpu.user / 1000,
        cpuSystemMs: cpu.system / 1000,
        timers: counts.timer,
        promises: counts.promise,
        io: counts.io,
        pendingTimers: pending.timer,
        pendingPromises: pending.promise,
        pendingIo: pending.io,
        overlap,
      },
    };
  }

  /**
   * Runs before every callback while the timeline records, promise reactions included, so it is
   * kept cheap: no AsyncLocalStorage lookup (any code running while the cell is measured blocks
   * the loop just the same), one map lookup, one clock read.
   */
  private callbackStarts(asyncId: number): void {
    const current = this.current;
    if (!current?.activity.timeline) return;
    const lane = current.activity.live.get(asyncId)?.lane;
    if (lane) current.activity.lastFired = lane;
    current.activity.callbackStart = performance.now() - current.startMs;
  }

  private callbackEnds(): void {
    const current = this.current;
    const start = current?.activity.callbackStart;
    if (!current || start === undefined) return;
    current.activity.callbackStart = undefined;
    this.addSpan(current.activity, start, performance.now() - current.startMs);
  }

  private addSpan(activity: CellActivity, startMs: number, endMs: number): void {
    const last = activity.spans[activity.spans.length - 1];
    if (last && startMs - last.endMs < SPAN_JOIN_MS) last.endMs = Math.max(last.endMs, endMs);
    else if (activity.spans.length < MAX_SPANS) activity.spans.push({ startMs, endMs });
  }

  /** A timer's first callback ends its lane; it stops being pending once it is resolved or destroyed. */
  private settle(asyncId: number, gone: boolean): void {
    const current = this.current;
    const entry = current?.activity.live.get(asyncId);
    if (!current || !entry) return;
    if (entry.lane && entry.lane.endMs === undefined) entry.lane.endMs = performance.now() - current.startMs;
    if (gone || entry.kind === 'timer') current.activity.live.delete(asyncId);
  }
}
