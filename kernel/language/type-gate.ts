import type { ErrorContent } from '../protocol/messages';
import { formatCompileError } from '../display/traceback';
import { diagnosticsCount, plainDiagnostic, typeErrorContent } from '../display/type-errors';
import { typesMagic, type TypesMode } from '../common/magics';
import { TypeCheckerRestarted, TypeCheckerUnavailable, TypeCheckTimeout, type CellDiagnostic, type TypeChecker } from '../common/type-checker';

/**
 * How long a cell waits for its check. The checker starts with the kernel's first cell,
 * completion or inspection (tsc plus @types/node: ~0.3 s on a quiet 2-vCPU machine, more under
 * load), so the first check waits for it, for up to FIRST_CHECK_MS; later checks take
 * milliseconds and get CHECK_MS. Past either deadline the cell runs unchecked with a note, and the
 * checker carries on warming up for the next cell.
 */
export const FIRST_CHECK_MS = 15_000;
export const CHECK_MS = 5_000;

export type Note = (name: 'stdout' | 'stderr', text: string) => void;

/**
 * What runs between a cell's execute_input and its executor: `%types error|warn|off`, the type
 * check in the chosen mode, and committing the cell's declarations once it ran. A checker that
 * fails is reported once, then cells run unchecked.
 */
export class TypeGate {
  mode: TypesMode = 'error';
  private checked = false;
  /** Cells that ran while checks were off, committed when they are turned back on. */
  private uncommitted: string[] = [];
  private failed = false;
  private stopWaiting: (() => void) | undefined;

  constructor(private readonly checker: TypeChecker) {}

  /** An error to reply with instead of running the cell, or undefined to run it. */
  async beforeRun(code: string, cellName: string, note: Note): Promise<ErrorContent | undefined> {
    const magic = typesMagic(code);
    if (magic.invalid) {
      const { line, args } = magic.invalid;
      return formatCompileError('UsageError', cellName, code, line, 0, `%types takes error, warn or off, not ${JSON.stringify(args)}`);
    }
    if (magic.mode) this.mode = magic.mode;
    if (magic.query) note('stdout', `%types ${this.mode}\n`);
    if (this.mode === 'off' || this.failed) return undefined;
    this.commitPending();
    let diagnostics: CellDiagnostic[];
    try {
      const interrupted = new Promise<undefined>((resolve) => (this.stopWaiting = () => resolve(undefined)));
      const checked = await Promise.race([this.checker.check(code, this.checked ? CHECK_MS : FIRST_CHECK_MS), interrupted]);
      // Interrupted: the caller does not run the cell; the checker finishes this check on its own.
      if (checked === undefined) return undefined;
      diagnostics = checked;
      this.checked = true;
    } catch (error) {
      if (error instanceof TypeCheckTimeout) {
        note('stderr', `Type check skipped: the TypeScript checker did not answer within ${(this.checked ? CHECK_MS : FIRST_CHECK_MS) / 1000} s (it may still be starting); the cell runs unchecked.\n`);
        return undefined;
      }
      if (error instanceof TypeCheckerRestarted) {
        note('stderr', `Type check skipped: the TypeScript checker stopped (${error.message}) and is starting again; the cell runs unchecked.\n`);
        // The next check waits for the new checker to start.
        this.checked = false;
        return undefined;
      }
      this.failed = true;
      const why = error instanceof TypeCheckerUnavailable ? error.message : `it failed: ${(error as Error).message.split('\n')[0]}`;
      note('stderr', `The TypeScript checker stopped working (${why}). Cells now run without type checks.\n`);
      return undefined;
    } finally {
      this.stopWaiting = undefined;
    }
    if (diagnostics.length === 0) return undefined;
    if (this.mode === 'warn') {
      note('stderr', `${diagnosticsCount(diagnostics)} (the cell runs anyway: %types warn)\n${diagnostics.map((d) => plainDiagnostic(d, code, cellName)).join('')}`);
      return undefined;
    }
    return typeErrorContent(diagnostics, code, cellName);
  }

  /** An interrupt while the cell is being checked: stop waiting for the check at once. */
  interrupt(): void {
    this.stopWaiting?.();
  }

  /**
   * The cell ran, to its end or to an error: later cells see its declarations. With checks off the cells are
   * only kept, and committed when checks come back on: a session that never checks pays nothing.
   */
  afterRun(code: string): void {
    if (this.failed) return;
    if (this.mode === 'off') this.uncommitted.push(code);
    else this.commitPending(code);
  }

  private commitPending(...more: string[]): void {
    for (const code of [...this.uncommitted.splice(0), ...more]) this.checker.commit(code);
  }

  /** The executor restarted, so earlier cells' declarations are gone. */
  reset(): void {
    this.uncommitted = [];
    if (!this.failed) this.checker.reset();
  }
}
