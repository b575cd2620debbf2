import { createHook, executionAsyncId, type AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { CODE, CellActivity, KIND_OF_CODE, apiOf, drawn, kindOf, pendingItems, totalOf, type Lane, type TimerResource } from './cell-activity';
import { captureOrigin, describeOrigin, type IsUserFile, type LaneApi, type Origin } from './lane-origin';
import type { CellTiming, TimelineData } from '../../common/timeline-data';

/** Lanes recorded per cell at most, so a cell that starts a million timers stays bounded. */
const MAX_LANES = 10_000;
/** Callback runs recorded per lane (an interval ticking for minutes); later ones widen the last. */
const MAX_RUNS = 100;
/** Lanes per cell that each get a stack of their own (see CellClock.originOf). */
const EXACT_ORIGINS = 100;
/** Promise reactions in a row whose ends are read one by one; past them, one tick reads where the run ended. */
const REACTIONS_TIMED = 4;

/** Queued to run right after a long run of promise reactions: its before hook does the work. */
const noop = (): void => undefined;

/**
 * Measures a cell with node's own machinery: wall and CPU clocks, async_hooks for the timers,
 * promises and I/O the cell started (AsyncLocalStorage tells whose they are, through every
 * callback and await) and for when the user's code ran, which is the "blocked" figure.
 *
 * The hooks run for every promise, so a cell awaiting 10,000 promise chains calls them some
 * 160,000 times: per promise they do no allocation (a byte in an AsyncIdTable) and read no clock.
 * A timer or I/O operation costs one clock read and a captured stack (named when the cell ends).
 */
export class CellClock {
  private current: { parent: string; activity: CellActivity; startMs: number; cpu: NodeJS.CpuUsage } | undefined;

  private readonly hook: ReturnType<typeof createHook>;

  constructor(
    private readonly origin: AsyncLocalStorage<string>,
    private readonly isUserFile: IsUserFile,
  ) {
    const init = (asyncId: number, type: string, _trigger: number, resource: unknown): void => {
      const current = this.current;
      if (!current || this.origin.getStore() !== current.parent) return;
      const kind = kindOf(type);
      if (!kind) return;
      const activity = current.activity;
      activity.counts[kind] += 1;
      activity.pending[kind] += 1;
      if (kind === 'promise') {
        activity.live.set(asyncId, CODE.promise);
        return;
      }
      const api = apiOf(kind, type, resource);
      activity.live.set(asyncId, api.repeats ? CODE.interval : CODE[kind]);
      if (kind === 'timer') activity.liveTimers.set(asyncId, resource as TimerResource);
      if (activity.lanes.length < MAX_LANES) {
        const startMs = performance.now() - current.startMs;
        const dueMs = api.delayMs === undefined ? undefined : startMs + api.delayMs;
        const lane: Lane = { kind, label: '', startMs, dueMs, runs: [], marks: [], origin: this.originOf(activity, api, init), api };
        activity.lanes.push(lane);
        activity.liveLanes.set(asyncId, lane);
      } else activity.lanesDropped += 1;
    };
    this.hook = createHook({
      init,
      before: (asyncId) => {
        const current = this.current;
        if (!current) return;
        const code = current.activity.live.get(asyncId);
        if (code === CODE.promise) {
          this.reactionStarts(current.activity);
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
    this.current = { parent, activity: new CellActivity(timeline), startMs: performance.now(), cpu: process.cpuUsage() };
  }

  /** The cell's synchronous part has returned (its first `await`, or its end): one blocked span. */
  syncDone(): void {
    const current = this.current;
    if (current) current.activity.addSpan(0, this.now());
  }

  /** Output the running cell printed, placed on the lane of the callback that printed it. Never renames it. */
  mark(text: string): void {
    const current = this.current;
    if (!current?.activity.timeline || this.origin.getStore() !== current.parent) return;
    const activity = current.activity;
    const lane = activity.lastFired ?? activity.main;
    lane.marks.push({ atMs: this.now(), text: text.replace(/\n$/, '') });
  }

  /** Ends the measurement; with the timeline on, also what it draws. */
  end(): { timing: CellTiming; timeline?: TimelineData } | undefined {
    const current = this.current;
    if (!current) return undefined;
    const wallMs = this.now();
    const activity = current.activity;
    // A long run of reactions still going (this is one of them): its tick would come too late.
    if (activity.reactions > REACTIONS_TIMED) activity.extendSpan(wallMs);
    for (const [asyncId, timer] of activity.liveTimers) {
      if (timer._destroyed !== true) continue;
      this.endLane(asyncId);
      this.forget(asyncId);
    }
    this.current = undefined;
    this.hook.disable();
    const cpu = process.cpuUsage(current.cpu);
    const { counts, lanes, lanesDropped, main, spans, spansMerged, timeline } = activity;
    const labels = this.labelsOf(activity, timeline);
    const laneTotal = lanes.reduce((sum, lane) => sum + ((lane.endMs ?? wallMs) - lane.startMs), 0);
    const overlap = wallMs > 0 ? laneTotal / wallMs : 0;
    const blockedMs = Math.min(wallMs, totalOf(spans));
    return {
      timeline: timeline
        ? {
            wallMs,
            lanes: [{ ...main, endMs: wallMs }, ...lanes.map((lane) => drawn(lane, labels.get(lane) ?? ''))],
            blocked: spans,
            blockedMs,
            overlap,
            droppedLanes: lanesDropped,
            mergedSpans: spansMerged,
          }
        : undefined,
      timing: {
        wallMs,
        blockedMs,
        cpuUserMs: cpu.user / 1000,
        cpuSystemMs: cpu.system / 1000,
        timers: counts.timer,
        promises: counts.promise,
        io: counts.io,
        pending: pendingItems(activity, labels),
        overlap,
      },
    };
  }

  /**
   * Where a lane was created. A stack capture costs ~5 µs, several times a timer's own cost, so
   * only the cell's first EXACT_ORIGINS lanes get one each; past them, a lane of the same kind and
   * delay as the one before it, made in the same synchronous run (a loop making 10,000 timers),
   * shares that one's capture. Such a lane from another site with the same delay is then named
   * after the first: a cell that starts hundreds of timers gets ×N groups, not exact names.
   */
  private originOf(activity: CellActivity, api: LaneApi, skipAbove: (...args: never[]) => unknown): Origin {
    const run = executionAsyncId();
    const last = activity.lastOrigin;
    if (activity.lanes.length >= EXACT_ORIGINS && last && last.run === run && last.type === api.type && last.delayMs === api.delayMs && last.repeats === api.repeats) return last.origin;
    const origin = captureOrigin(skipAbove);
    activity.lastOrigin = { run, type: api.type, delayMs: api.delayMs, repeats: api.repeats, origin };
    return origin;
  }

  /**
   * Names every lane when the chart is drawn, else only those still pending (the timing line
   * names them). Lanes that share a capture and an API share the label, read once.
   */
  private labelsOf(activity: CellActivity, timeline: boolean): Map<Lane, string> {
    const labels = new Map<Lane, string>();
    const read = new Map<Origin, Map<string, string>>();
    for (const lane of timeline ? activity.lanes : activity.liveLanes.values()) {
      const key = `${lane.api.type} ${lane.api.delayMs} ${lane.api.repeats}`;
      let byApi = read.get(lane.origin);
      if (!byApi) read.set(lane.origin, (byApi = new Map()));
      let label = byApi.get(key);
      if (label === undefined) byApi.set(key, (label = describeOrigin(lane.origin, lane.api, this.isUserFile)));
      labels.set(lane, label);
    }
    return labels;
  }

  /** Milliseconds since the cell began; only called while one is measured. */
  private now(): number {
    return performance.now() - (this.current?.startMs ?? 0);
  }

  /**
   * Before a timer's, an I/O operation's or any other callback: one clock read, shared by the
   * blocked span it starts (only for the cell's own resources: Tempo's and node's own work is
   * not blocked time), the end of a run of promise reactions before it, and the lane's run.
   * A timeout has fired: it is no longer pending; an interval stays pending until cleared.
   */
  private callbackStarts(asyncId: number, code: number): void {
    const activity = this.current?.activity;
    if (!activity) return;
    const at = this.now();
    if (activity.reactions > REACTIONS_TIMED) activity.extendSpan(at);
    activity.reactions = 0;
    if (code === 0) {
      // The cell's own ticks (process.nextTick, a stream's write callback) carry on its story; a
      // callback of Tempo's or node's own (no cell in its context) is not the user's code.
      if (this.origin.getStore() !== this.current?.parent) {
        activity.foreignStart = at;
        activity.lastFired = undefined;
      }
      return;
    }
    const lane = activity.liveLanes.get(asyncId);
    activity.foreignStart = undefined;
    activity.callbackStart = at;
    activity.lastFired = lane;
    if (lane) {
      lane.firedMs ??= at;
      if (lane.runs.length < MAX_RUNS) lane.runs.push({ startMs: at, endMs: at });
    }
    if (code === CODE.timer) this.forget(asyncId);
  }

  private callbackEnds(): void {
    const activity = this.current?.activity;
    if (!activity) return;
    const start = activity.callbackStart;
    if (start !== undefined) {
      activity.callbackStart = undefined;
      const end = this.now();
      activity.addSpan(start, end);
      activity.runReaches(end);
    } else if (activity.reactions > 0 && activity.reactions <= REACTIONS_TIMED) activity.extendSpan(this.now());
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

  /** Destroyed (a cleared timer or interval, a closed handle) before its lane ended: it ends now. */
  private endLane(asyncId: number): void {
    const lane = this.current?.activity.liveLanes.get(asyncId);
    if (lane && lane.endMs === undefined) lane.endMs = this.now();
  }

  /** No longer pending: resolved, fired (a timeout) or destroyed. */
  private forget(asyncId: number): void {
    const activity = this.current?.activity;
    const code = activity?.live.delete(asyncId);
    if (!activity || !code) return;
    activity.pending[KIND_OF_CODE[code]] -= 1;
    if (code === CODE.timer || code === CODE.interval) activity.liveTimers.delete(asyncId);
    if (code !== CODE.promise) activity.liveLanes.delete(asyncId);
  }
}
