import type { ErrorContent, ExecuteRequest, Header, Message } from '../protocol/messages';
import { StreamBatcher, type StreamName } from '../display/stream-batcher';
import type { ExecutorCommand, ExecutorEvent } from '../engine/executor-protocol';
import { restartTimingBundle, timingBundle } from '../display/timing-line';
import type { CellTiming } from '../timing/cell-clock';
import type { Messenger, Parent } from './messenger';
import { History } from './history';
import type { TypeGate } from '../engine/typecheck/type-gate';
import type { MagicSettings } from '../engine/magic-runtime';

/** What the execution layer needs from an executor (the child process in production). */
export interface Executor {
  start(settings?: MagicSettings): Promise<void>;
  send(command: ExecutorCommand): void;
  /** Stops `cell` if it is still the one running, whenever it gets to code that can be stopped. */
  interrupt(cell: number): void;
  kill(): void;
}

interface Outcome {
  error?: ErrorContent;
  userExpressions: Record<string, unknown>;
  timing?: CellTiming;
  /** The `%%timeline` chart, shown after the error if there is one. */
  timeline?: Record<string, string>;
  /** The executor died while the cell ran: how long it had run, by the kernel's clock. */
  restartedAfterMs?: number;
  settings?: MagicSettings;
}

interface Running {
  request: Message<ExecuteRequest>;
  /** What the executor knows this run by: interrupts name it. */
  cell: number;
  /** Its In[n] when it is stored in history. */
  historyLine?: number;
  silent: boolean;
  finish: (outcome: Outcome) => void;
  /** performance.now() when it was sent to the executor. */
  sentAt: number;
  /** Set when interrupted: replaces the executor if the cell is still running when it fires. */
  escalation?: NodeJS.Timeout;
}

/** How long an interrupted cell may keep running before its executor is replaced. */
const INTERRUPT_GRACE_MS = 3000;
/** How long a comm message's busy/idle waits for its handler in the executor. */
const COMM_HANDLER_MS = 5000;
/** Parents remembered for output that arrives after its cell finished. */
const PARENT_MEMORY = 1000;

/**
 * Runs execute_requests one at a time on the executor: execute_input, streamed output, results
 * and errors under the right parent, the reply, stop_on_error aborts, interrupts that escalate to
 * a restart, and recovery when the executor dies.
 */
export class Execution {
  executionCount = 0;
  readonly history = new History();
  private running: Running | undefined;
  /** The last number given to a cell sent to the executor. */
  private cells = 0;
  private readonly parents = new Map<string, { header: Header; silent: boolean }>();
  private readonly streams: StreamBatcher;
  /** Requests received up to this sequence number are aborted (messaging spec: stop_on_error). */
  private abortThrough = -1;
  private exitNote: { parent: string; code: number } | undefined;
  private starting: Promise<void> | undefined;
  private stopping = false;
  private pendingInput: string | undefined;
  /** Between receiving a cell and handing it to the executor (type check, executor start). */
  private preparing = false;
  private interruptedEarly = false;
  /** Front-end comm messages whose handlers are running, by msg_id. */
  private readonly commsInFlight = new Map<string, () => void>();
  /** Open comms by id, with their target: what comm_info lists. */
  private readonly comms = new Map<string, string>();
  /** %timing and %timeline as the executor last reported them: a replacement starts with them. */
  private settings: MagicSettings | undefined;

  constructor(private readonly messenger: Messenger, private readonly executor: Executor) {
    this.streams = new StreamBatcher((parent, name, text) => this.publishFor(parent, 'stream', { name, text }));
  }

  /** Starts the executor unless it is already starting or running. */
  start(): Promise<void> {
    this.starting ??= this.executor.start();
    return this.starting;
  }

