import * as zmq from 'zeromq';
import { endpoint, type ConnectionInfo } from '../protocol/connection';
import type { Channel, RequestChannel } from '../protocol/messages';
import { SendQueue } from './send-queue';


export interface TransportHandlers {
  /** Raw frames from a ROUTER socket; decoding and checking is the caller's job. */
  onFrames(channel: RequestChannel, frames: Buffer[]): void;
  /** A new IOPub subscription (XPUB), for `iopub_welcome` (messaging spec 5.5). */
  onSubscribe(topic: Buffer): void;
  onError(where: string, error: Error): void;
}

/**
 * The kernel's five ZeroMQ sockets, bound to exactly the connection file's addresses. Each socket
 * has one receive loop and one send queue; heartbeat echoes on its own loop, so it never waits
 * for anything else the kernel does.
 */
export class Transport {
  private readonly routers: Record<RequestChannel, zmq.Router>;
  private readonly iopub: zmq.XPublisher;
  private readonly heartbeat: zmq.Reply;
  private readonly queues: Record<Channel, SendQueue>;
  private closed = false;

  constructor(private readonly info: ConnectionInfo, private readonly handlers: TransportHandlers) {
    this.routers = { shell: new zmq.Router(), control: new zmq.Router(), stdin: new zmq.Router() };
    this.iopub = new zmq.XPublisher();
    // Pass every subscription up, not only the first per topic, so each client gets its welcome.
    this.iopub.verbosity = 'allSubs';
    // No send limit: at ZeroMQ's default of 1,000 queued messages a PUB socket silently drops the
    // rest, and a burst of displays or widget messages lost outputs and even the cell's idle.
    this.iopub.sendHighWaterMark = 0;
    this.heartbeat = new zmq.Reply();
    const queue = (name: string, socket: zmq.Writable): SendQueue =>
      new SendQueue((frames) => socket.send(frames), (error) => handlers.onError(`send on ${name}`, error));
    this.queues = {
      shell: queue('shell', this.routers.shell),
      control: queue('control', this.routers.control),
      stdin: queue('stdin', this.routers.stdin),
      iopub: queue('iopub', this.iopub),
    };
  }

  /**
   * Binds every socket, then starts receiving. bindSync: bind() would run each zmq_bind on
   * libuv's thread pool, which costs the pool's start-up and an event-loop turn per socket.
   */
  bind(): void {
    const all: [zmq.Socket, 'shell' | 'control' | 'stdin' | 'iopub' | 'hb'][] = [
      [this.routers.shell, 'shell'],
      [this.routers.control, 'control'],
      [this.routers.stdin, 'stdin'],
      [this.iopub, 'iopub'],
      [this.heartbeat, 'hb'],
    ];
    for (const [socket, name] of all) {
      socket.linger = 0;
      socket.bindSync(endpoint(this.info, name));
    }
    for (const channel of ['shell', 'control', 'stdin'] as const) void this.receiveLoop(channel);
    void this.subscriptionLoop();
    void this.heartbeatLoop();
  }

  send(channel: Channel, frames: Buffer[]): void {
    if (!this.closed) this.queues[channel].push(frames);
  }

  async flush(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((queue) => queue.flushed()));
  }

  close(): void {
    this.closed = true;
    for (const socket of [...Object.values(this.routers), this.iopub, this.heartbeat]) socket.close();
  }

  private async receiveLoop(channel: RequestChannel): Promise<void> {
    for (;;) {
      let frames: Buffer[];
      try {
        frames = await this.routers[channel].receive();
      } catch (error) {
        if (this.closed) return;
        this.handlers.onError(`receive on ${channel}`, error as Error);
        continue;
      }
      this.handlers.onFrames(channel, frames);
    }
  }

  private async subscriptionLoop(): Promise<void> {
    for (;;) {
      let frames: Buffer[];
      try {
        frames = await this.iopub.receive();
      } catch (error) {
        if (this.closed) return;
        this.handlers.onError('receive on iopub', error as Error);
        continue;
      }
      const [event] = frames;
      // XPUB delivers subscriptions as one frame: 0x01 then the topic (0x00 is unsubscribe).
      if (event && event[0] === 1) this.handlers.onSubscribe(event.subarray(1));
    }
  }

  private async heartbeatLoop(): Promise<void> {
    for (;;) {
      try {
        const frames = await this.heartbeat.receive();
        await this.heartbeat.send(frames);
      } catch (error) {
        if (this.closed) return;
        this.handlers.onError('heartbeat', error as Error);
      }
    }
  }
}
