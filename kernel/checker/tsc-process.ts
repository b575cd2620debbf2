// The checker's `tsc --api` process, apart from TypeScript's API client: the client is ~0.5 MB of
// JavaScript (50-80 ms to load), and tsc boots meanwhile when started first. The client then
// connects to the socket tsc serves on (tsc-project.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, watch } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const SOCKET_NAME = 'tsc.sock';

export interface TscProcess {
  readonly child: ChildProcess;
  /** Where to connect to the Unix socket tsc serves its API on. */
  readonly pipe: string;
  /** Resolves once the socket exists; rejects if tsc ends or fails to start first. */
  readonly listening: Promise<void>;
  /** Resolves when tsc has ended, with why. */
  readonly exited: Promise<string>;
}

/**
 * Starts `tsc --api --async` in `cwd`, serving on a socket in `folder` (the checker's private one).
 * - `setpriv --pdeathsig KILL`: tsc dies with the kernel, even one killed outright (SIGKILL leaves
 *   the kernel no chance to end it). setpriv (util-linux) execs tsc without forking, so the death
 *   signal stays set.
 * - detached: a session of its own, out of reach of the SIGINT that Jupyter sends to the kernel's
 *   process group to interrupt a cell (tsc exits on SIGINT, even when ignored).
 * It reads every file from disk itself: the API's fs callbacks would cost a round trip to the
 * kernel for each file it touches (~620 for the first check).
 */
export function spawnTsc(cwd: string, folder: string): TscProcess {
  // The socket of a tsc that died (this one replaces it): tsc cannot listen where a file is.
  rmSync(path.join(folder, SOCKET_NAME), { force: true });
  // Watching before the spawn: the socket cannot appear unseen.
  const watcher = watch(folder);
  // A socket's path may have 107 bytes, which one under a long TMPDIR would pass: tsc runs in the
  // folder and names the socket from there, and the client reaches it through tsc's cwd in /proc.
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', tscExecutable(), '--api', '--async', '--cwd', cwd, '--pipe', SOCKET_NAME], {
    cwd: folder,
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  const pipe = `/proc/${child.pid}/cwd/${SOCKET_NAME}`;
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`tsc could not start (${error.message})`));
    child.once('exit', (code, signal) => resolve(`tsc exited (${signal ?? `code ${code}`})`));
  });
  const appeared = new Promise<void>((resolve) => {
    watcher.on('change', (_, name) => {
      if (name === SOCKET_NAME) resolve();
    });
  });
  const listening = Promise.race([appeared, exited.then((why) => Promise.reject(new Error(why)))]).finally(() => watcher.close());
  // Only ever awaited by the client's connect, which reports it.
  listening.catch(() => undefined);
  return { child, pipe, listening, exited };
}

/** The executable of TypeScript's package for this platform. */
function tscExecutable(): string {
  const fromTypeScript = createRequire(require.resolve('typescript-native/package.json'));
  const platformPackage = fromTypeScript.resolve(`@typescript/typescript-${process.platform}-${process.arch}/package.json`);
  return path.join(path.dirname(platformPackage), 'lib', 'tsc');
}
