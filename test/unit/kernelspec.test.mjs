// Tests for `tempo install`: the kernel.json content and a real install into a temporary prefix.
// Calls dist/cli/install.js directly so it does not depend on the CLI dispatcher (dist/cli/main.js).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireTool } from '../helpers/require-tool.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const installJs = path.join(repo, 'dist', 'cli', 'install.js');
const { kernelspecJson } = createRequire(import.meta.url)(path.join(repo, 'dist', 'cli', 'kernelspec.js'));
const LOGOS = ['logo-svg.svg', 'logo-32x32.png', 'logo-64x64.png'];
const JUPYTER = '/usr/bin/jupyter';
// `jupyter kernelspec` dispatches to this script (Debian package jupyter-client).
const JUPYTER_KERNELSPEC = '/usr/bin/jupyter-kernelspec';

/** Runs installKernelspec(args) in a fresh node process, as `tempo install ARGS` would. */
function runInstall(args, env = process.env) {
  const script = `require(${JSON.stringify(installJs)}).installKernelspec(${JSON.stringify(args)})`;
  return spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env });
}

function withTmp(fn) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tempo-kernelspec-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("kernelspecJson: argv runs node with the kernel's V8 flags on bin/tempo with the connection file, through /bin/sh", () => {
  const spec = kernelspecJson({ nodePath: '/opt/node/bin/node', entry: '/repo/bin/tempo', name: 'tempo' });
  assert.equal(spec.argv[0], '/bin/sh');
  assert.deepEqual(spec.argv.slice(-6), ['/opt/node/bin/node', '--lite-mode', '--no-expose-wasm', '/repo/bin/tempo', 'kernel', '{connection_file}']);
  assert.equal(spec.language, 'typescript');
  assert.equal(spec.interrupt_mode, 'message');
  assert.equal(spec.kernel_protocol_version, '5.5');
  assert.equal(spec.display_name, 'TypeScript (Tempo)');
  assert.deepEqual(spec.env, {});
  assert.deepEqual(spec.metadata, {});
});

test('kernelspecJson: the kernel starts without NODE_EXTRA_CA_CERTS, kept for its executor, and gets its arguments as given', () => {
  const launch = kernelspecJson({ nodePath: process.execPath, entry: '/repo/bin/tempo', name: 'tempo' }).argv.slice(0, -6);
  const show = 'console.log(JSON.stringify([process.env.NODE_EXTRA_CA_CERTS, process.env.TEMPO_NODE_EXTRA_CA_CERTS, process.argv.slice(1)]))';
  const run = (env) => JSON.parse(spawnSync(launch[0], [...launch.slice(1), process.execPath, '-e', show, 'a b', '{x}'], { encoding: 'utf8', env }).stdout);
  const certs = '/etc/ssl/certs/ca-certificates.crt';
  assert.deepEqual(run({ PATH: '/usr/bin:/bin', NODE_EXTRA_CA_CERTS: certs }), [null, certs, ['a b', '{x}']]);
  assert.deepEqual(run({ PATH: '/usr/bin:/bin' }), [null, '', ['a b', '{x}']]);
});

test("the kernel's V8 flags start node without a warning on stderr (lite mode alone warns that it turns WebAssembly off)", () => {
  const { KERNEL_NODE_FLAGS } = createRequire(import.meta.url)(path.join(repo, 'dist', 'cli', 'launch-env.js'));
  const run = spawnSync(process.execPath, [...KERNEL_NODE_FLAGS, '-e', 'process.stdout.write(typeof WebAssembly)'], { encoding: 'utf8' });
  assert.deepEqual([run.status, run.stdout, run.stderr], [0, 'undefined', '']);
});

test('kernelspecJson: relative paths become absolute, display name can be overridden', () => {
  const spec = kernelspecJson({ nodePath: 'node', entry: 'bin/tempo', name: 'other', displayName: 'TS dev' });
  assert.ok([spec.argv.at(-6), spec.argv.at(-3)].every((p) => path.isAbsolute(p)));
  assert.equal(spec.display_name, 'TS dev');
});

