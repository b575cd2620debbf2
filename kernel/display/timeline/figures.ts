import { formatDuration } from '../timing-line';
import { formatMs } from './format';
import { lateOf, ranMsOf } from './lane-times';
import { rowLabel, type Row } from './plan';

/** What the header's and badges' words mean, under every chart: a saved notebook has no hover. */
export const DEFINITIONS = 'overlap = total waiting ÷ wall · blocked = time your code ran (nothing else could) · ×N = N identical lanes · late = ran after it was due';

/** Start, due, fired, late by and callback time of every lane shown: what the SVG shows by position. */
export function figuresTable(rows: readonly Row[]): string[] {
  const lanes = rows.filter((row) => row.lane.kind !== 'main' && row.merged === 1);
  if (lanes.length === 0) return [];
  const dash = '–';
  const cells = lanes.map((row) => {
    const { lane } = row;
    const late = lateOf(lane);
    return [
      rowLabel(row),
      formatMs(lane.startMs),
      lane.dueMs === undefined ? dash : formatMs(lane.dueMs),
      lane.firedMs !== undefined ? formatMs(lane.firedMs) : lane.endMs === undefined ? 'not yet' : 'never',
      // Worded as in the SVG's label, so the text says `late by 400 ms` too.
      late === undefined ? dash : `late by ${formatDuration(late.byMs)}`,
      lane.runs.length === 0 ? dash : formatDuration(ranMsOf(lane)),
    ];
  });
  const header = ['lane', 'start', 'due', 'fired', 'late', 'ran'];
  const widths = header.map((title, index) => Math.max(Array.from(title).length, ...cells.map((cell) => Array.from(cell[index]).length)));
  const line = (cell: string[]): string => cell.map((text, index) => (index === 0 ? text.padEnd(widths[0]) : text.padStart(widths[index]))).join('  ').trimEnd();
  const more = rows.find((row) => row.merged > 1);
  return [line(header), ...cells.map(line), ...(more ? [`(+${more.merged} more lanes not listed)`] : [])];
}
