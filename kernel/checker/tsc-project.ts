import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mirrorOf } from '../common/checker-folder';
import { API } from './tsc-client';
import type { TscProcess } from './tsc-process';

/** Module kinds in which top-level await is allowed (TypeScript 7's ModuleKind numbers). */
const TOP_LEVEL_AWAIT_MODULES = new Set([4, 7, 99, 100, 101, 102, 199, 200]);
const ES2017 = 4;

export interface Tsc {
  api: API;
  /**
   * Ends tsc. Not API.close(), which first releases every snapshot, one request each, and would
   * wait for ever on a tsc that died.
   */
  end(): Promise<void>;
}

/**
 * TypeScript's API client on `tsc`'s socket, once tsc listens. `onExit` is called when tsc ends.
 * Between the socket's creation and tsc's listen() a connection is refused: tried again shortly.
 */
export async function startTsc(tsc: TscProcess, onExit: (why: string) => void): Promise<Tsc> {
  void tsc.exited.then(onExit);
  const end = async (): Promise<void> => {
    // Not SIGTERM: tsc serving a socket waits on it.
    tsc.child.kill('SIGKILL');
    await tsc.exited;
  };
  try {
    await tsc.listening;
    for (let attempt = 1; ; attempt++) {
      try {
        return { api: await API.fromLSPConnection({ pipe: tsc.pipe }), end };
      } catch (error) {
        if (attempt === CONNECT_ATTEMPTS || !/ECONNREFUSED/.test((error as Error).message)) throw error;
        await new Promise((resolve) => setTimeout(resolve, CONNECT_RETRY_MS));
      }
    }
  } catch (error) {
    await end();
    throw error;
  }
}

const CONNECT_ATTEMPTS = 50;
const CONNECT_RETRY_MS = 5;

/**
 * The project's tsconfig, as text: Tempo's defaults (written beside it as a file of their own),
 * then the notebook folder's tsconfig.json over them, then what the checker's model needs
 * whatever that says: our `files`, and of the folder's own only the declaration files its
 * tsconfig.json takes in (a global.d.ts declaring globals for the cells, say), no output, a module
 * kind and target where top-level await is allowed, and rootDirs that join the checker's `folder`
 * to the real one (see newCheckerFolder). Problems go to `notes`.
 */
export async function notebookTsconfig(api: API, cwd: string, folder: string, files: string[], notes: string[]): Promise<string> {
  const typesDir = path.dirname(path.dirname(require.resolve('@types/node/package.json')));
  const defaultsFile = path.join(mirrorOf(folder, cwd), '__tempo_defaults__.json');
  writeFileSync(
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
  // The cell's relative imports (./util, ../lib/x) resolve in the folder first (the earlier cells'
  // file), then at the same path outside it. The user's own rootDirs are kept, paired the same way.
  const rootDirs = [path.parse(cwd).root];
  const declarationFiles: string[] = [];
  if (existsSync(userConfig)) {
    bases.push(userConfig);
    try {
      const { options, fileNames } = await api.parseConfigFile(userConfig);
      declarationFiles.push(...fileNames.filter((file) => /\.d\.[cm]?ts$/.test(file)));
      rootDirs.unshift(...((options.rootDirs as string[] | undefined) ?? []));
      if (options.module !== undefined && !TOP_LEVEL_AWAIT_MODULES.has(options.module as number)) Object.assign(forced, { module: 'esnext', moduleResolution: 'bundler' });
      if (options.target !== undefined && (options.target as number) < ES2017) forced.target = 'es2022';
    } catch (error) {
      notes.push(`tsconfig.json ignored: ${(error as Error).message.split('\n')[0]}`);
      bases.pop();
    }
  }
  forced.rootDirs = rootDirs.flatMap((dir) => [dir, path.join(folder, dir)]);
  // `include: []`: an `include` in the notebook folder's tsconfig.json would otherwise be inherited,
  // and tsc would load every file it names (all of a repository's sources) into the cells' program.
  return JSON.stringify({ extends: bases, compilerOptions: forced, files: [...declarationFiles, ...files], include: [] });
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
