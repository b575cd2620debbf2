// `tempo install`: writes a Jupyter kernelspec (kernel.json + logos) without needing Python or jupyter.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROTOCOL_VERSION } from '../protocol/messages';
import { KERNEL_LAUNCH_ARGV } from './launch-env';
import { parseCommandLine, UsageError } from './usage-error';

// Paths are relative to the compiled file, dist/cli/install.js.
const REPO_ROOT = path.join(__dirname, '..', '..');
const ASSETS_DIR = path.join(REPO_ROOT, 'kernel', 'assets');
const ENTRY = path.join(REPO_ROOT, 'bin', 'tempo');
const LOGO_FILES = ['logo-svg.svg', 'logo-32x32.png', 'logo-64x64.png'] as const;

const DEFAULT_NAME = 'tempo';
const DEFAULT_DISPLAY_NAME = 'TypeScript (Tempo)';
const SYSTEM_PYTHON = '/usr/bin/python3';
// Same rule as jupyter_client's kernel name check; it also keeps NAME from escaping kernels/.
const KERNEL_NAME_PATTERN = /^[a-z0-9._-]+$/i;

const USAGE = `Usage: tempo install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name TEXT]

Install the Tempo kernelspec so Jupyter can start TypeScript notebooks.

  --user               install for the current user (default)
  --sys-prefix         install into the system Python's prefix (${SYSTEM_PYTHON})
  --prefix DIR         install into DIR/share/jupyter/kernels/NAME
  --name NAME          kernelspec name (default: ${DEFAULT_NAME})
  --display-name TEXT  name shown in Jupyter (default: ${DEFAULT_DISPLAY_NAME})
  --help               show this help
`;

/** The install itself failed (no python for --sys-prefix, unwritable folder): exit code 1. */
export class InstallError extends Error {
  override name = 'InstallError';
}

type Scope = { kind: 'user' } | { kind: 'sys-prefix' } | { kind: 'prefix'; dir: string };

interface InstallOptions {
  scope: Scope;
  name: string;
  displayName: string;
  help: boolean;
}

/**
 * The kernel.json content. `name` is the kernelspec's folder name; Jupyter takes the
 * kernel name from the folder, so it does not appear in the JSON itself.
 */
export function kernelspecJson(opts: {
  nodePath: string;
  entry: string;
  name: string;
  displayName?: string;
}): object {
  return {
    argv: [...KERNEL_LAUNCH_ARGV, path.resolve(opts.nodePath), path.resolve(opts.entry), 'kernel', '{connection_file}'],
    display_name: opts.displayName ?? DEFAULT_DISPLAY_NAME,
    language: 'typescript',
    interrupt_mode: 'message',
    kernel_protocol_version: PROTOCOL_VERSION,
    env: {},
    metadata: {},
  };
}

export function installKernelspec(args: string[]): void {
  try {
    const opts = parseInstallArgs(args);
    if (opts.help) {
      process.stdout.write(USAGE);
      return;
    }
    const dir = path.join(dataDirFor(opts.scope), 'kernels', opts.name);
    writeKernelspec(dir, opts);
    process.stdout.write(`Installed kernelspec ${opts.name} in ${dir}\n`);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`tempo install: ${err.message}\nRun 'tempo install --help' for usage.\n`);
      process.exitCode = 2;
    } else if (err instanceof InstallError) {
      process.stderr.write(`tempo install: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      throw err;
    }
  }
}

function parseInstallArgs(args: string[]): InstallOptions {
  const { values, positionals } = parseCommandLine(args, {
    help: { type: 'boolean', short: 'h' },
    user: { type: 'boolean' },
    'sys-prefix': { type: 'boolean' },
    prefix: { type: 'string' },
    name: { type: 'string', default: DEFAULT_NAME },
    'display-name': { type: 'string', default: DEFAULT_DISPLAY_NAME },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const scopes = (['user', 'sys-prefix', 'prefix'] as const).filter((flag) => values[flag] !== undefined);
  if (scopes.length > 1) throw new UsageError(`--${scopes[0]} and --${scopes[1]} cannot be used together`);
  const scope: Scope = values.prefix !== undefined ? { kind: 'prefix', dir: path.resolve(values.prefix) } : values['sys-prefix'] ? { kind: 'sys-prefix' } : { kind: 'user' };
  const name = values.name ?? DEFAULT_NAME;
  if (!KERNEL_NAME_PATTERN.test(name)) {
    throw new UsageError(`invalid kernel name '${name}' (use letters, digits, '.', '_' and '-')`);
  }
  return { scope, name, displayName: values['display-name'] ?? DEFAULT_DISPLAY_NAME, help: values.help === true };
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
    return execFileSync(SYSTEM_PYTHON, ['-c', 'import sys;print(sys.prefix)'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  } catch {
    throw new InstallError(`--sys-prefix needs ${SYSTEM_PYTHON} to find sys.prefix; use --user or --prefix DIR instead`);
  }
}

function writeKernelspec(dir: string, opts: InstallOptions): void {
  const spec = kernelspecJson({ nodePath: process.execPath, entry: ENTRY, name: opts.name, displayName: opts.displayName });
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'kernel.json'), JSON.stringify(spec, null, 2) + '\n');
    for (const file of LOGO_FILES) {
      fs.copyFileSync(path.join(ASSETS_DIR, file), path.join(dir, file));
    }
  } catch (err) {
    throw new InstallError(describeFsError(err, dir));
  }
}

function describeFsError(err: unknown, dir: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') {
    return `permission denied writing ${dir}; try --user, or run with enough rights for this folder`;
  }
  return `could not write kernelspec to ${dir}: ${err instanceof Error ? err.message : String(err)}`;
}
