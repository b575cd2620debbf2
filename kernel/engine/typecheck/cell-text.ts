/** Text helpers shared by the checker and the kernel: magic lines, code points, `%types`. */

const MAGIC_LINE = /^(%%?)([A-Za-z_]\w*)([^\n]*)$/gm;
/** `%timeit -n 10 -r 3 ` before the statement (IPython puts the flags first). */
const TIMEIT_FLAGS = /^(?:\s*-[nrp]\s*\d+|\s*-[qo])*\s*/;

/**
 * Magic lines are no TypeScript: blank them with spaces so every line and column stays where the
 * user wrote it. `%time STATEMENT` and `%timeit [flags] STATEMENT` keep their statement, which
 * runs and so is checked; every other magic line (`%%time`, `%timing off`, `%types warn`) goes.
 */
export function blankMagics(code: string): string {
  if (!code.includes('%')) return code;
  return code.replace(MAGIC_LINE, (line: string, percent: string, name: string, rest: string) => {
    if (percent === '%' && (name === 'time' || name === 'timeit') && /^[ \t]/.test(rest)) {
      const flags = name === 'timeit' ? (TIMEIT_FLAGS.exec(rest.trimStart())?.[0].length ?? 0) + (rest.length - rest.trimStart().length) : 0;
      const keep = rest.slice(flags);
      return ' '.repeat(line.length - keep.length) + keep;
    }
    return ' '.repeat(line.length);
  });
}

/** A code-point offset (the protocol's cursor_pos) → a UTF-16 offset (JavaScript's and TypeScript's). */
export function toUtf16(text: string, codePoints: number): number {
  let offset = 0;
  for (let n = 0; n < codePoints && offset < text.length; n++) {
    const unit = text.charCodeAt(offset);
    offset += unit >= 0xd800 && unit <= 0xdbff && offset + 1 < text.length ? 2 : 1;
  }
  return offset;
}

/** A UTF-16 offset → code points. */
export function toCodePoints(text: string, utf16: number): number {
  let count = 0;
  for (let offset = 0; offset < utf16 && offset < text.length; count++) {
    const unit = text.charCodeAt(offset);
    offset += unit >= 0xd800 && unit <= 0xdbff && offset + 1 < text.length ? 2 : 1;
  }
  return count;
}

export type TypesMode = 'error' | 'warn' | 'off';
const TYPES_LINE = /^%types(?:[ \t]+([^\n]*))?$/gm;

/**
 * `%types error|warn|off` lines of a cell, handled by the kernel (the executor treats them as a
 * no-op). The last one wins; `invalid` is the first argument that is none of the three.
 */
export function typesMagic(code: string): { mode?: TypesMode; query: boolean; invalid?: { line: number; args: string } } {
  if (!code.includes('%types')) return { query: false };
  let mode: TypesMode | undefined;
  let query = false;
  for (const match of code.matchAll(TYPES_LINE)) {
    const args = (match[1] ?? '').trim();
    if (args === '') query = true;
    else if (args === 'error' || args === 'warn' || args === 'off') mode = args;
    else return { query, invalid: { line: code.slice(0, match.index).split('\n').length, args } };
  }
  return { mode, query };
}
