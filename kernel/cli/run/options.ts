/** Bad command line or a notebook we cannot run: `tempo run` exits 2 with the message, no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A 1-based, inclusive range of code cells; `last` undefined means "to the end". */
export interface CellRange {
  first: number;
  last: number | undefined;
}

export interface RunOptions {
  notebook: string;
  /** Where the executed notebook goes; the input path itself for `--inplace`. */
  out: string | undefined;
  timeoutSeconds: number | undefined;
  cells: CellRange | undefined;
  color: boolean;
  json: boolean;
}

export const RUN_USAGE = 'usage: tempo run NOTEBOOK.ipynb [--out EXECUTED.ipynb | --inplace] [--timeout SECONDS] [--cell N..M] [--no-color] [--json]';

const VALUE_FLAGS = new Set(['--out', '--timeout', '--cell']);
const SWITCHES = new Set(['--inplace', '--no-color', '--json']);

/** `--cell 3`, `--cell 2..5`, `--cell 4..`, `--cell ..2`. */
export function parseCellRange(text: string): CellRange {
  const match = /^(\d*)(?:(\.\.)(\d*))?$/.exec(text.trim());
  const first = match?.[1] ? Number(match[1]) : match?.[2] ? 1 : NaN;
  const last = match?.[2] ? (match[3] ? Number(match[3]) : undefined) : first;
  if (!match || !Number.isInteger(first) || first < 1 || (last !== undefined && (!Number.isInteger(last) || last < first))) {
    throw new UsageError(`--cell takes N, N..M or N.. with 1 <= N <= M (code cells count from 1), not ${JSON.stringify(text)}`);
  }
  return { first, last };
}

/** Parses `tempo run`'s arguments; flags may come before or after the notebook, as `--flag value` or `--flag=value`. */
export function parseRunArgs(args: string[], stdoutIsTty: boolean, env: NodeJS.ProcessEnv = process.env): RunOptions {
  const paths: string[] = [];
  const values = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') throw new UsageError(RUN_USAGE);
    if (!arg.startsWith('-') || arg === '-') {
      paths.push(arg);
      continue;
    }
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (SWITCHES.has(flag) && inline === undefined) switches.add(flag);
    else if (VALUE_FLAGS.has(flag)) {
      const value = inline ?? args[++i];
      if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
      values.set(flag, value);
    } else throw new UsageError(`unknown option ${arg}; ${RUN_USAGE}`);
  }
  if (paths.length !== 1) throw new UsageError(paths.length === 0 ? RUN_USAGE : `tempo run takes one notebook, got ${paths.length}`);
  if (switches.has('--inplace') && values.has('--out')) throw new UsageError('--out and --inplace cannot be used together');
  let timeoutSeconds: number | undefined;
  if (values.has('--timeout')) {
    timeoutSeconds = Number(values.get('--timeout'));
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new UsageError(`--timeout takes a positive number of seconds, not ${JSON.stringify(values.get('--timeout'))}`);
  }
  const cellText = values.get('--cell');
  // NO_COLOR (no-color.org): any non-empty value turns colour off.
  const color = stdoutIsTty && !switches.has('--no-color') && !env.NO_COLOR;
  return {
    notebook: paths[0],
    out: switches.has('--inplace') ? paths[0] : values.get('--out'),
    timeoutSeconds,
    cells: cellText === undefined ? undefined : parseCellRange(cellText),
    color,
    json: switches.has('--json'),
  };
}
