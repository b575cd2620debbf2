/** Messages between the kernel's main thread and the checker's worker thread. */
export type CheckerRequest =
  | { id: number; op: 'check'; code: string }
  | { id: number; op: 'complete' | 'inspect'; code: string; cursorPos: number }
  | { id: number; op: 'commit' | 'reset'; code: string };

export type CheckerResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string }
  /** Sent once the libraries are loaded and a first request or the warm-up ran (id 0), with notes about tsconfig.json. */
  | { id: 0; ok: true; ready: true; notes: string[]; warmMs: number };
