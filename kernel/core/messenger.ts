import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { newHeader, type Channel, type ErrorReply, type Header, type IopubContents, type IopubType, type Message, type Parent, type ReplyContents, type ReplyType, type RequestChannel } from '../protocol/messages';
import type { Signer } from '../protocol/signing';
import { encode } from '../protocol/wire';

/** Where encoded frames go; the Transport in production, an in-memory list in tests. */
export interface FrameSink {
  send(channel: Channel, frames: Buffer[]): void;
}

/** What an IOPub message may carry beside its content: a topic, message metadata, binary buffers (comms). */
export interface PublishExtras {
  identities?: Buffer[];
  metadata?: Record<string, unknown>;
  buffers?: Buffer[];
}

/**
 * Builds and signs the kernel's messages, typed by msg_type so a handler cannot send the wrong
 * shape. One session id per kernel process (a restart is a new process, so a new id); dates are
 * real ISO-8601 times with a timezone.
 */
export class Messenger {
  readonly session = randomUUID();
  private readonly username = safeUsername();

  constructor(private readonly sink: FrameSink, private readonly signer: Signer) {}

  /** A reply to `request` on the channel it came from (or an input_request on stdin), routed back to its sender. */
  reply<T extends ReplyType>(channel: RequestChannel, request: Message<unknown>, msgType: T, content: ReplyContents[T], metadata: Record<string, unknown> = {}): void {
    this.send(channel, request.identities, msgType, request.header, content, metadata);
  }

  /** The reply of a request whose handler failed: `status: error`, whatever the request was. */
  replyError(channel: RequestChannel, request: Message<unknown>, msgType: string, content: ErrorReply): void {
    this.send(channel, request.identities, msgType, request.header, content, {});
  }

  /** An IOPub message; `parent` is the request that caused it (messaging spec: parent_header). */
  publish<T extends IopubType>(msgType: T, content: IopubContents[T], parent: Parent, extras: PublishExtras = {}): void {
    const identities = extras.identities ?? [Buffer.from(`kernel.${this.session}.${msgType}`)];
    this.send('iopub', identities, msgType, parent, content, extras.metadata ?? {}, extras.buffers);
  }

  private send(channel: Channel, identities: Buffer[], msgType: string, parent: Parent, content: unknown, metadata: Record<string, unknown>, buffers?: Buffer[]): void {
    const header: Header = newHeader(msgType, this.session, this.username);
    this.sink.send(channel, encode({ identities, header, parent_header: parent, metadata, content, buffers }, this.signer));
  }
}

function safeUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return 'tempo';
  }
}
