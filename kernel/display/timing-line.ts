import type { CellTiming } from '../common/timeline-data';
import type { PendingItem } from '../common/timeline-data';
import { escapeHtml } from './html';

/** `1.00 s`, `12.3 ms`, `450 µs`: three significant figures, as a person reads a stopwatch. */
export function formatDuration(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 1) return `${ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2)} ms`;
  return `${Math.round(ms * 1000)} µs`;
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

/** Below this wall time a share of it says little: a 2 ms cell that declares functions is "99% blocked". */
const SHARE_FROM_WALL_MS = 100;
/** Origins named per kind in the pending list; the rest are counted. */
const NAMED_PENDING = 3;

/**
 * What the cell left running: `2 timers (sleep(700), sleep(500))`, `1 I/O (fs.readFile)`.
 * Promises only when nothing else is pending: a forgotten `sleep(400)` leaves a timer and the
 * promise waiting on it, and the promise adds nothing.
 */
function pendingText(pending: readonly PendingItem[]): string {
  const kinds = pending.some((item) => item.kind !== 'promise') ? (['timer', 'io'] as const) : (['promise'] as const);
  return kinds
    .map((kind) => {
      const items = pending.filter((item) => item.kind === kind);
      const count = items.reduce((sum, item) => sum + item.count, 0);
      if (count === 0) return '';
      const labels = items.filter((item) => item.label).map((item) => (item.count > 1 ? `${item.label} ×${item.count}` : item.label));
      const shown = labels.slice(0, NAMED_PENDING).join(', ') + (labels.length > NAMED_PENDING ? ', …' : '');
      const counted = kind === 'io' ? `${count} I/O` : plural(count, kind);
      return shown ? `${counted} (${shown})` : counted;
    })
    .filter(Boolean)
    .join(', ');
}

/**
 * The one-line summary under a cell: `⏱ 1.00 s wall · event loop blocked 2 ms · 5 timers,
 * overlap ×5.0`, plus what was still pending when the cell ended (a forgotten `await`).
 */
export function timingText(timing: CellTiming): string {
  const parts = [`⏱ ${formatDuration(timing.wallMs)} wall`];
  const share = timing.wallMs >= SHARE_FROM_WALL_MS ? ` (${Math.round((timing.blockedMs / timing.wallMs) * 100)}%)` : '';
  parts.push(`event loop blocked ${formatDuration(timing.blockedMs)}${share}`);
  const started = [timing.timers > 0 ? plural(timing.timers, 'timer') : '', timing.io > 0 ? `${timing.io} I/O` : ''].filter(Boolean).join(', ');
  if (started) parts.push(timing.overlap >= 1.5 ? `${started}, overlap ×${timing.overlap.toFixed(1)}` : started);
  const pending = pendingText(timing.pending);
  if (pending) parts.push(`still pending: ${pending}`);
  return parts.join(' · ');
}

/** MIME bundle for the timing line: small and muted in JupyterLab's light and dark themes. `label` says what ran (an interact run's values). */
export function timingBundle(timing: CellTiming, label?: string): Record<string, string> {
  return lineBundle(label ? `${label} · ${timingText(timing)}` : timingText(timing));
}

/** The line of a cell whose executor died under it: only the kernel's own clock is left. */
export function restartTimingBundle(wallMs: number): Record<string, string> {
  return lineBundle(`⏱ ${formatDuration(wallMs)} wall · the executor restarted: no event-loop figures`);
}

function lineBundle(text: string): Record<string, string> {
  const style = 'font-family: var(--jp-code-font-family, monospace); font-size: 11px; line-height: 1.4; color: var(--jp-ui-font-color2, #888);';
  return { 'text/plain': text, 'text/html': `<div class="tempo-timing" style="${style}">${escapeHtml(text)}</div>` };
}
