// The executor's I/O thread: it reads the kernel's interrupt requests (one cell number a line on
// INTERRUPT_FD) and sends the main thread's events (EVENT_FD), both while the main thread may be
// busy in a cell. It sends the SIGINT that stops a cell only when that is safe (interrupt-guard.ts
// says why).

import { writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { parentPort, workerData } from 'node:worker_threads';
import { EVENT_FD, INTERRUPT_FD } from '../common/executor-messages';
import { EventRingReader } from './event-ring';
import { InterruptState } from './interrupt-state';

const { interruptMemory, eventMemory } = workerData as { interruptMemory: SharedArrayBuffer; eventMemory: SharedArrayBuffer };
const state = new InterruptState(interruptMemory);
const requests = createInterface({ input: new Socket({ fd: INTERRUPT_FD, readable: true, writable: false }) });
requests.on('line', (line) => {
  const cell = Number(line);
  if (state.request(cell)) process.kill(process.pid, 'SIGINT');
  // Not inside an interruptible run: the main thread stops the cell's pending await when it can.
  else parentPort?.postMessage(cell);
});

void new EventRingReader(eventMemory).pump((chunk) => writeFully(EVENT_FD, chunk));

const retry = new Int32Array(new SharedArrayBuffer(4));

/** Writes all of `bytes` to `fd`, waiting out a full non-blocking pipe. */
function writeFully(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset);
    } catch (error) {
      // A full pipe: wait a moment for the kernel to read, then go on.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(retry, 0, 0, 1);
    }
  }
}
