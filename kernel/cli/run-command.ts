import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Message } from '../protocol/messages';
import { KernelClient, KernelExitedError } from '../client/kernel-client';
import { CellRecord } from './run/cell-record';
import { QueuedCell } from './run/queued-cell';
import { joinSource, readNotebook, tagsOf, upgradeTo45, writeNotebook, type Notebook } from './run/notebook-file';
import { parseRunArgs, type RunOptions } from './run/options';
export { RUN_HELP } from './run/options';
import { KERNEL_NODE_FLAGS, kernelLaunchEnv } from './launch-env';
import { UsageError } from './usage-error';
import { JsonReporter, TerminalReporter, type Reporter } from './run/reporters';

/** After `--timeout` interrupts a cell, how long the kernel gets to answer before the run gives up on it. */
const TIMEOUT_ANSWER_MS = 10_000;
/**
 * The kernel ignores an interrupt_request that lands before it has taken up the cell (still
 * loading its engine, say): one sent before the cell's execute_input came is sent again this
 * often until one goes after it. One sent after it is never repeated: a repeat could land on the
 * next cell, which the kernel starts at once (every cell is queued).
 */
const INTERRUPT_REPEAT_MS = 1000;

/** Whether the cell is interrupted, and whether the last interrupt sent may have come too early. */
interface InterruptState {
  interrupted: boolean;
  unsure: boolean;
}

function interruptCell(client: KernelClient, record: CellRecord, state: InterruptState): void {
  client.interrupt();
  state.unsure = record.times['iopub.execute_input'] === undefined;
}

/** Exit statuses beyond 0/1/2: the shell's 128 + signal number, as for a process the signal ended. */
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129, SIGPIPE: 141 };

/** Picks the code cells `--cell` asks for, numbered from 1 among code cells. */
function selectCells(notebook: Notebook, options: RunOptions): CellRecord[] {
  const code = notebook.cells.filter((cell) => cell.cell_type === 'code');
  const range = options.cells ?? { first: 1, last: undefined };
  if (options.cells && (range.first > code.length || (range.last ?? range.first) > code.length)) {
    throw new UsageError(`--cell ${range.first}..${range.last ?? ''} is out of range: ${options.notebook} has ${code.length} code ${code.length === 1 ? 'cell' : 'cells'}`);
  }
  const last = range.last ?? code.length;
  return code.slice(range.first - 1, last).map((cell, index) => new CellRecord(range.first + index, cell));
}

/** A promise with its resolver outside, for "the run was asked to stop" and similar one-shot signals. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

/**
 * `tempo run NOTEBOOK`: runs code cells through a real Tempo kernel process (the one Jupyter
 * runs, over ZeroMQ), prints outputs as they stream and a summary, optionally writes the executed
 * notebook. Returns the exit status: 0 all cells ok, 1 a cell failed (cells tagged
 * raises-exception may), 130 stopped by a second Ctrl-C. Bad usage throws a UsageError (exit 2).
 *
 * Ctrl-C interrupts the running cell with the kernel's interrupt; like nbclient, a failed cell
 * ends the run. A second Ctrl-C stops waiting and shuts the kernel down.
 */
