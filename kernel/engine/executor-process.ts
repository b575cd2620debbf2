import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ExecutorCommand, ExecutorEvent } from './executor-protocol';
import type { MagicSettings } from './magic-runtime';

export interface ExecutorListener {
  /** Every event in one chunk read from the executor, in order. */
  onEvents(events: ExecutorEvent[]): void;
  /** Bytes written straight to fd 1 or 2 (child processes, native code), bypassing `console`. */
  onRawOutput(name: 'stdout' | 'stderr', text: string): void;
  onExit(code: number | null, signal: NodeJS.Signals | null): void;
}

const ENTRY = join(__dirname, 'executor-main.js');

/** The kernel's handle on its executor child: start, send cells, interrupt, replace. */
export class ExecutorProcess {
  private child: ChildProcess | undefined;

  constructor(private readonly listener: ExecutorListener) {}

  /** Starts a fresh executor, with the settings of the one it replaces if any; resolves when it can take cells. */
  start(settings?: MagicSettings): Promise<void> {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', ENTRY, ...(settings ? [JSON.stringify(settings)] : [])], {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'ipc'],
      // Its own process group: Jupyter's SIGINT to the kernel's group must not reach it twice.
      detached: true,
    });
    this.child = child;
    const ready = new Promise<void>((resolve) => {
      const events = child.stdio[3] as Readable;
      let partial = '';
      events.setEncoding('utf8');
      events.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        const parsed = lines.map((line) => JSON.parse(line) as ExecutorEvent);
        if (parsed.some((event) => event.type === 'ready')) resolve();
        this.listener.onEvents(parsed.filter((event) => event.type !== 'ready'));
      });
    });
    for (const name of ['stdout', 'stderr'] as const) {
      const stream = child[name] as Readable;
      stream.setEncoding('utf8');
      stream.on('data', (text: string) => this.listener.onRawOutput(name, text));
    }
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      this.listener.onExit(code, signal);
    });
    return ready;
  }

  send(command: ExecutorCommand): void {
    this.child?.send(command);
  }

  interrupt(): void {
    this.child?.kill('SIGINT');
  }

  /** Ends the executor at once; its `exit` still reaches the listener. */
  kill(): void {
    this.child?.kill('SIGKILL');
  }
}