  async execute(request: Message<ExecuteRequest>, sequence: number): Promise<void> {
    const started = new Date().toISOString();
    const content = request.content;
    const silent = content.silent === true;
    const storeHistory = !silent && content.store_history !== false;
    if (sequence <= this.abortThrough) {
      this.messenger.reply('shell', request, 'execute_reply', errorReply(this.executionCount, { ename: 'Aborted', evalue: 'not run: an earlier cell failed', traceback: [] }), { started, status: 'aborted' });
      return;
    }
    if (typeof content.code !== 'string') {
      this.messenger.reply('shell', request, 'execute_reply', errorReply(this.executionCount, { ename: 'BadRequest', evalue: 'execute_request content.code must be a string', traceback: [] }), { started });
      return;
    }
    const code = content.code;
    this.preparing = true;
    this.interruptedEarly = false;
    if (storeHistory) this.executionCount += 1;
    const count = this.executionCount;
    if (storeHistory) this.history.add(count, code);
    this.remember(request.header, silent);
    if (!silent) this.messenger.publish('execute_input', { code, execution_count: count }, request.header);
    const cellName = storeHistory ? `In[${count}]` : `In[silent-${request.header.msg_id.slice(0, 8)}]`;
    // Type errors stop the cell before it reaches the executor; %types warn|off relax that (issue #5).
    const typeError = await this.typeGate?.beforeRun(code, cellName, (name, text) => this.streams.write(request.header.msg_id, name, text));
    if (!typeError) await this.start();
    this.preparing = false;
    const early = this.interruptedEarly ? { error: interruptedBeforeRun(), userExpressions: {} } : undefined;
    const outcome: Outcome = typeError ? { error: typeError, userExpressions: {} } : early ?? await new Promise<Outcome>((finish) => {
      const cell = ++this.cells;
      this.running = { request, cell, silent, finish, sentAt: performance.now(), historyLine: storeHistory ? count : undefined };
      this.executor.send({ type: 'execute', parent: request.header.msg_id, cell, code, cellName, userExpressions: objectOf(content.user_expressions) });
    });
    if (!outcome.error) this.typeGate?.afterRun(code);
    clearTimeout(this.running?.escalation);
    this.running = undefined;
    this.pendingInput = undefined;
    this.streams.flush();
    if (outcome.error) {
      if (!silent) this.messenger.publish('error', outcome.error, request.header);
      if (content.stop_on_error !== false) this.abortThrough = sequence + this.queuedBehind();
    }
    if (outcome.settings) this.settings = outcome.settings;
    // Every cell that ran is timed, a failed one too: its chart and timing line come after the error.
    if (!silent && outcome.timeline) this.messenger.publish('display_data', { data: outcome.timeline, metadata: {}, transient: {} }, request.header);
    // %timing is the executor's; before its first report it is on, as the executor starts.
    const line = outcome.timing ? timingBundle(outcome.timing) : outcome.restartedAfterMs !== undefined ? restartTimingBundle(outcome.restartedAfterMs) : undefined;
    if (line && (this.settings?.timing ?? true) && !silent) this.messenger.publish('display_data', { data: line, metadata: {}, transient: {} }, request.header);
    const reply = outcome.error
      ? errorReply(count, outcome.error)
      : { status: 'ok', execution_count: count, user_expressions: outcome.userExpressions, payload: [] };
    this.messenger.reply('shell', request, 'execute_reply', reply, { started, status: reply.status, ...(outcome.timing ? { timing: outcome.timing } : {}) });
  }

  /** Set when the engine is built: how many shell requests wait behind the current one. */
  queuedBehind: () => number = () => 0;

  /** Set when the engine is built: checks each cell before it runs. */
  typeGate: TypeGate | undefined;

  /**
   * Once per cell: the executor stops the cell as soon as it runs code that can be stopped, and
   * never a later cell. A loop that began after an `await` cannot be: then the executor is replaced.
   */
  interrupt(): void {
    const running = this.running;
    // Still checking the cell or waiting for a new executor: the cell will not start at all.
    if (!running && this.preparing) {
      this.interruptedEarly = true;
      this.typeGate?.interrupt();
    }
    if (!running || running.escalation !== undefined) return;
    this.executor.interrupt(running.cell);
    running.escalation = setTimeout(() => {
      if (this.running === running) this.executor.kill();
    }, INTERRUPT_GRACE_MS);
  }

