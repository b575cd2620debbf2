/** What `%%timeline` draws: everything in milliseconds since the cell started. */
export interface TimelineData {
  wallMs: number;
  /** Lane 0 is the cell's own code ("main"); then one lane per timer or I/O operation it started. */
  lanes: TimelineLane[];
  /** Spans when the cell's code ran and the event loop could do nothing else. */
  blocked: { startMs: number; endMs: number }[];
  /** Sum of the timer and I/O lanes' durations over wall time. */
  overlap: number;
  /** Lanes not recorded because the cell started more than the cap. */
  droppedLanes: number;
  /** Blocked spans past the recording cap, drawn as part of the last recorded one. */
  mergedSpans: number;
}

export interface TimelineLane {
  /** The text it printed first, its callback's name, or what it is (`setTimeout 1000 ms`). */
  label: string;
  kind: 'main' | 'timer' | 'io' | 'other';
  startMs: number;
  /** Absent when it was still pending at the cell's end. */
  endMs?: number;
  /** console output printed while this lane's callback (or what it resolved) ran. */
  marks: { atMs: number; text: string }[];
}
