// Its own module, free of ZeroMQ and the kernel's core: `tempo kernel --eager` starts the checker
// before loading those (eager-start.ts).
import { CheckerClient } from '../language/checker-client';
import { log } from './kernel-log';

/**
 * The kernel's TypeScript checker (tsc in a child process): completion, inspection and each cell's
 * check. `warmCompletion` false: nothing will ask for completions (`tempo run`).
 */
export function createTypeChecker(warmCompletion = true): CheckerClient {
  return new CheckerClient(process.cwd(), (note) => log(`type checker: ${note}`), warmCompletion);
}