  onEvents(events: ExecutorEvent[]): void {
    for (const event of events) {
      switch (event.type) {
        case 'stream':
          this.streams.write(this.parentOf(event.parent), event.name, event.text);
          break;
        case 'result':
          this.streams.flush();
          if (this.running?.request.header.msg_id === event.parent) {
            if (this.running.historyLine !== undefined) this.history.setOutput(this.running.historyLine, String(event.data['text/plain']));
            this.publishFor(event.parent, 'execute_result', { execution_count: this.executionCount, data: event.data, metadata: {} });
          }
          break;
        case 'display':
          this.streams.flush();
          this.publishFor(this.parentOf(event.parent), 'display_data', { data: event.data, metadata: {}, transient: event.displayId ? { display_id: event.displayId } : {} });
          break;
        case 'update_display':
          this.streams.flush();
          this.publishFor(this.parentOf(event.parent), 'update_display_data', { data: event.data, metadata: {}, transient: { display_id: event.displayId } });
          break;
        case 'clear_output':
          this.streams.flush();
          this.publishFor(this.parentOf(event.parent), 'clear_output', { wait: event.wait });
          break;
        case 'comm_open':
        case 'comm_msg':
        case 'comm_close': {
          this.streams.flush();
          const { type, parent, ...content } = event;
          if (type === 'comm_open') this.comms.set(event.comm_id, event.target_name);
          if (type === 'comm_close') this.comms.delete(event.comm_id);
          this.publishFor(this.parentOf(parent), type, content);
          break;
        }
        case 'comm_done':
          this.streams.flush();
          this.commsInFlight.get(event.parent)?.();
          break;
        case 'input_request':
          this.streams.flush();
          this.askForInput(event.id, event.prompt, event.password);
          break;
        case 'error':
          this.streams.flush();
          this.publishFor(this.parentOf(event.parent), 'error', event.error);
          break;
        case 'exit':
          this.exitNote = { parent: event.parent, code: event.code };
          break;
        case 'done':
          if (this.running?.request.header.msg_id === event.parent) this.running.finish(event);
          break;
        case 'ready':
          break;
      }
    }
  }

  onRawOutput(name: StreamName, text: string): void {
    this.streams.write(this.parentOf(''), name, text);
  }

  /** Ends the executor for good (kernel shutdown). */
  stop(): void {
    this.stopping = true;
    this.streams.flush();
    this.executor.kill();
  }

