import { writeSync } from 'node:fs';
import { EVENT_FD, type ExecutorEvent } from '../common/executor-messages';

const retry = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes one event line to the kernel, synchronously: a cell that prints and then blocks the
 * thread (Atomics.wait, a busy loop) must not hold its output back until it yields.
 */
export function writeEvent(event: ExecutorEvent): void {
  const bytes = Buffer.from(JSON.stringify(event) + '\n');
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(EVENT_FD, bytes, offset);
    } catch (error) {
      // A full non-blocking pipe: wait a moment for the kernel to read, then go on.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(retry, 0, 0, 1);
    }
  }
}
