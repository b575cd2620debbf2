import { formatDuration } from '../../display/timing-line';
import type { CellRecord } from './cell-record';
import { joinSource, type NotebookOutput } from './notebook-file';
import { Progress } from './progress';

export interface RunStart {
  notebook: string;
  /** The cells this run will execute, in order. */
  records: CellRecord[];
  /** All code cells in the notebook. */
  codeCells: number;
  kernelPid: number | undefined;
}

export interface RunEnd {
  records: CellRecord[];
  exitCode: number;
  wallMs: number;
  out: string | undefined;
}

/** What `tempo run` tells its user; one implementation for people, one for tools (`--json`). */
export interface Reporter {
  runStart(start: RunStart): void;
  cellStart(record: CellRecord, position: number, total: number): void;
  /** `late`: the cell had finished; a timer or promise it started printed this while a later cell ran, or after. */
  output(record: CellRecord, output: NotebookOutput, late?: boolean): void;
  /** Something the runner did rather than the cell: interrupting, a timeout, stopping. */
  notice(text: string, record?: CellRecord): void;
  cellEnd(record: CellRecord): void;
  runEnd(end: RunEnd): void;
}

export interface Terminal {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

const stripAnsi = (text: string): string => text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
const isFailure = (record: CellRecord): boolean => record.status !== 'ok' && record.status !== 'not run' && !record.allowed;

/** Text form of a display or result: text/plain as Jupyter's console shows it, else a placeholder. */
function plainText(data: Record<string, unknown>): string {
  const text = data['text/plain'];
  if (typeof text === 'string') return text;
  if (Array.isArray(text)) return text.join('');
  return `<${Object.keys(data).join(', ') || 'empty display'}>`;
}

/** For people at a terminal or reading a log: headers, outputs as they stream, progress, a summary table. */
export class TerminalReporter implements Reporter {
  private readonly progress: Progress;

  constructor(private readonly terminal: Terminal, private readonly color: boolean) {
    this.progress = new Progress({ write: (text) => terminal.stdout.write(text) }, terminal.stdout.isTTY === true, color);
  }

  private paint(code: string, text: string): string {
    return this.color ? `\x1b[${code}m${text}\x1b[0m` : text;
  }

  private print(text: string, stream: NodeJS.WritableStream = this.terminal.stdout): void {
    this.progress.beforeOutput();
    stream.write(this.color ? text : stripAnsi(text));
    this.progress.afterOutput(text);
  }

  runStart({ notebook, records, codeCells }: RunStart): void {
    const which = records.length === codeCells ? `${codeCells} code ${codeCells === 1 ? 'cell' : 'cells'}` : `${records.length} of ${codeCells} code cells`;
    this.print(this.paint('2', `tempo run ${notebook}: ${which}`) + '\n');
  }

  cellStart(record: CellRecord, position: number, total: number): void {
    const prompt = `In [${record.number}]:`;
    const source = joinSource(record.cell.source).replace(/\n$/, '').split('\n').join(`\n${' '.repeat(prompt.length + 1)}`);
    this.print(`\n${this.paint('1;32', prompt)} ${source}\n\n`);
    this.progress.start(position, total, record.number);
  }

  output(record: CellRecord, output: NotebookOutput, late = false): void {
    if (late) this.print(this.paint('2', `[late output of In [${record.number}]]`) + '\n');
    switch (output.output_type) {
      case 'stream':
        this.print(String(output.text), output.name === 'stderr' ? this.terminal.stderr : this.terminal.stdout);
        break;
      case 'execute_result':
      case 'display_data':
        this.print(`${plainText(output.data)}\n`);
        break;
      case 'error':
        this.print(`${output.traceback.length > 0 ? output.traceback.join('\n') : `${output.ename}: ${output.evalue}`}\n`);
        break;
    }
  }

  notice(text: string): void {
    this.print(`${this.paint('33', text)}\n`, this.terminal.stderr);
  }

