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

type Ending = (...args: unknown[]) => never;

/**
 * Makes `process.exit` throw ProcessExit; returns the real one, for the executor's own use. What
 * still ends the process at once first lets `flush` send the output queued before it.
 */
export function trapProcessExit(flush: () => void): (code?: number) => never {
  const exit = process.exit.bind(process);
  const endings = process as unknown as Record<'reallyExit' | 'abort', Ending>;
  for (const name of ['reallyExit', 'abort'] as const) {
    const end = endings[name];
    endings[name] = (...args) => {
      flush();
      return end.apply(process, args);
    };
  }
  process.exit = ((code?: number | string | null) => {
    throw new ProcessExit(code ?? process.exitCode ?? 0);
  }) as typeof process.exit;
  return exit;
}
