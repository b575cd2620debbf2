import type { ChildProcess } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { mirrorOf, TSC_PATH_VARIABLE } from '../common/checker-folder';
import { API } from './tsc-client';

/** Module kinds in which top-level await is allowed (TypeScript 7's ModuleKind numbers). */
const TOP_LEVEL_AWAIT_MODULES = new Set([4, 7, 99, 100, 101, 102, 199, 200]);
const ES2017 = 4;

export interface Tsc {
  api: API;
  /**
   * Ends tsc (its stdin closes). Not API.close(), which first releases every snapshot, one
   * request each, and would wait for ever on a tsc that died.
   */
  end(): Promise<void>;
}

/**
 * Starts `tsc --api` in `cwd` (through tsc-child.sh); resolves once it runs. `onExit` is called
 * when it ends. It reads every file from disk itself: the API's fs callbacks would cost a round
 * trip to the kernel for each file it touches (~620 for the first check).
 */
export async function startTsc(cwd: string, onExit: (why: string) => void): Promise<Tsc> {
  const api = new API({ cwd, tsserverPath: tscChild() });
  const client = clientOf(api);
  await client.connect();
  if (!client.process) throw new Error("the TypeScript API's client has no tsc process to watch");
  client.process.once('exit', (code, signal) => onExit(`tsc exited (${signal ?? `code ${code}`})`));
  return { api, end: () => client.close() };
}

type Client = { connect(): Promise<void>; close(): Promise<void>; process?: ChildProcess };

/**
 * The API's client, which spawns tsc and keeps the child process in a private field. A request
 * pending when tsc dies never settles (its JSON-RPC connection only reports the close), so the
 * checker watches the process itself: reached here, and only here (typescript 7.0.2).
 */
function clientOf(api: API): Client {
  return (api as unknown as { client: Client }).client;
}

/**
 * The project's tsconfig, as text: Tempo's defaults (written beside it as a file of their own),
 * then the notebook folder's tsconfig.json over them, then what the checker's model needs
 * whatever that says: our `files` only (none of the folder's own), no output, a module kind and target where top-level await
 * is allowed, and rootDirs that join the checker's `folder` to the real one (see
 * newCheckerFolder). Problems go to `notes`.
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
  if (existsSync(userConfig)) {
    bases.push(userConfig);
    try {
      const { options } = await api.parseConfigFile(userConfig);
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
  return JSON.stringify({ extends: bases, compilerOptions: forced, files, include: [] });
}

/** tsc-child.sh, told where the real tsc is (the executable of TypeScript's package for this platform). */
function tscChild(): string {
  const fromTypeScript = createRequire(require.resolve('typescript-native/package.json'));
  const platformPackage = fromTypeScript.resolve(`@typescript/typescript-${process.platform}-${process.arch}/package.json`);
  // The API's client spawns tsc-child.sh with the kernel's environment; the executor's goes without (launch-env.ts).
  process.env[TSC_PATH_VARIABLE] = path.join(path.dirname(platformPackage), 'lib', 'tsc');
  // npm run build copies it beside this module, executable.
  return path.join(__dirname, 'tsc-child.sh');
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