  /** The executor died: tell the user under the cell responsible, then start a fresh one. */
  onExecutorExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) return;
    this.streams.flush();
    const running = this.running;
    const note = this.exitNote;
    this.exitNote = undefined;
    // The comms lived in the executor that is gone.
    this.comms.clear();
    const error = exitError(code, signal, note?.code, running?.escalation !== undefined);
    this.starting = this.executor.start(this.settings);
    // The new executor knows no earlier cell, so neither may the checker.
    this.typeGate?.reset();
    if (running) running.finish({ error, userExpressions: {}, restartedAfterMs: performance.now() - running.sentAt });
    else this.publishFor(this.parentOf(note?.parent ?? ''), 'error', error);
  }

  /**
   * messaging spec: stdin. The question goes to the client that sent the running execute_request,
   * on stdin, unless it said it cannot answer (allow_stdin false): then the cell gets an error
   * at once rather than waiting for ever.
   */
  private askForInput(id: string, prompt: string, password: boolean): void {
    const request = this.running?.request;
    if (!request || request.content.allow_stdin === false) {
      this.executor.send({ type: 'input_reply', id, error: 'input() needs a front end that accepts input; this request came with allow_stdin false' });
      return;
    }
    this.pendingInput = id;
    this.messenger.reply('stdin', request, 'input_request', { prompt, password });
  }

  /**
   * A front end's comm_open, comm_msg or comm_close, for the handlers cells registered. Resolves
   * when the executor has run the handler, so what it sends comes before the request's idle.
   */
  async forwardComm(message: Message): Promise<void> {
    const action = ({ comm_open: 'open', comm_msg: 'msg', comm_close: 'close' } as const)[message.header.msg_type as 'comm_open' | 'comm_msg' | 'comm_close'];
    const commId = message.content.comm_id;
    if (!action || typeof commId !== 'string') return;
    await this.start();
    const handled = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, COMM_HANDLER_MS);
      this.commsInFlight.set(message.header.msg_id, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (action === 'open') this.comms.set(commId, String(message.content.target_name ?? ''));
    if (action === 'close') this.comms.delete(commId);
    this.remember(message.header, false);
    const targetName = typeof message.content.target_name === 'string' ? message.content.target_name : undefined;
    this.executor.send({ type: 'comm', parent: message.header.msg_id, action, comm_id: commId, target_name: targetName, data: message.content.data ?? {} });
    await handled;
    this.commsInFlight.delete(message.header.msg_id);
  }

  /** messaging spec: comm_info, optionally only the comms of one target. */
  commInfo(targetName?: unknown): Record<string, { target_name: string }> {
    const entries = [...this.comms].filter(([, target]) => typeof targetName !== 'string' || target === targetName);
    return Object.fromEntries(entries.map(([id, target]) => [id, { target_name: target }]));
  }

  /** An input_reply from the stdin channel answers the question the running cell asked. */
  onInputReply(message: Message): void {
    const id = this.pendingInput;
    if (message.header.msg_type !== 'input_reply' || id === undefined) return;
    this.pendingInput = undefined;
    this.executor.send({ type: 'input_reply', id, value: String(message.content.value ?? '') });
  }

  private remember(header: Header, silent: boolean): void {
    this.parents.set(header.msg_id, { header, silent });
    if (this.parents.size > PARENT_MEMORY) this.parents.delete(this.parents.keys().next().value as string);
  }

  /** Output without a known parent goes to the running cell, else to the last one that ran. */
  private parentOf(parent: string): string {
    if (parent && this.parents.has(parent)) return parent;
    return this.running?.request.header.msg_id ?? [...this.parents.keys()].pop() ?? '';
  }

  private publishFor(parent: string, msgType: string, content: unknown): void {
    const known = this.parents.get(parent);
    if (known?.silent) return;
    this.messenger.publish(msgType, content, (known?.header ?? {}) as Parent);
  }
}

/** An execute_reply that failed (messaging spec: execute reply, status error). */
function errorReply(executionCount: number, error: ErrorContent) {
  return { status: 'error', execution_count: executionCount, ...error, user_expressions: {}, payload: [] };
}

function interruptedBeforeRun(): ErrorContent {
  const evalue = 'the cell was interrupted before it started (Kernel → Interrupt)';
  return { ename: 'Interrupted', evalue, traceback: [`\x1b[0;31mInterrupted\x1b[0m: ${evalue}`] };
}

function exitError(code: number | null, signal: NodeJS.Signals | null, exitCode: number | undefined, interrupted: boolean): ErrorContent {
  let cause: string;
  if (interrupted) cause = 'The cell did not stop when interrupted (a loop that started after an `await` cannot be interrupted in place), so Tempo stopped its executor.';
  else if (exitCode !== undefined && signal === null) cause = `process.exit(${exitCode}) ended the executor.`;
  else if (signal !== null) cause = `The executor was killed by ${signal}${signal === 'SIGABRT' ? ' (often: out of memory)' : ''}.`;
  else cause = `The executor crashed with exit code ${code}${code === 134 ? ' (often: out of memory)' : ''}.`;
  const evalue = `${cause} A new executor has started: variables, functions and imports from earlier cells are gone; rerun the cells you need.`;
  return { ename: interrupted ? 'Interrupted' : 'ExecutorRestarted', evalue, traceback: [`\x1b[0;31m${interrupted ? 'Interrupted' : 'ExecutorRestarted'}\x1b[0m: ${evalue}`] };
}

function objectOf(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
