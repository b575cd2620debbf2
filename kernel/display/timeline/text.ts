import type { TimelineData } from '../../common/timeline-data';
import { formatDuration } from '../timing-line';
import { DEFINITIONS, clamp, type Row, type Span, formatMs, lateMsOf, planTimeline, ranMsOf, rowLabel, ticksOf, truncate } from './plan';

// The chart in characters, for terminals, logs and the headless runner.

const GLYPH = { main: '─', lane: '━', late: '~', run: '█', more: '┄', mark: '•', pending: '>', blocked: '█', partly: '▒', free: '░' } as const;
/** What the glyphs and words mean, under every text chart. */
const TEXT_LEGEND = `${GLYPH.lane} waiting · ${GLYPH.late} late · ${GLYPH.run} callback running · ${GLYPH.mark} output · ${GLYPH.pending} pending at end · ${DEFINITIONS}`;

/**
 * The same chart in characters: a header, an axis, one line per row and the blocked band (the
 * 40-row cap applies here too), then each lane's figures in a table and the legend, so a saved or
 * printed notebook keeps every number the picture shows.
 */
export function renderTimelineText(data: TimelineData, width = 80, plan = planTimeline(data)): string {
  const labels = plan.rows.map(rowLabel);
  // As wide as the longest label up to 28 characters, and never more than a third of the line.
  const labelWidth = Math.min(28, Math.floor(width / 3), Math.max('blocked'.length, ...labels.map((label) => Array.from(label).length)));
  const columns = Math.max(10, width - labelWidth - 1);
  const column = (ms: number): number => Math.min(columns - 1, Math.floor((clamp(ms, plan.domainMs) / plan.domainMs) * columns));
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

/** Start, due, fired, late by and callback time of every lane shown: what the SVG shows by position. */
export function figuresTable(rows: readonly Row[]): string[] {
  const lanes = rows.filter((row) => row.lane.kind !== 'main' && row.merged === 1);
  if (lanes.length === 0) return [];
  const dash = '–';
  const cells = lanes.map((row) => {
    const { lane } = row;
    const late = lateMsOf(lane);
    return [
      rowLabel(row),
      formatMs(lane.startMs),
      lane.dueMs === undefined ? dash : formatMs(lane.dueMs),
      lane.firedMs !== undefined ? formatMs(lane.firedMs) : lane.endMs === undefined ? 'not yet' : 'never',
      // Worded as in the SVG's label, so the text says `late by 400 ms` too.
      late === undefined ? dash : `late by ${formatDuration(late)}`,
      lane.runs.length === 0 ? dash : formatDuration(ranMsOf(lane)),
    ];
  });
  const header = ['lane', 'start', 'due', 'fired', 'late', 'ran'];
  const widths = header.map((title, index) => Math.max(Array.from(title).length, ...cells.map((cell) => Array.from(cell[index]).length)));
  const line = (cell: string[]): string => cell.map((text, index) => (index === 0 ? text.padEnd(widths[0]) : text.padStart(widths[index]))).join('  ').trimEnd();
  const more = rows.find((row) => row.merged > 1);
  return [line(header), ...cells.map(line), ...(more ? [`(+${more.merged} more lanes not listed)`] : [])];
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
  const late = lateMsOf(lane);
  if (late !== undefined && lane.dueMs !== undefined) line.fill(GLYPH.late, column(lane.dueMs), column(lane.dueMs + late));
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
