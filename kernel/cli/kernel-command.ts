import { readConnectionFile } from '../protocol/connection';
import { ReplayGuard } from '../protocol/replay-guard';
import { Signer } from '../protocol/signing';
import { decode, WireError } from '../protocol/wire';
import { Transport } from '../transport/sockets';
import { Kernel } from '../core/kernel';
import { Messenger } from '../core/messenger';
import type { EagerStart } from './eager-start';
import { kernelInfo } from '../language/kernel-info';
import { log } from './kernel-log';

const kernelLanguage = (): typeof import('./kernel-language') => require('./kernel-language');

/**
 * Loading the language (~15 ms) and spawning the executor (~15 ms) keep the kernel's thread busy:
 * that waits until the client's first kernel_info, sent as it connects, has been answered and the
 * reply delivered (within ~10 ms of binding). The executor then spawns ~50 ms after binding.
 */
const LANGUAGE_START_DELAY_MS = 35;

/**
 * `tempo kernel CONNECTION_FILE`: what Jupyter runs. Wires transport, protocol and core; the language
 * (kernel-language.ts) loads and starts LANGUAGE_START_DELAY_MS after binding, or sooner if a request
 * needs it. `eager`: the checker and the first executor, started already by `tempo kernel --eager`.
 */
export async function runKernel(connectionFile: string, eager?: EagerStart): Promise<void> {
  const info = readConnectionFile(connectionFile);
  const signer = new Signer(info.signature_scheme, info.key);
  const guard = new ReplayGuard();
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
      kernel.handle(channel, message);
    },
    onSubscribe(topic) {
      messenger.publish('iopub_welcome', { subscription: topic.toString('utf8') }, {}, { identities: [topic] });
    },
    onError(where, error) {
      log(`${where}: ${error.message}`);
    },
  });
  const messenger = new Messenger(transport, signer);
  const shutdown = async (): Promise<void> => {
    kernel.shutdown();
    await transport.flush();
    transport.close();
    process.exit(0);
  };
  const kernel = new Kernel(messenger, {
    info: kernelInfo(),
    loadLanguage: (host) => kernelLanguage().createLanguage(host, eager?.checker, eager?.executor),
    onShutdown: () => void shutdown(),
    log,
  });
  // The kernel itself must outlive any bug in a handler: log it and keep serving.
  process.on('uncaughtException', (error) => log(`internal error: ${error.stack ?? error}`));
  // Signal-mode interrupts (Jupyter's default) arrive here; message mode uses interrupt_request.
  // Before the language loads no cell is running: nothing to interrupt.
  process.on('SIGINT', () => kernel.interrupt());
  process.on('SIGTERM', () => void shutdown());
  watchParent(() => void shutdown());
  transport.bind();
  messenger.publish('status', { execution_state: 'starting' }, {});
  setTimeout(() => kernel.language.start(), LANGUAGE_START_DELAY_MS);
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
