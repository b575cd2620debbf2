import type { TimelineLane } from '../../common/timeline-data';
import { lateOf } from './lane-times';
import type { Row } from './plan';
import { el, escapeXml } from './svg-markup';
import { BLOCKED_OPACITY, COLOR, KIND_NAMES, LEGEND_LINE_H, PAD, WIDTH, barStyle } from './svg-style';

/** One entry per thing the chart shows, so a reader never meets a colour the legend leaves out. */
export function svgLegend(rows: readonly Row[], y: number): { svg: string; lines: number } {
  const shown = (test: (row: Row) => boolean): boolean => rows.some((row) => row.merged === 1 && test(row));
  const bar = (kind: TimelineLane['kind'], pending: boolean) => (x: number) => el('rect', { x, y: y - 8, width: 16, height: 8, rx: 2, ...barStyle(kind, pending) });
  const items: { width: number; draw: (x: number) => string; name: string }[] = [
    ...(['main', 'timer', 'io', 'other'] as const).filter((kind) => shown((row) => row.lane.kind === kind)).map((kind) => ({ width: 16, draw: bar(kind, false), name: KIND_NAMES[kind] })),
    ...(shown((row) => row.lane.endMs === undefined) ? [{ width: 16, draw: bar('timer', true), name: 'pending at cell end' }] : []),
    ...(shown((row) => lateOf(row.lane) !== undefined) ? [{ width: 16, draw: (x: number) => el('rect', { x, y: y - 9, width: 16, height: 11, fill: 'url(#late)' }), name: 'late (due → ran)' }] : []),
    ...(shown((row) => row.lane.runs.length > 0) ? [{ width: 16, draw: (x: number) => el('rect', { x, y: y - 10, width: 16, height: 13, fill: COLOR.run }), name: 'callback running' }] : []),
    ...(shown((row) => row.lane.marks.length > 0) ? [{ width: 10, draw: (x: number) => el('circle', { cx: x + 4.5, cy: y - 4, r: 4.5, fill: COLOR.mark }), name: 'console output' }] : []),
    { width: 16, draw: (x: number) => el('rect', { x, y: y - 11, width: 16, height: 14, fill: COLOR.blocked, 'fill-opacity': BLOCKED_OPACITY }), name: 'event loop blocked' },
  ];
  let x = PAD;
  let line = 0;
  const parts = items.map(({ width, draw, name }) => {
    const size = width + 5 + name.length * 6.2 + 16;
    if (x + size > WIDTH - PAD && x > PAD) [x, line] = [PAD, line + 1];
    const item = el('g', { class: 'legend-item', transform: line > 0 ? `translate(0 ${line * LEGEND_LINE_H})` : undefined }, draw(x), el('text', { x: x + width + 5, y, 'font-size': 11 }, escapeXml(name)));
    x += size;
    return item;
  });
  return { svg: el('g', { class: 'legend' }, ...parts), lines: line + 1 };
}
