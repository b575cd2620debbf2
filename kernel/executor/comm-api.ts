import { uniqueId } from '../display/unique-id';
import type { CommCommand, CommEvent } from '../common/executor-messages';

export interface Comm {
  readonly id: string;
  readonly targetName: string;
  send(data?: unknown): void;
  close(data?: unknown): void;
  onMsg?: (data: unknown) => void;
  onClose?: (data: unknown) => void;
}

type OpenHandler = (comm: Comm, data: unknown) => void;

/**
 * Jupyter comms (messaging spec: custom messages) in both directions: `comms.register(target,
 * handler)` answers front-end opens, `comms.open(target, data)` starts one from a cell. A comm
 * opened for a target nobody registered is closed at once, as the spec asks.
 */
export function createComms(emit: (event: CommEvent) => void) {
  const handlers = new Map<string, OpenHandler>();
  const open = new Map<string, Comm>();

  function makeComm(id: string, targetName: string): Comm {
    const comm: Comm = {
      id,
      targetName,
      send: (data = {}) => emit({ type: 'comm_msg', comm_id: id, data }),
      close: (data = {}) => {
        if (!open.delete(id)) return;
        emit({ type: 'comm_close', comm_id: id, data });
      },
    };
    open.set(id, comm);
    return comm;
  }

  const api = {
    register(targetName: string, handler: OpenHandler): void {
      handlers.set(targetName, handler);
    },
    open(targetName: string, data: unknown = {}): Comm {
      const comm = makeComm(uniqueId(), targetName);
      emit({ type: 'comm_open', comm_id: comm.id, target_name: targetName, data });
      return comm;
    },
  };

  /** A front end's comm_open, comm_msg or comm_close. */
  function handle(command: CommCommand): void {
    if (command.action === 'open') {
      const handler = handlers.get(command.target_name ?? '');
      if (!handler) {
        emit({ type: 'comm_close', comm_id: command.comm_id, data: {} });
        return;
      }
      handler(makeComm(command.comm_id, command.target_name ?? ''), command.data);
      return;
    }
    const comm = open.get(command.comm_id);
    if (!comm) return;
    if (command.action === 'msg') comm.onMsg?.(command.data);
    else {
      open.delete(command.comm_id);
      comm.onClose?.(command.data);
    }
  }

  return { comms: api, handle };
}
