import { parseCell } from './parse-cell';

/** The global the rewritten magic lines call; the executor defines it. */
export const MAGIC_RUNTIME = '__tempo';

export class MagicUsageError extends Error {
  override readonly name = 'UsageError';
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

/** Line magics that only set something, run by `__tempo.magic(name, args)`. */
export const SETTING_MAGICS = ['timing', 'timeline', 'lsmagic'] as const;
/** `%types error|warn|off` is the kernel's (it checks cells before they reach the executor): a no-op here. */
export const KERNEL_MAGICS = ['types'] as const;
export const LINE_MAGICS = [...SETTING_MAGICS, ...KERNEL_MAGICS, 'time', 'timeit'] as const;
export const CELL_MAGICS = ['time', 'timeit', 'timeline'] as const;

export interface ExpandedCell {
  /** TypeScript with every magic line replaced in place: no line of the cell moves. */
  source: string;
  /** `%%time` or `%%timeline` on the first line: handled around the run, not in the code. */
  cellMagic?: 'time' | 'timeline';
}

const MAGIC_LINE = /^(%%?)([A-Za-z_]\w*)(?:[ \t]+(.*))?$/;

/**
 * IPython's magics, recognised only at the start of a line and never inside a template literal
 * or comment. `%` is also JavaScript's remainder operator: a `%name` line that is no magic we know
 * stays code when the cell parses with it; otherwise it is an unknown magic.
 */
export function expandMagics(source: string): ExpandedCell {
  if (!/^%/m.test(source)) return { source };
  const lines = source.split('\n');
  const candidates = lines.flatMap((text, index) => (MAGIC_LINE.test(text) ? [index] : []));
  const quoted = linesInsideLiterals(lines, candidates);
  let cellMagic: ExpandedCell['cellMagic'];
  let closing = '';
  for (const index of candidates) {
    if (quoted.has(index)) continue;
    const [, percent, name, rawArgs] = MAGIC_LINE.exec(lines[index]) as RegExpExecArray;
    const args = (rawArgs ?? '').trim();
    if (percent === '%%') {
      if (index !== 0) throw new MagicUsageError(`cell magic %%${name} must be on the first line of the cell`, index + 1);
      if (!(CELL_MAGICS as readonly string[]).includes(name)) throw new MagicUsageError(`Cell magic \`%%${name}\` not found (%lsmagic lists them).`, 1);
      if (name === 'timeit') {
        const body = lines.slice(1).join('\n');
        lines[0] = `await ${MAGIC_RUNTIME}.timeit(${arrowFor(body)} {`;
        closing = `\n}, ${JSON.stringify(args)});`;
      } else {
        cellMagic = name as 'time' | 'timeline';
        lines[0] = '';
      }
      continue;
    }
    if (!(LINE_MAGICS as readonly string[]).includes(name)) {
      if (parsesAsCode(lines)) continue;
      throw new MagicUsageError(`Line magic function \`%${name}\` not found (%lsmagic lists them).`, index + 1);
    }
    lines[index] = lineMagicCall(name, args);
  }
  return { source: lines.join('\n') + closing, cellMagic };
}

function lineMagicCall(name: string, args: string): string {
  const runtime = MAGIC_RUNTIME;
  if ((KERNEL_MAGICS as readonly string[]).includes(name)) return '';
  if (name === 'time') {
    if (args === '') return `${runtime}.timeStart(); ${runtime}.timeEnd();`;
    // An expression keeps its value, so `%time f()` still shows f()'s result.
    return isExpression(args) ? `${runtime}.timeEnd((${runtime}.timeStart(), (${args})));` : `${runtime}.timeStart(); ${args}; ${runtime}.timeEnd();`;
  }
  if (name === 'timeit') {
    const { flags, statement } = splitTimeitArgs(args);
    return `await ${runtime}.timeit(${arrowFor(statement)} { ${statement}; }, ${JSON.stringify(flags)});`;
  }
  return `${runtime}.magic(${JSON.stringify(name)}, ${JSON.stringify(args)});`;
}

/** `-n 10 -r 3 -q f()` → flags `-n 10 -r 3 -q`, statement `f()` (flags come first, as in IPython). */
function splitTimeitArgs(args: string): { flags: string; statement: string } {
  const match = /^((?:\s*-[nrp]\s*\d+|\s*-[qo])*)\s*([\s\S]*)$/.exec(args) as RegExpExecArray;
  return { flags: match[1].trim(), statement: match[2] };
}

/** Sync bodies are timed without an await per loop, which would dwarf a fast statement. */
function arrowFor(body: string): string {
  return /\bawait\b/.test(body) ? 'async () =>' : '() =>';
}

function isExpression(code: string): boolean {
  return parseCell(`(${code}\n);`).errors.length === 0 && !/^\s*(const|let|var|class|function|if|for|while|return)\b/.test(code);
}

function parsesAsCode(lines: string[]): boolean {
  return parseCell(lines.join('\n')).errors.length === 0;
}

/** Lines (of `candidates`) that lie inside a template literal or block comment of the cell. */
function linesInsideLiterals(lines: string[], candidates: number[]): Set<number> {
  const starts: number[] = [];
  let offset = 0;
  for (const text of lines) {
    starts.push(offset);
    offset += text.length + 1;
  }
  // Parse with the candidates blanked out, so the rest of the cell is valid code.
  const blanked = lines.map((text, index) => (candidates.includes(index) ? ' '.repeat(text.length) : text)).join('\n');
  const result = parseCell(blanked);
  const ranges: [number, number][] = result.comments.filter((c) => c.type === 'Block').map((c) => [c.start, c.end]);
  collectTemplates(result.program, ranges);
  return new Set(candidates.filter((index) => ranges.some(([start, end]) => starts[index] > start && starts[index] < end)));
}

function collectTemplates(node: unknown, ranges: [number, number][]): void {
  if (Array.isArray(node)) {
    for (const child of node) collectTemplates(child, ranges);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as { type?: string; start?: number; end?: number };
  if (record.type === 'TemplateLiteral' && record.start !== undefined && record.end !== undefined) ranges.push([record.start, record.end]);
  for (const value of Object.values(node)) if (typeof value === 'object') collectTemplates(value, ranges);
}
