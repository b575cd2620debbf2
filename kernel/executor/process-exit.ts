/**
 * What `process.exit()` throws in the executor. As `sys.exit()` raises SystemExit in IPython, it
 * ends the cell that called it and leaves the executor, and every variable, in place.
 */
export class ProcessExit extends Error {
  override readonly name = 'ProcessExit';

  constructor(readonly code: number | string) {
    super(`process.exit(${code}) ended this cell, not the kernel: variables from earlier cells are kept (Kernel → Restart starts afresh)`);
  }
}

/** Makes `process.exit` throw ProcessExit; returns the real one, for the executor's own use. */
export function trapProcessExit(): (code?: number) => never {
  const exit = process.exit.bind(process);
  process.exit = ((code?: number | string | null) => {
    throw new ProcessExit(code ?? process.exitCode ?? 0);
  }) as typeof process.exit;
  return exit;
}
