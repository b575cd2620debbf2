// What is written above a lane's bar: its figures, and dots for what it printed with some of their text.
import type { TimelineLane } from '../../common/timeline-data';
import { formatDuration } from '../timing-line';
import { formatMs, oneLine, truncate } from './format';
import { LATE_MS, lateOf, ranMsOf } from './lane-times';
import { el, escapeXml } from './svg-markup';
import { COLOR, PAD, PLOT_W, PLOT_X, WIDTH } from './svg-style';

/** Writes a dot's tooltip lists. */
const TOOLTIP_MARKS = 4;
/** Dots drawn on one lane at most. */
const MAX_DOTS = 20;

interface Note {
  text: string;
  /** The dot's x. */
  at: number;
  x: number;
  anchor: 'start' | 'end';
  left: number;
  right: number;
}

type Marks = TimelineLane['marks'];

/** The figures a reader should not have to hover for: how late it ran, and a long callback's time. */
export function svgFigures(lane: TimelineLane, x: (ms: number) => number): Note[] {
  const notes: Note[] = [];
  const late = lateOf(lane);
  if (late !== undefined) notes.push(noteAt(x(late.dueMs), `late by ${formatDuration(late.byMs)}`));
  const ran = ranMsOf(lane);
  const first = lane.runs[0];
  if (first && ran >= LATE_MS) {
    const note = noteAt(x(first.startMs), `ran ${formatDuration(ran)}`);
    if (isClear(note, notes)) notes.push(note);
  }
  return notes;
}

/**
 * A dot per console write, with its text as a tooltip. Writes closer than a few pixels share one
 * dot (five `console.log`s at 0 ms are one event to the eye), and dots get their text written
 * above the bar where there is room for it.
 */
export function svgMarks(lane: TimelineLane, barY: number, x: (ms: number) => number, taken: readonly Note[]): string[] {
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
