import type { ErrorContent, IsCompleteReply, MimeBundle } from '../protocol/messages';
import type { Cell, CellOutcome, CommRequest, Completion, Inspection, Language, LanguageHost } from '../core/language';
import type { ExecutorCommand, ExecutorEvent, MagicSettings } from '../common/executor-messages';
import type { TypeChecker } from '../common/type-checker';
import { restartTimingBundle, timingBundle } from '../display/timing-line';
import { checkComplete } from './is-complete';
import { TypeGate } from './type-gate';

/** What the language needs of an executor: the child process in production (executor-process.ts). */
export interface Executor {
  /** Starts a fresh executor, with the settings of the one it replaces if any; resolves when it can take cells. */
  start(settings?: MagicSettings): Promise<void>;
  send(command: ExecutorCommand): void;
  /** Stops `cell` if it is still the one running, whenever it gets to code that can be stopped. */
  interrupt(cell: number): void;
  kill(): void;
}

/** The executor's half of a cell's outcome; the rest is added here. */
type Done = Extract<ExecutorEvent, { type: 'done' }>;

interface Running {
  cellId: string;
  /** What the executor knows this run by: interrupts name it. */
  cell: number;
  finish: (outcome: Done | { error: ErrorContent; restartedAfterMs: number }) => void;
  /** performance.now() when it was sent to the executor. */
  sentAt: number;
  /** Set when interrupted: replaces the executor if the cell is still running when it fires. */
  escalation?: NodeJS.Timeout;
}

/** How long an interrupted cell may keep running before its executor is replaced. */
const INTERRUPT_GRACE_MS = 3000;
/** How long a comm message's busy/idle waits for its handler in the executor. */
const COMM_HANDLER_MS = 5000;

/**
 * TypeScript behind core's Language: each cell is type-checked (type-gate.ts), then run by the
 * executor child; interrupts escalate to replacing a stuck executor, and a dead executor is
 * replaced with a note under the cell responsible. Completion and inspection ask the checker.
 */
export class TypeScriptLanguage implements Language {
  private running: Running | undefined;
  /** The last number given to a cell sent to the executor. */
  private cells = 0;
  private starting: Promise<void> | undefined;
  private stopping = false;
  /** Between receiving a cell and handing it to the executor (type check, executor start). */
  private preparing = false;
  private interruptedEarly = false;
  /** Front-end comm messages whose handlers are running, by msg_id. */
  private readonly commsInFlight = new Map<string, () => void>();
  /** %timing and %timeline as the executor last reported them: a replacement starts with them. */
  private settings: MagicSettings | undefined;
  private readonly typeGate: TypeGate;

  constructor(
    private readonly host: LanguageHost,
    private readonly executor: Executor,
    private readonly checker: TypeChecker,
  ) {
    this.typeGate = new TypeGate(checker);
  }

  /**
   * The executor only: the checker starts with the first cell, completion or inspection, so that
   * a kernel nobody has used yet holds no tsc (~55 MB). That first request waits for it (~0.3 s).
   */
  start(): void {
    void this.startExecutor();
  }

  /** Starts the executor unless it is already starting or running. */
  private startExecutor(): Promise<void> {
    this.starting ??= this.executor.start();
    return this.starting;
  }

  async execute(cell: Cell): Promise<CellOutcome> {
    this.preparing = true;
    this.interruptedEarly = false;
    // Type errors stop the cell before it reaches the executor; %types warn|off relax that.
    const typeError = await this.typeGate.beforeRun(cell.code, cell.name, (name, text) => this.host.output(cell.id, { type: 'stream', name, text }));
    if (!typeError) await this.startExecutor();
    this.preparing = false;
    if (typeError) return { error: typeError, userExpressions: {}, epilogue: [], metadata: {} };
    if (this.interruptedEarly) return { error: interruptedBeforeRun(), userExpressions: {}, epilogue: [], metadata: {} };
    const outcome = await new Promise<Done | { error: ErrorContent; restartedAfterMs: number }>((finish) => {
      const number = ++this.cells;
      this.running = { cellId: cell.id, cell: number, finish, sentAt: performance.now() };
      this.executor.send({ type: 'execute', parent: cell.id, cell: number, code: cell.code, cellName: cell.name, userExpressions: cell.userExpressions });
    });
    clearTimeout(this.running?.escalation);
    this.running = undefined;
    // A cell that failed part way keeps what it declared before the failure (as IPython keeps a
    // failed cell's assignments), so later cells are checked against its names too. Not when
    // nothing ran (a magic's usage error) or the executor was replaced (its names are gone).
    if (!('restartedAfterMs' in outcome) && outcome.error?.ename !== 'UsageError') this.typeGate.afterRun(cell.code);
    if ('settings' in outcome) this.settings = outcome.settings;
    const epilogue: MimeBundle[] = [];
    const quiet = 'timedByRuns' in outcome && outcome.timedByRuns === true;
    if ('timeline' in outcome && outcome.timeline && !quiet) epilogue.push(outcome.timeline);
    // %timing is the executor's; before its first report it is on, as the executor starts.
    const line = 'timing' in outcome && outcome.timing ? timingBundle(outcome.timing) : 'restartedAfterMs' in outcome ? restartTimingBundle(outcome.restartedAfterMs) : undefined;
    if (line && !quiet && (this.settings?.timing ?? true)) epilogue.push(line);
    const userExpressions = 'userExpressions' in outcome ? outcome.userExpressions : {};
    const metadata = 'timing' in outcome && outcome.timing ? { timing: outcome.timing } : {};
    return { error: outcome.error, userExpressions, epilogue, metadata };
  }

