/**
 * zeromq v6 allows one pending send per socket; this keeps later sends in FIFO order behind it.
 * Sends usually complete at once, so the queue is normally empty.
 */
export class SendQueue {
  private readonly pending: Buffer[][] = [];
  private busy = false;

  constructor(
    private readonly send: (frames: Buffer[]) => Promise<void>,
    private readonly onError: (error: Error) => void,
  ) {}

  push(frames: Buffer[]): void {
    this.pending.push(frames);
    if (!this.busy) void this.drain();
  }

  /** Resolves once everything queued so far has been handed to ZeroMQ. */
  async flushed(): Promise<void> {
    while (this.busy || this.pending.length > 0) await new Promise((resolve) => setImmediate(resolve));
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      for (let frames = this.pending.shift(); frames; frames = this.pending.shift()) {
        try {
          await this.send(frames);
        } catch (error) {
          this.onError(error as Error);
        }
      }
    } finally {
      this.busy = false;
    }
  }
}
