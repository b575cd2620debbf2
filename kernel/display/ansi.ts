// ANSI colours of IPython's tracebacks, which JupyterLab and the classic Notebook render.
export const RED = '\x1b[0;31m';
export const GREEN = '\x1b[0;32m';
export const CYAN = '\x1b[0;36m';
export const RESET = '\x1b[0m';

/** A source line, indented, with `width` carets under it from `column` (0-based, in code points). */
export function lineWithCarets(source: string, line: number, column: number, width: number, colour = RED): string {
  const text = source.split('\n')[line - 1] ?? '';
  const reset = colour ? RESET : '';
  return `    ${text}\n    ${' '.repeat(column)}${colour}${'^'.repeat(width)}${reset}`;
}
