import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { API } from './tsc-client';

/** Module kinds in which top-level await is allowed (TypeScript 7's ModuleKind numbers). */
const TOP_LEVEL_AWAIT_MODULES = new Set([4, 7, 99, 100, 101, 102, 199, 200]);
const ES2017 = 4;

/**
 * Starts `tsc --api` in `cwd` (through tsc-child.sh), reading the files in `memory` from there
 * and everything else from disk.
 */
export function startTsc(cwd: string, memory: Map<string, string>): API {
  return new API({
    cwd,
    tsserverPath: tscChild(),
    fs: {
      readFile: (file) => memory.get(file),
      fileExists: (file) => (memory.has(file) ? true : undefined),
    },
  });
}

/**
 * The project's tsconfig, as text: Tempo's defaults (put in `memory` as a file of their own),
 * then the notebook folder's tsconfig.json over them, then what the checker's model needs
 * whatever that says: `files` only, no output, and a module kind and target where top-level
 * await is allowed. Problems go to `notes`.
 */
export function notebookTsconfig(api: API, cwd: string, files: string[], memory: Map<string, string>, notes: string[]): string {
  const typesDir = path.dirname(path.dirname(require.resolve('@types/node/package.json')));
  const defaultsFile = path.join(cwd, '__tempo_defaults__.json');
  memory.set(
    defaultsFile,
    JSON.stringify({
      compilerOptions: {
        strict: true,
        target: 'es2022',
        // Node 20 has every ES2023 library method (findLast, toSorted); no DOM: cells run in Node.
        lib: ['es2023'],
        module: 'esnext',
        moduleResolution: 'bundler',
        resolveJsonModule: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [typesDir, path.join(cwd, 'node_modules', '@types')],
      },
    }),
  );
  const userConfig = path.join(cwd, 'tsconfig.json');
  const forced: Record<string, unknown> = { noEmit: true, declaration: false, composite: false, incremental: false, noUnusedLocals: false, isolatedDeclarations: false };
  const bases = [defaultsFile];
  if (existsSync(userConfig)) {
    bases.push(userConfig);
    try {
      const options = api.parseConfigFile(userConfig).options;
      if (options.module !== undefined && !TOP_LEVEL_AWAIT_MODULES.has(options.module as number)) Object.assign(forced, { module: 'esnext', moduleResolution: 'bundler' });
      if (options.target !== undefined && (options.target as number) < ES2017) forced.target = 'es2022';
    } catch (error) {
      notes.push(`tsconfig.json ignored: ${(error as Error).message.split('\n')[0]}`);
      bases.pop();
    }
  }
  return JSON.stringify({ extends: bases, compilerOptions: forced, files });
}

/** tsc-child.sh, told where the real tsc is (the executable of TypeScript's package for this platform). */
function tscChild(): string {
  const fromTypeScript = createRequire(require.resolve('typescript-native/package.json'));
  const platformPackage = fromTypeScript.resolve(`@typescript/typescript-${process.platform}-${process.arch}/package.json`);
  // This worker thread's own copy of the environment: tsc-child.sh inherits it.
  process.env.TEMPO_TSC = path.join(path.dirname(platformPackage), 'lib', 'tsc');
  return path.resolve(__dirname, '..', '..', '..', 'kernel', 'engine', 'typecheck', 'tsc-child.sh');
}

/** Whether the notebook's node_modules changed since last asked (a package installed mid-session). */
export class NodeModulesStamp {
  private stamp: number | undefined;

  constructor(private readonly folder: string) {
    this.stamp = this.modified();
  }

  changed(): boolean {
    const stamp = this.modified();
    if (stamp === this.stamp) return false;
    this.stamp = stamp;
    return true;
  }

  private modified(): number | undefined {
    try {
      return statSync(this.folder).mtimeMs;
    } catch {
      return undefined;
    }
  }
}
