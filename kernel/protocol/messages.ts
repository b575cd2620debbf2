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
  /** Any string on the wire; the kernel routes the ones in RequestContents. */
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

/** The header of the request a message answers or was caused by, or `{}` when there is none. */
export type Parent = Header | Record<string, never>;

/** The sockets a client sends requests on (ROUTER sockets on the kernel's side). */
export type RequestChannel = 'shell' | 'control' | 'stdin';
export type Channel = RequestChannel | 'iopub';

export type StreamName = 'stdout' | 'stderr';
export type MimeBundle = Record<string, unknown>;

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** What every `*_reply` may be instead of its success content (messaging spec: request-reply). */
export type ErrorReply = { status: 'error' } & ErrorContent;

export interface ExecuteRequest {
  code: string;
  silent?: boolean;
  store_history?: boolean;
  user_expressions?: Record<string, string>;
  allow_stdin?: boolean;
  stop_on_error?: boolean;
}

export interface HistoryRequest {
  hist_access_type?: string;
  n?: number;
  session?: number;
  start?: number;
  stop?: number | null;
  pattern?: string;
  unique?: boolean;
  output?: boolean;
}

export interface CommOpen {
  comm_id: string;
  target_name: string;
  data: unknown;
}

export interface CommMsg {
  comm_id: string;
  data: unknown;
}

export type CommContent = CommOpen | CommMsg;

/**
 * Requests a client may send, by msg_type. Contents come from the network: the shapes are what
 * the spec promises, and handlers still check the fields they depend on.
 */
export interface RequestContents {
  kernel_info_request: Record<string, never>;
  execute_request: ExecuteRequest;
  is_complete_request: { code: string };
  complete_request: { code: string; cursor_pos?: number };
  inspect_request: { code: string; cursor_pos?: number; detail_level?: 0 | 1 };
  history_request: HistoryRequest;
  comm_info_request: { target_name?: string };
  comm_open: CommOpen;
  comm_msg: CommMsg;
  comm_close: CommMsg;
  interrupt_request: Record<string, never>;
  shutdown_request: { restart?: boolean };
}
export type RequestType = keyof RequestContents;

export type HistoryEntry = [session: number, line: number, input: string] | [session: number, line: number, inOut: [string, string | null]];

export interface LanguageInfo {
  name: string;
  version: string;
  mimetype: string;
  file_extension: string;
  pygments_lexer: string;
  codemirror_mode: string;
  nbconvert_exporter: string;
}

export interface KernelInfoReply {
  status: 'ok';
  protocol_version: string;
  implementation: string;
  implementation_version: string;
  language_info: LanguageInfo;
  banner: string;
  help_links: { text: string; url: string }[];
  supported_features: string[];
  debugger: boolean;
}

export interface ExecuteReplyOk {
  status: 'ok';
  execution_count: number;
  user_expressions: Record<string, unknown>;
  payload: unknown[];
}

export type ExecuteReply = ExecuteReplyOk | (ErrorReply & { execution_count: number; user_expressions: Record<string, never>; payload: unknown[] });

export type IsCompleteReply = { status: 'complete' } | { status: 'invalid' } | { status: 'incomplete'; indent: string };

export interface CompleteReply {
  status: 'ok';
  matches: string[];
  cursor_start: number;
  cursor_end: number;
  metadata: Record<string, unknown>;
}

export interface InspectReply {
  status: 'ok';
  found: boolean;
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

/** Messages the kernel sends to one client (shell, control and stdin), by msg_type. */
export interface ReplyContents {
  kernel_info_reply: KernelInfoReply;
  execute_reply: ExecuteReply;
  is_complete_reply: IsCompleteReply;
  complete_reply: CompleteReply;
  inspect_reply: InspectReply;
  history_reply: { status: 'ok'; history: HistoryEntry[] };
  comm_info_reply: { status: 'ok'; comms: Record<string, { target_name: string }> };
  interrupt_reply: { status: 'ok' };
  shutdown_reply: { status: 'ok'; restart: boolean };
  /** On stdin: the kernel asks the client for a line of input (messaging spec: stdin). */
  input_request: { prompt: string; password: boolean };
}
export type ReplyType = keyof ReplyContents;

export type ExecutionState = 'starting' | 'busy' | 'idle';

export interface DisplayData {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient: { display_id?: string };
}

/** Messages the kernel broadcasts on IOPub, by msg_type. */
export interface IopubContents {
  status: { execution_state: ExecutionState };
  iopub_welcome: { subscription: string };
  execute_input: { code: string; execution_count: number };
  stream: { name: StreamName; text: string };
  execute_result: { execution_count: number; data: MimeBundle; metadata: Record<string, unknown> };
  display_data: DisplayData;
  update_display_data: DisplayData;
  clear_output: { wait: boolean };
  error: ErrorContent;
  comm_open: CommOpen;
  comm_msg: CommMsg;
  comm_close: CommMsg;
  /** ipykernel broadcasts the shutdown reply too, so every client learns the kernel is going. */
  shutdown_reply: ReplyContents['shutdown_reply'];
}
export type IopubType = keyof IopubContents;