test('install --prefix writes kernel.json and logos', () => {
  withTmp((tmp) => {
    const result = runInstall(['--prefix', tmp, '--name', 'tempo-test']);
    assert.equal(result.status, 0, result.stderr);
    const dir = path.join(tmp, 'share', 'jupyter', 'kernels', 'tempo-test');
    assert.equal(result.stdout, `Installed kernelspec tempo-test in ${dir}\n`);

    const spec = JSON.parse(readFileSync(path.join(dir, 'kernel.json'), 'utf8'));
    assert.deepEqual(spec.argv.slice(-6), [process.execPath, '--lite-mode', '--no-expose-wasm', path.join(repo, 'bin', 'tempo'), 'kernel', '{connection_file}']);
    assert.equal(spec.display_name, 'TypeScript (Tempo)');
    assert.equal(spec.language, 'typescript');
    assert.equal(spec.interrupt_mode, 'message');
    for (const logo of LOGOS) assert.ok(existsSync(path.join(dir, logo)), `${logo} copied`);
  });
});

const noKernelspecApp = requireTool(!existsSync(JUPYTER_KERNELSPEC) && `${JUPYTER_KERNELSPEC} missing (apt-get install jupyter-client)`);

test('jupyter kernelspec list finds the installed kernel', { skip: noKernelspecApp }, () => {
  withTmp((tmp) => {
    assert.equal(runInstall(['--prefix', tmp, '--name', 'tempo-test']).status, 0);
    // PATH without node_modules/.bin or other pythons, so Debian's jupyter reads our prefix plus the system folders.
    const list = spawnSync(JUPYTER, ['kernelspec', 'list', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, PATH: '/usr/bin:/bin', JUPYTER_PATH: path.join(tmp, 'share', 'jupyter') },
    });
    assert.equal(list.status, 0, list.stderr);
    const found = JSON.parse(list.stdout).kernelspecs['tempo-test'];
    assert.ok(found, 'jupyter lists tempo-test');
    assert.equal(found.resource_dir, path.join(tmp, 'share', 'jupyter', 'kernels', 'tempo-test'));
    assert.equal(found.spec.language, 'typescript');
    assert.equal(found.spec.interrupt_mode, 'message');
  });
});

test('install --display-name is written to kernel.json', () => {
  withTmp((tmp) => {
    const result = runInstall(['--prefix', tmp, '--name', 'tempo-dev', '--display-name', 'TypeScript (dev)']);
    assert.equal(result.status, 0, result.stderr);
    const file = path.join(tmp, 'share', 'jupyter', 'kernels', 'tempo-dev', 'kernel.json');
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).display_name, 'TypeScript (dev)');
  });
});

test('install --user honours JUPYTER_DATA_DIR', () => {
  withTmp((tmp) => {
    const result = runInstall(['--user'], { ...process.env, JUPYTER_DATA_DIR: tmp });
    assert.equal(result.status, 0, result.stderr);
    assert.ok(existsSync(path.join(tmp, 'kernels', 'tempo', 'kernel.json')));
  });
});

test('install rejects bad command lines with exit code 2 and no stack trace', () => {
  const cases = [
    [['--bogus'], /unknown option '--bogus'/],
    [['--user=yes'], /--user takes no value/],
    [['--prefix'], /--prefix needs a value/],
    [['--name', '../escape'], /invalid kernel name/],
    [['--user', '--prefix', '/tmp/x'], /cannot be used together/],
  ];
  for (const [args, message] of cases) {
    const result = runInstall(args);
    assert.equal(result.status, 2, `exit code for ${args.join(' ')}`);
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(result.stdout, '');
  }
});

test('install --help prints usage and exits 0', () => {
  const result = runInstall(['--help']);
  assert.equal(result.status, 0);
  assert.match(result.stdout, /Usage: tempo install/);
});

