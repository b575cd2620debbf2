import type { CellRegistry, StackFrame } from './cell-registry';

const framesOf = new WeakMap<object, StackFrame[]>();

/** The kernel's own frames (and the vm shim that enters a cell) mean nothing to the user. */
function isKernelFrame(file: string, kernelRoot: string): boolean {
  return file.startsWith(kernelRoot) || file.startsWith('evalmachine.');
}

/** Tracebacks also leave out node's internals, as IPython leaves out its own machinery. */
export function isInternal(file: string, kernelRoot: string): boolean {
  return file.startsWith('node:') || isKernelFrame(file, kernelRoot);
}

/**
 * Installs V8's stack hook so that every error's `stack` names cell lines in TypeScript (what
 * user code that prints `err.stack` sees too), and keeps the structured frames for tracebacks.
 */
export function installStackCapture(cells: CellRegistry, kernelRoot: string): void {
  Error.prepareStackTrace = (error, callSites) => {
    const frames: StackFrame[] = [];
    const lines: string[] = [];
    for (const site of callSites) {
      let text = String(site);
      // Scripts named by a sourceURL (the cells) have an empty file name.
      const file = site.getFileName() || site.getScriptNameOrSourceURL();
      const line = site.getLineNumber();
      const column = site.getColumnNumber();
      if (file && line !== null && column !== null) {
        const mapped = cells.locate(file, line, column);
        if (mapped) text = text.replace(`${file}:${line}:${column}`, `${file}:${mapped.line}:${mapped.column}`);
        if (!isInternal(file, kernelRoot)) {
          frames.push({ functionName: site.getFunctionName(), file, line: mapped?.line ?? line, column: mapped?.column ?? column, cellSource: mapped?.cellSource });
        }
      }
      if (!file || !isKernelFrame(file, kernelRoot)) lines.push(`    at ${text}`);
    }
    if (typeof error === 'object' && error !== null) framesOf.set(error, frames);
    const head = errorHeadline(error);
    return lines.length > 0 ? `${head}\n${lines.join('\n')}` : head;
  };
}

function errorHeadline(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.message ? `${error.name}: ${error.message}` : error.name;
}

/** The frames captured for `error`, innermost first; empty when it carries no stack. */
export function capturedFrames(error: unknown): StackFrame[] {
  if (typeof error !== 'object' || error === null) return [];
  // Reading `stack` makes V8 call the hook, which records the frames.
  void (error as { stack?: unknown }).stack;
  return framesOf.get(error) ?? [];
}
