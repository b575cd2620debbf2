/**
 * What the kernel asks of a TypeScript checker. Positions on this interface are the protocol's:
 * Unicode code points into the cell (messaging spec: "cursor_pos is in unicode code points").
 * Lines are 1-based, columns 1-based code points, as tsc prints them. A request given `timeoutMs`
 * rejects with TypeCheckTimeout past it; one that cannot be served rejects with TypeCheckerUnavailable.
 *
 * One implementation today: TypeScript 7's native checker, driven from the kernel's thread
 * through its asynchronous API (language/checker-client.ts, checker/native-checker.ts).
 */
export interface TypeChecker {
  /** Type errors of `code` checked against every committed cell; [] when it has a syntax error (the executor reports that). */
  check(code: string, timeoutMs?: number): Promise<CellDiagnostic[]>;
  complete(code: string, cursorPos: number, timeoutMs?: number): Promise<Completion>;
  inspect(code: string, cursorPos: number, timeoutMs?: number): Promise<Inspection>;
  /** `code` ran without error: its declarations are visible to later cells (a redeclared name takes the newest type). */
  commit(code: string): void;
  /** The executor restarted: no earlier declaration exists any more. */
  reset(): void;
  /** Resolves once the checker is loaded and warm (or has failed). */
  readonly ready: Promise<void>;
}

export interface CellDiagnostic {
  /** `TS2322` → 2322. */
  code: number;
  message: string;
  line: number;
  column: number;
  /** Code points underlined on the diagnostic's first line (at least 1). */
  length: number;
}

export interface CompletionItem {
  start: number;
  end: number;
  text: string;
  type: string;
  signature: string;
}

export interface Completion {
  matches: string[];
  cursorStart: number;
  cursorEnd: number;
  /** messaging spec: complete_reply metadata, as IPython and JupyterLab read it. */
  metadata: { _jupyter_types_experimental: CompletionItem[] };
}

export interface Inspection {
  found: boolean;
  data: Record<string, string>;
}

/** The checker stopped working (its thread died or it failed to load): cells run unchecked. */
export class TypeCheckerUnavailable extends Error {
  override readonly name = 'TypeCheckerUnavailable';
}

/** tsc died under the request, and a new one is starting: later requests go to it. */
export class TypeCheckerRestarted extends Error {
  override readonly name = 'TypeCheckerRestarted';
}

/** A request took longer than its deadline; the checker keeps working on it in the background. */
export class TypeCheckTimeout extends Error {
  override readonly name = 'TypeCheckTimeout';
}
