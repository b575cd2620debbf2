import { inspect } from 'node:util';
import type { MimeBundle } from '../protocol/messages';
import { escapeHtml } from './html';

/** Deno's display protocol: an object renders itself by returning a MIME bundle from this method. */
export const DISPLAY_SYMBOL = Symbol.for('Jupyter.display');

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** An array of plain objects is a table: one column per key seen, in order of first appearance. */
function tableHtml(rows: Record<string, unknown>[]): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (value: unknown): string => escapeHtml(typeof value === 'string' ? value : inspect(value, { colors: false, depth: 1, breakLength: Infinity }));
  const head = columns.map((column) => `<th>${escapeHtml(column)}</th>`).join('');
  const body = rows.map((row) => `<tr>${columns.map((column) => `<td>${column in row ? cell(row[column]) : ''}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/**
 * How a value shows in the notebook: its own bundle if it has a `Symbol.for("Jupyter.display")`
 * method (so notebooks written for Deno's kernel look the same), an HTML table for an array of
 * plain objects, and always a text/plain form like node's util.inspect without colours.
 */
export function toMimeBundle(value: unknown): MimeBundle {
  const text = inspect(value, { colors: false });
  if ((typeof value === 'object' || typeof value === 'function') && value !== null) {
    const render = (value as { [DISPLAY_SYMBOL]?: unknown })[DISPLAY_SYMBOL];
    if (typeof render === 'function') {
      const bundle = render.call(value) as MimeBundle;
      return { 'text/plain': text, ...bundle };
    }
    if (Array.isArray(value) && value.length > 0 && value.every(isPlainObject)) {
      return { 'text/plain': text, 'text/html': tableHtml(value as Record<string, unknown>[]) };
    }
  }
  return { 'text/plain': text };
}
