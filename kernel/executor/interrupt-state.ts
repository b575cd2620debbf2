// The memory the executor's main thread and its interrupt agent thread share, and the moves each
// makes on it. Cells are named by the kernel's number for them (always > 0).

const REGION = 0; // the cell whose code runs inside an interruptible run now; 0 none; -cell once signalled
const REQUESTED = 1; // the last cell an interrupt was asked for
const PARK = 2; // always 0: what a run waits on until the signal meant for it lands

export const INTERRUPT_STATE_BYTES = 3 * Int32Array.BYTES_PER_ELEMENT;

export class InterruptState {
  private readonly words: Int32Array;

  constructor(memory: SharedArrayBuffer) {
    this.words = new Int32Array(memory);
  }

  /**
   * Agent: records that `cell` is to be interrupted. True when its code is inside an
   * interruptible run, which from now on waits for the SIGINT the caller must then send.
   */
  request(cell: number): boolean {
    Atomics.store(this.words, REQUESTED, cell);
    return Atomics.compareExchange(this.words, REGION, cell, -cell) === cell;
  }

  /**
   * Main thread, first thing inside an interruptible run: false when `cell` is already to be
   * interrupted. Each side writes its slot before it reads the other's, so a request that comes
   * now is either seen here or finds the run and claims it.
   */
  enter(cell: number): boolean {
    Atomics.store(this.words, REGION, cell);
    return Atomics.load(this.words, REQUESTED) !== cell;
  }

  /**
   * Main thread, last thing inside an interruptible run. If the agent claimed the run, its
   * SIGINT is on the way: wait for it here, where it terminates the run (Atomics.wait wakes for
   * that), so that it cannot land after the run, where it would reach a later one.
   */
  leave(cell: number): void {
    if (Atomics.compareExchange(this.words, REGION, cell, 0) === cell) return;
    for (;;) Atomics.wait(this.words, PARK, 0);
  }

  /** Main thread: whether its code is inside an interruptible run now. */
  inRun(): boolean {
    return Atomics.load(this.words, REGION) !== 0;
  }

  /** Main thread, after a run that SIGINT terminated (and so never reached `leave`). */
  clear(): void {
    Atomics.store(this.words, REGION, 0);
  }
}
