/** A stretch of time, in milliseconds since the cell started. */
export interface Span {
  startMs: number;
  endMs: number;
}

/** What `%%timeline` draws: everything in milliseconds since the cell started. */
export interface TimelineData {
  wallMs: number;
  /** Lane 0 is the cell's own code ("main"); then one lane per timer or I/O operation it started. */
  lanes: TimelineLane[];
  /** Spans when the user's code ran (the cell's body, its callbacks and their promise reactions). */
  blocked: Span[];
  /**
   * The one "blocked" figure: the length of the union of `blocked`. The timing line prints the
   * same number (CellTiming.blockedMs), so the chart's header and the line always agree.
   */
  blockedMs: number;
  /** Total waiting over wall time: the sum of the timer and I/O lanes' lives, divided by wallMs. */
  overlap: number;
  /** Lanes not recorded because the cell started more than the cap. */
  droppedLanes: number;
  /** Blocked spans past the recording cap, drawn as part of the last recorded one. */
  mergedSpans: number;
}

export interface TimelineLane {
  /**
   * Where the user's code created it, never what it printed: `fetchUser · setTimeout 160 ms`,
   * `asyncJob · sleep(1000)` (a helper between the caller and the API), `setInterval 40 ms`,
   * `fs.readFile`; `cell` for lane 0.
   */
  label: string;
  kind: 'main' | 'timer' | 'io' | 'other';
  /** When it was created. */
  startMs: number;
  /** Timers: when the callback was due (creation + delay; an interval's first tick). */
  dueMs?: number;
  /** When its callback first started to run; absent if it never ran. */
  firedMs?: number;
  /**
   * When it stopped being pending: the end of its (first) callback's run for a timeout or an I/O
   * operation, the clearing of an interval, the destruction of one cleared before it fired.
   * Absent when it was still pending at the cell's end.
   */
  endMs?: number;
  /** Its callbacks' synchronous runs, each with the promise reactions it set off (capped per lane). */
  runs: Span[];
  /** Console output printed while this lane's callback (or what it resolved) ran. */
  marks: { atMs: number; text: string }[];
}

/** Something the cell started and left running, named by origin, for "still pending". */
export interface PendingItem {
  kind: 'timer' | 'io' | 'promise';
  /** The lane label of its origin (`sleep(400)`, `setInterval 40 ms`); promises have none. */
  label?: string;
  /** How many pending things share this kind and label. */
  count: number;
}

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
