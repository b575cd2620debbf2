// The half of `tempo kernel` that runs cells: the execution layer, its executor child and the
// TypeScript checker. kernel-command.ts loads it once the sockets serve: its modules (child
// processes, worker threads, display) take the kernel's thread ~15 ms that kernel_info does not need.
import { Execution } from '../core/execution';
import type { Engine } from '../core/kernel';
import type { Messenger } from '../core/messenger';
import { ExecutorProcess } from '../engine/executor-process';
import { TypeGate } from '../engine/typecheck/type-gate';
import type { WorkerTypeChecker } from '../engine/typecheck/worker-type-checker';
import { createTypeChecker } from './kernel-checker';

export interface KernelEngine extends Engine {
  /** Starts the checker's worker and the executor; a cell that comes first starts what it needs itself. */
  start(): void;
}

/**
 * Builds the engine, idle until start(). `typeChecker` is given already started by
 * `tempo kernel --checker-first`; `queuedBehind` counts the shell requests behind the running one.
 */
export function createEngine(messenger: Messenger, queuedBehind: () => number, typeChecker: WorkerTypeChecker = createTypeChecker()): KernelEngine {
  const execution: Execution = new Execution(
    messenger,
    new ExecutorProcess({
      onEvents: (events) => execution.onEvents(events),
      onRawOutput: (name, text) => execution.onRawOutput(name, text),
      onExit: (code, signal) => execution.onExecutorExit(code, signal),
    }),
  );
  execution.queuedBehind = queuedBehind;
  execution.typeGate = new TypeGate(typeChecker);
  return {
    execution,
    typeChecker,
    start() {
      // Starting tsc takes its worker ~0.3 s, the longest wait of the first cell (type-gate.ts says
      // how long it may be): it goes first. Under --checker-first start() does nothing.
      typeChecker.start();
      void execution.start();
    },
  };
}
