// Tempo's Jupyter kernelspec on disk (kernel.json and logos), where Jupyter looks for it, without
// needing Python or jupyter: written, removed and found.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROTOCOL_VERSION } from '../protocol/messages';
import { KERNEL_LAUNCH_ARGV, KERNEL_NODE_FLAGS } from './launch-env';

// The package's files, from the compiled dist/cli/kernelspec.js; realpath, so a kernelspec written
// through npm's bin/ symlinks still names the installed files.
const PACKAGE_ROOT = fs.realpathSync(path.join(__dirname, '..', '..'));
const ASSETS_DIR = path.join(PACKAGE_ROOT, 'kernel', 'assets');
export const ENTRY = path.join(PACKAGE_ROOT, 'bin', 'tempo');
const LOGO_FILES = ['logo-svg.svg', 'logo-32x32.png', 'logo-64x64.png'] as const;

export const DEFAULT_NAME = 'tempo';
export const DEFAULT_DISPLAY_NAME = 'TypeScript (Tempo)';
export const SYSTEM_PYTHON = '/usr/bin/python3';
/** jupyter_client's kernel name rule; it also keeps NAME from escaping kernels/. */
export const KERNEL_NAME_PATTERN = /^[a-z0-9._-]+$/i;

/** Writing or removing failed (no python for --sys-prefix, a folder that cannot be written): exit 1. */
export class KernelspecError extends Error {
  override readonly name = 'KernelspecError';
}

export type Scope = { kind: 'user' } | { kind: 'sys-prefix' } | { kind: 'prefix'; dir: string };

/** The kernel.json content. Jupyter takes the kernel's name from its folder, not from here. */
export function kernelspecJson(opts: { nodePath: string; entry: string; name: string; displayName?: string }): object {
  return {
    argv: [...KERNEL_LAUNCH_ARGV, path.resolve(opts.nodePath), ...KERNEL_NODE_FLAGS, path.resolve(opts.entry), 'kernel', '{connection_file}'],
    display_name: opts.displayName ?? DEFAULT_DISPLAY_NAME,
    language: 'typescript',
    interrupt_mode: 'message',
    kernel_protocol_version: PROTOCOL_VERSION,
    env: {},
    metadata: {},
  };
}

/** The kernelspec folder for `name` in `scope`. */
export function kernelspecDir(scope: Scope, name: string): string {
  return path.join(dataDirFor(scope), 'kernels', name);
}

/** Writes the kernelspec, this node and this package's entry in its argv; true if it replaced one. */
export function writeKernelspec(dir: string, name: string, displayName: string): boolean {
  const replaced = fs.existsSync(path.join(dir, 'kernel.json'));
  const spec = kernelspecJson({ nodePath: process.execPath, entry: ENTRY, name, displayName });
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'kernel.json'), JSON.stringify(spec, null, 2) + '\n');
    for (const file of LOGO_FILES) fs.copyFileSync(path.join(ASSETS_DIR, file), path.join(dir, file));
  } catch (error) {
    throw new KernelspecError(describeFsError(error, dir, 'write'));
  }
  return replaced;
}

/** Removes a Tempo kernelspec; one that is not Tempo's is left alone. False if there was none. */
export function removeKernelspec(dir: string): boolean {
  const spec = readSpec(dir);
  if (!spec) return false;
  if (!isTempo(spec)) throw new KernelspecError(`${dir} is not a Tempo kernelspec (its kernel.json does not run bin/tempo); left as it is`);
  try {
    fs.rmSync(dir, { recursive: true });
  } catch (error) {
    throw new KernelspecError(describeFsError(error, dir, 'remove'));
  }
  return true;
}

export interface FoundKernelspec {
  name: string;
  dir: string;
  displayName: string;
  /** The bin/tempo it starts. */
  entry: string;
}

/** Tempo's kernelspecs wherever Jupyter looks (jupyter_core's data path), plus `extraDataDirs`. */
export function findKernelspecs(extraDataDirs: string[] = []): FoundKernelspec[] {
  const found: FoundKernelspec[] = [];
  for (const dataDir of new Set([...extraDataDirs, ...jupyterDataPath()])) {
    const kernels = path.join(dataDir, 'kernels');
    let names: string[];
    try {
      names = fs.readdirSync(kernels).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const spec = readSpec(path.join(kernels, name));
      if (spec && isTempo(spec)) found.push({ name, dir: path.join(kernels, name), displayName: String(spec.display_name ?? ''), entry: spec.argv?.at(-3) ?? '' });
    }
  }
  return found;
}

interface SpecFile {
  argv?: string[];
  display_name?: unknown;
}

function readSpec(dir: string): SpecFile | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'kernel.json'), 'utf8')) as SpecFile;
  } catch {
    return undefined;
  }
}

/** Ours: its argv runs some Tempo's bin/tempo with `kernel`, whichever installed copy it is. */
function isTempo(spec: SpecFile): boolean {
  const argv = spec.argv ?? [];
  return argv.at(-2) === 'kernel' && /(^|\/)bin\/tempo$/.test(argv.at(-3) ?? '');
}

/** jupyter_core.paths.jupyter_path('') as far as Tempo needs it: JUPYTER_PATH, the user's, the system's. */
function jupyterDataPath(): string[] {
  const fromEnv = (process.env.JUPYTER_PATH ?? '').split(path.delimiter).filter(Boolean);
  return [...fromEnv, userDataDir(), '/usr/local/share/jupyter', '/usr/share/jupyter'];
}

/** The Jupyter data directory for a scope; kernelspecs live in its `kernels/` subfolder. */
function dataDirFor(scope: Scope): string {
  switch (scope.kind) {
    case 'user':
      return userDataDir();
    case 'sys-prefix':
      return path.join(systemPythonPrefix(), 'share', 'jupyter');
    case 'prefix':
      return path.join(scope.dir, 'share', 'jupyter');
  }
}

/** Mirrors jupyter_core.paths.jupyter_data_dir(). */
function userDataDir(): string {
  const override = process.env.JUPYTER_DATA_DIR;
  if (override) return path.resolve(override);
  const home = os.homedir();
  switch (process.platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Jupyter');
    case 'win32':
      return path.join(process.env.APPDATA || path.join(home, '.jupyter'), 'jupyter');
    default:
      return path.join(process.env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'jupyter');
  }
}

function systemPythonPrefix(): string {
  try {
    return execFileSync(SYSTEM_PYTHON, ['-c', 'import sys;print(sys.prefix)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    throw new KernelspecError(`--sys-prefix needs ${SYSTEM_PYTHON} to find sys.prefix; use --user or --prefix DIR instead`);
  }
}

function describeFsError(error: unknown, dir: string, verb: 'write' | 'remove'): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return `cannot ${verb} ${dir}: permission denied; try --user, or a folder you can ${verb}`;
  if (code === 'ENOTDIR' || code === 'EEXIST') return `cannot ${verb} ${dir}: a file is in the way of that folder`;
  return `cannot ${verb} ${dir}: ${error instanceof Error ? error.message.replace(/^\w+: /, '') : String(error)}`;
}
