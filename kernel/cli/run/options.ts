import { parseCommandLine, UsageError } from '../usage-error';

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

export const RUN_HELP = `${RUN_USAGE}

Runs a notebook's code cells through a real Tempo kernel, started in the notebook's folder, and
prints every output as it streams, then a summary of wall and blocked time per cell.

  --out FILE       save the executed notebook there
  --inplace        save it over NOTEBOOK.ipynb
  --timeout S      interrupt a cell that runs longer than S seconds, and stop
  --cell N..M      only code cells N to M (N, N.., ..M also work; counted from 1)
  --no-color       no ANSI colours (also when NO_COLOR is set or stdout is not a terminal)
  --json           one JSON object per event on stdout, for programs

Exit status: 0 all cells ran, 1 a cell failed or timed out, 2 bad usage, 130 interrupted.`;

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
  let parsed;
  try {
    parsed = parseCommandLine(args, {
      out: { type: 'string' },
      timeout: { type: 'string' },
      cell: { type: 'string' },
      inplace: { type: 'boolean' },
      'no-color': { type: 'boolean' },
      json: { type: 'boolean' },
    });
  } catch (error) {
    throw /^unknown option/.test((error as Error).message) ? new UsageError(`${(error as Error).message}; ${RUN_USAGE}`) : error;
  }
  const { values, positionals: paths } = parsed;
  if (paths.length !== 1) throw new UsageError(paths.length === 0 ? RUN_USAGE : `tempo run takes one notebook, got ${paths.length}`);
  if (values.inplace && values.out !== undefined) throw new UsageError('--out and --inplace cannot be used together');
  let timeoutSeconds: number | undefined;
  if (values.timeout !== undefined) {
    timeoutSeconds = Number(values.timeout);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new UsageError(`--timeout takes a positive number of seconds, not ${JSON.stringify(values.timeout)}`);
  }
  // NO_COLOR (no-color.org): any non-empty value turns colour off.
  const color = stdoutIsTty && !values['no-color'] && !env.NO_COLOR;
  return {
    notebook: paths[0],
    out: values.inplace ? paths[0] : values.out,
    timeoutSeconds,
    cells: values.cell === undefined ? undefined : parseCellRange(values.cell),
    color,
    json: values.json === true,
  };
}
