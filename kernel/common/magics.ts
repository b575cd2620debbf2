import { parseCell } from './parse-cell';

/** The global the rewritten magic lines call; the executor defines it. */
export const MAGIC_RUNTIME = '__tempo';

/** A magic used wrongly, shown like IPython's UsageError, without a stack; `line` (1-based) when the cell's text is at fault. */
export class MagicUsageError extends Error {
  override readonly name = 'UsageError';
  constructor(message: string, readonly line?: number) {
    super(message);
  }
}

/**
 * Every magic Tempo knows, and who runs it: `setting` magics change the executor's session
 * (`__tempo.magic(name, args)`), `timer` magics are rewritten into timed code, and `kernel` magics
 * are handled by the kernel process before the cell reaches the executor (a no-op there).
 */
const LINE_MAGICS = { lsmagic: 'setting', time: 'timer', timeit: 'timer', timeline: 'setting', timing: 'setting', types: 'kernel' } as const;
const CELL_MAGICS = { time: 'around', timeit: 'timer', timeline: 'around' } as const;

const isLineMagic = (name: string): name is keyof typeof LINE_MAGICS => Object.hasOwn(LINE_MAGICS, name);
const isCellMagic = (name: string): name is keyof typeof CELL_MAGICS => Object.hasOwn(CELL_MAGICS, name);

/** What `%lsmagic` prints, from the tables above. */
export function magicList(): string {
  const names = (table: object, percent: string) => Object.keys(table).sort().map((name) => percent + name).join('  ');
  return `Available line magics:\n${names(LINE_MAGICS, '%')}\n\nAvailable cell magics:\n${names(CELL_MAGICS, '%%')}\n`;
}

export interface ExpandedCell {
  /** TypeScript with every magic line replaced in place: no line of the cell moves. */
  source: string;
  /** `%%time` or `%%timeline` on the first line: handled around the run, not in the code. */
  cellMagic?: 'time' | 'timeline';
}

/** One magic line of a cell. */
export interface MagicLine {
  /** 0-based line index. */
  index: number;
  /** `%%name` rather than `%name`. */
  cell: boolean;
  name: string;
  /** What follows the name, trimmed. */
  args: string;
  /** The line as written. */
  text: string;
}

const MAGIC_LINE = /^(%%?)([A-Za-z_]\w*)(?:[ \t]+(.*))?$/;

/**
 * The one grammar of magics, for the executor, the checker and the kernel alike: IPython's
 * magics, recognised only at the start of a line and never inside a template literal or comment.
 * `%` is also JavaScript's remainder operator: a `%name` line that is no magic we know stays code
 * when the cell parses with it; otherwise it is a magic (an unknown one, which is an error).
 */
export function magicLines(source: string): MagicLine[] {
  if (!/^%/m.test(source)) return [];
  const lines = source.split('\n');
  const candidates = lines.flatMap((text, index) => (MAGIC_LINE.test(text) ? [index] : []));
  if (candidates.length === 0) return [];
  const quoted = linesInsideLiterals(lines, candidates);
  const found = candidates.filter((index) => !quoted.has(index)).map((index): MagicLine => {
    const [text, percent, name, rawArgs] = MAGIC_LINE.exec(lines[index]) as RegExpExecArray;
    return { index, cell: percent === '%%', name, args: (rawArgs ?? '').trim(), text };
  });
  const unknown = found.filter((magic) => !magic.cell && !isLineMagic(magic.name));
  if (unknown.length === 0) return found;
  // Unknown `%name` lines are code if the cell parses with them and without the known magics.
  const known = new Set(found.filter((magic) => !unknown.includes(magic)).map((magic) => magic.index));
  const asCode = lines.map((text, index) => (known.has(index) ? '' : text)).join('\n');
  return parseCell(asCode).errors.length === 0 ? found.filter((magic) => !unknown.includes(magic)) : found;
}

