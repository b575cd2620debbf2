import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { EVENT_FD, INTERRUPT_FD, type ExecutorCommand, type ExecutorEvent, type MagicSettings } from '../common/executor-messages';


export interface ExecutorListener {
  /** Each event the executor reports, in order. */
  onEvent(event: ExecutorEvent): void;
  /** Bytes written straight to fd 1 or 2 (child processes, native code), bypassing `console`. */
  onRawOutput(name: 'stdout' | 'stderr', text: string): void;
  onExit(code: number | null, signal: NodeJS.Signals | null): void;
}

const ENTRY = join(__dirname, '..', 'executor', 'executor-process-main.js');

/**
 * Spawns an executor, with the settings of the one it replaces if any. ExecutorProcess calls it;
 * `tempo kernel --eager` calls it before the kernel loads, and hands the child over.
 */
export function spawnExecutor(env: NodeJS.ProcessEnv, settings?: MagicSettings): ChildProcess {
  return spawn(process.execPath, ['--disable-warning=ExperimentalWarning', ENTRY, ...(settings ? [JSON.stringify(settings)] : [])], {
    // fd 3: events; fd 4: Node's IPC channel, for commands; fd 5: interrupts.
    stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'ipc', 'pipe'],
    // Its own process group: Jupyter's SIGINT to the kernel's group must not reach it (interrupt-guard.ts).
    detached: true,
    env,
  });
}

/** The kernel's handle on its executor child: start, send cells, interrupt, replace. */
export class ExecutorProcess {
  private child: ChildProcess | undefined;

  /** `env`: what the executor starts with (cli/launch-env.ts prepares it). `prestarted`: the first executor, spawned already. */
  constructor(
    private readonly listener: ExecutorListener,
    private readonly env: NodeJS.ProcessEnv,
    private prestarted?: ChildProcess,
  ) {}

  /** Starts a fresh executor, with the settings of the one it replaces if any; resolves when it can take cells. */
  start(settings?: MagicSettings): Promise<void> {
    const child = this.prestarted ?? spawnExecutor(this.env, settings);
    this.prestarted = undefined;
    this.child = child;
    const ready = new Promise<void>((resolve) => {
      createInterface({ input: child.stdio[EVENT_FD] as Readable }).on('line', (line) => {
        const event = JSON.parse(line) as ExecutorEvent;
        if (event.type === 'ready') resolve();
        else this.listener.onEvent(event);
      });
    });
    for (const name of ['stdout', 'stderr'] as const) {
      const stream = child[name] as Readable;
      stream.setEncoding('utf8');
      stream.on('data', (text: string) => this.listener.onRawOutput(name, text));
    }
    // Writing to an executor that just died fails; its `exit` says what happened.
    interruptsOf(child).on('error', () => {});
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (this.child === child) this.child = undefined;
      this.listener.onExit(code, signal);
    };
    // A prestarted child may have ended before it was handed over, its `exit` unheard.
    if (child.exitCode !== null || child.signalCode !== null) queueMicrotask(() => onExit(child.exitCode, child.signalCode));
    else child.on('exit', onExit);
    return ready;
  }

  send(command: ExecutorCommand): void {
    this.child?.send(command);
  }

  /** Asks the executor to stop `cell`, if that is still the one running (never a SIGINT: see interrupt-guard.ts). */
  interrupt(cell: number): void {
    if (this.child) interruptsOf(this.child).write(`${cell}\n`);
  }

  /** Ends the executor at once; its `exit` still reaches the listener. */
  kill(): void {
    this.child?.kill('SIGKILL');
  }
}

/** The pipe the executor's interrupt agent reads (node types `stdio` as five entries only). */
function interruptsOf(child: ChildProcess): Writable {
  return child.stdio.at(INTERRUPT_FD) as Writable;
}
