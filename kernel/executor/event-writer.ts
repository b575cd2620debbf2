import { type ExecutorEvent } from '../common/executor-messages';
import { EventRingWriter, eventRingMemory } from './event-ring';

/** Events on their way to the I/O thread (io-thread-main.ts), which sends them to the kernel. */
export const eventMemory = eventRingMemory(1 << 20);
const ring = new EventRingWriter(eventMemory);

/**
 * Queues one event line for the kernel. The I/O thread sends it at once even if the cell then
 * blocks this thread (Atomics.wait, a busy loop), and sends a flood of lines in a few large
 * writes instead of a system call each.
 */
export function writeEvent(event: ExecutorEvent): void {
  ring.writeText(JSON.stringify(event) + '\n');
}

/** Before the process ends on purpose: lets the I/O thread send what is queued (up to `timeoutMs`). */
export function flushEvents(timeoutMs = 1000): void {
  ring.flush(timeoutMs);
}
