// The boundary between core/ and a language, as xeus's interpreter and ipykernel's do_* methods
// draw it. Core owns the protocol (routing, busy/idle, execution counts, history, stop_on_error,
// parents, stdin, comm bookkeeping); a language only runs, completes and inspects code.
import type { CommOpen, CommMsg, ErrorContent, IsCompleteReply, MimeBundle, StreamName } from '../protocol/messages';

/** A cell as core hands it to the language. */
export interface Cell {
  /** The execute_request's msg_id: output the cell causes, now or later, names it. */
  id: string;
  code: string;
  /** Its name in tracebacks: `In[3]`, or `In[silent-…]` for a cell kept out of history. */
  name: string;
  userExpressions: Record<string, string>;
}

export interface CellOutcome {
  error?: ErrorContent;
  userExpressions: Record<string, unknown>;
  /** Displays that close the cell, after its error if any: the timing line, a chart. */
  epilogue: MimeBundle[];
  /** Extra execute_reply metadata (Tempo puts the cell's timing there). */
  metadata: Record<string, unknown>;
}

/** Output a language produces; core sends each under the header of the cell it names. */
export type Output =
  | { type: 'stream'; name: StreamName; text: string }
  | { type: 'execute_result'; data: MimeBundle }
  | { type: 'display_data'; data: MimeBundle; displayId?: string }
  | { type: 'update_display_data'; data: MimeBundle; displayId: string }
  | { type: 'clear_output'; wait: boolean }
  /** An error after the cell's reply: a throw in a timer, a rejection nobody handled, a crash. */
  | { type: 'error'; error: ErrorContent }
  | ({ type: 'comm_open'; extras?: CommExtras } & CommOpen)
  | ({ type: 'comm_msg' | 'comm_close'; extras?: CommExtras } & CommMsg);

/** What a comm message carries beside its content (the widget protocol uses both). */
export interface CommExtras {
  metadata?: Record<string, unknown>;
  buffers?: Buffer[];
}

/** A comm message from the front end, for the handlers the language's code registered. */
export type CommRequest = ({ type: 'comm_open' } & CommOpen & CommExtras) | ({ type: 'comm_msg' | 'comm_close' } & CommMsg & CommExtras);

export interface Completion {
  matches: string[];
  cursorStart: number;
  cursorEnd: number;
  /** messaging spec: complete_reply metadata. */
  metadata: Record<string, unknown>;
}

export interface Inspection {
  found: boolean;
  data: MimeBundle;
}

/** What core lends the language. */
export interface LanguageHost {
  /** Output caused by the cell `cellId`; '' (or an id core never saw) means the running cell, else the last one. */
  output(cellId: string, output: Output): void;
  /** Asks the client that sent the running cell for a line of input; rejects when it cannot answer. */
  input(prompt: string, password: boolean): Promise<string>;
  /** The language lost its state (it restarted): the comms it had open are gone. */
  stateLost(): void;
  /** A line for the kernel's log: something the language dropped and the user need not see. */
  log(text: string): void;
}

/** What a language fills in. Positions are the protocol's: Unicode code points into the code. */
export interface Language {
  /** Starts what the first cell needs, ahead of it (a cell that comes first starts it itself). */
  start(): void;
  execute(cell: Cell): Promise<CellOutcome>;
  /** Stops the running cell, or the one being prepared; never a later one. */
  interrupt(): void;
  complete(code: string, cursorPos: number, timeoutMs: number): Promise<Completion>;
  inspect(code: string, cursorPos: number, timeoutMs: number): Promise<Inspection>;
  isComplete(code: string): IsCompleteReply;
  /** Resolves when the handler has run, so what it sends comes before the request's idle. */
  comm(request: CommRequest, cellId: string): Promise<void>;
  /** Ends for good (kernel shutdown). */
  shutdown(): void;
}
