import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A new private folder for the checker's files (never the notebook's folder, which may not be
 * ours to write in). They go in `mirrorOf(folder, cwd)`: cwd's own path below the folder, so tsc
 * resolves a cell's imports as if it sat in cwd. Each folder from cwd up to the root gets its
 * node_modules and package.json linked in, even before they exist: a package installed
 * mid-session is found. Relative imports are rootDirs' job (see notebookTsconfig).
 * Free of the TypeScript API, so the kernel's main thread can make it without loading that.
 */
export function newCheckerFolder(cwd: string): string {
  removeOrphanFolders();
  // Its real path: tsc names files by their real paths, and diagnostics are matched by name.
  const folder = realpathSync(mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${process.pid}-`)));
  try {
    mkdirSync(mirrorOf(folder, cwd), { recursive: true });
    let scope: string | undefined;
    for (let dir = cwd; ; dir = path.dirname(dir)) {
      for (const name of ['node_modules', 'package.json']) symlinkSync(path.join(dir, name), path.join(folder, dir, name));
      scope ??= existsSync(path.join(dir, 'package.json')) ? dir : undefined;
      if (dir === path.dirname(dir)) break;
    }
    if (scope) linkImportTargets(folder, scope);
    return folder;
  } catch (error) {
    removeCheckerFolder(folder);
    throw error;
  }
}

const PREFIX = 'tempo-checker-';

/**
 * Folders of kernels that are gone without removing theirs (killed outright, or out of memory):
 * each is named for its kernel's pid, so one whose process no longer exists is nobody's.
 */
function removeOrphanFolders(): void {
  let names: string[];
  try {
    names = readdirSync(os.tmpdir()).filter((name) => name.startsWith(PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^tempo-checker-(\d+)-/.exec(name)?.[1]);
    if (pid > 0 && !isRunning(pid)) removeCheckerFolder(path.join(os.tmpdir(), name));
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A cell's subpath imports (`#name`) resolve against the folder of the nearest package.json, for
 * tsc the one where it is linked in: the first file or folder of each target of its `imports`
 * (./src/util.js: src) is linked in there too, as they are now.
 */
function linkImportTargets(folder: string, scope: string): void {
  let imports: unknown;
  try {
    imports = JSON.parse(readFileSync(path.join(scope, 'package.json'), 'utf8')).imports;
  } catch {
    return;
  }
  for (const [, name] of JSON.stringify(imports ?? {}).matchAll(/"\.\/([^"/*]+)/g)) {
    try {
      symlinkSync(path.join(scope, name), path.join(folder, scope, name));
    } catch {
      // Taken: linked already, one of the links above, or the folder on the way to cwd.
    }
  }
}

export function mirrorOf(folder: string, cwd: string): string {
  return path.join(folder, cwd);
}

/** Removes the folder; the links go, never what they point to. */
export function removeCheckerFolder(folder: string): void {
  try {
    // Retries: a file being written as the kernel exits leaves the folder not yet empty.
    rmSync(folder, { recursive: true, force: true, maxRetries: 2 });
  } catch {
    // Left in the system's temporary folder, as after a SIGKILL.
  }
}
