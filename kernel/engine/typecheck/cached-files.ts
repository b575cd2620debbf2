import { statSync } from 'node:fs';
import path from 'node:path';
import * as ts from 'typescript';

/**
 * The files TypeScript reads from disk (its libraries, @types/node, packages next to the
 * notebook), remembered between checks. Without it, every check after a cell that declared
 * something rebuilt the program by reading and decoding every .d.ts again: about two thirds of
 * its time. Everything is forgotten when the notebook's node_modules changes (a package
 * installed mid-session must be found), which one stat per check notices.
 */
export class CachedFiles {
  private readonly snapshots = new Map<string, ts.IScriptSnapshot | undefined>();
  private readonly texts = new Map<string, string | undefined>();
  private readonly files = new Map<string, boolean>();
  private readonly directories = new Map<string, boolean>();
  private readonly realpaths = new Map<string, string>();
  private readonly watched: string;
  private stamp: number | undefined;

  constructor(cwd: string) {
    this.watched = path.join(cwd, 'node_modules');
    this.stamp = this.modified();
  }

  /** Call before each use: forgets everything if the notebook's node_modules changed since, and says so. */
  refresh(): boolean {
    const stamp = this.modified();
    if (stamp === this.stamp) return false;
    this.stamp = stamp;
    for (const cache of [this.snapshots, this.texts, this.files, this.directories, this.realpaths]) cache.clear();
    return true;
  }

  snapshot(file: string): ts.IScriptSnapshot | undefined {
    return remember(this.snapshots, file, () => {
      const text = this.readFile(file);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    });
  }

  readFile(file: string): string | undefined {
    return remember(this.texts, file, () => ts.sys.readFile(file));
  }

  fileExists(file: string): boolean {
    return remember(this.files, file, () => ts.sys.fileExists(file));
  }

  directoryExists(directory: string): boolean {
    return remember(this.directories, directory, () => ts.sys.directoryExists(directory));
  }

  realpath(file: string): string {
    return remember(this.realpaths, file, () => ts.sys.realpath?.(file) ?? file);
  }

  private modified(): number | undefined {
    try {
      return statSync(this.watched).mtimeMs;
    } catch {
      return undefined;
    }
  }
}

function remember<T>(cache: Map<string, T>, key: string, load: () => T): T {
  if (cache.has(key)) return cache.get(key) as T;
  const value = load();
  cache.set(key, value);
  return value;
}