  /** A terminal cannot redraw what it printed: displays updated since (a progress bar, an interact's run) are printed again as they ended. */
  cellEnd(record: CellRecord): void {
    for (const output of record.takeUpdated()) if ('data' in output) this.print(`${this.paint('2', '[updated display]')}\n${plainText(output.data)}\n`);
    this.progress.stop();
  }

  runEnd({ records, exitCode, wallMs, out }: RunEnd): void {
    this.progress.stop();
    const rows = records.map((record) => [
      String(record.number),
      record.allowed ? 'error (allowed)' : record.status,
      record.wallMs === undefined ? '—' : formatDuration(record.wallMs),
      record.blockedMs === undefined ? '—' : formatDuration(record.blockedMs),
    ]);
    const header = ['cell', 'status', 'wall', 'blocked'];
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
    const line = (row: string[]): string => [row[0].padStart(widths[0]), row[1].padEnd(widths[1]), row[2].padStart(widths[2]), row[3].padStart(widths[3])].join('  ');
    let table = `\n${this.paint('1', line(header))}\n`;
    records.forEach((record, index) => {
      const tint = record.status === 'ok' ? '32' : record.status === 'not run' ? '2' : record.allowed ? '33' : '31';
      const cells = line(rows[index]);
      const statusStart = widths[0] + 2;
      table += `${cells.slice(0, statusStart)}${this.paint(tint, cells.slice(statusStart, statusStart + widths[1]))}${cells.slice(statusStart + widths[1])}\n`;
    });
    const count = (status: string): number => records.filter((record) => record.status === status).length;
    const failed = records.filter(isFailure).length;
    const allowed = records.filter((record) => record.allowed).length;
    const parts = [`${count('ok')} ok`, allowed > 0 ? `${allowed} allowed ${allowed === 1 ? 'error' : 'errors'}` : '', failed > 0 ? `${failed} failed` : '', count('not run') > 0 ? `${count('not run')} not run` : ''].filter(Boolean);
    const verdict = exitCode === 0 ? this.paint('32', 'passed') : this.paint('31', exitCode > 128 ? 'stopped' : 'failed');
    table += `${verdict}: ${parts.join(', ')} · ${formatDuration(wallMs)} total${out ? ` · wrote ${out}` : ''}\n`;
    this.print(table);
  }
}

/** `--json`: one JSON object per line on stdout, each with an `event` field, for tools. */
export class JsonReporter implements Reporter {
  constructor(private readonly stdout: NodeJS.WritableStream) {}

  private emit(event: Record<string, unknown>): void {
    this.stdout.write(`${JSON.stringify(event)}\n`);
  }

  runStart({ notebook, records, codeCells, kernelPid }: RunStart): void {
    this.emit({ event: 'run_start', notebook, code_cells: codeCells, cells: records.map((record) => record.number), kernel_pid: kernelPid ?? null });
  }

  cellStart(record: CellRecord, position: number, total: number): void {
    this.emit({ event: 'cell_start', cell: record.number, position, total, id: record.cell.id ?? null, source: joinSource(record.cell.source) });
  }

  output(record: CellRecord, output: NotebookOutput, late = false): void {
    this.emit({ event: 'output', cell: record.number, ...(late ? { late: true } : {}), output });
  }

  notice(text: string, record?: CellRecord): void {
    this.emit({ event: 'notice', cell: record?.number ?? null, text });
  }

  cellEnd(record: CellRecord): void {
    for (const output of record.takeUpdated()) this.emit({ event: 'output_updated', cell: record.number, output });
    this.emit({ event: 'cell_end', ...cellSummary(record), times: record.times });
  }

  runEnd({ records, exitCode, wallMs, out }: RunEnd): void {
    this.emit({ event: 'summary', exit_code: exitCode, status: exitCode === 0 ? 'ok' : 'failed', wall_ms: wallMs, out: out ?? null, cells: records.map(cellSummary) });
  }
}

function cellSummary(record: CellRecord): Record<string, unknown> {
  return {
    cell: record.number,
    status: record.status,
    allowed_failure: record.allowed,
    execution_count: record.executionCount,
    wall_ms: record.wallMs ?? null,
    blocked_ms: record.blockedMs ?? null,
  };
}
