import type { ErrorContent, ExecuteReply, ExecuteRequest, Message } from '../protocol/messages';
import type { CellOutcome, Language, Output } from './language';
import type { Messenger } from './messenger';
import type { History } from './history';
import type { OutputRouter } from './output-router';
import type { Stdin } from './stdin';

/**
 * The execute flow of the messaging spec, whatever the language: execute_input, the language's
 * output under the right parent, the error, the closing displays, the reply; execution counts,
 * history, and stop_on_error aborts of the requests queued behind a failure.
 */
export class Execution {
  executionCount = 0;
  /** The request running now, and its In[n] when it is kept in history. */
  private running: { request: Message<ExecuteRequest>; historyLine?: number } | undefined;
  /** Requests received up to this sequence number are aborted (messaging spec: stop_on_error). */
  private abortThrough = -1;

  constructor(
    private readonly messenger: Messenger,
    private readonly router: OutputRouter,
    private readonly history: History,
    private readonly stdin: Stdin,
    /** How many shell requests wait behind the running one: a failure aborts them too. */
    private readonly queuedBehind: () => number,
  ) {}

  async execute(request: Message<ExecuteRequest>, sequence: number, language: () => Language): Promise<void> {
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
    if (storeHistory) this.executionCount += 1;
    const count = this.executionCount;
    if (storeHistory) this.history.add(count, code);
    this.router.remember(request.header, silent);
    if (!silent) this.messenger.publish('execute_input', { code, execution_count: count }, request.header);
    const id = request.header.msg_id;
    const name = storeHistory ? `In[${count}]` : `In[silent-${id.slice(0, 8)}]`;
    this.running = { request, historyLine: storeHistory ? count : undefined };
    this.router.running = id;
    let outcome: CellOutcome;
    try {
      outcome = await language().execute({ id, code, name, userExpressions: objectOf(content.user_expressions) });
    } finally {
      this.running = undefined;
      this.router.running = undefined;
      this.stdin.cancel();
      this.router.flush();
    }
    if (outcome.error) {
      if (!silent) this.messenger.publish('error', outcome.error, request.header);
      if (content.stop_on_error !== false) this.abortThrough = sequence + this.queuedBehind();
    }
    // Every cell that ran is timed, a failed one too: its closing displays come after the error.
    if (!silent) for (const data of outcome.epilogue) this.messenger.publish('display_data', { data, metadata: {}, transient: {} }, request.header);
    const reply: ExecuteReply = outcome.error
      ? errorReply(count, outcome.error)
      : { status: 'ok', execution_count: count, user_expressions: outcome.userExpressions, payload: [] };
    this.messenger.reply('shell', request, 'execute_reply', reply, { started, status: reply.status, ...outcome.metadata });
  }

  /** Output from the language: a result counts only for the cell running now, and is kept in history. */
  output(cellId: string, output: Output): void {
    if (output.type !== 'execute_result') return this.router.route(cellId, output);
    this.router.flush();
    if (this.running?.request.header.msg_id !== cellId) return;
    if (this.running.historyLine !== undefined) this.history.setOutput(this.running.historyLine, String(output.data['text/plain']));
    this.router.publish(cellId, output);
  }

  /** The running cell asks its client for a line of input. */
  input(prompt: string, password: boolean): Promise<string> {
    // What the cell printed before asking comes first.
    this.router.flush();
    return this.stdin.ask(this.running?.request, prompt, password);
  }
}

/** An execute_reply that failed (messaging spec: execute reply, status error). */
function errorReply(executionCount: number, error: ErrorContent): ExecuteReply {
  return { status: 'error', execution_count: executionCount, ...error, user_expressions: {}, payload: [] };
}

function objectOf(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
