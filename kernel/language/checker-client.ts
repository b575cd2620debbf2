import { newCheckerFolder, removeCheckerFolder } from '../common/checker-folder';
import { TypeCheckerRestarted, TypeCheckerUnavailable, TypeCheckTimeout, type CellDiagnostic, type Completion, type Inspection, type TypeChecker } from '../common/type-checker';
import type { NativeChecker } from '../checker/native-checker';
import { spawnTsc, type TscProcess } from '../checker/tsc-process';

/**
 * Words every declaration or import that later cells could see begins with. A cell without any
 * of them (anywhere: a false alarm only costs a commit) adds nothing, so committing it is skipped
 * and the next rerun can use the cached check at once.
 */
const MAY_DECLARE = /\b(?:var|let|const|using|function|class|interface|type|enum|namespace|module|declare|import|export)\b/;

/** A tsc that dies is started again this many times in a session; after that, cells run unchecked. */
export const TSC_RESTARTS = 2;
/** How long a failed request waits to learn whether tsc died under it (its exit is seen a moment later). */
const DEATH_GRACE_MS = 1000;

/**
 * The TypeChecker the kernel uses: TypeScript 7's checker (native-checker.ts, loaded when it
 * starts), driven from the kernel's own thread through tsc's asynchronous API. The thread only
 * sends requests and reads answers, so a slow check never holds up heartbeat, control or
 * interrupts. Requests are served one at a time, in order; those made while tsc starts wait for
 * it. When tsc dies, the request it was serving fails with TypeCheckerRestarted, and a new tsc
 * starts, given the committed cells again (TSC_RESTARTS times). When a request fails otherwise,
 * or tsc cannot start, every request fails with TypeCheckerUnavailable, for good: the kernel
 * then runs cells unchecked.
 */
export class CheckerClient implements TypeChecker {
  readonly ready: Promise<void>;
  /** Why the checker is unavailable, once it is. */
  failure: string | undefined;
  private checker: Promise<NativeChecker> | undefined;
  /** The checker's private folder for its files (see newCheckerFolder); removed once it is done. */
  private folder: string | undefined;
  private markReady: () => void = () => undefined;
  /** Rejects when the tsc in use dies or the checker fails: a request pending on a tsc that died would never settle. */
  private lost!: Promise<never>;
  private rejectLost: (error: Error) => void = () => undefined;
  /** Settles with why when the tsc in use ends. */
  private tscExit: Promise<string> = new Promise(() => undefined);
  /** Also names the tsc in use (the restarts before it): an exit reported by an earlier one is old news. */
  private restarts = 0;
  /** The cells committed since the last reset, in order: what a new tsc is given again. */
  private commits: string[] = [];
  /** The last request in line; the next one starts when it is done. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Requests in line or being served, the warm-up's included. */
  private waiting = 0;
  /** Settles once a failed checker has ended tsc and removed its folder. */
  private stopped: Promise<void> = Promise.resolve();
  /**
   * The last cell that checked clean: checked again against the same earlier cells (a cell rerun
   * as it is, the common case), it is clean again without a trip to tsc. `changes` counts commits
   * and resets made; the cell is remembered only if none was made while it was checked, and
   * trusted only when none is still in line (it might change the earlier cells).
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
    this.renewLost();
  }

  private renewLost(): void {
    this.lost = new Promise((_, reject) => (this.rejectLost = reject));
    // Only ever raced against a request, which reports it.
    this.lost.catch(() => undefined);
  }

  /** Loads the checker and starts tsc (~0.3 s); the first request does it, if nothing did before. */
  start(): void {
    if (this.checker || this.failure) return;
    try {
      this.folder = newCheckerFolder(this.cwd);
    } catch (error) {
      return this.fail(`no folder for its files: ${(error as Error).message}`);
    }
    process.once('exit', this.removeFolder);
    this.launch(this.folder);
    // The warm-up loads the libraries and @types/node (a check), then what completion needs, so
    // that the first real request is a warm one. A request already in line (the one that started
    // the checker) skips the check, as it loads the libraries itself; completion's part waits
    // behind it.
    this.enqueue(async (checker) => {
      if (this.waiting === 1) await checker.check('');
    })
      .then(async () => {
        if (this.warmCompletion) await this.enqueue((checker) => checker.complete('Math.f', 6));
      })
      .catch(() => undefined)
      .finally(this.markReady);
  }

  /** Spawns tsc in `folder` and starts the checker on it, with the cells committed so far. */
  private launch(folder: string): void {
    const restarts = this.restarts;
    // tsc first: it boots while TypeScript's API client (~0.5 MB of JavaScript, loaded here, not
    // with the kernel) loads.
    let tsc: TscProcess;
    try {
      tsc = spawnTsc(this.cwd, folder);
    } catch (error) {
      return this.fail(`it could not start: ${(error as Error).message}`);
    }
    this.tscExit = tsc.exited;
    const { NativeChecker } = require('../checker/native-checker') as typeof import('../checker/native-checker');
    this.checker = NativeChecker.start(this.cwd, { folder, tsc }, (why) => this.tscExited(why, restarts)).then((checker) => {
      // Before any request waiting for this checker: they are served once this settles.
      for (const code of this.commits) checker.commit(code);
      return checker;
    });
    this.checker.then(
      (checker) => {
        for (const note of checker.notes) this.onNote(note);
      },
      // Unless a tsc that died while starting was replaced already (tscExited).
      (error: Error) => restarts === this.restarts && this.fail(`it could not start: ${error.message.split('\n')[0]}`),
    );
  }

