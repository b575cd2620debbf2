import { createHook, executionAsyncId, type AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { AsyncIdTable } from './async-id-table';
import type { PendingItem, TimelineData, TimelineLane } from './timeline-data';

/** What the timing line and execute_reply metadata report for one cell. */
export interface CellTiming {
  wallMs: number;
  /**
   * Time the thread ran the user's code (the cell's body, the callbacks it started and their
   * promise reactions), during which the event loop could run nothing else. Tempo's own work is
   * not in it. The same figure as TimelineData.blockedMs.
   */
  blockedMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  timers: number;
  promises: number;
  io: number;
  /** What the cell started and left running, grouped by origin (Tempo's own work never counts). */
  pending: PendingItem[];
  /** Total waiting over wall time: ×5 when five one-second sleeps overlap. */
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
/** Promise reactions in a row whose ends are read one by one; past them, one tick reads where the run ended. */
const REACTIONS_TIMED = 4;
/** How the live-resource table codes a kind: 0 is "not the cell's, or settled". */
const CODE = { promise: 1, timer: 2, io: 3 } as const;
const KIND_OF_CODE: readonly Kind[] = ['promise', 'promise', 'timer', 'io'];

function kindOf(type: string): Kind | undefined {
  if (type === 'PROMISE') return 'promise';
  if (type === 'Timeout' || type === 'Immediate') return 'timer';
  return IGNORED.has(type) ? undefined : 'io';
}

class CellActivity {
  readonly counts = { timer: 0, promise: 0, io: 0 };
  readonly pending = { timer: 0, promise: 0, io: 0 };
  /** The kind code of every resource the cell started that is still pending, by async id. */
  readonly live = new AsyncIdTable();
  /**
   * The timers still pending, to ask at the cell's end whether they were cleared: node reports a
   * cleared timer destroyed only on a later tick, after a cell that clears it last has ended.
   */
  readonly liveTimers = new Map<number, { _destroyed?: boolean }>();
  /** The lanes of those that have one (timers and I/O under the cap). */
  readonly liveLanes = new Map<number, Lane>();
  readonly lanes: Lane[] = [];
  lanesDropped = 0;
  /** Only with the timeline on: what ran when, and the printed marks. */
  readonly main: TimelineLane = { label: 'cell', kind: 'main', startMs: 0, runs: [], marks: [] };
  readonly spans: { startMs: number; endMs: number }[] = [];
  /** Spans past the cap, drawn as part of the last recorded one. */
  spansMerged = 0;
  /** The lane whose callback ran last: output from the promises it resolved belongs to it. */
  lastFired: Lane | undefined;
  callbackStart: number | undefined;
  /** The cell's promise reactions that ran since its last other callback (see reactionStarts). */
  reactions = 0;
  constructor(readonly timeline: boolean) {}
}

/** Queued to run right after a long run of promise reactions: its before hook does the work. */
const noop = (): void => undefined;

function timerLabel(resource: unknown): string {
  const delay = (resource as { _idleTimeout?: unknown })._idleTimeout;
  return typeof delay === 'number' && delay >= 0 ? `setTimeout ${delay} ms` : 'setImmediate';
}

/**
 * Measures a cell with node's own machinery: wall and CPU clocks, event-loop utilisation for the
 * time the loop was blocked, and async_hooks for the timers, promises and I/O the cell started
 * (AsyncLocalStorage tells whose they are, through every callback and await).
 *
 * The hooks run for every promise, so a cell awaiting 10,000 promise chains calls them some
 * 160,000 times: per promise they do no allocation (a byte in an AsyncIdTable) and read no clock.
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
        activity.pending[kind] += 1;
        activity.live.set(asyncId, CODE[kind]);
        if (kind === 'promise') return;
        if (kind === 'timer') activity.liveTimers.set(asyncId, resource as { _destroyed?: boolean });
        if (activity.lanes.length < MAX_LANES) {
          const lane: Lane = { kind, label: kind === 'timer' ? timerLabel(resource) : type, startMs: performance.now() - current.startMs, runs: [], marks: [] };
          activity.lanes.push(lane);
          activity.liveLanes.set(asyncId, lane);
        } else activity.lanesDropped += 1;
      },
      before: (asyncId) => {
        const current = this.current;
        if (!current) return;
        const code = current.activity.live.get(asyncId);
        if (code === CODE.promise) {
          if (current.activity.timeline) this.reactionStarts(current.activity);
        } else this.callbackStarts(asyncId, code);
      },
      after: () => this.callbackEnds(),
      promiseResolve: (asyncId) => this.forget(asyncId),
      destroy: (asyncId) => {
        this.endLane(asyncId);
        this.forget(asyncId);
      },
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
    if (current?.activity.timeline) this.addSpan(current.activity, 0, this.now());
  }

  /** Output the running cell printed, placed on the lane of the callback that printed it. */
  mark(text: string): void {
    const current = this.current;
    if (!current?.activity.timeline || this.origin.getStore() !== current.parent) return;
    const activity = current.activity;
    const lane = activity.liveLanes.get(executionAsyncId()) ?? activity.lastFired ?? activity.main;
    if (lane.marks.length === 0 && lane.kind !== 'main') lane.label = text.trim().slice(0, 60) || lane.label;
    lane.marks.push({ atMs: this.now(), text: text.replace(/\n$/, '') });
  }

  /** Ends the measurement; with the timeline on, also what it draws. */
  end(): { timing: CellTiming; timeline?: TimelineData } | undefined {
    const current = this.current;
    if (!current) return undefined;
    const wallMs = this.now();
    const activity = current.activity;
    // A long run of reactions still going (this is one of them): its tick would come too late.
    if (activity.reactions > REACTIONS_TIMED) this.extendSpan(activity, wallMs);
    for (const [asyncId, timer] of activity.liveTimers) if (timer._destroyed === true) this.forget(asyncId);
    this.current = undefined;
    this.hook.disable();
    const cpu = process.cpuUsage(current.cpu);
    const elu = performance.eventLoopUtilization(current.elu);
    const { counts, pending, lanes, lanesDropped, main, spans, spansMerged, timeline } = activity;
    const laneTotal = lanes.reduce((sum, lane) => sum + ((lane.endMs ?? wallMs) - lane.startMs), 0);
    const overlap = wallMs > 0 ? laneTotal / wallMs : 0;
    return {
      timeline: timeline ? { wallMs, lanes: [{ ...main, endMs: wallMs }, ...lanes], blocked: spans, blockedMs: Math.min(wallMs, elu.active), overlap, droppedLanes: lanesDropped, mergedSpans: spansMerged } : undefined,
      timing: {
        wallMs,
        blockedMs: Math.min(wallMs, elu.active),
        cpuUserMs: cpu.user / 1000,
        cpuSystemMs: cpu.system / 1000,
        timers: counts.timer,
        promises: counts.promise,
        io: counts.io,
        pending: (['timer', 'io', 'promise'] as const).filter((kind) => pending[kind] > 0).map((kind) => ({ kind, count: pending[kind] })),
        overlap,
      },
    };
  }

  /** Milliseconds since the cell began; only called while one is measured. */
  private now(): number {
    return performance.now() - (this.current?.startMs ?? 0);
  }

  /**
   * Before a timer's, an I/O operation's or node's own callback: at most one clock read, shared
   * by the blocked span it starts, the end of a run of promise reactions before it, and the lane
   * its first callback ends. A timer has fired: it is no longer pending. No AsyncLocalStorage
   * lookup: any code running while the cell is measured blocks the loop just the same.
   */
  private callbackStarts(asyncId: number, code: number): void {
    const activity = this.current?.activity;
    if (!activity) return;
    const lane = code === 0 ? undefined : activity.liveLanes.get(asyncId);
    const laneEnds = lane !== undefined && lane.endMs === undefined;
    if (activity.timeline || laneEnds) {
      const at = this.now();
      if (laneEnds) lane.endMs = at;
      if (activity.timeline) {
        if (activity.reactions > REACTIONS_TIMED) this.extendSpan(activity, at);
        activity.reactions = 0;
        activity.callbackStart = at;
        if (lane) activity.lastFired = lane;
      }
    }
    if (code === CODE.timer) this.forget(asyncId);
  }

  private callbackEnds(): void {
    const activity = this.current?.activity;
    if (!activity?.timeline) return;
    const start = activity.callbackStart;
    if (start !== undefined) {
      activity.callbackStart = undefined;
      this.addSpan(activity, start, this.now());
    } else if (activity.reactions > 0 && activity.reactions <= REACTIONS_TIMED) this.extendSpan(activity, this.now());
  }

  /**
   * Promise reactions are microtasks: node runs them right after the callback (or the cell's
   * synchronous part) that queued them, back to back until none is left, so they extend that
   * callback's blocked span and need no clock read to start. The first few read their end; a
   * longer run (10,000 chains are one run of 40,000) queues one tick instead, which node runs once
   * the microtask queue is empty: its before hook reads when the run ended (callbackStarts).
   */
  private reactionStarts(activity: CellActivity): void {
    activity.reactions += 1;
    if (activity.reactions === REACTIONS_TIMED + 1) process.nextTick(noop);
  }

  /** The code running since the last span ended has gone on until `endMs`. */
  private extendSpan(activity: CellActivity, endMs: number): void {
    const last = activity.spans[activity.spans.length - 1];
    if (last) last.endMs = Math.max(last.endMs, endMs);
    else activity.spans.push({ startMs: endMs, endMs });
  }

  /** Past the cap a span widens the last one: blocked time is overstated rather than lost, and the chart says so. */
  private addSpan(activity: CellActivity, startMs: number, endMs: number): void {
    const last = activity.spans[activity.spans.length - 1];
    const joins = last !== undefined && startMs - last.endMs < SPAN_JOIN_MS;
    if (last && (joins || activity.spans.length >= MAX_SPANS)) {
      if (!joins) activity.spansMerged += 1;
      last.endMs = Math.max(last.endMs, endMs);
    } else activity.spans.push({ startMs, endMs });
  }

  /** Destroyed before its first callback (a cleared timer, a closed handle): its lane ends now. */
  private endLane(asyncId: number): void {
    const lane = this.current?.activity.liveLanes.get(asyncId);
    if (lane && lane.endMs === undefined) lane.endMs = this.now();
  }

  /** No longer pending: resolved, fired (a timer) or destroyed. */
  private forget(asyncId: number): void {
    const activity = this.current?.activity;
    const code = activity?.live.delete(asyncId);
    if (!activity || !code) return;
    activity.pending[KIND_OF_CODE[code]] -= 1;
    if (code !== CODE.promise) activity.liveLanes.delete(asyncId);
    if (code === CODE.timer) activity.liveTimers.delete(asyncId);
  }
}
