// Jupyter message shapes (messaging spec 5.5). Wire fields keep the spec's snake_case.
import { randomUUID } from 'node:crypto';

export const PROTOCOL_VERSION = '5.5';

/** A new message's header (messaging spec: a unique msg_id, and a real ISO-8601 date with its timezone). */
export function newHeader(msgType: string, session: string, username: string): Header {
  return { msg_id: randomUUID(), session, username, date: new Date().toISOString(), msg_type: msgType, version: PROTOCOL_VERSION };
}

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
  subshell_id?: string | null;
}

/** A decoded message; `identities` are the ROUTER routing frames before `<IDS|MSG>`. */
export interface Message<C = Record<string, unknown>> {
  identities: Buffer[];
  header: Header;
  parent_header: Header | Record<string, never>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

export type Channel = 'shell' | 'control' | 'stdin' | 'iopub';

export type ExecutionState = 'starting' | 'busy' | 'idle';

export interface ExecuteRequest {
  code: string;
  silent?: boolean;
  store_history?: boolean;
  user_expressions?: Record<string, string>;
  allow_stdin?: boolean;
  stop_on_error?: boolean;
}

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

export type ReplyStatus = { status: 'ok' } | ({ status: 'error' } & ErrorContent);

export type MimeBundle = Record<string, unknown>;