  /**
   * Once per cell: the executor stops the cell as soon as it runs code that can be stopped, and
   * never a later cell. A loop that began after an `await` cannot be: then the executor is replaced.
   */
  interrupt(): void {
    const running = this.running;
    // Still checking the cell or waiting for a new executor: the cell will not start at all.
    if (!running && this.preparing) {
      this.interruptedEarly = true;
      this.typeGate.interrupt();
    }
    if (!running || running.escalation !== undefined) return;
    this.executor.interrupt(running.cell);
    running.escalation = setTimeout(() => {
      if (this.running === running) this.executor.kill();
    }, INTERRUPT_GRACE_MS);
  }

  complete(code: string, cursorPos: number, timeoutMs: number): Promise<Completion> {
    return this.checker.complete(code, cursorPos, timeoutMs);
  }

  inspect(code: string, cursorPos: number, timeoutMs: number): Promise<Inspection> {
    return this.checker.inspect(code, cursorPos, timeoutMs);
  }

  isComplete(code: string): IsCompleteReply {
    return checkComplete(code);
  }

  /** Resolves when the executor has run the handler, or after COMM_HANDLER_MS. */
  async comm(request: CommRequest, cellId: string): Promise<void> {
    await this.startExecutor();
    const handled = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, COMM_HANDLER_MS);
      this.commsInFlight.set(cellId, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const action = ({ comm_open: 'open', comm_msg: 'msg', comm_close: 'close' } as const)[request.type];
    const targetName = request.type === 'comm_open' ? request.target_name : undefined;
    const buffers = request.buffers?.length ? request.buffers.map((buffer) => buffer.toString('base64')) : undefined;
    this.executor.send({ type: 'comm', parent: cellId, action, comm_id: request.comm_id, target_name: targetName, data: request.data, metadata: request.metadata, buffers });
    await handled;
    this.commsInFlight.delete(cellId);
  }

  /** Each event the executor reports, in order. */
  onEvent(event: ExecutorEvent): void {
    switch (event.type) {
      case 'stream':
        this.host.output(event.parent, { type: 'stream', name: event.name, text: event.text });
        break;
      case 'result':
        this.host.output(event.parent, { type: 'execute_result', data: event.data });
        break;
      case 'display':
        this.host.output(event.parent, { type: 'display_data', data: event.data, displayId: event.displayId });
        break;
      case 'update_display':
        this.host.output(event.parent, { type: 'update_display_data', data: event.data, displayId: event.displayId });
        break;
      case 'clear_output':
        this.host.output(event.parent, { type: 'clear_output', wait: event.wait });
        break;
      case 'comm_open':
      case 'comm_msg':
      case 'comm_close': {
        const { parent, metadata, buffers, ...output } = event;
        const extras = { metadata, buffers: buffers?.map((text) => Buffer.from(text, 'base64')) };
        this.host.output(parent, { ...output, extras });
        break;
      }
      case 'comm_done':
        this.commsInFlight.get(event.parent)?.();
        break;
      case 'input_request':
        this.host.input(event.prompt, event.password).then(
          (value) => this.executor.send({ type: 'input_reply', id: event.id, value }),
          (error: Error) => this.executor.send({ type: 'input_reply', id: event.id, error: error.message }),
        );
        break;
      case 'error':
        this.host.output(event.parent, { type: 'error', error: event.error });
        break;
      case 'done':
        if (this.running?.cellId === event.parent) this.running.finish(event);
        break;
      case 'log':
        this.host.log(event.text);
        break;
      case 'ready':
        break;
    }
  }

  /** Bytes written straight to fd 1 or 2 (child processes, native code): they go to the running cell. */
  onRawOutput(name: 'stdout' | 'stderr', text: string): void {
    this.host.output('', { type: 'stream', name, text });
  }

  /** Ends the executor for good (kernel shutdown). */
  shutdown(): void {
    this.stopping = true;
    this.executor.kill();
  }

  /** The executor died: tell the user under the cell responsible, then start a fresh one. */
  onExecutorExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) return;
    const running = this.running;
    this.host.stateLost();
    const error = exitError(code, signal, running?.escalation !== undefined);
    this.starting = this.executor.start(this.settings);
    // The new executor knows no earlier cell, so neither may the checker.
    this.typeGate.reset();
    if (running) running.finish({ error, restartedAfterMs: performance.now() - running.sentAt });
    else this.host.output('', { type: 'error', error });
  }
}

function interruptedBeforeRun(): ErrorContent {
  const evalue = 'the cell was interrupted before it started (Kernel → Interrupt)';
  return { ename: 'Interrupted', evalue, traceback: [`\x1b[0;31mInterrupted\x1b[0m: ${evalue}`] };
}

function exitError(code: number | null, signal: NodeJS.Signals | null, interrupted: boolean): ErrorContent {
  let cause: string;
  if (interrupted) cause = 'The cell did not stop when interrupted (a loop that started after an `await` cannot be interrupted in place), so Tempo stopped its executor.';
  else if (signal !== null) cause = `The executor was killed by ${signal}${signal === 'SIGABRT' ? ' (often: out of memory)' : ''}.`;
  else if (code === 134) cause = 'The executor crashed with exit code 134 (often: out of memory).';
  // process.exit() only ends a cell (executor/process-exit.ts): this was process.reallyExit() or native code.
  else cause = `The executor ended with exit code ${code} (process.reallyExit() or native code).`;
  const evalue = `${cause} A new executor has started: variables, functions and imports from earlier cells are gone; rerun the cells you need.`;
  return { ename: interrupted ? 'Interrupted' : 'ExecutorRestarted', evalue, traceback: [`\x1b[0;31m${interrupted ? 'Interrupted' : 'ExecutorRestarted'}\x1b[0m: ${evalue}`] };
}
