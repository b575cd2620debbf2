// Tempo as the package people install: `npm pack`, then a global install from the tarball into a
// prefix whose path has a space, and from there `tempo install`, a notebook run by nbclient in a
// folder with no node_modules, `tempo list`, `tempo uninstall`, `tempo run`; and `npx` from the
// tarball. The dependencies come from the npm registry, as for any user.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPython } from '../helpers/python.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { name, version } = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
const tutorial = path.join(repo, 'notebooks', '01-async-basics.ipynb');

let scratch;
let tarball;
let prefix;
let tempoBin;
let empty;

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 300_000, ...options });
  assert.equal(result.status, 0, `${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result;
}

before(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'tempo-package-'));
  // dist/ is what `npm test` built; the tarball's prepack would build the same again.
  const packed = run('npm', ['pack', repo, '--ignore-scripts', '--json', '--pack-destination', scratch], { cwd: scratch });
  tarball = path.join(scratch, JSON.parse(packed.stdout)[0].filename);
  prefix = path.join(scratch, 'global prefix');
  const started = Date.now();
  run('npm', ['install', '-g', '--prefix', prefix, tarball, '--no-audit', '--no-fund'], { cwd: scratch });
  console.log(`global install from the tarball: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  tempoBin = path.join(prefix, 'bin', 'tempo');
  empty = path.join(scratch, 'notebook folder');
  mkdirSync(empty);
  copyFileSync(tutorial, path.join(empty, path.basename(tutorial)));
});

after(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('the tarball holds what the kernel runs, and nothing of test/, bench/ or the TypeScript sources', () => {
  const files = run('tar', ['tzvf', tarball]).stdout.trim().split('\n').map((line) => ({ mode: line.split(/\s+/)[0], path: line.split(/\s+/).at(-1).replace(/^package\//, '') }));
  const paths = files.map((file) => file.path);
  for (const needed of ['package.json', 'README.md', 'LICENSE', 'bin/tempo', 'dist/cli/main.js', 'dist/executor/executor-process-main.js', 'dist/checker/native-checker.js', 'dist/checker/tsc-client.js', 'dist/executor/display-api.d.ts', 'kernel/assets/logo-64x64.png']) {
    assert.ok(paths.includes(needed), `the tarball has ${needed}`);
  }
  const unwanted = paths.filter((file) => /^(test|bench|notebooks|docs)\//.test(file) || /\.map$/.test(file) || /^kernel\/.*\.ts$/.test(file) || file.includes('node_modules'));
  assert.deepEqual(unwanted, []);
  for (const executable of ['bin/tempo']) assert.match(files.find((file) => file.path === executable).mode, /^-rwx/, `${executable} is executable`);
});

test('from the global install: tempo --version, tempo install with this node and the installed files, tempo list', () => {
  assert.equal(run(tempoBin, ['--version'], { cwd: empty }).stdout, `tempo ${version}\n`);
  const jupyter = path.join(scratch, 'jupyter prefix');
  const installed = run(tempoBin, ['install', '--prefix', jupyter], { cwd: empty });
  assert.match(installed.stdout, /^Installed kernelspec tempo in /);
  const spec = JSON.parse(readFileSync(path.join(jupyter, 'share', 'jupyter', 'kernels', 'tempo', 'kernel.json'), 'utf8'));
  assert.deepEqual(spec.argv.slice(-6), [process.execPath, '--lite-mode', '--no-expose-wasm', path.join(realpathSync(prefix), 'lib', 'node_modules', name, 'bin', 'tempo'), 'kernel', '{connection_file}']);
  assert.match(run(tempoBin, ['list', '--prefix', jupyter], { cwd: empty }).stdout, /^tempo  .*jupyter prefix.*\(TypeScript \(Tempo\); runs .*global prefix.*bin\/tempo\)$/m);
});

test('nbclient runs the tutorial with the installed kernel, in a folder with no node_modules; tempo uninstall removes it', { timeout: 300_000 }, async () => {
  const jupyter = path.join(scratch, 'nbclient prefix');
  run(tempoBin, ['install', '--prefix', jupyter], { cwd: empty });
  const report = await runPython(path.join(repo, 'test', 'notebooks', 'execute_notebook.py'), [path.join(empty, path.basename(tutorial))], { timeoutMs: 240_000, env: { JUPYTER_PATH: path.join(jupyter, 'share', 'jupyter'), HOME: scratch } });
  assert.equal(report.execution_error, null, report.execution_error);
  const code = report.executed.filter((cell) => cell.cell_type === 'code');
  assert.ok(code.length > 10 && code.every((cell) => cell.execution_count !== null), 'every code cell ran');
  // An interact cell's line is its run's, in the widgets' text copy: `jobs=5, limit=2 · ⏱ … wall`.
  assert.ok(code.every((cell) => cell.outputs.some((output) => /(^|· )⏱ .* wall/m.test(output.text ?? ''))), 'every cell has its timing line');
  const removed = run(tempoBin, ['uninstall', '--prefix', jupyter], { cwd: empty });
  assert.match(removed.stdout, /^Removed kernelspec tempo from /);
  assert.ok(!existsSync(path.join(jupyter, 'share', 'jupyter', 'kernels', 'tempo')));
});

test('tempo run works from a folder with no node_modules, and a wrong type is still a type error there', { timeout: 120_000 }, () => {
  const notebook = path.join(empty, 'typed.ipynb');
  const cells = [['display("shown")', 'const n: number = 1; n + 1'], ['display(42, { id: "x" }); const s: string = 5;']];
  const write = (sources) => spawnSync(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(notebook)}, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: ${JSON.stringify(sources)}.map((source, i) => ({ id: 'c' + i, cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source })) }))`]);
  write(cells[0]);
  const ok = spawnSync(tempoBin, ['run', notebook, '--no-color'], { cwd: empty, encoding: 'utf8', timeout: 60_000 });
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /shown[\s\S]*\b2\b/);
  write(cells[1]);
  const typed = spawnSync(tempoBin, ['run', notebook, '--no-color'], { cwd: empty, encoding: 'utf8', timeout: 60_000 });
  assert.equal(typed.status, 1);
  assert.match(typed.stdout, /TS2322/, "the checker knows display's types and the cell's, from the installed package");
});

test('npx runs tempo install from the tarball without a global install', { timeout: 300_000 }, () => {
  const jupyter = path.join(scratch, 'npx prefix');
  const result = run('npm', ['exec', '--yes', `--package=${tarball}`, '--', 'tempo', 'install', '--prefix', jupyter], { cwd: empty, env: { ...process.env, npm_config_cache: path.join(scratch, 'npm-cache'), npm_config_prefer_offline: 'true' } });
  assert.match(result.stdout, /Installed kernelspec tempo in /);
  assert.ok(existsSync(path.join(jupyter, 'share', 'jupyter', 'kernels', 'tempo', 'kernel.json')));
});
