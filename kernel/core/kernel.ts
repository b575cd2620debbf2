import type { KernelInfoReply, Message, RequestChannel, RequestContents, RequestType } from '../protocol/messages';
import { CommTable } from './comms';
import { Execution } from './execution';
import { History } from './history';
import type { Language, LanguageHost } from './language';
import type { Messenger } from './messenger';
import { OutputRouter } from './output-router';
import { Stdin } from './stdin';

/** Completion and inspection give up after this long (a language still starting), answering empty. */
const ASSIST_TIMEOUT_MS = 5000;

type Handler<T extends RequestType> = (message: Message<RequestContents[T]>, channel: RequestChannel, sequence: number) => void | Promise<void>;
type HandlerTable = { [T in RequestType]: Handler<T> };

export interface KernelOptions {
  /** kernel_info_reply: served at once, before the language is loaded. */
  info: KernelInfoReply;
  /**
   * Builds the language on first need, so that its modules load after the first kernel_info_reply
   * (cli/kernel-command.ts).
   */
  loadLanguage(host: LanguageHost): Language;
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
  private loaded: Language | undefined;
  private readonly handlers: HandlerTable;
  private readonly history = new History();
  private readonly router: OutputRouter;
  private readonly stdin: Stdin;
  private readonly comms: CommTable;
  private readonly execution: Execution;

  constructor(private readonly messenger: Messenger, private readonly options: KernelOptions) {
    this.router = new OutputRouter(messenger, () => this.execution.executionCount);
    this.stdin = new Stdin(messenger);
    this.comms = new CommTable(this.router);
    this.execution = new Execution(messenger, this.router, this.history, this.stdin, () => this.shellQueue.length);
    const language = () => this.language;
    this.handlers = {
      kernel_info_request: (m, channel) => this.messenger.reply(channel, m, 'kernel_info_reply', this.options.info),
      execute_request: (m, channel, sequence) => (channel === 'shell' ? this.execution.execute(m, sequence, language) : this.options.log('execute_request on control ignored')),
      is_complete_request: (m, channel) => this.messenger.reply(channel, m, 'is_complete_reply', this.language.isComplete(String(m.content.code ?? ''))),
      history_request: (m, channel) => this.messenger.reply(channel, m, 'history_reply', { status: 'ok', history: this.history.query(m.content) }),
      // messaging spec: cursor_pos counts Unicode code points; the language converts.
      complete_request: async (m, channel) => {
        const { code, cursor } = codeAndCursor(m.content);
        const result = await this.language.complete(code, cursor, ASSIST_TIMEOUT_MS).catch((error: Error) => this.options.log(`complete_request: ${error.message}`));
        const { matches = [], cursorStart = cursor, cursorEnd = cursor, metadata = {} } = result ?? {};
        this.messenger.reply(channel, m, 'complete_reply', { status: 'ok', matches, cursor_start: cursorStart, cursor_end: cursorEnd, metadata });
      },
      inspect_request: async (m, channel) => {
        const { code, cursor } = codeAndCursor(m.content);
        const result = await this.language.inspect(code, cursor, ASSIST_TIMEOUT_MS).catch((error: Error) => this.options.log(`inspect_request: ${error.message}`));
        this.messenger.reply(channel, m, 'inspect_reply', { status: 'ok', found: result?.found ?? false, data: result?.data ?? {}, metadata: {} });
      },
      comm_info_request: (m, channel) => this.messenger.reply(channel, m, 'comm_info_reply', { status: 'ok', comms: this.comms.info(m.content.target_name) }),
      comm_open: (m) => this.comms.forward(m, this.language),
      comm_msg: (m) => this.comms.forward(m, this.language),
      comm_close: (m) => this.comms.forward(m, this.language),
      interrupt_request: (m, channel) => {
        this.interrupt();
        this.messenger.reply(channel, m, 'interrupt_reply', { status: 'ok' });
      },
      shutdown_request: (m, channel) => {
        const content = { status: 'ok', restart: m.content.restart === true } as const;
        this.messenger.reply(channel, m, 'shutdown_reply', content);
        // ipykernel also broadcasts the reply, so every client learns the kernel is going.
        this.messenger.publish('shutdown_reply', content, m.header);
        this.options.onShutdown(content.restart);
      },
    };
  }

  /** The language, built on first need. */
  get language(): Language {
    this.loaded ??= this.options.loadLanguage({
      output: (cellId, output) => {
        this.comms.observe(output);
        this.execution.output(cellId, output);
      },
      input: (prompt, password) => this.execution.input(prompt, password),
      stateLost: () => this.comms.clear(),
      log: (text) => this.options.log(text),
    });
    return this.loaded;
  }

  handle(channel: RequestChannel, message: Message): void {
    // Answers to a running cell's question, outside the busy/idle of any request.
    if (channel === 'stdin') return this.stdin.answer(message);
    const sequence = ++this.received;
    if (channel === 'control') {
      void this.dispatch(message, channel, sequence);
      return;
    }
    this.shellQueue.push({ message, sequence });
    if (!this.shellBusy) void this.drainShell();
  }

  /** Stops the running cell (interrupt_request, or SIGINT in signal mode); nothing runs before the language loads. */
  interrupt(): void {
    this.loaded?.interrupt();
  }

  /** Ends the language, if it was ever loaded. */
  shutdown(): void {
    this.router.flush();
    this.loaded?.shutdown();
  }

  private async drainShell(): Promise<void> {
    this.shellBusy = true;
    for (let next = this.shellQueue.shift(); next; next = this.shellQueue.shift()) {
      await this.dispatch(next.message, 'shell', next.sequence);
    }
    this.shellBusy = false;
  }

  private async dispatch(message: Message, channel: RequestChannel, sequence: number): Promise<void> {
    const msgType = message.header.msg_type;
    const handler = Object.hasOwn(this.handlers, msgType) ? (this.handlers[msgType as RequestType] as Handler<RequestType>) : undefined;
    this.messenger.publish('status', { execution_state: 'busy' }, message.header);
    try {
      if (handler) await handler(message as Message<never>, channel, sequence);
      else this.options.log(`${channel}: unknown msg_type ${JSON.stringify(msgType)} (msg_id ${message.header.msg_id}) ignored`);
    } catch (error) {
      this.options.log(`${channel}: ${msgType} (msg_id ${message.header.msg_id}) failed: ${(error as Error).stack ?? error}`);
      // A request that has a reply still gets one, saying what went wrong (STYLE: handler errors).
      if (msgType.endsWith('_request')) {
        this.messenger.replyError(channel, message, msgType.replace(/_request$/, '_reply'), { status: 'error', ename: (error as Error).name ?? 'Error', evalue: (error as Error).message ?? String(error), traceback: [] });
      }
    } finally {
      this.messenger.publish('status', { execution_state: 'idle' }, message.header);
    }
  }
}

/** messaging spec: a missing cursor_pos means the end of the code, counted in code points. */
function codeAndCursor(content: { code?: unknown; cursor_pos?: unknown }): { code: string; cursor: number } {
  const code = String(content.code ?? '');
  return { code, cursor: typeof content.cursor_pos === 'number' ? content.cursor_pos : [...code].length };
}

