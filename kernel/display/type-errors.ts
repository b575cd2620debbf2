import type { ErrorContent } from '../protocol/messages';
import type { CellDiagnostic } from '../common/type-checker';
import { GREEN, RED, RESET, lineWithCarets } from './ansi';

export function diagnosticsCount(diagnostics: readonly CellDiagnostic[]): string {
  return `${diagnostics.length} type error${diagnostics.length === 1 ? '' : 's'}`;
}

/** The offending line with carets under the diagnostic's span (at least one, never past the line's end). */
function carets(d: CellDiagnostic, code: string, colour?: string): string {
  const lineLength = [...(code.split('\n')[d.line - 1] ?? '')].length;
  const width = Math.max(1, Math.min(d.length, lineLength - d.column + 1));
  return lineWithCarets(code, d.line, d.column - 1, width, colour);
}

/** One diagnostic as plain text, for the stderr warning of `%types warn`. */
export function plainDiagnostic(d: CellDiagnostic, code: string, cellName: string): string {
  return `Cell ${cellName}, line ${d.line}, column ${d.column}: TS${d.code}: ${d.message}\n${carets(d, code, '')}\n`;
}

/** One `error` output for all of a cell's type errors: each with its place, line and caret, like tsc --pretty. */
export function typeErrorContent(diagnostics: readonly CellDiagnostic[], code: string, cellName: string): ErrorContent {
  const first = diagnostics[0];
  const evalue = `TS${first.code}: ${first.message}${diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : ''}`;
  const entries = diagnostics.map((d) => `${GREEN}Cell ${cellName}, line ${d.line}, column ${d.column}${RESET}\n${carets(d, code)}\n${RED}TS${d.code}${RESET}: ${d.message}\n`);
  return { ename: 'TypeScriptError', evalue, traceback: [...entries, `${RED}TypeScriptError${RESET}: ${diagnosticsCount(diagnostics)}: the cell did not run (%types warn runs cells anyway)`] };
}