export async function runNotebook(args: string[]): Promise<number> {
  const options = parseRunArgs(args, process.stdout.isTTY === true);
  const notebook = readNotebook(options.notebook);
  if (options.out !== undefined) {
    const folder = dirname(resolve(options.out));
    if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new UsageError(`cannot write ${options.out}: no folder ${folder}`);
  }
  const records = selectCells(notebook, options);
  const codeCells = notebook.cells.filter((cell) => cell.cell_type === 'code').length;
  const reporter: Reporter = options.json ? new JsonReporter(process.stdout) : new TerminalReporter({ stdout: process.stdout, stderr: process.stderr }, options.color);
  const runStarted = performance.now();
  const client = new KernelClient();

  /** A display update goes to every cell that shows that display; other output to the cell whose request caused it. */
  const deliver = (owner: CellRecord, message: Message, late: boolean): void => {
    if (message.header.msg_type === 'update_display_data') {
      for (const record of records) record.updateDisplay(message);
      return;
    }
    const output = owner.onIopub(message);
    if (output) reporter.output(owner, output, late);
  };
  // Output of a cell that already finished (a timer it started) still belongs to it, as in JupyterLab.
  client.onUnclaimedIopub = (message) => {
    const parent = (message.parent_header as { msg_id?: string }).msg_id;
    const owner = records.find((record) => record.msgId !== undefined && record.msgId === parent);
    if (owner) deliver(owner, message, true);
  };

  const stop = deferred<string>();
  let stopSignal: string | undefined;
  let current: ({ record: CellRecord } & InterruptState) | undefined;
  const requestStop = (signal: string): void => {
    if (stopSignal) return;
    stopSignal = signal;
    stop.resolve(signal);
  };
  const onSigint = (): void => {
    if (current && !current.interrupted) {
      current.interrupted = true;
      reporter.notice(`interrupting cell ${current.record.number} (Ctrl-C again to stop the run)`, current.record);
      interruptCell(client, current.record, current);
    } else {
      if (current) reporter.notice('stopping the run and shutting the kernel down', current.record);
      requestStop('SIGINT');
    }
  };
  const onTerminate = (signal: string) => (): void => requestStop(signal);
  const onSigterm = onTerminate('SIGTERM');
  const onSighup = onTerminate('SIGHUP');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  process.on('SIGHUP', onSighup);
  // `tempo run nb.ipynb | head`: once the reader is gone, stop as a command does on SIGPIPE (and
  // shut the kernel down) rather than die of an unhandled EPIPE. Later writes fail silently.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    requestStop('SIGPIPE');
  });

  try {
    const failed = await executeCells();
    const exitCode = stopSignal ? SIGNAL_EXIT[stopSignal] : failed ? 1 : 0;
    const written = options.out === undefined || saveExecuted(notebook, records, options.out);
    reporter.runEnd({ records, exitCode: written ? exitCode : exitCode || 1, wallMs: performance.now() - runStarted, out: written ? options.out : undefined });
    return written ? exitCode : exitCode || 1;
  } finally {
    // Only now: a Ctrl-C while the kernel shuts down must not kill us through the default handler.
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    process.off('SIGHUP', onSighup);
  }

  /** Runs the selected cells in order until one fails (nbclient's rule); true if one failed. */
  async function executeCells(): Promise<boolean> {
    try {
      if (records.length > 0) await Promise.race([client.start(dirname(resolve(options.notebook)), kernelLaunchEnv(process.env), KERNEL_NODE_FLAGS), stop.promise]);
      reporter.runStart({ notebook: options.notebook, records, codeCells, kernelPid: client.pid });
      // All at once; a cell tagged raises-exception may fail without the kernel aborting the rest.
      const queued = stopSignal ? [] : records.map((record) => new QueuedCell((onIopub) => client.execute(joinSource(record.cell.source), onIopub, !mayFail(record))));
      for (const [index, record] of records.entries()) {
        if (stopSignal) return false;
        current = { record, interrupted: false, unsure: false };
        reporter.cellStart(record, index + 1, records.length);
        queued[index].start((message) => deliver(record, message, false));
        await runCell(client, record, queued[index].reply, current, options, reporter, stop.promise);
        current = undefined;
        reporter.cellEnd(record);
        if (record.status !== 'ok' && !(record.status === 'error' && record.allowed)) return true;
      }
      return false;
    } finally {
      await client.shutdown();
    }
  }
}

/** `--out`/`--inplace`: the notebook as nbformat 4.5 with this run's outputs; false (and a message) if it cannot be written. */
function saveExecuted(notebook: Notebook, records: CellRecord[], out: string): boolean {
  upgradeTo45(notebook);
  for (const record of records) if (record.status !== 'not run') record.storeInto(record.cell);
  try {
    writeNotebook(out, notebook);
    return true;
  } catch (error) {
    process.stderr.write(`tempo run: cannot write ${out}: ${(error as Error).message}\n`);
    return false;
  }
}

/** nbclient's rule: a cell tagged raises-exception may fail and the run goes on. */
function mayFail(record: CellRecord): boolean {
  return tagsOf(record.cell).includes('raises-exception');
}

/** Waits for one cell's `reply` (sent already), honouring `--timeout` and a stop request; sets the record's status and times. */
async function runCell(
  client: KernelClient,
  record: CellRecord,
  reply: Promise<Message>,
  state: InterruptState,
  options: RunOptions,
  reporter: Reporter,
  stopped: Promise<string>,
): Promise<void> {
  const started = performance.now();
  const abandon = deferred<'abandoned'>();
  let timedOut = false;
  let answerTimer: NodeJS.Timeout | undefined;
  const timeoutTimer = options.timeoutSeconds === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    reporter.notice(`cell ${record.number} timed out after ${options.timeoutSeconds} s: interrupting it`, record);
    interruptCell(client, record, state);
    answerTimer = setTimeout(() => abandon.resolve('abandoned'), TIMEOUT_ANSWER_MS);
  }, options.timeoutSeconds * 1000);
  const repeat = setInterval(() => {
    if (state.unsure) interruptCell(client, record, state);
  }, INTERRUPT_REPEAT_MS);
  try {
    const outcome = await Promise.race([reply, stopped, abandon.promise]);
    if (typeof outcome === 'string') {
      record.status = timedOut ? 'timeout' : 'stopped';
    } else {
      record.onReply(outcome);
      const ok = outcome.content.status === 'ok';
      record.status = ok ? 'ok' : timedOut ? 'timeout' : state.interrupted ? 'interrupted' : 'error';
      // Not a timeout.
      record.allowed = record.status === 'error' && mayFail(record);
    }
  } catch (error) {
    if (!(error instanceof KernelExitedError)) throw error;
    reporter.notice(`${error.message} while running cell ${record.number}`, record);
    record.status = 'error';
  } finally {
    clearTimeout(timeoutTimer);
    clearTimeout(answerTimer);
    clearInterval(repeat);
  }
  record.wallMs ??= performance.now() - started;
}

export function isUsageError(error: unknown): error is UsageError {
  return error instanceof UsageError;
}
