import type { Message } from '../../protocol/messages';

/**
 * One cell's execute_request, sent before its turn: `tempo run` sends every cell at once, as
 * JupyterLab's Run All does, so the kernel goes from one cell to the next without waiting for a
 * round trip; a failed cell makes the kernel abort the rest (stop_on_error). Its IOPub messages
 * are held until the cell is the one running, so its output prints under its own header.
 */
export class QueuedCell {
  readonly reply: Promise<Message>;
  private held: Message[] | undefined = [];
  private deliver: (message: Message) => void = () => undefined;

  constructor(send: (onIopub: (message: Message) => void) => Promise<Message>) {
    this.reply = send((message) => (this.held ? this.held.push(message) : this.deliver(message)));
    // A cell aborted after an earlier failure is never awaited: its rejection is not an error.
    this.reply.catch(() => undefined);
  }

  /** Its turn: what was held goes to `deliver` now, and everything after it at once. */
  start(deliver: (message: Message) => void): void {
    this.deliver = deliver;
    const held = this.held ?? [];
    this.held = undefined;
    for (const message of held) deliver(message);
  }
}
