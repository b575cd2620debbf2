import { formatDuration } from '../timing-line';

/** `0 ms` rather than `0 µs` for the start of the cell; otherwise the timing line's format. */
export function formatMs(ms: number): string {
  return ms === 0 ? '0 ms' : formatDuration(ms);
}

/** Cut to `max` characters (code points, so an emoji is never split), ending in `…` when cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** Colour and cursor codes a program may print; they are no text to a chart. */
export const ANSI_ESCAPE = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** Labels and notes are one line of plain text, whatever was printed, so text columns stay aligned. */
export function oneLine(text: string): string {
  return text.replace(ANSI_ESCAPE, '').replace(/\s+/g, ' ').trim();
}

export function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
