import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { newHeader, type Header, type Message } from '../protocol/messages';
import type { Signer } from '../protocol/signing';
import { encode } from '../protocol/wire';

export type SendChannel = 'shell' | 'control' | 'stdin' | 'iopub';

/** Where encoded frames go; the Transport in production, an in-memory list in tests. */
export interface FrameSink {
  send(channel: SendChannel, frames: Buffer[]): void;
}

export type Parent = Header | Record<string, never>;

/**
 * Builds and signs the kernel's messages. One session id per kernel process (a restart is a new
 * process, so a new id); dates are real ISO-8601 times with a timezone.
 */
export class Messenger {
  readonly session = randomUUID();
  private readonly username = safeUsername();

  constructor(private readonly sink: FrameSink, private readonly signer: Signer) {}

  header(msgType: string): Header {
    return newHeader(msgType, this.session, this.username);
  }

  /** A reply to `request` on the channel it came from (or an input_request on stdin), routed back to its sender. */
  reply(channel: 'shell' | 'control' | 'stdin', request: Message<unknown>, msgType: string, content: unknown, metadata: Record<string, unknown> = {}): void {
    this.sink.send(channel, encode({ identities: request.identities, header: this.header(msgType), parent_header: request.header, metadata, content }, this.signer));
  }

  /** An IOPub message; `parent` is the request that caused it (messaging spec: parent_header). */
  publish(msgType: string, content: unknown, parent: Parent, identities?: Buffer[]): void {
    const topic = identities ?? [Buffer.from(`kernel.${this.session}.${msgType}`)];
    this.sink.send('iopub', encode({ identities: topic, header: this.header(msgType), parent_header: parent, metadata: {}, content }, this.signer));
  }
}

function safeUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return 'tempo';
  }
}
