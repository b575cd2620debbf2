import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type * as Zmq from 'zeromq';
import { endpoint } from '../protocol/connection';
import { newHeader, type Header, type Message } from '../protocol/messages';
import { ReplayGuard } from '../protocol/replay-guard';
import { Signer } from '../protocol/signing';
import { decode, encode, WireError } from '../protocol/wire';
import { SendQueue } from '../transport/send-queue';
import { writeConnectionFile } from './connection-file';

const TEMPO = join(__dirname, '..', '..', 'bin', 'tempo');
const SHUTDOWN_GRACE_MS = 3000;
const RECONNECT_MS = 5;

/** The kernel process ended while the client still needed it. */
export class KernelExitedError extends Error {
  override readonly name = 'KernelExitedError';
}

/** One execute_request in flight: done when both its reply and its `idle` have arrived. */
class PendingExecute {
  private reply: Message | undefined;
  private idle = false;

  constructor(
    readonly onIopub: (message: Message) => void,
    private readonly resolve: (reply: Message) => void,
    readonly reject: (error: Error) => void,
  ) {}

  gotReply(reply: Message): void {
    this.reply = reply;
    this.settleIfDone();
  }

  gotIdle(): void {
    this.idle = true;
    this.settleIfDone();
  }

  private settleIfDone(): void {
    if (this.idle && this.reply) this.resolve(this.reply);
  }
}

/**
 * A Jupyter client for one Tempo kernel process that it starts itself over real ZeroMQ: the
 * same kernel Jupyter runs, not an in-process shortcut. Used by `tempo run`.
 */
export class KernelClient {
  private readonly session = randomUUID();
  /** Made in start() once the kernel is spawned (no kernel, no sockets). */
  private sockets: { shell: Zmq.Dealer; control: Zmq.Dealer; iopub: Zmq.Subscriber } | undefined;
  private readonly pending = new Map<string, PendingExecute>();
  /**
   * One queue per socket, as the kernel's transport has: ZeroMQ refuses a second pending send,
   * and a notebook of a thousand cells, all sent together, fills its queue.
   */
  private queues: { shell: SendQueue; control: SendQueue } | undefined;
  private signer!: Signer;
  private kernel!: ChildProcess;
  private dir = '';
  private closed = false;
  private exited: Promise<void> | undefined;

  /** The kernel's process id once started. */
  get pid(): number | undefined {
    return this.kernel?.pid;
  }

  /** Starts the kernel in `cwd` (Jupyter starts a notebook's kernel in the notebook's folder) with `env` and node's `flags` (cli/launch-env.ts). */
  async start(cwd: string, env: NodeJS.ProcessEnv, flags: readonly string[]): Promise<void> {
    const { path, dir, info } = await writeConnectionFile();
    this.dir = dir;
    this.signer = new Signer(info.signature_scheme, info.key);
    // JPY_PARENT_PID: the kernel exits by itself if this process dies without shutting it down.
    // --eager: nothing here waits for kernel_info, and the first cell waits for the checker and the executor.
    this.kernel = spawn(process.execPath, [...flags, TEMPO, 'kernel', '--eager', path], { cwd, stdio: ['ignore', 'inherit', 'inherit'], env: { ...env, JPY_PARENT_PID: String(process.pid) } });
    let failStart: (error: Error) => void = () => undefined;
    const startFailed = new Promise<never>((_, reject) => (failStart = reject));
    this.exited = new Promise((resolve) => {
      this.kernel.once('error', (error) => {
        failStart(error);
        resolve();
      });
      this.kernel.once('exit', (code, signal) => {
        const error = new KernelExitedError(`the kernel exited (${signal ?? `code ${code}`})`);
        failStart(error);
        for (const entry of this.pending.values()) entry.reject(error);
        this.pending.clear();
        resolve();
      });
    });
    // ZeroMQ's native addon takes 15-50 ms to load: only now, with the kernel process already starting.
    const zmq = require('zeromq') as typeof Zmq;
    // The kernel binds ~0.2 s after this connects: ZeroMQ retries a refused connection every
    // reconnectInterval ms (100 by default, most of which the first cell would wait).
    const options = { linger: 0, reconnectInterval: RECONNECT_MS };
    const sockets = { shell: new zmq.Dealer(options), control: new zmq.Dealer(options), iopub: new zmq.Subscriber(options) };
    this.sockets = sockets;
    const report = (name: string) => (error: Error) => {
      // A shutdown_request that cannot be sent: the kernel is killed instead.
      if (this.closed && name === 'control') this.kernel.kill('SIGKILL');
      else process.stderr.write(`[tempo run] send on ${name} failed: ${error.message}\n`);
    };
    this.queues = {
      shell: new SendQueue((frames) => sockets.shell.send(frames), report('shell')),
      control: new SendQueue((frames) => sockets.control.send(frames), report('control')),
    };
    sockets.shell.connect(endpoint(info, 'shell'));
    sockets.control.connect(endpoint(info, 'control'));
    sockets.iopub.connect(endpoint(info, 'iopub'));
    sockets.iopub.subscribe();
    const welcomed = new Promise<void>((resolve) => (this.onWelcome = resolve));
    void this.readIopub(sockets.iopub);
    void this.readShell(sockets.shell);
    // The kernel welcomes each IOPub subscriber (messaging spec 5.5): from then on nothing is lost.
    await Promise.race([welcomed, startFailed]);
  }

