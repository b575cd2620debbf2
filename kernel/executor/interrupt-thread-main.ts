// The executor's interrupt agent: a worker thread that reads the kernel's interrupt requests
// (one cell number a line on INTERRUPT_FD) while the main thread may be busy in that cell, and
// sends the SIGINT that stops it only when that is safe (interrupt-guard.ts says why).

import { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { parentPort, workerData } from 'node:worker_threads';
import { InterruptState } from './interrupt-state';

const { fd, memory } = workerData as { fd: number; memory: SharedArrayBuffer };
const state = new InterruptState(memory);
const requests = createInterface({ input: new Socket({ fd, readable: true, writable: false }) });
requests.on('line', (line) => {
  const cell = Number(line);
  if (state.request(cell)) process.kill(process.pid, 'SIGINT');
  // Not inside an interruptible run: the main thread stops the cell's pending await when it can.
  else parentPort?.postMessage(cell);
});
