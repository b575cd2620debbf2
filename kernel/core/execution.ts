import type { ErrorContent, ExecuteRequest, Header, Message } from '../protocol/messages';
import { StreamBatcher, type StreamName } from '../display/stream-batcher';
import type { ExecutorEvent, InputReplyCommand } from '../engine/executor-protocol';
import { timingBundle } from '../display/timing-line';
import type { CellTiming } from '../timing/cell-clock';
import type { Messenger, Parent } from './messenger';
import { History } from './history';

/** What the execution layer needs from an executor (the child process in production). */
export interface Executor {
  start(): Promise<void>;
  execute(command: { type: 'execute'; parent: string; code: string; cellName: string; userExpressions: Record<string, string> }): void;
  interrupt(): void;
  kill(): void;
  answerInput(reply: InputReplyCommand): void;
}

interface Outcome {
  error?: ErrorContent;
  userExpressions: Record<string, unknown>;
  timing?: CellTiming;
  showTiming?: boolean;
}

interface Running {
  request: Message<ExecuteRequest>;
  /** Its In[n] when it is stored in history. */
  historyLine?: number;
  silent: boolean;
  finish: (outcome: Outcome) => void;
  interruptedAt?: number;
}

/** How long an interrupted cell may keep running before its executor is replaced. */
const INTERRUPT_GRACE_MS = 3000;
const INTERRUPT_REPEAT_MS = 250;
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
  private readonly parents = new Map<string, { header: Header; silent: boolean }>();
  private readonly streams: StreamBatcher;
  /** Requests received up to this sequence number are aborted (messaging spec: stop_on_error). */
  private abortThrough = -1;
  private exitNote: { parent: string; code: number } | undefined;
  private starting: Promise<void> | undefined;
  private stopping = false;
  private pendingInput: string | undefined;

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
      this.messenger.reply('shell', request, 'execute_reply', { status: 'error', execution_count: this.executionCount, ename: 'Aborted', evalue: 'not run: an earlier cell failed', traceback: [], user_expressions: {}, payload: [] }, { started, status: 'aborted' });
      return;
    }
    if (typeof content.code !== 'string') {
      this.messenger.reply('shell', request, 'execute_reply', { status: 'error', execution_count: this.executionCount, ename: 'BadRequest', evalue: 'execute_request content.code must be a string', traceback: [], user_expressions: {}, payload: [] }, { started });
      return;
    }
    const code = content.code;
    if (storeHistory) this.executionCount += 1;
    const count = this.executionCount;
    if (storeHistory) this.history.add(count, code);
    this.remember(request.header, silent);
    if (!silent) this.messenger.publish('execute_input', { code, execution_count: count }, request.header);
    await this.start();
    const outcome = await new Promise<Outcome>((finish) => {
      this.running = { request, silent, finish, historyLine: storeHistory ? count : undefined };
      this.executor.execute({ type: 'execute', parent: request.header.msg_id, code, cellName: storeHistory ? `In[${count}]` : `In[silent-${request.header.msg_id.slice(0, 8)}]`, userExpressions: objectOf(content.user_expressions) });
    });
    this.running = undefined;
    this.pendingInput = undefined;
    this.streams.flush();
    if (outcome.error) {
      if (!silent) this.messenger.publish('error', outcome.error, request.header);
      if (content.stop_on_error !== false) this.abortThrough = sequence + this.queuedBehind();
    }
    // The timing line is the cell's last output. Not under errors: a failed cell's one output is its error.
    if (outcome.timing && outcome.showTiming && !outcome.error && !silent) {
      this.messenger.publish('display_data', { data: timingBundle(outcome.timing), metadata: {}, transient: {} }, request.header);
    }
    const reply = outcome.error
      ? { status: 'error', execution_count: count, ...outcome.error, user_expressions: {}, payload: [] }
      : { status: 'ok', execution_count: count, user_expressions: outcome.userExpressions, payload: [] };
    this.messenger.reply('shell', request, 'execute_reply', reply, { started, status: reply.status, ...(outcome.timing ? { timing: outcome.timing } : {}) });
  }

  /** Set by the kernel: how many shell requests wait behind the current one. */
  queuedBehind: () => number = () => 0;

  /**
   * SIGINT now and again every INTERRUPT_REPEAT_MS until the cell ends: a signal that lands while
   * the executor is still receiving or compiling the cell finds nothing to stop, the next one
   * does. A loop that began after an `await` ignores them all: then the executor is replaced.
   */
  interrupt(): void {
    const running = this.running;
    if (!running || running.interruptedAt !== undefined) return;
    running.interruptedAt = Date.now();
    this.executor.interrupt();
    const repeat = setInterval(() => {
      if (this.running !== running) clearInterval(repeat);
      else if (Date.now() - (running.interruptedAt ?? 0) < INTERRUPT_GRACE_MS) this.executor.interrupt();
      else {
        clearInterval(repeat);
        this.executor.kill();
      }
    }, INTERRUPT_REPEAT_MS);
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
    const error = exitError(code, signal, note?.code, running?.interruptedAt !== undefined);
    this.starting = this.executor.start();
    if (running) running.finish({ error, userExpressions: {} });
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
      this.executor.answerInput({ type: 'input_reply', id, error: 'input() needs a front end that accepts input; this request came with allow_stdin false' });
      return;
    }
    this.pendingInput = id;
    this.messenger.reply('stdin', request, 'input_request', { prompt, password });
  }

  /** An input_reply from the stdin channel answers the question the running cell asked. */
  onInputReply(message: Message): void {
    const id = this.pendingInput;
    if (message.header.msg_type !== 'input_reply' || id === undefined) return;
    this.pendingInput = undefined;
    this.executor.answerInput({ type: 'input_reply', id, value: String(message.content.value ?? '') });
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
