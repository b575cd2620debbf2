import { readConnectionFile } from '../protocol/connection';
import { ReplayGuard } from '../protocol/replay-guard';
import { Signer } from '../protocol/signing';
import { decode, WireError } from '../protocol/wire';
import { Transport } from '../transport/sockets';
import { Execution } from '../core/execution';
import { Kernel } from '../core/kernel';
import { Messenger } from '../core/messenger';
import { ExecutorProcess } from '../engine/executor-process';
import { TypeGate } from '../engine/typecheck/type-gate';
import type { WorkerTypeChecker } from '../engine/typecheck/worker-type-checker';
import { createTypeChecker } from './kernel-checker';
import { log } from './kernel-log';

const EXECUTOR_START_DELAY_MS = 50;

/**
 * `tempo kernel CONNECTION_FILE`: what Jupyter runs. Wires transport, protocol, core and engine.
 * `typeChecker` is given already started by `tempo kernel --checker-first`; otherwise it starts
 * after the sockets are bound.
 */
export async function runKernel(connectionFile: string, typeChecker = createTypeChecker()): Promise<void> {
  const info = readConnectionFile(connectionFile);
  const signer = new Signer(info.signature_scheme, info.key);
  const guard = new ReplayGuard();
  let kernel: Kernel | undefined;
  const transport = new Transport(info, {
    onFrames(channel, frames) {
      let message;
      try {
        message = decode(frames, signer, guard);
      } catch (error) {
        if (!(error instanceof WireError)) throw error;
        // messaging spec: a message that fails verification is dropped, never answered.
        log(`${channel}: dropped message (${error.message})${error.msgId ? ` msg_id ${error.msgId} ${error.msgType}` : ''}`);
        return;
      }
      if (channel === 'stdin') execution.onInputReply(message);
      else kernel?.handle(channel, message);
    },
    onSubscribe(topic) {
      messenger.publish('iopub_welcome', { subscription: topic.toString('utf8') }, {}, [topic]);
    },
    onError(where, error) {
      log(`${where}: ${error.message}`);
    },
  });
  const messenger = new Messenger(transport, signer);
  const execution: Execution = new Execution(
    messenger,
    new ExecutorProcess({
      onEvents: (events) => execution.onEvents(events),
      onRawOutput: (name, text) => execution.onRawOutput(name, text),
      onExit: (code, signal) => execution.onExecutorExit(code, signal),
    }),
  );
  const shutdown = async (): Promise<void> => {
    execution.stop();
    await transport.flush();
    transport.close();
    process.exit(0);
  };
  kernel = new Kernel(messenger, execution, { onShutdown: () => void shutdown(), log });
  kernel.typeChecker = typeChecker;
  execution.typeGate = new TypeGate(typeChecker);
  // The kernel itself must outlive any bug in a handler: log it and keep serving.
  process.on('uncaughtException', (error) => log(`internal error: ${error.stack ?? error}`));
  // Signal-mode interrupts (Jupyter's default) arrive here; message mode uses interrupt_request.
  process.on('SIGINT', () => execution.interrupt());
  process.on('SIGTERM', () => void shutdown());
  watchParent(() => void shutdown());
  transport.bind();
  messenger.publish('status', { execution_state: 'starting' }, {});
  // Spawning the executor costs the kernel's thread ~15 ms: let the client's first kernel_info
  // be answered before that. Any cell waits for the executor to be ready anyway.
  setTimeout(() => {
    void execution.start();
    // Loading TypeScript takes its worker 1–3 s; the first cell waits for it (type-gate.ts says how long).
    // Already started under --checker-first (start() does nothing then).
    typeChecker.start();
  }, EXECUTOR_START_DELAY_MS);
}

/**
 * Jupyter names its own pid in JPY_PARENT_PID; like ipykernel's parent poller, exit when that
 * process is gone (we were re-parented), so a crashed server leaves no kernel behind.
 */
function watchParent(onGone: () => void): void {
  const parent = Number(process.env.JPY_PARENT_PID);
  if (!Number.isInteger(parent) || parent <= 1) return;
  setInterval(() => {
    if (process.ppid !== parent) onGone();
  }, 1000).unref();
}