/** `-n 10 -r 3 -q f()` → flags `-n 10 -r 3 -q`, statement `f()` (flags come first, as in IPython). */
function splitTimeitArgs(args: string): { flags: string; statement: string } {
  const match = /^((?:\s*-[nrp]\s*\d+|\s*-[qo])*)\s*([\s\S]*)$/.exec(args) as RegExpExecArray;
  return { flags: match[1].trim(), statement: match[2] };
}

/**
 * Magic lines are no TypeScript: for the checker, blank them with spaces so every line and column
 * stays where the user wrote it. `%time STATEMENT` and `%timeit [flags] STATEMENT` keep their
 * statement, which runs and so is checked; every other magic line goes.
 */
export function blankMagics(code: string): string {
  const magics = magicLines(code);
  if (magics.length === 0) return code;
  const lines = code.split('\n');
  for (const { index, cell, name, args, text } of magics) {
    const statement = !cell && (name === 'time' || name === 'timeit') ? (name === 'timeit' ? splitTimeitArgs(args).statement : args) : '';
    // The statement keeps its columns: it ends where the trimmed line ends.
    const start = statement ? text.trimEnd().length - statement.length : text.length;
    lines[index] = ' '.repeat(start) + text.slice(start);
  }
  return lines.join('\n');
}

export type TypesMode = 'error' | 'warn' | 'off';

/**
 * `%types error|warn|off` lines of a cell, handled by the kernel (the executor treats them as a
 * no-op). The last one wins; `invalid` is the first argument that is none of the three.
 */
export function typesMagic(code: string): { mode?: TypesMode; query: boolean; invalid?: { line: number; args: string } } {
  if (!code.includes('%types')) return { query: false };
  let mode: TypesMode | undefined;
  let query = false;
  for (const { index, cell, name, args } of magicLines(code)) {
    if (cell || name !== 'types') continue;
    if (args === '') query = true;
    else if (args === 'error' || args === 'warn' || args === 'off') mode = args;
    else return { query, invalid: { line: index + 1, args } };
  }
  return { mode, query };
}

/** The executor's view: every magic line replaced in place by the code that runs it. */
export function expandMagics(source: string): ExpandedCell {
  const magics = magicLines(source);
  if (magics.length === 0) return { source };
  const lines = source.split('\n');
  let cellMagic: ExpandedCell['cellMagic'];
  let closing = '';
  for (const { index, cell, name, args } of magics) {
    if (cell) {
      if (index !== 0) throw new MagicUsageError(`cell magic %%${name} must be on the first line of the cell`, index + 1);
      if (!isCellMagic(name)) throw new MagicUsageError(`Cell magic \`%%${name}\` not found (%lsmagic lists them).`, 1);
      if (name === 'timeit') {
        const body = lines.slice(1).join('\n');
        lines[0] = `await ${MAGIC_RUNTIME}.timeit(${arrowFor(body)} {`;
        closing = `\n}, ${JSON.stringify(args)});`;
      } else {
        cellMagic = name;
        lines[0] = '';
      }
      continue;
    }
    if (!isLineMagic(name)) throw new MagicUsageError(`Line magic function \`%${name}\` not found (%lsmagic lists them).`, index + 1);
    lines[index] = lineMagicCall(name, args);
  }
  return { source: lines.join('\n') + closing, cellMagic };
}

function lineMagicCall(name: string, args: string): string {
  const runtime = MAGIC_RUNTIME;
  if (LINE_MAGICS[name as keyof typeof LINE_MAGICS] === 'kernel') return '';
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

/** Sync bodies are timed without an await per loop, which would dwarf a fast statement. */
function arrowFor(body: string): string {
  return /\bawait\b/.test(body) ? 'async () =>' : '() =>';
}

function isExpression(code: string): boolean {
  return parseCell(`(${code}\n);`).errors.length === 0 && !/^\s*(const|let|var|class|function|if|for|while|return)\b/.test(code);
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
