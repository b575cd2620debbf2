import { uniqueId } from '../display/unique-id';
import type { CommCommand, CommEvent, CommWireExtras } from '../common/executor-messages';

/** What a comm message carries beside its data: message metadata, binary buffers. */
export interface CommOptions {
  metadata?: Record<string, unknown>;
  buffers?: readonly Uint8Array[];
}

/** A message from the front end: its data, metadata and binary buffers. */
export interface CommMessage {
  data: unknown;
  metadata: Record<string, unknown>;
  buffers: Buffer[];
}

export interface Comm {
  readonly id: string;
  readonly targetName: string;
  send(data?: unknown, options?: CommOptions): void;
  close(data?: unknown, options?: CommOptions): void;
  onMsg?: (data: unknown, message: CommMessage) => void;
  onClose?: (data: unknown, message: CommMessage) => void;
}

type OpenHandler = (comm: Comm, data: unknown, message: CommMessage) => void;

function toWire(options: CommOptions = {}): CommWireExtras {
  const buffers = options.buffers?.length ? options.buffers.map((buffer) => Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength).toString('base64')) : undefined;
  return { metadata: options.metadata, buffers };
}

function fromWire(command: CommCommand): CommMessage {
  return { data: command.data, metadata: command.metadata ?? {}, buffers: (command.buffers ?? []).map((text) => Buffer.from(text, 'base64')) };
}

/**
 * Jupyter comms (messaging spec: custom messages) in both directions: `comms.register(target,
 * handler)` answers front-end opens, `comms.open(target, data)` starts one from a cell. A comm
 * opened for a target nobody registered is closed at once, as the spec asks.
 */
export function createComms(emit: (event: CommEvent) => void, log: (text: string) => void = () => {}) {
  const handlers = new Map<string, OpenHandler>();
  const open = new Map<string, Comm>();

  function makeComm(id: string, targetName: string): Comm {
    const comm: Comm = {
      id,
      targetName,
      send: (data = {}, options) => {
        if (open.has(id)) emit({ type: 'comm_msg', comm_id: id, data, ...toWire(options) });
      },
      close: (data = {}, options) => {
        if (!open.delete(id)) return;
        emit({ type: 'comm_close', comm_id: id, data, ...toWire(options) });
      },
    };
    open.set(id, comm);
    return comm;
  }

  const api = {
    register(targetName: string, handler: OpenHandler): void {
      handlers.set(targetName, handler);
    },
    open(targetName: string, data: unknown = {}, options?: CommOptions): Comm {
      const comm = makeComm(uniqueId(), targetName);
      emit({ type: 'comm_open', comm_id: comm.id, target_name: targetName, data, ...toWire(options) });
      return comm;
    },
  };

  /** A front end's comm_open, comm_msg or comm_close. */
  function handle(command: CommCommand): void {
    const message = fromWire(command);
    if (command.action === 'open') {
      const handler = handlers.get(command.target_name ?? '');
      if (!handler) {
        emit({ type: 'comm_close', comm_id: command.comm_id, data: {} });
        return;
      }
      handler(makeComm(command.comm_id, command.target_name ?? ''), command.data, message);
      return;
    }
    const comm = open.get(command.comm_id);
    if (!comm) {
      log(`comm_${command.action} for comm ${JSON.stringify(command.comm_id)}, which is not open, ignored`);
      return;
    }
    if (command.action === 'msg') comm.onMsg?.(command.data, message);
    else {
      open.delete(command.comm_id);
      comm.onClose?.(command.data, message);
    }
  }

  return { comms: api, handle };
}
