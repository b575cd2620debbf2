import type { Header, Message } from './messages';
import type { Signer } from './signing';
import type { ReplayGuard } from './replay-guard';

export const DELIMITER = Buffer.from('<IDS|MSG>');

/** Why an incoming message was dropped; logged, never answered (messaging spec: wire protocol). */
export class WireError extends Error {
  constructor(message: string, readonly msgId?: string, readonly msgType?: string) {
    super(message);
  }
}

export interface OutgoingMessage {
  identities: Buffer[];
  header: Header;
  parent_header: Header | Record<string, never>;
  metadata: Record<string, unknown>;
  content: unknown;
  buffers?: Buffer[];
}

export function encode(message: OutgoingMessage, signer: Signer): Buffer[] {
  const parts = [message.header, message.parent_header, message.metadata, message.content].map((part) =>
    Buffer.from(JSON.stringify(part)),
  );
  return [...message.identities, DELIMITER, Buffer.from(signer.sign(parts)), ...parts, ...(message.buffers ?? [])];
}

/** Checks, in jupyter_client's order: framing, signature present, not a replay, signature valid, JSON. */
export function decode(frames: Buffer[], signer: Signer, guard: ReplayGuard): Message {
  const split = frames.findIndex((frame) => frame.equals(DELIMITER));
  if (split < 0) throw new WireError('no <IDS|MSG> delimiter');
  if (frames.length < split + 6) throw new WireError(`truncated message: ${frames.length - split - 1} frames after the delimiter, expected at least 5`);
  const signature = frames[split + 1].toString('latin1');
  const parts = frames.slice(split + 2, split + 6);
  const header = parseHeaderLoosely(parts[0]);
  if (signer.enabled) {
    if (signature.length === 0) throw new WireError('unsigned message', header?.msg_id, header?.msg_type);
    if (!signer.verify(signature, parts)) throw new WireError('invalid signature', header?.msg_id, header?.msg_type);
    // Only a valid signature is remembered, so forged traffic cannot evict real entries.
    if (!guard.admit(signature)) throw new WireError('duplicate signature (replayed message)', header?.msg_id, header?.msg_type);
  }
  if (!header) throw new WireError('header is not a JSON object with msg_id and msg_type');
  const [parent_header, metadata, content] = parts.slice(1).map((part, i) => parseObject(part, ['parent_header', 'metadata', 'content'][i], header));
  return {
    identities: frames.slice(0, split),
    header,
    parent_header: parent_header as Message['parent_header'],
    metadata,
    content,
    buffers: frames.slice(split + 6),
  };
}

function parseHeaderLoosely(frame: Buffer): Header | undefined {
  try {
    const value = JSON.parse(frame.toString('utf8'));
    if (isObject(value) && typeof value.msg_id === 'string' && typeof value.msg_type === 'string') return value as unknown as Header;
  } catch {
    // reported by the caller as a malformed header
  }
  return undefined;
}

function parseObject(frame: Buffer, name: string, header: Header): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(frame.toString('utf8'));
  } catch {
    throw new WireError(`${name} is not valid JSON`, header.msg_id, header.msg_type);
  }
  if (!isObject(value)) throw new WireError(`${name} is not a JSON object`, header.msg_id, header.msg_type);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
