import type { ExecuteRequest, Message } from '../protocol/messages';
import type { Messenger } from './messenger';

/**
 * messaging spec: stdin. A running cell's question goes to the client that sent it, on stdin,
 * unless that client said it cannot answer (allow_stdin false): then the cell gets an error at
 * once rather than waiting for ever. One question at a time, as only the running cell asks.
 */
export class Stdin {
  private pending: { resolve: (value: string) => void } | undefined;

  constructor(private readonly messenger: Messenger) {}

  ask(request: Message<ExecuteRequest> | undefined, prompt: string, password: boolean): Promise<string> {
    if (!request || request.content.allow_stdin === false) {
      return Promise.reject(new Error('input() needs a front end that accepts input; this request came with allow_stdin false'));
    }
    return new Promise((resolve) => {
      this.pending = { resolve };
      this.messenger.reply('stdin', request, 'input_request', { prompt, password });
    });
  }

  /** An input_reply answers the question asked last; one with nothing asked is ignored. */
  answer(message: Message): void {
    const pending = this.pending;
    if (message.header.msg_type !== 'input_reply' || !pending) return;
    this.pending = undefined;
    pending.resolve(String(message.content.value ?? ''));
  }

  /** The cell that asked has finished: a late answer goes nowhere. */
  cancel(): void {
    this.pending = undefined;
  }
}
