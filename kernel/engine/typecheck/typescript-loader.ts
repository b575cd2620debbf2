import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

/** TypeScript as loaded: whether the code cache was used, and how to save one when it was not. */
export interface LoadedTypeScript {
  fromCache: boolean;
  /** Writes the code cache (once the checker has run: the cache then holds the functions compiled so far too); nothing if it was used. */
  saveCache(): void;
}

/**
 * Loads typescript.js (9 MB, one file) into `require`'s cache through a V8 code cache, so the
 * checker's `import 'typescript'` gets it without compiling it again: ~0.25 s of the checker's
 * start in every kernel, ~0.1 s from the cache. Node 20 has no module.enableCompileCache.
 *
 * The cache lives in the user's own cache folder (code in it runs as trusted bytecode, so never a
 * shared one like /tmp), named after what it was made from: V8 itself only checks its own version
 * and flags and the source's length. A cache that cannot be read or written only means compiling
 * TypeScript as before.
 */
export function loadTypeScript(): LoadedTypeScript {
  const file = require.resolve('typescript');
  const source = readFileSync(file, 'utf8');
  const cacheFile = codeCachePath(file);
  const cachedData = cacheFile === undefined ? undefined : readIfPresent(cacheFile);
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const loaded = new Module(file);
  loaded.filename = file;
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  wrapper.call(loaded.exports, loaded.exports, createRequire(file), loaded, file, path.dirname(file));
  loaded.loaded = true;
  require.cache[file] = loaded;
  const fromCache = cachedData !== undefined && !script.cachedDataRejected;
  return { fromCache, saveCache: () => (fromCache || cacheFile === undefined ? undefined : writeAtomically(cacheFile, script.createCachedData())) };
}

/** $XDG_CACHE_HOME/tempo/typescript-KEY.v8cache (~/.cache by default); undefined without a home folder. */
function codeCachePath(file: string): string | undefined {
  try {
    const { size, mtimeMs } = statSync(file);
    const key = createHash('sha256').update(JSON.stringify([file, size, mtimeMs, process.version, process.arch])).digest('hex').slice(0, 16);
    const xdg = process.env.XDG_CACHE_HOME;
    const folder = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
    return path.join(folder, 'tempo', `typescript-${key}.v8cache`);
  } catch {
    return undefined;
  }
}
function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Kernels starting at once may write the same cache: each writes its own file and renames it into place. */
function writeAtomically(file: string, data: Buffer): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const temporary = `${file}.${process.pid}.${Date.now()}`;
    writeFileSync(temporary, data, { mode: 0o600 });
    renameSync(temporary, file);
  } catch {
    // A read-only or full home folder: the next kernel compiles TypeScript as this one did.
  }
}
