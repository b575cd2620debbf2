// The kernels measured, each started from the argv its own installer writes into kernel.json, as
// Jupyter would start it, and the code each one runs for the benchmark's rows.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON, PYTHON_ENV } from './cells.mjs';
import { SEEDS } from './seeds.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSLAB_BIN = join(ROOT, 'node_modules', '.bin', 'tslab');
const requireHere = createRequire(import.meta.url);

export const PRINT_LINES = 100_000;
/** Cells declaring typed names before the typed cell is timed. */
export const TYPED_SETUP_CELLS = 20;

/** Cells in JavaScript; TypeScript kernels run them too. */
const JS_CODE = {
  trivial: { code: '1 + 1', shows: '2' },
  printLines: `for (let i = 0; i < ${PRINT_LINES}; i++) console.log(i)`,
  seeds: SEEDS.javascript,
};

/**
 * The TypeScript rows, as in test/conformance/scenarios/typecheck.py: a first cell right after
 * start, then TYPED_SETUP_CELLS cells declaring typed names, then a small cell that uses two of them.
 */
const TS_CODE = {
  ...JS_CODE,
  seeds: SEEDS.typescript,
  firstTyped: 'const greeting: string = "hi";\ngreeting.length',
  typedSetup: (i) => `const value${i}: number = ${i};\nfunction add${i}(a: number): number { return a + value${i} }`,
  // A fresh name each time, so that no kernel has to accept a redeclared const.
  typed: (k) => `const sum${k}: number = add${TYPED_SETUP_CELLS - 1}(value3);`,
  complete: 'Math.fl',
};

const PY_CODE = {
  trivial: { code: '1 + 1', shows: '2' },
  printLines: `for i in range(${PRINT_LINES}):\n    print(i)`,
  seeds: SEEDS.python,
};

/** Tempo's argv is whatever `tempo install` writes, read back from a throwaway prefix. */
function tempoArgv(scratch) {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build`');
  const prefix = join(scratch, 'jupyter-prefix');
  execFileSync(join(ROOT, 'bin', 'tempo'), ['install', '--prefix', prefix, '--name', 'tempo-bench'], { stdio: 'ignore' });
  return JSON.parse(readFileSync(join(prefix, 'share', 'jupyter', 'kernels', 'tempo-bench', 'kernel.json'), 'utf8')).argv;
}

/**
 * tslab's installer needs IPython's Python package (absent here) and writes into Jupyter's
 * folders, so use the argv its python/install.py writes — `tslab kernel --config-path
 * {connection_file}`, plus `--js` for jslab — with `tslab` resolved to the dev dependency.
 */
function tslabArgv(...extra) {
  if (!existsSync(TSLAB_BIN)) throw new Error('tslab is not installed (npm install)');
  return [TSLAB_BIN, 'kernel', '--config-path', '{connection_file}', ...extra];
}

/**
 * The deno binary from the npm package's per-platform dependency, which is a plain tarball, so
 * no install script is needed; argv as `deno jupyter --install` writes it.
 */
function denoArgv() {
  const target = platform() === 'linux' ? `linux-${arch()}-glibc` : `${platform()}-${arch()}`;
  let binary;
  try {
    binary = join(dirname(requireHere.resolve(`@deno/${target}/package.json`)), 'deno');
  } catch {
    throw new Error(`@deno/${target} is not installed (npm install; the deno dev dependency has no binary for other platforms)`);
  }
  return [binary, 'jupyter', '--kernel', '--conn', '{connection_file}'];
}

/** Debian's python3-ipykernel (`apt-get install -y python3-ipykernel`), argv as its kernel.json has it. */
function ipykernelArgv() {
  try {
    execFileSync(PYTHON, ['-c', 'import ipykernel'], { env: PYTHON_ENV, stdio: 'ignore' });
  } catch {
    throw new Error(`${PYTHON} cannot import ipykernel: apt-get install -y python3-ipykernel`);
  }
  return [PYTHON, '-m', 'ipykernel_launcher', '-f', '{connection_file}'];
}

/**
 * IJavascript 5.2.1 (the latest) reaches zeromq through jmp 2, which pins zeromq 5; zeromq 5.3.1
 * ships prebuilt binaries for Node ≤ 18 only (ABI 108), so on Node 20 it would have to compile
 * libzmq in an install script, which this project does not run. So it is not a dev dependency,
 * and it is measured only if someone installed it (with a working zeromq) by hand.
 */
function ijavascriptArgv() {
  let kernel;
  try {
    kernel = requireHere.resolve('ijavascript/lib/kernel.js');
  } catch {
    throw new Error(`not installed: its zeromq 5.3.1 has no prebuilt binary for Node ${process.versions.node.split('.')[0]}, only a native build in an install script`);
  }
  // What `ijsinstall --spec-path=full` writes.
  return [process.execPath, kernel, '--hide-undefined', '{connection_file}', '--protocol=5.1'];
}

const packageVersion = (name) => {
  try {
    return JSON.parse(readFileSync(requireHere.resolve(`${name}/package.json`), 'utf8')).version;
  } catch {
    return 'not installed';
  }
};

/** The commit measured, so that a later RESULTS.md can be compared with the right code. */
function tempoVersion() {
  try {
    const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' });
    const dirty = git('status', '--porcelain', '--', 'kernel') !== '';
    return `commit ${git('rev-parse', '--short', 'HEAD').trim()}${dirty ? ' with uncommitted changes in kernel/' : ''}, as built in dist/`;
  } catch {
    return 'unknown commit, as built in dist/';
  }
}

function ipykernelVersion() {
  try {
    return execFileSync(PYTHON, ['-c', 'import ipykernel; print(ipykernel.__version__)'], { env: PYTHON_ENV, encoding: 'utf8' }).trim();
  } catch {
    return 'not installed';
  }
}

/**
 * Every kernel measured, Tempo first. `argv(scratch)` returns the command, or throws saying
 * why this peer cannot run here. `typeChecks`: it type-checks TypeScript cells, so the
 * TypeScript rows apply. `reportsWallMs`: it reports a cell's wall time itself (Tempo's
 * execute_reply metadata.timing.wallMs), which the seed rows then use. `version()` says what
 * was measured, for the results file.
 */
export const PEERS = [
  { name: 'Tempo', argv: tempoArgv, code: TS_CODE, typeChecks: true, reportsWallMs: true, version: tempoVersion },
  { name: 'tslab', argv: () => tslabArgv(), code: TS_CODE, typeChecks: true, version: () => `tslab ${packageVersion('tslab')}` },
  { name: 'jslab', argv: () => tslabArgv('--js'), code: JS_CODE, version: () => `tslab ${packageVersion('tslab')} \`--js\`` },
  { name: 'IJavascript', argv: ijavascriptArgv, code: JS_CODE, version: () => `ijavascript ${packageVersion('ijavascript')}` },
  // Deno runs TypeScript without type-checking it in Jupyter, so the TypeScript rows leave it out.
  { name: 'Deno', argv: denoArgv, code: JS_CODE, env: { NO_COLOR: '1' }, version: () => `deno ${packageVersion('deno')} \`deno jupyter\`` },
  { name: 'IPython', argv: ipykernelArgv, code: PY_CODE, env: PYTHON_ENV, version: () => `Debian python3-ipykernel ${ipykernelVersion()}` },
];

/** The peers with their argv resolved: `argv` an array, or `unavailable` saying why not. */
export function resolvePeers(scratch) {
  return PEERS.map((peer) => {
    try {
      return { ...peer, argv: peer.argv(scratch) };
    } catch (error) {
      return { ...peer, argv: undefined, unavailable: error.message };
    }
  });
}
