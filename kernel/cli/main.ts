// Each command loads its own modules when chosen: `tempo kernel`'s cold start is what Jupyter
// users wait for, and it needs neither the installer nor the notebook runner.
const install = (): typeof import('./install') => require('./install');
const kernelCommand = (): typeof import('./kernel-command') => require('./kernel-command');
const runCommand = (): typeof import('./run-command') => require('./run-command');
const eagerStart = (): typeof import('./eager-start') => require('./eager-start');

/** `tempo kernel --eager`, what `tempo run` starts: the checker and the executor start first (eager-start.ts). */
const EAGER = '--eager';

const USAGE = `usage: tempo <command>

  tempo install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name TEXT]
      register the kernel with Jupyter
  tempo uninstall [--user | --sys-prefix | --prefix DIR] [--name NAME]
      remove a kernelspec that tempo install wrote
  tempo list [--prefix DIR]
      show the Tempo kernelspecs Jupyter can find, and where
  tempo run NOTEBOOK.ipynb [--out FILE | --inplace] [--timeout SECONDS] [--cell N..M] [--no-color] [--json]
      run a notebook's cells in the terminal
  tempo kernel [--eager] CONNECTION_FILE
      serve one connection file (Jupyter runs this)
  tempo --version

'tempo COMMAND --help' says more about each.
`;

const KERNEL_USAGE = `Usage: tempo kernel [--eager] CONNECTION_FILE

Serves one Jupyter connection file: what the kernelspec that tempo install writes runs.
--eager starts the executor and the TypeScript checker before anything else (tempo run uses it).
`;

const wantsHelp = (args: string[]): boolean => args.includes('--help') || args.includes('-h');

/** Dispatches `tempo COMMAND`; bad usage exits 2 with a message, never a stack trace. */
export function main(args: string[]): void {
  const [command, ...rest] = args;
  switch (command) {
    case 'install':
      return install().installKernelspec(rest);
    case 'uninstall':
      return install().uninstallKernelspec(rest);
    case 'list':
      return install().listKernelspecs(rest);
    case 'kernel': {
      if (wantsHelp(rest)) return void process.stdout.write(KERNEL_USAGE);
      const eager = rest[0] === EAGER;
      const files = eager ? rest.slice(1) : rest;
      if (files.length !== 1) return usageError('tempo kernel takes exactly one CONNECTION_FILE');
      // Before `kernelCommand()`, which loads ZeroMQ and the core.
      const engines = eager ? eagerStart().startEagerly() : undefined;
      kernelCommand().runKernel(files[0], engines).catch((error: Error) => {
        process.stderr.write(`tempo kernel: ${error.message}\n`);
        process.exit(1);
      });
      return;
    }
    case 'run':
      if (wantsHelp(rest)) return void process.stdout.write(`${runCommand().RUN_HELP}\n`);
      runCommand().runNotebook(rest).then(
        (code) => process.exit(code),
        (error: Error) => {
          process.stderr.write(`tempo run: ${error.message}\n`);
          process.exit(runCommand().isUsageError(error) ? 2 : 1);
        },
      );
      return;
    case '--version':
    case '-V':
      return void process.stdout.write(`tempo ${(require('../../package.json') as { version: string }).version}\n`);
    case undefined:
    case '--help':
    case '-h':
      return void process.stdout.write(USAGE);
    default:
      usageError(`unknown command ${JSON.stringify(command)}`);
  }
}

function usageError(message: string): void {
  process.stderr.write(`tempo: ${message}\n\n${USAGE}`);
  process.exitCode = 2;
}
