// Free of ZeroMQ and the kernel's core: `tempo kernel --eager` (what `tempo run` starts) runs this
// before loading them.
import type { ChildProcess } from 'node:child_process';
import type { CheckerClient } from '../language/checker-client';
import { spawnExecutor } from '../language/executor-process';
import { createTypeChecker } from './kernel-checker';
import { executorEnv } from './launch-env';

/** The engines a first cell waits for, started before the kernel loads. */
export interface EagerStart {
  checker: CheckerClient;
  executor: ChildProcess;
}

/**
 * Starts the executor (~0.15 s to ready) and the checker's tsc (~0.3 s to its first check), the
 * longest parts of a first cell, in parallel with the kernel's own start. Jupyter's kernelspec
 * goes without: there the executor starts once kernel_info is answered, and tsc with the first
 * request that needs it.
 */
export function startEagerly(): EagerStart {
  // The executor first: the checker's start goes on to load TypeScript's API client (~50 ms).
  const executor = spawnExecutor(executorEnv(process.env));
  // Only `tempo run` starts the kernel so, and it never asks for completions.
  const checker = createTypeChecker(false);
  checker.start();
  return { checker, executor };
}