/** Runs `tempo ARGS` through bin/tempo, as a user's shell would. */
function tempo(args, env = process.env) {
  return spawnSync(process.execPath, [path.join(repo, 'bin', 'tempo'), ...args], { encoding: 'utf8', env });
}

test('installing over an existing kernelspec replaces it and says so', () => {
  withTmp((tmp) => {
    assert.equal(tempo(['install', '--prefix', tmp, '--display-name', 'first']).status, 0);
    const again = tempo(['install', '--prefix', tmp, '--display-name', 'second']);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /^Replaced the kernelspec tempo in /);
    assert.equal(JSON.parse(readFileSync(path.join(tmp, 'share', 'jupyter', 'kernels', 'tempo', 'kernel.json'), 'utf8')).display_name, 'second');
  });
});

test('tempo list shows Tempo kernelspecs and where; tempo uninstall removes one, and says plainly when there is none', () => {
  withTmp((tmp) => {
    const env = { ...process.env, JUPYTER_DATA_DIR: path.join(tmp, 'user') };
    assert.equal(tempo(['install', '--prefix', tmp, '--name', 'tempo-a'], env).status, 0);
    // Someone else's kernelspec in the same folder is neither listed nor removed.
    assert.equal(spawnSync('mkdir', ['-p', path.join(tmp, 'share', 'jupyter', 'kernels', 'other')]).status, 0);
    const other = path.join(tmp, 'share', 'jupyter', 'kernels', 'other', 'kernel.json');
    spawnSync(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(other)}, JSON.stringify({ argv: ['python3', '-m', 'ipykernel_launcher', '-f', '{connection_file}'], display_name: 'Python 3', language: 'python' }))`]);
    const list = tempo(['list', '--prefix', tmp], env);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`^tempo-a  ${path.join(tmp, 'share', 'jupyter', 'kernels', 'tempo-a').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}  \\(TypeScript \\(Tempo\\); runs .*bin/tempo\\)$`, 'm'));
    assert.doesNotMatch(list.stdout, /other/);
    const refused = tempo(['uninstall', '--prefix', tmp, '--name', 'other'], env);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /is not a Tempo kernelspec/);
    assert.ok(existsSync(other), "someone else's kernelspec stays");
    const removed = tempo(['uninstall', '--prefix', tmp, '--name', 'tempo-a'], env);
    assert.equal(removed.status, 0, removed.stderr);
    assert.match(removed.stdout, /^Removed kernelspec tempo-a from /);
    assert.ok(!existsSync(path.join(tmp, 'share', 'jupyter', 'kernels', 'tempo-a')));
    const none = tempo(['uninstall', '--prefix', tmp, '--name', 'tempo-a'], env);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /^tempo uninstall: no kernelspec tempo-a in /);
    assert.match(tempo(['list', '--prefix', tmp], env).stdout, /No Tempo kernelspec found/);
  });
});

test('installing where a folder cannot be made says so plainly, exit 1, no stack trace', () => {
  withTmp((tmp) => {
    const file = path.join(tmp, 'a-file');
    spawnSync(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(file)}, '')`]);
    const result = tempo(['install', '--prefix', path.join(file, 'prefix')]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^tempo install: cannot write .*: a file is in the way of that folder\n$/);
  });
});

test('tempo --version, and --help for every command, exit 0; an unknown command prints the usage and exits 2', () => {
  const version = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')).version;
  assert.equal(tempo(['--version']).stdout, `tempo ${version}\n`);
  for (const command of ['install', 'uninstall', 'list', 'run', 'kernel']) {
    const help = tempo([command, '--help']);
    assert.equal(help.status, 0, `${command} --help: ${help.stderr}`);
    assert.match(help.stdout, new RegExp(`^usage: tempo ${command}`, 'im'));
  }
  const unknown = tempo(['frobnicate']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"[\s\S]*usage: tempo <command>/);
});
