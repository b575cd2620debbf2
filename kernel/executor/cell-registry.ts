import type { TraceMap } from '@jridgewell/trace-mapping';

type SourceMap = ConstructorParameters<typeof TraceMap>[0];
// Loaded by the first traceback, not by every executor start (~15 ms): most cells never throw.
const traceMapping = (): typeof import('@jridgewell/trace-mapping') => require('@jridgewell/trace-mapping');

export interface StackFrame {
  functionName: string | null;
  file: string;
  line: number;
  column: number;
  /** The cell's source, when the frame is in a cell: tracebacks show its lines. */
  cellSource?: string;
}

interface Cell {
  source: string;
  map: SourceMap;
  /** Decoded from `map` when a frame in the cell is first mapped. */
  trace?: TraceMap;
}

/**
 * Every cell run so far, by script name, so frames in a function defined by an earlier cell map
 * back to that cell's TypeScript too. Node 20 does not apply source maps to code it did not load.
 */
export class CellRegistry {
  private readonly cells = new Map<string, Cell>();

  add(name: string, source: string, map: unknown): void {
    this.cells.set(name, { source, map: map as SourceMap });
  }

  source(name: string): string | undefined {
    return this.cells.get(name)?.source;
  }

  /** Maps a V8 position (1-based line and column) in a cell's JavaScript to its TypeScript. */
  locate(file: string, line: number, column: number): { line: number; column: number; cellSource: string } | undefined {
    const cell = this.cells.get(file);
    if (!cell) return undefined;
    const { TraceMap, originalPositionFor } = traceMapping();
    cell.trace ??= new TraceMap(cell.map);
    const original = originalPositionFor(cell.trace, { line, column: Math.max(0, column - 1) });
    if (original.line === null) return { line, column, cellSource: cell.source };
    return { line: original.line, column: original.column + 1, cellSource: cell.source };
  }
}
