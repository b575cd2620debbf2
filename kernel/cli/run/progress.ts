/** Where progress goes: stdout in practice, a fake in tests. */
export interface ProgressSink {
  write(text: string): void;
}

const TTY_REDRAW_MS = 200;
/** A status line only for cells slower than this: quick cells would just flicker. */
const TTY_SHOW_AFTER_MS = 300;
/** Plain-line reports at these seconds into a cell, then every 30 s: CI logs stay short but alive. */
const PLAIN_SCHEDULE_S = [2, 5, 10, 20, 30];
const PLAIN_REPEAT_S = 30;

const clock = (ms: number): string => {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  return `${Math.floor(seconds / 60)} min ${String(Math.floor(seconds % 60)).padStart(2, '0')} s`;
};

/**
 * Which cell of how many is running and for how long. On a terminal: one status line redrawn in
 * place and erased before any output is printed. Elsewhere: a plain `[3/12] running… 5 s` line
 * now and then, so a CI log shows a long cell is alive without filling up.
 */
export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private label = '';
  private lineShown = false;
  private nextPlain = 0;
  /** Output that did not end its line: a status line now would be drawn over it. */
  private midLine = false;

  constructor(private readonly sink: ProgressSink, private readonly tty: boolean, private readonly color: boolean) {}

  start(position: number, total: number, cellNumber: number): void {
    this.stop();
    this.startedAt = performance.now();
    this.label = `[${position}/${total}] cell ${cellNumber}`;
    this.nextPlain = 0;
    this.midLine = false;
    this.timer = setInterval(() => this.tick(), this.tty ? TTY_REDRAW_MS : 250);
    this.timer.unref();
  }

  /** Erases the status line; call before printing anything. */
  beforeOutput(): void {
    this.erase();
  }

  /** `text` is what was just printed: whether it ended its line decides if a status line may follow. */
  afterOutput(text: string): void {
    if (text.length > 0) this.midLine = !text.endsWith('\n');
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.erase();
  }

  private tick(): void {
    const elapsed = performance.now() - this.startedAt;
    if (this.tty) {
      if (elapsed < TTY_SHOW_AFTER_MS || this.midLine) return;
      const text = `${this.label} running… ${clock(elapsed)}`;
      this.sink.write(`\r\x1b[2K${this.color ? `\x1b[2m${text}\x1b[0m` : text}`);
      this.lineShown = true;
      return;
    }
    const seconds = elapsed / 1000;
    const due = this.nextPlain < PLAIN_SCHEDULE_S.length ? PLAIN_SCHEDULE_S[this.nextPlain] : PLAIN_SCHEDULE_S[PLAIN_SCHEDULE_S.length - 1] + PLAIN_REPEAT_S * (this.nextPlain - PLAIN_SCHEDULE_S.length + 1);
    if (seconds < due) return;
    this.nextPlain += 1;
    this.sink.write(`${this.midLine ? '\n' : ''}${this.label} running… ${Math.floor(seconds)} s\n`);
    this.midLine = false;
  }

  private erase(): void {
    if (!this.lineShown) return;
    this.sink.write('\r\x1b[2K');
    this.lineShown = false;
  }
}