  private onWelcome: () => void = () => undefined;

  /**
   * IOPub messages of no request in flight: output of a cell that already finished (a timer it
   * started), or of someone else's request. JupyterLab shows a finished cell's late output under it.
   */
  onUnclaimedIopub: (message: Message) => void = () => undefined;

  /**
   * Runs `code`; `onIopub` sees each IOPub message of the request as it arrives (busy,
   * execute_input, outputs, idle). Resolves with the reply once reply and idle are both in;
   * rejects with KernelExitedError if the kernel dies first. With `stopOnError`, a failure makes
   * the kernel abort the requests queued behind this one.
   */
  execute(code: string, onIopub: (message: Message) => void, stopOnError = true): Promise<Message> {
    const header = this.header('execute_request');
    return new Promise((resolve, reject) => {
      if (this.closed || this.kernel.exitCode !== null || this.kernel.signalCode !== null) {
        reject(new KernelExitedError('the kernel is not running'));
        return;
      }
      const settle = (reply: Message): void => {
        this.pending.delete(header.msg_id);
        resolve(reply);
      };
      this.pending.set(header.msg_id, new PendingExecute(onIopub, settle, reject));
      this.queues?.shell.push(this.frames(header, { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: stopOnError }));
    });
  }

  /** The kernel's interrupt (messaging spec: interrupt_request on control), not a kill. */
  interrupt(): void {
    if (!this.closed) this.queues?.control.push(this.frames(this.header('interrupt_request'), {}));
  }

  /**
   * Asks the kernel to shut down (it stops its executor too), waits for it to exit, kills it if
   * it has not after SHUTDOWN_GRACE_MS, and removes the connection file. Safe to call twice.
   */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.kernel) {
      const running = this.kernel.exitCode === null && this.kernel.signalCode === null;
      const timer = setTimeout(() => this.kernel.kill('SIGKILL'), SHUTDOWN_GRACE_MS);
      if (running) this.queues?.control.push(this.frames(this.header('shutdown_request'), { restart: false }));
      await this.exited;
      clearTimeout(timer);
    }
    for (const socket of Object.values(this.sockets ?? {})) socket.close();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  private header(msgType: string): Header {
    return newHeader(msgType, this.session, 'tempo-run');
  }

  private frames(header: Header, content: unknown): Buffer[] {
    return encode({ identities: [], header, parent_header: {}, metadata: {}, content }, this.signer);
  }

  private async readIopub(iopub: Zmq.Subscriber): Promise<void> {
    const guard = new ReplayGuard();
    await this.readLoop(iopub, guard, (message) => {
      if (message.header.msg_type === 'iopub_welcome') this.onWelcome();
      const entry = this.pending.get((message.parent_header as Header).msg_id ?? '');
      if (!entry) {
        this.onUnclaimedIopub(message);
        return;
      }
      entry.onIopub(message);
      if (message.header.msg_type === 'status' && message.content.execution_state === 'idle') entry.gotIdle();
    });
  }

  private async readShell(shell: Zmq.Dealer): Promise<void> {
    const guard = new ReplayGuard();
    await this.readLoop(shell, guard, (message) => this.pending.get((message.parent_header as Header).msg_id ?? '')?.gotReply(message));
  }

  /** One receive loop per socket; a message that fails verification is dropped and logged. */
  private async readLoop(socket: Zmq.Dealer | Zmq.Subscriber, guard: ReplayGuard, handle: (message: Message) => void): Promise<void> {
    try {
      for await (const frames of socket) {
        let message: Message;
        try {
          message = decode(frames, this.signer, guard);
        } catch (error) {
          if (!(error instanceof WireError)) throw error;
          process.stderr.write(`[tempo run] dropped a message from the kernel (${error.message})\n`);
          continue;
        }
        handle(message);
      }
    } catch (error) {
      // Closing the socket at shutdown ends the loop; anything else is worth a line on stderr.
      if (!this.closed) process.stderr.write(`[tempo run] receive loop stopped: ${(error as Error).message}\n`);
    }
  }
}
