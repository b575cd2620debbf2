// `tempo install`, `tempo uninstall` and `tempo list`: Tempo's kernelspec for Jupyter.
import * as path from 'node:path';
import { DEFAULT_DISPLAY_NAME, DEFAULT_NAME, findKernelspecs, KERNEL_NAME_PATTERN, kernelspecDir, KernelspecError, removeKernelspec, SYSTEM_PYTHON, writeKernelspec, type Scope } from './kernelspec';
import { parseCommandLine, UsageError } from './usage-error';

const SCOPE_HELP = `  --user               the current user's Jupyter folder (default)
  --sys-prefix         the system Python's prefix (${SYSTEM_PYTHON})
  --prefix DIR         DIR/share/jupyter/kernels/NAME
  --name NAME          kernelspec name (default: ${DEFAULT_NAME})`;

export const INSTALL_USAGE = `Usage: tempo install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name TEXT]

Registers Tempo with Jupyter, so that notebooks can pick "${DEFAULT_DISPLAY_NAME}".

${SCOPE_HELP}
  --display-name TEXT  name shown in Jupyter (default: ${DEFAULT_DISPLAY_NAME})
  --help               show this help
`;

export const UNINSTALL_USAGE = `Usage: tempo uninstall [--user | --sys-prefix | --prefix DIR] [--name NAME]

Removes a Tempo kernelspec that tempo install wrote.

${SCOPE_HELP}
  --help               show this help
`;

export const LIST_USAGE = `Usage: tempo list [--prefix DIR]

Lists the Tempo kernelspecs Jupyter can find (JUPYTER_PATH, the user's and the system's folders),
and those under DIR/share/jupyter.
`;

const SCOPE_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  user: { type: 'boolean' },
  'sys-prefix': { type: 'boolean' },
  prefix: { type: 'string' },
  name: { type: 'string' },
  'display-name': { type: 'string' },
} as const;

export function installKernelspec(args: string[]): void {
  command('install', INSTALL_USAGE, () => {
    const { values, scope, name } = parseScope(args);
    if (values.help) return process.stdout.write(INSTALL_USAGE);
    const dir = kernelspecDir(scope, name);
    const replaced = writeKernelspec(dir, name, values['display-name'] ?? DEFAULT_DISPLAY_NAME);
    process.stdout.write(`${replaced ? 'Replaced the' : 'Installed'} kernelspec ${name} in ${dir}\n`);
  });
}

export function uninstallKernelspec(args: string[]): void {
  command('uninstall', UNINSTALL_USAGE, () => {
    const { values, scope, name } = parseScope(args);
    if (values.help) return process.stdout.write(UNINSTALL_USAGE);
    if (values['display-name'] !== undefined) throw new UsageError("unknown option '--display-name'");
    const dir = kernelspecDir(scope, name);
    if (!removeKernelspec(dir)) throw new KernelspecError(`no kernelspec ${name} in ${path.dirname(dir)}`);
    process.stdout.write(`Removed kernelspec ${name} from ${dir}\n`);
  });
}

export function listKernelspecs(args: string[]): void {
  command('list', LIST_USAGE, () => {
    const { values, positionals } = parseCommandLine(args, { help: SCOPE_OPTIONS.help, prefix: SCOPE_OPTIONS.prefix });
    if (values.help) return process.stdout.write(LIST_USAGE);
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const found = findKernelspecs(values.prefix === undefined ? [] : [path.join(path.resolve(values.prefix), 'share', 'jupyter')]);
    if (found.length === 0) return process.stdout.write('No Tempo kernelspec found; tempo install registers one.\n');
    const width = Math.max(...found.map((spec) => spec.name.length));
    for (const spec of found) process.stdout.write(`${spec.name.padEnd(width)}  ${spec.dir}  (${spec.displayName}; runs ${spec.entry})\n`);
  });
}

/** Bad usage exits 2 with the message; a kernelspec that cannot be written or removed, 1; never a stack. */
function command(name: string, usage: string, run: () => void): void {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`tempo ${name}: ${error.message}\n\n${usage}`);
      process.exitCode = 2;
    } else if (error instanceof KernelspecError) {
      process.stderr.write(`tempo ${name}: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      throw error;
    }
  }
}

/** The options install and uninstall share: where, and which name. */
function parseScope(args: string[]) {
  const { values, positionals } = parseCommandLine(args, SCOPE_OPTIONS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const scopes = (['user', 'sys-prefix', 'prefix'] as const).filter((flag) => values[flag] !== undefined);
  if (scopes.length > 1) throw new UsageError(`--${scopes[0]} and --${scopes[1]} cannot be used together`);
  const scope: Scope = values.prefix !== undefined ? { kind: 'prefix', dir: path.resolve(values.prefix) } : values['sys-prefix'] ? { kind: 'sys-prefix' } : { kind: 'user' };
  const name = values.name ?? DEFAULT_NAME;
  if (!KERNEL_NAME_PATTERN.test(name)) throw new UsageError(`invalid kernel name '${name}' (use letters, digits, '.', '_' and '-')`);
  return { values, scope, name };
}
