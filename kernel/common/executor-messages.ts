// What the kernel process and its executor child say to each other. Requests go down Node's IPC
// channel; events come back as JSON lines on fd 3, sent by a thread of the executor, so that
// output reaches the kernel even while user code then blocks the main thread. Interrupts have a
// pipe of their own, which the same thread reads.

import type { ErrorContent, MimeBundle } from '../protocol/messages';
import type { CellTiming } from './timeline-data';

/** Session settings the setting magics change; a replacement executor inherits them from the kernel. */
export interface MagicSettings {
  timing: boolean;
  timeline: boolean;
}

/** A comm message's message-level metadata and binary buffers; buffers cross the JSON pipes as base64. */
export interface CommWireExtras {
  metadata?: Record<string, unknown>;
  buffers?: string[];
}

/** What the comm API asks the executor to send; it stamps the current parent. */
export type CommEvent =
  | ({ type: 'comm_open'; comm_id: string; target_name: string; data: unknown } & CommWireExtras)
  | ({ type: 'comm_msg'; comm_id: string; data: unknown } & CommWireExtras)
  | ({ type: 'comm_close'; comm_id: string; data: unknown } & CommWireExtras);

/** A comm message from the front end, forwarded by the kernel. */
export interface CommCommand extends CommWireExtras {
  type: 'comm';
  parent: string;
  action: 'open' | 'msg' | 'close';
  comm_id: string;
  target_name?: string;
  data: unknown;
}

export const EVENT_FD = 3;
/** The kernel writes the `cell` number of each cell to interrupt here, one a line (interrupt-guard.ts). */
export const INTERRUPT_FD = 5;

export interface ExecuteCommand {
  type: 'execute';
  /** The execute_request's msg_id: every event the cell causes, now or later, carries it. */
  parent: string;
  /** The kernel's number for this run of a cell, from 1 up: what an interrupt names. */
  cell: number;
  code: string;
  /** Name of the cell's script in tracebacks, e.g. `In[3]`. */
  cellName: string;
  userExpressions: Record<string, string>;
}

/** The answer to an `input_request` event: the text typed, or why there is none. */
export interface InputReplyCommand {
  type: 'input_reply';
  id: string;
  value?: string;
  error?: string;
}

/** Interrupts are not commands: a busy cell never reads its IPC channel (see INTERRUPT_FD). */
export type ExecutorCommand = ExecuteCommand | InputReplyCommand | CommCommand;

export type ExecutorEvent =
  | { type: 'ready' }
  | { type: 'stream'; parent: string; name: 'stdout' | 'stderr'; text: string }
  | { type: 'result'; parent: string; data: MimeBundle }
  | { type: 'display'; parent: string; data: MimeBundle; displayId?: string }
  | { type: 'update_display'; parent: string; data: MimeBundle; displayId: string }
  | { type: 'clear_output'; parent: string; wait: boolean }
  | (CommEvent & { parent: string })
  /** A line for the kernel's log (a widget message the executor dropped). */
  | { type: 'log'; text: string }
  /** A front end's comm message has been handled: the kernel may publish its idle. */
  | { type: 'comm_done'; parent: string }
  /** `await input(prompt)`: the kernel asks the front end on the stdin channel. */
  | { type: 'input_request'; parent: string; id: string; prompt: string; password: boolean }
  /** An error after the cell's reply: a throw in a timer, a rejection nobody handled. */
  | { type: 'error'; parent: string; error: ErrorContent }
  | {
      type: 'done';
      parent: string;
      error?: ErrorContent;
      userExpressions: Record<string, unknown>;
      timing?: CellTiming;
      /** The `%%timeline` chart's MIME bundle: the kernel shows it after the cell's error, if any. */
      timeline?: Record<string, string>;
      /** The cell started interact runs, which show their own timing lines and charts: the cell's are not shown. */
      timedByRuns?: boolean;
      /** `%timing` and `%timeline` after the cell: whether to show the timing line, and what a replacement executor starts with. */
      settings: MagicSettings;
    };
