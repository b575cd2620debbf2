import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as zmq from 'zeromq';
import { endpoint } from '../protocol/connection';
import { PROTOCOL_VERSION, type Header, type Message } from '../protocol/messages';
import { ReplayGuard } from '../protocol/replay-guard';
import { Signer } from '../protocol/signing';
import { decode, encode } from '../protocol/wire';
import { writeConnectionFile } from './connection-file';

const TEMPO = join(__dirname, '..', '..', 'bin', 'tempo');

/** One execute_request in flight: done when both its reply and its `idle` have arrived. */
class PendingExecute {
  private reply: Message | undefined;
  private idle = false;

  constructor(readonly onIopub: (message: Message) => void, private readonly resolve: (reply: Message) => void) {}

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
  private readonly shell = new zmq.Dealer();
  private readonly control = new zmq.Dealer();
  private readonly iopub = new zmq.Subscriber();
  private readonly pending = new Map<string, PendingExecute>();
  private signer!: Signer;
  private kernel!: ChildProcess;
  private dir = '';
  private closed = false;

  async start(): Promise<void> {
    const { path, dir, info } = await writeConnectionFile();
    this.dir = dir;
    this.signer = new Signer(info.signature_scheme, info.key);
    this.kernel = spawn(process.execPath, [TEMPO, 'kernel', path], { stdio: ['ignore', 'inherit', 'inherit'] });
    for (const socket of [this.shell, this.control, this.iopub]) socket.linger = 0;
    this.shell.connect(endpoint(info, 'shell'));
    this.control.connect(endpoint(info, 'control'));
    this.iopub.connect(endpoint(info, 'iopub'));
    this.iopub.subscribe();
    const welcomed = new Promise<void>((resolve) => (this.onWelcome = resolve));
    void this.readIopub();
    void this.readShell();
    // The kernel welcomes each IOPub subscriber (messaging spec 5.5): from then on nothing is lost.
    await welcomed;
  }

  private onWelcome: () => void = () => undefined;

  /** Runs `code`; `onIopub` sees each output as it arrives; resolves after reply and idle. */
  execute(code: string, onIopub: (message: Message) => void): Promise<Message> {
    const header = this.header('execute_request');
    return new Promise((resolve) => {
      const settle = (reply: Message): void => {
        this.pending.delete(header.msg_id);
        resolve(reply);
      };
      this.pending.set(header.msg_id, new PendingExecute(onIopub, settle));
      void this.shell.send(this.frames(header, { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true }));
    });
  }

  interrupt(): void {
    void this.control.send(this.frames(this.header('interrupt_request'), {}));
  }

  /** Asks the kernel to shut down, then makes sure it is gone and cleans up. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.control.send(this.frames(this.header('shutdown_request'), { restart: false }));
    const exited = new Promise((resolve) => this.kernel.once('exit', resolve));
    const timer = setTimeout(() => this.kernel.kill('SIGKILL'), 3000);
    if (this.kernel.exitCode === null && this.kernel.signalCode === null) await exited;
    clearTimeout(timer);
    for (const socket of [this.shell, this.control, this.iopub]) socket.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private header(msgType: string): Header {
    return { msg_id: randomUUID(), session: this.session, username: 'tempo-run', date: new Date().toISOString(), msg_type: msgType, version: PROTOCOL_VERSION };
  }

  private frames(header: Header, content: unknown): Buffer[] {
    return encode({ identities: [], header, parent_header: {}, metadata: {}, content }, this.signer);
  }

  private async readIopub(): Promise<void> {
    const guard = new ReplayGuard();
    for await (const frames of this.iopub) {
      const message = decode(frames, this.signer, guard);
      if (message.header.msg_type === 'iopub_welcome') this.onWelcome();
      const entry = this.pending.get((message.parent_header as Header).msg_id ?? '');
      if (!entry) continue;
      if (message.header.msg_type === 'status' && message.content.execution_state === 'idle') entry.gotIdle();
      else entry.onIopub(message);
    }
  }

  private async readShell(): Promise<void> {
    const guard = new ReplayGuard();
    for await (const frames of this.shell) {
      const message = decode(frames, this.signer, guard);
      this.pending.get((message.parent_header as Header).msg_id ?? '')?.gotReply(message);
    }
  }
}
