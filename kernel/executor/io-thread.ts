// Imported first by executor-process-main.ts: the I/O thread boots a Node environment of its own
// (~65 ms), and the executor is ready only once it runs, so it boots while the main thread loads
// the rest (~75 ms) instead of after.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { eventMemory } from './event-writer';
import { INTERRUPT_STATE_BYTES } from './interrupt-state';

/** What the main thread and the I/O thread share about interrupts (interrupt-state.ts). */
export const interruptMemory = new SharedArrayBuffer(INTERRUPT_STATE_BYTES);

/** The executor's I/O thread (io-thread-main.ts); it keeps no process alive on its own. */
export const ioThread = new Worker(join(__dirname, 'io-thread-main.js'), { workerData: { interruptMemory, eventMemory } });
ioThread.unref();
