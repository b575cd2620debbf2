import { constants } from 'node:os';
import { Script } from 'node:vm';
import type { Worker } from 'node:worker_threads';
import { InterruptState } from './interrupt-state';

export class InterruptedError extends Error {
  override readonly name = 'Interrupted';
  constructor() {
    super('the cell was interrupted (Kernel → Interrupt)');
  }
}

const RUN = Symbol.for('tempo.run');

type Globals = typeof globalThis & { [RUN]?: () => unknown };

/**
 * Interrupts that stop the cell they were meant for and never a later one.
 *
 * Only SIGINT to a `vm` run with `breakOnSigint` stops synchronous code and keeps all state. But
 * node's SIGINT watchdog mishandles a signal that lands as such a run ends: its helper thread
 * quits on that signal's wake-up and leaves its own one behind, and the next run's helper takes
 * that at once and terminates whatever cell runs then. (Just before and after a run, SIGINT has
 * its default action: it ends the executor.) So the kernel does not signal the executor: it names
 * the cell to interrupt on INTERRUPT_FD, and the executor's I/O thread (io-thread-main.ts) sends the
 * SIGINT only while that cell's code is inside `run`, which then does not end before the signal
 * has landed. Otherwise the request waits for the cell's next `run` (a cell still compiling stops
 * as it starts), and `onInterrupt` stops what the cell awaits.
 *
 * The watchdog's helper thread is kept started for the executor's life (keepSigintWatchdog), so
 * each run only registers with it; between runs, a SIGINT is then not fatal, but (node 20) it
 * leaves the inspector unable to find the main context, so that every later cell in REPL mode
 * fails. The only sender left is the executor itself: `process.kill` (trapSelfSigint) keeps
 * such a signal in JavaScript.
 */
export class InterruptGuard {
  private readonly state: InterruptState;
  private readonly entry = new Script(`globalThis[Symbol.for('tempo.run')]()`, { filename: 'evalmachine.<tempo>' });
  /** The kernel's number for the cell running now (from 1): only its interrupts count. */
  cell = 0;
  /** Called on an interrupt of the running cell that came while none of its code was inside `run`. */
  onInterrupt: () => void = () => {};

  /** `memory`: the interrupt state shared with `agent`, the thread that reads the kernel's requests. */
  constructor(memory: SharedArrayBuffer, agent: Worker) {
    keepSigintWatchdog();
    this.trapSelfSigint();
    this.state = new InterruptState(memory);
    agent.on('message', (cell: number) => {
      if (cell === this.cell) this.onInterrupt();
    });
  }

  /**
   * `process.kill(process.pid, 'SIGINT')` inside a run interrupts it, as Ctrl+C would; between runs
   * (a timer, a callback) the signal never leaves the process: the executor's own `SIGINT`
   * listeners, if any, hear it.
   */
  private trapSelfSigint(): void {
    const kill = process.kill.bind(process);
    process.kill = (pid: number, signal?: string | number): true => {
      const sigint = signal === 'SIGINT' || signal === constants.signals.SIGINT;
      if (pid === process.pid && sigint && !this.state.inRun()) process.emit('SIGINT', 'SIGINT');
      else kill(pid, signal);
      return true;
    };
  }

  /** Runs `body` where an interrupt of the current cell stops it: its value, what it threw, or an InterruptedError. */
  run(body: () => unknown): unknown {
    const cell = this.cell;
    (globalThis as Globals)[RUN] = () => {
      if (!this.state.enter(cell)) {
        this.state.leave(cell);
        throw new InterruptedError();
      }
      try {
        return body();
      } finally {
        this.state.leave(cell);
      }
    };
    try {
      return this.entry.runInThisContext({ breakOnSigint: true });
    } catch (error) {
      throw (error as { code?: string } | null)?.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED' ? new InterruptedError() : error;
    } finally {
      delete (globalThis as Globals)[RUN];
      this.state.clear();
    }
  }
}

/**
 * Node starts its SIGINT watchdog's helper thread as a run with `breakOnSigint` begins and joins it
 * as the run ends: ~0.3 ms a cell, a third of a trivial cell's time in the executor. Its own REPL
 * holds the helper started through this binding instead (process.binding is deprecated, but keeps
 * `contextify` for compatibility). Without the binding, each run starts the helper, as before.
 */
function keepSigintWatchdog(): void {
  const { noDeprecation } = process;
  // Not a user-facing warning (under --pending-deprecation it would land in the first cell).
  process.noDeprecation = true;
  try {
    const binding = (process as unknown as { binding(name: string): { startSigintWatchdog?: () => void } }).binding('contextify');
    binding.startSigintWatchdog?.();
  } catch {
    // A node without it.
  } finally {
    process.noDeprecation = noDeprecation;
  }
}
