import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import type { ErrorContent } from '../protocol/messages';
import { CYAN, GREEN, RED, RESET, lineWithCarets } from './ansi';

export interface TracebackFrame {
  functionName: string | null;
  file: string;
  line: number;
  column: number;
  cellSource?: string;
}

const RULE = '-'.repeat(75);
const CONTEXT = 2;

/**
 * An `error` message's content in IPython's shape: a header, one entry per frame (outermost
 * first, "most recent call last"), each naming the cell and its TypeScript line with context,
 * then `Name: message`. Colours are ANSI, which JupyterLab and the classic notebook render.
 */
export function formatError(name: string, message: string, frames: readonly TracebackFrame[]): ErrorContent {
  const header = `${RED}${RULE}${RESET}\n${RED}${name}${RESET}${' '.repeat(Math.max(1, 42 - name.length))}Traceback (most recent call last)`;
  const entries = collapseRepeats([...frames].reverse()).map((group) =>
    group.count === 1 ? formatFrame(group.frame) : `    [... skipping similar frames: ${group.frame.functionName ?? '<anonymous>'} at line ${group.frame.line} (${group.count - 1} times)]\n`,
  );
  const last = `${RED}${name}${RESET}: ${message}`;
  // With no frame to show (an interrupt, a value thrown by a callback of node's), the header would frame nothing.
  return { ename: name, evalue: message, traceback: entries.length > 0 ? [header, ...entries, last] : [last] };
}

/** An error before the cell runs (syntax, magic usage): the cell and line, that line and a caret under the column. */
export function formatCompileError(ename: string, cellName: string, source: string, line: number, column: number, message: string): ErrorContent {
  const location = `${GREEN}Cell ${cellName}, line ${line}${RESET}`;
  return { ename, evalue: message, traceback: [`${location}\n${lineWithCarets(source, line, column, 1)}`, `${RED}${ename}${RESET}: ${message}`] };
}

/** `throw "text"` or `throw {code: 1}`: no stack, so the value is all there is to show. */
export function describeThrown(value: unknown): { name: string; message: string } {
  if (value instanceof Error) return { name: value.name || 'Error', message: value.message };
  if (typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string') {
    return { name: String((value as { name: string }).name), message: String((value as { message?: unknown }).message ?? '') };
  }
  return { name: 'Uncaught', message: inspect(value) };
}

/** Deep recursion repeats one frame many times; show it once and count the rest, as IPython does. */
function collapseRepeats(frames: TracebackFrame[]): { frame: TracebackFrame; count: number }[] {
  const groups: { frame: TracebackFrame; count: number }[] = [];
  for (const frame of frames) {
    const last = groups[groups.length - 1]?.frame;
    if (last && last.file === frame.file && last.line === frame.line && last.functionName === frame.functionName) groups[groups.length - 1].count += 1;
    else groups.push({ frame, count: 1 });
  }
  return groups.flatMap((group) => (group.count > 2 ? [{ frame: group.frame, count: 1 }, { frame: group.frame, count: group.count }] : Array.from({ length: group.count }, () => ({ frame: group.frame, count: 1 }))));
}

function formatFrame(frame: TracebackFrame): string {
  const where = frame.functionName ? `, in ${frame.functionName}` : '';
  if (frame.cellSource !== undefined) {
    return `${GREEN}Cell ${frame.file}, line ${frame.line}${RESET}${where}\n${context(frame.cellSource, frame.line)}\n`;
  }
  return `${GREEN}File ${frame.file}:${frame.line}${RESET}${where}\n${context(readSource(frame.file), frame.line)}\n`;
}

function context(source: string | undefined, line: number): string {
  if (source === undefined) return '';
  const lines = source.split('\n');
  const first = Math.max(1, line - CONTEXT);
  const last = Math.min(lines.length, line + CONTEXT);
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const gutter = n === line ? `${GREEN}---->${RESET} ${n}` : `${CYAN}${String(n).padStart(6)}${RESET}`;
    out.push(`${gutter} ${lines[n - 1]}`);
  }
  return out.join('\n');
}

function readSource(file: string): string | undefined {
  try {
    return readFileSync(file.startsWith('file://') ? new URL(file) : file, 'utf8');
  } catch {
    return undefined;
  }
}
