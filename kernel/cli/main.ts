// Each command loads its own modules when chosen: `tempo kernel`'s cold start is what Jupyter
// users wait for, and it needs neither the installer nor the notebook runner.
import type { CheckerClient } from '../language/checker-client';

const install = (): typeof import('./install') => require('./install');
const kernelCommand = (): typeof import('./kernel-command') => require('./kernel-command');
const runCommand = (): typeof import('./run-command') => require('./run-command');
const kernelChecker = (): typeof import('./kernel-checker') => require('./kernel-checker');

/**
 * `tempo kernel --checker-first`, what `tempo run` starts: starting tsc (~0.3 s) is the
 * longest part of its first cell, so it starts before anything else loads, ZeroMQ
 * included. Jupyter's kernelspec goes without: there the checker starts with the first request that needs it.
 */
const CHECKER_FIRST = '--checker-first';

const USAGE = `usage: tempo <command>

  tempo install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name TEXT]
      register the kernel with Jupyter
  tempo uninstall [--user | --sys-prefix | --prefix DIR] [--name NAME]
      remove a kernelspec that tempo install wrote
  tempo list [--prefix DIR]
      show the Tempo kernelspecs Jupyter can find, and where
  tempo run NOTEBOOK.ipynb [--out FILE | --inplace] [--timeout SECONDS] [--cell N..M] [--no-color] [--json]
      run a notebook's cells in the terminal
  tempo kernel [--checker-first] CONNECTION_FILE
      serve one connection file (Jupyter runs this)
  tempo --version

'tempo COMMAND --help' says more about each.
`;

const KERNEL_USAGE = `Usage: tempo kernel [--checker-first] CONNECTION_FILE

Serves one Jupyter connection file: what the kernelspec that tempo install writes runs.
--checker-first starts the TypeScript checker before anything else (tempo run uses it).
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
      const checkerFirst = rest[0] === CHECKER_FIRST;
      const files = checkerFirst ? rest.slice(1) : rest;
      if (files.length !== 1) return usageError('tempo kernel takes exactly one CONNECTION_FILE');
      // The checker first: `kernelCommand()` would load ZeroMQ and the core before it.
      const checker = checkerFirst ? startCheckerFirst() : undefined;
      const serve = (): void => {
        kernelCommand().runKernel(files[0], checker).catch((error: Error) => {
          process.stderr.write(`tempo kernel: ${error.message}\n`);
          process.exit(1);
        });
      };
      // The checker spawns tsc a few promise turns into its start: let it, before loading ZeroMQ.
      if (checker) setImmediate(serve);
      else serve();
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

function startCheckerFirst(): CheckerClient {
  // Only `tempo run` starts the kernel so, and it never asks for completions.
  const checker = kernelChecker().createTypeChecker(false);
  checker.start();
  return checker;
}

function usageError(message: string): void {
  process.stderr.write(`tempo: ${message}\n\n${USAGE}`);
  process.exitCode = 2;
}
