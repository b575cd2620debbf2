import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { newCheckerFolder, removeCheckerFolder } from '../common/checker-folder';
import type { CheckerRequest, CheckerResponse } from '../common/checker-messages';
import { TypeCheckerUnavailable, TypeCheckTimeout, type CellDiagnostic, type Completion, type Inspection, type TypeChecker } from '../common/type-checker';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

const CHECKER_YOUNG_GENERATION_MB = 8;

/**
 * Words every declaration or import that later cells could see begins with. A cell without any
 * of them (anywhere: a false alarm only costs a commit) adds nothing, so committing it is skipped
 * and the next rerun can use the cached check at once.
 */
const MAY_DECLARE = /\b(?:var|let|const|using|function|class|interface|type|enum|namespace|module|declare|import|export)\b/;

type Request = CheckerRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

/**
 * The TypeChecker the kernel uses: requests go to a worker thread driving TypeScript 7's
 * checker, answered in order. The worker starts loading at once; requests made before it
 * is ready queue behind the warm-up. When the worker dies every request fails with
 * TypeCheckerUnavailable, for good: the kernel then runs cells unchecked.
 */
export class CheckerClient implements TypeChecker {
  readonly ready: Promise<void>;
  /** Milliseconds the worker took to load TypeScript and run its first check; set once ready. */
  warmMs: number | undefined;
  /** Why the checker is unavailable, once it is. */
  failure: string | undefined;
  private worker: Worker | undefined;
  /** The checker's private folder for its files (see newCheckerFolder); removed once it is done. */
  private folder: string | undefined;
  private markReady: () => void = () => undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /**
   * The last cell that checked clean: checked again against the same earlier cells (a cell rerun
   * as it is, the common case), it is clean again without a trip to the worker. `changes` counts
   * commits and resets sent; the cell is remembered only if none was sent while it was checked,
   * and trusted only when none is still in flight (it might change the earlier cells).
   */
  private lastClean: string | undefined;
  private changes = 0;
  private changesInFlight = 0;

  /** Without `warmCompletion` the warm-up skips completion (~30-50 ms that a cell might wait behind). */
  constructor(
    private readonly cwd: string,
    private readonly onNote: (text: string) => void,
    private readonly warmCompletion = true,
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  /** Spawns the worker, which starts loading TypeScript at once; the first request does it too. */
  start(): void {
    if (this.worker || this.failure) return;
    // Made and removed on this thread: a worker's exit handlers do not run when the kernel exits.
    try {
      this.folder = newCheckerFolder(this.cwd);
    } catch (error) {
      return this.fail(`no folder for its files: ${(error as Error).message}`);
    }
    process.once('exit', this.removeFolder);
    const worker = new Worker(path.join(__dirname, '../checker/checker-thread-main.js'), {
      workerData: { cwd: this.cwd, folder: this.folder, warmCompletion: this.warmCompletion },
      stdout: false,
      stderr: false,
      // A smaller young generation than V8's default keeps ~20 MB less resident; checks measured no slower.
      resourceLimits: { maxYoungGenerationSizeMb: CHECKER_YOUNG_GENERATION_MB },
    });
    this.worker = worker;
    // The kernel exits by process.exit; the checker never keeps it alive.
    worker.unref();
    worker.on('message', (response: CheckerResponse) => {
      if ('ready' in response) {
        this.warmMs = response.warmMs;
        for (const note of response.notes) this.onNote(note);
        this.markReady();
        return;
      }
      const pending = this.pending.get(response.id);
      if (!pending) return;
      this.pending.delete(response.id);
      clearTimeout(pending.timer);
      if (response.ok) pending.resolve(response.result);
      else pending.reject(new Error(response.error));
    });
    worker.on('error', (error) => this.fail(`the checker thread failed: ${error.message}`));
    worker.on('exit', (code) => {
      this.removeFolder();
      this.fail(`the checker thread exited with code ${code}`);
    });
  }

  async check(code: string, timeoutMs?: number): Promise<CellDiagnostic[]> {
    if (this.changesInFlight === 0 && this.lastClean === code) return [];
    const changesBefore = this.changes;
    const diagnostics = (await this.request({ op: 'check', code }, timeoutMs)) as CellDiagnostic[];
    // Only a clean answer is kept: one with errors may be out of date without any commit (a
    // missing package installed since), and a cell with errors is not rerun unchanged for long.
    if (this.changes === changesBefore && diagnostics.length === 0) this.lastClean = code;
    return diagnostics;
  }

  complete(code: string, cursorPos: number, timeoutMs?: number): Promise<Completion> {
    return this.request({ op: 'complete', code, cursorPos }, timeoutMs) as Promise<Completion>;
  }

  inspect(code: string, cursorPos: number, timeoutMs?: number): Promise<Inspection> {
    return this.request({ op: 'inspect', code, cursorPos }, timeoutMs) as Promise<Inspection>;
  }

  commit(code: string): void {
    if (MAY_DECLARE.test(code)) this.change({ op: 'commit', code });
  }

  reset(): void {
    this.change({ op: 'reset', code: '' });
  }

  /** A commit or reset: until the worker has done it, checks go to the worker; if it changed anything, the cached answer goes. */
  private change(request: Request): void {
    this.changes += 1;
    this.changesInFlight += 1;
    this.request(request)
      .then((changed) => {
        if (changed !== false) this.lastClean = undefined;
      })
      .catch(() => (this.lastClean = undefined))
      .finally(() => (this.changesInFlight -= 1));
  }

  /** Ends the worker (tests; the kernel simply exits). */
  async close(): Promise<void> {
    await this.worker?.terminate();
    this.removeFolder();
  }

  private readonly removeFolder = (): void => {
    if (this.folder) removeCheckerFolder(this.folder);
    this.folder = undefined;
    process.off('exit', this.removeFolder);
  };

  private fail(why: string): void {
    if (this.failure) return;
    this.failure = why;
    this.markReady();
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new TypeCheckerUnavailable(why));
    }
    this.pending.clear();
  }

  private request(request: Request, timeoutMs?: number): Promise<unknown> {
    this.start();
    if (this.failure) return Promise.reject(new TypeCheckerUnavailable(this.failure));
    const worker = this.worker as Worker;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const pending: Pending = { resolve, reject };
      if (timeoutMs !== undefined) {
        pending.timer = setTimeout(() => {
          // The worker still answers later; that answer is dropped.
          this.pending.delete(id);
          reject(new TypeCheckTimeout(`no answer from the type checker within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.pending.set(id, pending);
      worker.postMessage({ ...request, id });
    });
  }
}
