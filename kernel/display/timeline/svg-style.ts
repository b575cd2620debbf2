// The SVG's geometry, colours and fills, shared by its rows, notes and legend.
import type { TimelineLane } from '../../common/timeline-data';
import { el } from './svg-markup';

export const WIDTH = 760;
export const PAD = 12;
export const LABEL_CHARS = 28;
export const PLOT_X = 212;
/** Leaves room right of the plot for a pending lane's arrow and the last tick's label. */
export const PLOT_W = WIDTH - PLOT_X - 32;
export const AXIS_Y = 46;
export const ROW_H = 26;
export const LEGEND_LINE_H = 18;

/**
 * The chart is a white card with dark grey text. An `<img>` does not inherit the page's colours,
 * and no single grey reaches WCAG AA contrast (4.5) on both JupyterLab's white and its dark
 * theme's #111: the old mid-grey on a transparent background measured 3.5 on white
 * (test/e2e/lab-themes.test.mjs measures it in both themes).
 */
export const COLOR = {
  background: '#FFFFFF',
  text: '#555555',
  bar: { main: '#3178C6', timer: '#3178C6', io: '#2A9D8F', other: '#8E6CC9' },
  more: '#888888',
  mark: '#E8A33D',
  blocked: '#D9534F',
  /** Stripes, so late never reads as a longer wait of the lane's own colour. */
  late: '#E8590C',
  /** A callback running is the loop blocked: the band's red, solid on the lane. */
  run: '#C9302C',
} as const;
/** Enough to read as a band without hiding the bars beneath it. */
export const BLOCKED_OPACITY = 0.3;

export const KIND_NAMES: Record<TimelineLane['kind'], string> = { main: 'cell code', timer: 'timer', io: 'I/O', other: 'other' };

export function barStyle(kind: TimelineLane['kind'], pending: boolean): { fill: string; 'fill-opacity': number; stroke: string; 'stroke-dasharray'?: string } {
  const colour = COLOR.bar[kind];
  // The cell's own lane is hollow: it spans the whole cell but only ran in the blocked spans.
  const opacity = kind === 'main' ? 0.3 : pending ? 0.45 : 0.9;
  return { fill: colour, 'fill-opacity': opacity, stroke: colour, 'stroke-dasharray': pending ? '4 3' : undefined };
}

/** The stripes that `url(#late)` fills with. */
export function latePattern(): string {
  const stripe = el('rect', { width: 3, height: 6, fill: COLOR.late });
  return el('defs', {}, el('pattern', { id: 'late', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' }, stripe));
}
