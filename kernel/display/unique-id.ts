import { randomUUID } from 'node:crypto';

// Drawn once, when the executor starts: crypto's random source, when it refills, registers an
// async resource that a cell's timing line would count as I/O left pending ("still pending: 1 I/O").
const prefix = randomUUID();
let counter = 0;

/** An id unique to this executor and across executors: for display ids, comm ids and input requests. */
export function uniqueId(): string {
  counter += 1;
  return `${prefix}-${counter.toString(36)}`;
}