  async check(code: string, timeoutMs?: number): Promise<CellDiagnostic[]> {
    if (this.changesInFlight === 0 && this.lastClean === code) return [];
    const changesBefore = this.changes;
    const diagnostics = await this.request((checker) => checker.check(code), timeoutMs);
    // Only a clean answer is kept: one with errors may be out of date without any commit (a
    // missing package installed since), and a cell with errors is not rerun unchanged for long.
    if (this.changes === changesBefore && diagnostics.length === 0) this.lastClean = code;
    return diagnostics;
  }

  complete(code: string, cursorPos: number, timeoutMs?: number): Promise<Completion> {
    return this.request((checker) => checker.complete(code, cursorPos), timeoutMs);
  }

  inspect(code: string, cursorPos: number, timeoutMs?: number): Promise<Inspection> {
    return this.request((checker) => checker.inspect(code, cursorPos), timeoutMs);
  }

  commit(code: string): void {
    if (!MAY_DECLARE.test(code)) return;
    this.change((checker) => {
      this.commits.push(code);
      return checker.commit(code);
    });
  }

  reset(): void {
    // Not started: no earlier cell was ever committed.
    if (!this.checker) return;
    this.change((checker) => {
      this.commits = [];
      checker.reset();
      return true;
    });
  }

  /** A commit or reset: until it is done, checks go to tsc; if it changed anything, the cached answer goes. */
  private change(task: (checker: NativeChecker) => boolean): void {
    this.changes += 1;
    this.changesInFlight += 1;
    this.enqueue(task)
      .then((changed) => {
        if (changed) this.lastClean = undefined;
      })
      .catch(() => (this.lastClean = undefined))
      .finally(() => (this.changesInFlight -= 1));
  }

  /** Ends tsc (tests; the kernel simply exits, and tsc with it). */
  async close(): Promise<void> {
    this.fail('closed');
    await this.stopped;
  }

  private readonly removeFolder = (): void => {
    if (this.folder) removeCheckerFolder(this.folder);
    this.folder = undefined;
    process.off('exit', this.removeFolder);
  };

  /** tsc ended on its own: start another, unless that happened too often already. */
  private tscExited(why: string, restartsBefore: number): void {
    if (this.failure || restartsBefore !== this.restarts || !this.folder) return;
    if (this.restarts === TSC_RESTARTS) return this.fail(`${why}; it was started again ${TSC_RESTARTS} times`);
    this.restarts += 1;
    this.onNote(`${why}; starting it again (${this.restarts} of ${TSC_RESTARTS})`);
    const reject = this.rejectLost;
    this.renewLost();
    reject(new TypeCheckerRestarted(why));
    this.launch(this.folder);
  }

  private fail(why: string): void {
    if (this.failure) return;
    this.failure = why;
    this.rejectLost(new TypeCheckerUnavailable(why));
    this.markReady();
    // A request that failed may have left tsc running: it goes, and the folder with it.
    this.stopped = (this.checker ?? Promise.reject())
      .then((checker) => checker.close())
      .catch(() => undefined)
      .finally(this.removeFolder);
  }

  /** A request a caller waits for: past `timeoutMs` it rejects, and tsc still finishes it in line (its answer is dropped). */
  private request<T>(task: (checker: NativeChecker) => Promise<T>, timeoutMs?: number): Promise<T> {
    const answer = this.enqueue(task);
    if (timeoutMs === undefined) return answer;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TypeCheckTimeout(`no answer from the type checker within ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([answer, late]).finally(() => clearTimeout(timer));
  }

  /** Puts `task` in line. Its failure (other than the checker's own) ends the checker. */
  private enqueue<T>(task: (checker: NativeChecker) => Promise<T> | T): Promise<T> {
    this.start();
    if (this.failure) return Promise.reject(new TypeCheckerUnavailable(this.failure));
    this.waiting += 1;
    // The checker and its tsc as they are when the task's turn comes: a new one after a restart.
    const served = this.queue.then(async () => {
      if (this.failure) throw new TypeCheckerUnavailable(this.failure);
      const tscExit = this.tscExit;
      try {
        return await Promise.race([(this.checker as Promise<NativeChecker>).then(task), this.lost]);
      } catch (error) {
        // A request written as tsc died fails with a write error, which may come before tsc's exit.
        if (error instanceof TypeCheckerUnavailable || error instanceof TypeCheckerRestarted) throw error;
        const why = await Promise.race([tscExit, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), DEATH_GRACE_MS).unref())]);
        throw why === undefined ? error : new TypeCheckerRestarted(why);
      }
    });
    this.queue = served.catch((error: Error) => {
      if (!(error instanceof TypeCheckerUnavailable || error instanceof TypeCheckerRestarted)) this.fail(`it failed: ${error.message.split('\n')[0]}`);
    }).finally(() => (this.waiting -= 1));
    return served;
  }
}
