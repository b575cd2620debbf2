import type { ExecuteRequest, Message } from '../protocol/messages';
import { checkComplete } from '../engine/is-complete';
import type { HistoryRequest } from './history';
import type { Messenger } from './messenger';
import type { Execution } from './execution';
import { kernelInfo } from './kernel-info';
import type { TypeChecker } from '../engine/typecheck/type-checker';

/** Completion and inspection give up after this long (a checker still starting), answering empty. */
const ASSIST_TIMEOUT_MS = 5000;

type RequestChannel = 'shell' | 'control';
type Handler = (message: Message, channel: RequestChannel, sequence: number) => void | Promise<void>;

/**
 * What serves every request but kernel_info: cells and the checker. The kernel asks for it on
 * first need, so that its modules load after the first kernel_info_reply (cli/kernel-command.ts).
 */
export interface Engine {
  execution: Execution;
  typeChecker: TypeChecker;
}

export interface KernelHooks {
  /** After shutdown_reply has been sent: stop the process (Jupyter restarts it when asked to). */
  onShutdown(restart: boolean): void;
  log(text: string): void;
}

/**
 * Routes requests by msg_type through one table, wrapping each in busy/idle with its parent
 * (messaging spec: kernel status). Shell requests run one at a time, in order; control requests
 * are served at once, even while a cell runs (ipykernel's control priority).
 */
export class Kernel {
  private shellQueue: { message: Message; sequence: number }[] = [];
  private shellBusy = false;
  private received = 0;
  private readonly handlers: Record<string, Handler>;

  constructor(private readonly messenger: Messenger, private readonly engine: () => Engine, private readonly hooks: KernelHooks) {
    this.handlers = {
      kernel_info_request: (m, channel) => this.messenger.reply(channel, m, 'kernel_info_reply', kernelInfo()),
      execute_request: (m, channel, sequence) =>
        channel === 'shell' ? this.engine().execution.execute(m as unknown as Message<ExecuteRequest>, sequence) : this.hooks.log('execute_request on control ignored'),
      is_complete_request: (m, channel) => this.messenger.reply(channel, m, 'is_complete_reply', checkComplete(String(m.content.code ?? ''))),
      history_request: (m, channel) => this.messenger.reply(channel, m, 'history_reply', { status: 'ok', history: this.engine().execution.history.query(m.content as HistoryRequest) }),
      // messaging spec: cursor_pos counts Unicode code points; the checker converts.
      complete_request: async (m, channel) => {
        const code = String(m.content.code ?? '');
        const cursor = typeof m.content.cursor_pos === 'number' ? m.content.cursor_pos : [...code].length;
        const result = await this.engine().typeChecker.complete(code, cursor, ASSIST_TIMEOUT_MS).catch((error: Error) => this.hooks.log(`complete_request: ${error.message}`));
        const { matches = [], cursorStart = cursor, cursorEnd = cursor, metadata = {} } = result ?? {};
        this.messenger.reply(channel, m, 'complete_reply', { status: 'ok', matches, cursor_start: cursorStart, cursor_end: cursorEnd, metadata });
      },
      inspect_request: async (m, channel) => {
        const code = String(m.content.code ?? '');
        const cursor = typeof m.content.cursor_pos === 'number' ? m.content.cursor_pos : [...code].length;
        const result = await this.engine().typeChecker.inspect(code, cursor, ASSIST_TIMEOUT_MS).catch((error: Error) => this.hooks.log(`inspect_request: ${error.message}`));
        this.messenger.reply(channel, m, 'inspect_reply', { status: 'ok', found: result?.found ?? false, data: result?.data ?? {}, metadata: {} });
      },
      comm_info_request: (m, channel) => this.messenger.reply(channel, m, 'comm_info_reply', { status: 'ok', comms: this.engine().execution.commInfo(m.content.target_name) }),
      // Comm handlers live in the executor, with the cells that registered them.
      comm_open: (m) => this.engine().execution.forwardComm(m),
      comm_msg: (m) => this.engine().execution.forwardComm(m),
      comm_close: (m) => this.engine().execution.forwardComm(m),
      interrupt_request: (m, channel) => {
        this.engine().execution.interrupt();
        this.messenger.reply(channel, m, 'interrupt_reply', { status: 'ok' });
      },
      shutdown_request: (m, channel) => {
        const content = { status: 'ok', restart: m.content.restart === true };
        this.messenger.reply(channel, m, 'shutdown_reply', content);
        // ipykernel also broadcasts the reply, so every client learns the kernel is going.
        this.messenger.publish('shutdown_reply', content, m.header);
        this.hooks.onShutdown(content.restart);
      },
    };
  }

  /** How many shell requests wait behind the one being handled (stop_on_error aborts them too). */
  get queued(): number {
    return this.shellQueue.length;
  }

  handle(channel: RequestChannel, message: Message): void {
    const sequence = ++this.received;
    if (channel === 'control') {
      void this.dispatch(message, channel, sequence);
      return;
    }
    this.shellQueue.push({ message, sequence });
    if (!this.shellBusy) void this.drainShell();
  }

  private async drainShell(): Promise<void> {
    this.shellBusy = true;
    for (let next = this.shellQueue.shift(); next; next = this.shellQueue.shift()) {
      await this.dispatch(next.message, 'shell', next.sequence);
    }
    this.shellBusy = false;
  }

  private async dispatch(message: Message, channel: RequestChannel, sequence: number): Promise<void> {
    const handler = this.handlers[message.header.msg_type];
    this.messenger.publish('status', { execution_state: 'busy' }, message.header);
    try {
      if (handler) await handler(message, channel, sequence);
      else this.hooks.log(`${channel}: unknown msg_type ${JSON.stringify(message.header.msg_type)} (msg_id ${message.header.msg_id}) ignored`);
    } catch (error) {
      this.hooks.log(`${channel}: ${message.header.msg_type} (msg_id ${message.header.msg_id}) failed: ${(error as Error).stack ?? error}`);
      // A request that has a reply still gets one, saying what went wrong (STYLE: handler errors).
      const msgType = message.header.msg_type;
      if (msgType.endsWith('_request')) {
        this.messenger.reply(channel, message, msgType.replace(/_request$/, '_reply'), { status: 'error', ename: (error as Error).name ?? 'Error', evalue: (error as Error).message ?? String(error), traceback: [] });
      }
    } finally {
      this.messenger.publish('status', { execution_state: 'idle' }, message.header);
    }
  }
}
