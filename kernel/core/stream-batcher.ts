import type { StreamName } from '../protocol/messages';

/**
 * Within this long after a flush, further output waits for the next one, as in ipykernel. JupyterLab
 * re-renders a cell's whole stream output for each message: at 20 ms, 100,000 printed lines took
 * it 27 s with the page frozen up to 7.6 s; at 200 ms, 7.9 s and 1.2 s (test/e2e/lab-notebook).
 */
const FLUSH_INTERVAL_MS = 200;

/**
 * Joins consecutive writes of one stream for one request into a single `stream` message, as
 * ipykernel's iostream does. A print after a quiet spell leaves at once (once the language's
 * current burst of output is in); while output keeps coming, it leaves every FLUSH_INTERVAL_MS, so a
 * flood of 100,000 lines goes out in a few messages instead of one per read.
 */
export class StreamBatcher {
  private pending: { parent: string; name: StreamName; text: string }[] = [];
  private cancelScheduled: (() => void) | undefined;
  private lastFlush = -Infinity;

  constructor(private readonly emit: (parent: string, name: StreamName, text: string) => void) {}

  write(parent: string, name: StreamName, text: string): void {
    const last = this.pending[this.pending.length - 1];
    if (last && last.parent === parent && last.name === name) last.text += text;
    else this.pending.push({ parent, name, text });
    if (this.cancelScheduled) return;
    const wait = this.lastFlush + FLUSH_INTERVAL_MS - performance.now();
    if (wait <= 0) {
      const immediate = setImmediate(() => this.flush());
      this.cancelScheduled = () => clearImmediate(immediate);
    } else {
      const timeout = setTimeout(() => this.flush(), wait);
      this.cancelScheduled = () => clearTimeout(timeout);
    }
  }

  /** Sends everything buffered, in order; called before any other output so order is kept. */
  flush(): void {
    this.cancelScheduled?.();
    this.cancelScheduled = undefined;
    const pending = this.pending;
    if (pending.length === 0) return;
    this.pending = [];
    this.lastFlush = performance.now();
    for (const { parent, name, text } of pending) this.emit(parent, name, text);
  }
}
