import type { TimelineLane } from '../../common/timeline-data';

/** A callback that ran this much after it was due is late: node's timers are otherwise ~1 ms off. */
export const LATE_MS = 10;

/**
 * Late by how much, when it counts as late: from due to when its callback ran, or to when it was
 * cleared if it never ran (an interval the thread was too busy to tick). Undefined when on time or
 * still waiting.
 */
export function lateOf(lane: TimelineLane): { dueMs: number; byMs: number } | undefined {
  const ran = lane.firedMs ?? lane.endMs;
  if (lane.dueMs === undefined || ran === undefined) return undefined;
  const late = ran - lane.dueMs;
  return late >= LATE_MS ? { dueMs: lane.dueMs, byMs: late } : undefined;
}

/** Time its callbacks ran, with the promise reactions they set off. */
export function ranMsOf(lane: TimelineLane): number {
  return lane.runs.reduce((sum, run) => sum + run.endMs - run.startMs, 0);
}
