import type { CellTiming } from '../timing/cell-clock';
import { escapeHtml } from './html';

/** `1.00 s`, `12.3 ms`, `450 µs`: three significant figures, as a person reads a stopwatch. */
export function formatDuration(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 1) return `${ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2)} ms`;
  return `${Math.round(ms * 1000)} µs`;
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

/**
 * The one-line summary under a cell: `⏱ 1.00 s wall · event loop blocked 2 ms · 5 timers,
 * overlap ×5.0`, plus what was still pending when the cell ended (a forgotten `await`).
 */
export function timingText(timing: CellTiming): string {
  const parts = [`⏱ ${formatDuration(timing.wallMs)} wall`];
  const share = timing.wallMs > 0 ? timing.blockedMs / timing.wallMs : 0;
  parts.push(`event loop blocked ${formatDuration(timing.blockedMs)}${share >= 0.1 ? ` (${Math.round(share * 100)}%)` : ''}`);
  const started = [timing.timers > 0 ? plural(timing.timers, 'timer') : '', timing.io > 0 ? `${timing.io} I/O` : ''].filter(Boolean).join(', ');
  if (started) parts.push(timing.overlap >= 1.5 ? `${started}, overlap ×${timing.overlap.toFixed(1)}` : started);
  const pending = timing.pending.map((item) => (item.kind === 'io' ? `${item.count} I/O` : plural(item.count, item.kind)));
  if (pending.length > 0) parts.push(`still pending: ${pending.join(', ')}`);
  return parts.join(' · ');
}

/** MIME bundle for the timing line: small and muted in JupyterLab's light and dark themes. */
export function timingBundle(timing: CellTiming): Record<string, string> {
  const text = timingText(timing);
  const style = 'font-family: var(--jp-code-font-family, monospace); font-size: 11px; line-height: 1.4; color: var(--jp-ui-font-color2, #888);';
  return { 'text/plain': text, 'text/html': `<div class="tempo-timing" style="${style}">${escapeHtml(text)}</div>` };
}
