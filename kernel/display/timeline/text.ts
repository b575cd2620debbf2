import type { Span, TimelineData } from '../../common/timeline-data';
import { DEFINITIONS, figuresTable } from './figures';
import { truncate } from './format';
import { lateOf } from './lane-times';
import { fractionOf, planTimeline, rowLabel, type Row } from './plan';
import { ticksOf } from './ticks';

const GLYPH = { main: '─', lane: '━', late: '~', run: '█', more: '┄', mark: '•', pending: '>', blocked: '█', partly: '▒', free: '░' } as const;
/** What the glyphs and words mean, under every text chart. */
const TEXT_LEGEND = `${GLYPH.lane} waiting · ${GLYPH.late} late · ${GLYPH.run} callback running · ${GLYPH.mark} output · ${GLYPH.pending} pending at end · ${DEFINITIONS}`;

/**
 * The chart in characters, for terminals and the headless runner: a header, an axis, one line per
 * row and the blocked band (the 40-row cap applies here too), then each lane's figures in a table
 * and the legend, so a saved or printed notebook keeps every number the picture shows.
 */
export function renderTimelineText(data: TimelineData, width = 80, plan = planTimeline(data)): string {
  const labels = plan.rows.map(rowLabel);
  // As wide as the longest label up to 28 characters, and never more than a third of the line.
  const labelWidth = Math.min(28, Math.floor(width / 3), Math.max('blocked'.length, ...labels.map((label) => Array.from(label).length)));
  const columns = Math.max(10, width - labelWidth - 1);
  const column = (ms: number): number => Math.min(columns - 1, Math.floor(fractionOf(ms, plan.domainMs) * columns));
  const pad = (label: string): string => truncate(label, labelWidth).padEnd(labelWidth + 1);
  const table = figuresTable(plan.rows);
  return [
    [plan.caption, plan.droppedNote].filter(Boolean).join(' · '),
    ' '.repeat(labelWidth + 1) + textAxis(plan.domainMs, columns, column),
    ...plan.rows.map((row, index) => pad(labels[index]) + textBar(row, columns, column, plan.domainMs)),
    pad('blocked') + textBlocked(plan.blocked, plan.domainMs, columns),
    ...(table.length > 0 ? ['', ...table] : []),
    ...wrap(TEXT_LEGEND.split(' · '), ' · ', width),
  ].join('\n');
}

/** The pieces joined by `separator` into lines of at most `width` characters where they fit. */
function wrap(pieces: readonly string[], separator: string, width: number): string[] {
  const lines: string[] = [];
  for (const piece of pieces) {
    const last = lines[lines.length - 1];
    if (last !== undefined && Array.from(last + separator + piece).length <= width) lines[lines.length - 1] = last + separator + piece;
    else lines.push(piece);
  }
  return lines;
}

/** Tick labels start at their tick's column; one that would overlap its neighbour is left out. */
function textAxis(domainMs: number, columns: number, column: (ms: number) => number): string {
  const line = Array<string>(columns).fill(' ');
  let free = 0;
  for (const tick of ticksOf(domainMs)) {
    const start = Math.min(column(tick.atMs), columns - tick.label.length);
    if (start < free) continue;
    line.splice(start, tick.label.length, ...tick.label);
    free = start + tick.label.length + 1;
  }
  return line.join('').trimEnd();
}

function textBar(row: Row, columns: number, column: (ms: number) => number, domainMs: number): string {
  const { lane } = row;
  const line = Array<string>(columns).fill(' ');
  const glyph = row.merged > 1 ? GLYPH.more : lane.kind === 'main' ? GLYPH.main : GLYPH.lane;
  const end = lane.endMs === undefined ? columns - 1 : column(lane.endMs);
  line.fill(glyph, column(lane.startMs), end + 1);
  const late = lateOf(lane);
  if (late !== undefined) line.fill(GLYPH.late, column(late.dueMs), column(late.dueMs + late.byMs));
  // Only runs that fill half a column: a 0.1 ms callback would hide the dot of what it printed.
  for (const run of lane.runs) if (run.endMs - run.startMs >= domainMs / columns / 2) line.fill(GLYPH.run, column(run.startMs), column(run.endMs) + 1);
  if (lane.endMs === undefined) line[columns - 1] = GLYPH.pending;
  for (const mark of lane.marks) line[column(mark.atMs)] = GLYPH.mark;
  return line.join('').trimEnd();
}

/** `█` where the loop was blocked most of a column's time, `▒` where only part of it, `░` where free. */
function textBlocked(blocked: readonly Span[], domainMs: number, columns: number): string {
  const share = Array<number>(columns).fill(0);
  const msPerColumn = domainMs / columns;
  for (const span of blocked) {
    const first = Math.floor(span.startMs / msPerColumn);
    const last = Math.min(columns - 1, Math.floor(span.endMs / msPerColumn));
    for (let c = first; c <= last; c++) {
      const overlap = Math.min(span.endMs, (c + 1) * msPerColumn) - Math.max(span.startMs, c * msPerColumn);
      share[c] += Math.max(0, overlap) / msPerColumn;
    }
  }
  return share.map((s) => (s >= 0.5 ? GLYPH.blocked : s > 0 ? GLYPH.partly : GLYPH.free)).join('');
}
