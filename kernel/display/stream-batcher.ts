export type StreamName = 'stdout' | 'stderr';

/**
 * Joins consecutive writes of one stream for one request into a single `stream` message, as
 * ipykernel's iostream does: everything read from the executor in one go leaves as one message
 * per stream, so a flood of 100,000 lines goes out whole in far fewer messages, while a lone
 * print still leaves at once (flushed when the current read is done, not on a timer).
 */
export class StreamBatcher {
  private pending: { parent: string; name: StreamName; text: string }[] = [];
  private scheduled = false;

  constructor(private readonly emit: (parent: string, name: StreamName, text: string) => void) {}

  write(parent: string, name: StreamName, text: string): void {
    const last = this.pending[this.pending.length - 1];
    if (last && last.parent === parent && last.name === name) last.text += text;
    else this.pending.push({ parent, name, text });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Sends everything buffered, in order; called before any other output so order is kept. */
  flush(): void {
    this.scheduled = false;
    const pending = this.pending;
    this.pending = [];
    for (const { parent, name, text } of pending) this.emit(parent, name, text);
  }
}
