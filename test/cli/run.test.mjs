// `tempo run` as a user runs it: the CLI as a subprocess (stdout a pipe, so not a TTY) on small
// notebooks written into a temp dir, through a real kernel process.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pollUntil } from '../helpers/poll-until.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const tempo = path.join(repo, 'bin', 'tempo');
let dir;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tempo-run-test-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a notebook of code cells; each cell is a source string or { source, tags }. */
function notebook(name, cells, { minor = 5 } = {}) {
  const file = path.join(dir, name);
  const nb = {
    nbformat: 4,
    nbformat_minor: minor,
    metadata: {},
    cells: cells.map((cell, index) => {
      const { source, tags, markdown } = typeof cell === 'string' ? { source: cell } : cell;
      if (markdown) return { cell_type: 'markdown', id: `md-${index}`, metadata: {}, source };
      return { cell_type: 'code', ...(minor >= 5 ? { id: `cell-${index}` } : {}), metadata: tags ? { tags } : {}, source, outputs: [], execution_count: null };
    }),
  };
  writeFileSync(file, JSON.stringify(nb));
  return file;
}

/**
 * Runs `tempo run ...args`; resolves with its exit code and output. `onLine(line, child)` sees
 * each stdout line as it arrives (to interrupt at the right moment).
 */
function run(args, { onLine, deadlineMs = 30_000, env = process.env, asCommand = false } = {}) {
  return new Promise((resolve, reject) => {
    // asCommand: `bin/tempo run`, as the README says, rather than `node bin/tempo run`.
    const [command, commandArgs] = asCommand ? [tempo, ['run', ...args]] : [process.execPath, [tempo, 'run', ...args]];
    const child = spawn(command, commandArgs, { cwd: repo, env: { ...env, NO_COLOR: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tempo run ${args.join(' ')} did not finish in ${deadlineMs} ms\n${stdout}\n${stderr}`));
    }, deadlineMs);
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) onLine?.(line, child);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, pid: child.pid });
    });
  });
}

/** Every process whose parent chain leads to `root` (from /proc), so we can check none outlive the run. */
function descendants(root) {
  const parents = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const found = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (found.has(parent) && !found.has(pid)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  found.delete(root);
  return [...found];
}

/** Running, not exited: a zombie (exited, waiting for init to reap it) counts as gone. */
function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The processes of `pids` still running after up to 3 s; a SIGKILLed executor takes a moment to go. */
async function leftovers(pids) {
  await pollUntil(() => !pids.some(alive), { timeoutMs: 3000, intervalMs: 50, what: 'the kernel processes to exit' }).catch(() => {});
  return pids.filter(alive);
}

const events = (stdout) => stdout.trim().split('\n').map((line) => JSON.parse(line));

test('prints each cell header, then its outputs in order, then a summary', async () => {
  const file = notebook('order.ipynb', [
    { markdown: true, source: '# not run' },
    'console.log("one"); console.log("two");\n40 + 2',
    'const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));\nconsole.log("before"); await sleep(50); console.log("after");',
  ]);
  const { code, stdout } = await run([file, '--no-color']);
  assert.equal(code, 0, stdout);
  const positions = ['In [1]:', 'one\ntwo\n', '42\n', '⏱', 'In [2]:', 'before\n', 'after\n', '\ncell', 'passed'].map((text) => stdout.indexOf(text));
  assert.ok(positions.every((at) => at >= 0), `missing text in:\n${stdout}`);
  assert.deepEqual([...positions].sort((a, b) => a - b), positions, `out of order:\n${stdout}`);
  assert.match(stdout, /cell\s+status\s+wall\s+blocked\n\s+1\s+ok\s+\S+ m?s\s+\S+/);
  assert.doesNotMatch(stdout, /\x1b\[/, 'no colour codes with --no-color or a pipe');
});

test('a failing cell exits 1 and the cells after it do not run', async () => {
  // The runner sends every cell at once: the kernel must abort a cell it already holds. Unchecked
  // (%types off), that cell would start at once after the failure, before the runner's shutdown.
  const marker = path.join(dir, 'ran-after-failure');
  const file = notebook('fail.ipynb', ['console.log("first")', 'throw new Error("boom")', `%types off\nrequire('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\nconsole.log("never printed")`]);
  const { code, stdout } = await run([file]);
  assert.equal(code, 1);
  assert.match(stdout, /Error: boom/);
  assert.doesNotMatch(stdout, /never printed/);
  assert.match(stdout, /\s2\s+error\s/);
  assert.match(stdout, /\s3\s+not run\s/);
  assert.equal(existsSync(marker), false, 'the cell after the failed one ran');
});

test('type errors fail cells as in Jupyter: the first cell, checked while the checker loads, and a later one', async () => {
  const first = notebook('typed-first.ipynb', ['const n: number = "one";', 'console.log("never printed")']);
  const early = await run([first]);
  assert.equal(early.code, 1, early.stdout);
  assert.match(early.stdout, /TS2322: Type 'string' is not assignable to type 'number'/);
  assert.match(early.stdout, /\s1\s+error\s/);
  assert.doesNotMatch(early.stdout, /never printed/);
  const later = notebook('typed-later.ipynb', ['const n = 1;', 'const s: string = n;', 'console.log("never printed")']);
  const { code, stdout } = await run([later]);
  assert.equal(code, 1, stdout);
  assert.match(stdout, /TS2322: Type 'number' is not assignable to type 'string'/);
  assert.match(stdout, /\s1\s+ok\s/);
  assert.match(stdout, /\s2\s+error\s/);
  assert.doesNotMatch(stdout, /never printed/);
});

test('the kernel process starts without NODE_EXTRA_CA_CERTS (it costs every node ~45 ms); cells see it as given', async () => {
  const certs = '/etc/ssl/certs/ca-certificates.crt';
  const file = notebook('certs.ipynb', ["console.log('cells:', process.env.NODE_EXTRA_CA_CERTS);\nconsole.log('kernel has it:', require('node:fs').readFileSync(`/proc/${process.ppid}/environ`, 'utf8').split('\\0').some((entry: string) => entry.startsWith('NODE_EXTRA_CA_CERTS=')))"]);
  const { code, stdout } = await run([file, '--no-color'], { env: { ...process.env, NODE_EXTRA_CA_CERTS: certs } });
  assert.equal(code, 0, stdout);
  assert.match(stdout, new RegExp(`cells: ${certs}\\n`));
  assert.match(stdout, /kernel has it: false\n/);
});

test('run as a command, tempo itself starts without NODE_EXTRA_CA_CERTS too; cells still see it', async () => {
  const certs = '/etc/ssl/certs/ca-certificates.crt';
  const environOf = "(pid: number) => require('node:fs').readFileSync(`/proc/${pid}/environ`, 'utf8').split('\\0')";
  const runnerPid = "Number(/PPid:\\s*(\\d+)/.exec(require('node:fs').readFileSync(`/proc/${process.ppid}/status`, 'utf8'))![1])";
  const file = notebook('certs-command.ipynb', [
    `const environ = ${environOf};\nconsole.log('cells:', process.env.NODE_EXTRA_CA_CERTS);\nconsole.log('runner has it:', environ(${runnerPid}).some((entry: string) => entry.startsWith('NODE_EXTRA_CA_CERTS=')))`,
  ]);
  const { code, stdout } = await run([file, '--no-color'], { env: { ...process.env, NODE_EXTRA_CA_CERTS: certs }, asCommand: true });
  assert.equal(code, 0, stdout);
  assert.match(stdout, new RegExp(`cells: ${certs}\\n`));
  assert.match(stdout, /runner has it: false\n/);
});

test("the kernel runs in the notebook's folder, as Jupyter's does: its files and its tsconfig.json", async () => {
  const project = path.join(dir, 'project');
  mkdirSync(project);
  // Not strict there: null is a number (strict, as in the folder tempo run starts from, TS2322).
  writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: false } }));
  writeFileSync(path.join(project, 'data.txt'), 'beside the notebook');
  const file = notebook(path.join('project', 'folder.ipynb'), ['const n: number = null;\nconsole.log(process.cwd());\nconsole.log(require("node:fs").readFileSync("data.txt", "utf8"))']);
  const { code, stdout } = await run([file, '--no-color']);
  assert.equal(code, 0, stdout);
  assert.match(stdout, new RegExp(`\\n${project}\\nbeside the notebook\\n`));
});

test('a failing cell tagged raises-exception lets the run go on and exit 0', async () => {
  const file = notebook('raises.ipynb', [{ source: 'throw new Error("expected")', tags: ['raises-exception'] }, 'console.log("still runs")']);
  const { code, stdout } = await run([file]);
  assert.equal(code, 0, stdout);
  assert.match(stdout, /Error: expected/);
  assert.match(stdout, /still runs/);
  assert.match(stdout, /error \(allowed\)/);
});

test('--out writes a notebook that nbformat validates, with outputs, counts and execution times', async () => {
  const file = notebook('out.ipynb', [{ markdown: true, source: 'hi' }, 'console.log("a"); console.log("b"); console.error("c");\n7', 'console.log("second")'], { minor: 4 });
  const out = path.join(dir, 'out-executed.ipynb');
  const { code, stdout } = await run([file, '--out', out]);
  assert.equal(code, 0, stdout);
  const check = spawnSync('/usr/bin/python3', ['-c', 'import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4)); print("valid")', out], { env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
  const nb = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(nb.nbformat_minor, 5);
  assert.ok(nb.cells.every((cell) => typeof cell.id === 'string'), 'every cell has an id');
  const [markdown, first] = nb.cells;
  assert.equal(markdown.id, 'md-0', 'existing ids are kept');
  assert.equal(first.execution_count, 1);
  assert.deepEqual(first.outputs.slice(0, 3), [
    { name: 'stdout', output_type: 'stream', text: ['a\n', 'b\n'] },
    { name: 'stderr', output_type: 'stream', text: ['c\n'] },
    { data: { 'text/plain': ['7'] }, execution_count: 1, metadata: {}, output_type: 'execute_result' },
  ]);
  const keys = ['iopub.execute_input', 'iopub.status.busy', 'iopub.status.idle', 'shell.execute_reply', 'shell.execute_reply.started'];
  assert.deepEqual(Object.keys(first.metadata.execution).sort(), keys);
  for (const key of keys) assert.ok(!Number.isNaN(Date.parse(first.metadata.execution[key])), key);
});

test('output a cell prints after it finished, and a display updated by a later cell, land in that cell, as in JupyterLab', async () => {
  const file = notebook('late.ipynb', [
    'setTimeout(() => console.log("late from A"), 300); "A"',
    'await new Promise((r) => setTimeout(r, 1000)); "B"',
    'const shown = display("before", { id: true });',
    'shown.update("after"); "updated"',
  ]);
  const out = path.join(dir, 'late-executed.ipynb');
  const { code, stdout } = await run([file, '--out', out, '--no-color']);
  assert.equal(code, 0, stdout);
  assert.match(stdout, /In \[2\]:[^]*\[late output of In \[1\]\]\nlate from A\n[^]*'B'/, 'printed while cell 2 runs, labelled with its cell');
  const [a, b, shown, updating] = JSON.parse(readFileSync(out, 'utf8')).cells;
  const texts = (cell) => cell.outputs.map((o) => [o.output_type, [o.text ?? o.data?.['text/plain'] ?? ''].flat().join('')]);
  assert.deepEqual(texts(a).at(-1), ['stream', 'late from A\n']);
  assert.ok(!JSON.stringify(b.outputs).includes('late from A'));
  assert.deepEqual(texts(shown)[0], ['display_data', "'after'"]);
  assert.ok(!JSON.stringify(updating.outputs).includes('after'), 'the updating cell shows only its own result');
});

test("a display the cell updated while it ran is printed again as it ended: interact's first run, a progress bar", async () => {
  const file = notebook('updated.ipynb', ['interact(({ n }) => console.log(`n is ${n}`), { n: [1, 5] })', 'await progress.all([1, 2, 3].map((n) => new Promise((r) => setTimeout(r, 20 * n))))']);
  const { code, stdout } = await run([file, '--no-color']);
  assert.equal(code, 0, stdout);
  assert.match(stdout, /In \[1\]:[^]*VBox\(\)\n\[updated display\]\nn is 3\nn=3 · ⏱ [^]*In \[2\]:/, 'the widgets show as text, then the run they did');
  assert.match(stdout, /\[updated display\]\n\[█{20}\] 3\/3 · [^\n]* · done/, 'the bar as it ended');
  const json = await run([file, '--json']);
  const updated = events(json.stdout).filter((event) => event.event === 'output_updated');
  assert.deepEqual(updated.map((event) => event.cell), [1, 2]);
  assert.match([updated[0].output.data['text/plain']].flat().join(''), /^n is 3\n/, 'stored as nbformat does: lines');
});

test('--json prints one parseable event per line: run, cells, outputs, summary', async () => {
  const file = notebook('json.ipynb', ['console.log("hi")', '1 + 1']);
  const { code, stdout } = await run([file, '--json']);
  assert.equal(code, 0, stdout);
  const all = events(stdout);
  assert.deepEqual([...new Set(all.map((event) => event.event))], ['run_start', 'cell_start', 'output', 'cell_end', 'summary']);
  assert.ok(all[0].kernel_pid > 0);
  const ends = all.filter((event) => event.event === 'cell_end');
  assert.deepEqual(ends.map((event) => event.status), ['ok', 'ok']);
  assert.ok(ends.every((event) => typeof event.wall_ms === 'number' && typeof event.blocked_ms === 'number'));
  assert.deepEqual(all.find((event) => event.event === 'output').output, { output_type: 'stream', name: 'stdout', text: 'hi\n' });
  assert.equal(all.at(-1).exit_code, 0);
});

test('SIGINT to the runner interrupts a busy loop; the cell reports interrupted and no process is left', async () => {
  const file = notebook('loop.ipynb', ['let i = 0;\nwhile (true) { i++; }', 'console.log("not reached")']);
  let processes = [];
  const result = await run([file, '--json'], {
    onLine(line, child) {
      if (JSON.parse(line).event !== 'cell_start') return;
      // Let the loop start, then note the kernel and its executor before interrupting.
      setTimeout(() => {
        processes = descendants(child.pid);
        child.kill('SIGINT');
      }, 1000);
    },
  });
  assert.equal(result.code, 1, result.stderr);
  const end = events(result.stdout).find((event) => event.event === 'cell_end');
  assert.equal(end.status, 'interrupted');
  assert.doesNotMatch(result.stdout, /not reached/);
  assert.ok(processes.length >= 2, `expected the kernel and its executor, saw ${processes}`);
  assert.deepEqual(await leftovers(processes), [], 'kernel processes left behind');
});

test('a reader that goes away (tempo run … | head) stops the run like SIGPIPE: exit 141, no EPIPE trace, no process left', async () => {
  const file = notebook('pipe.ipynb', ['console.log("first")', 'await new Promise((resolve) => setTimeout(resolve, 1000)); console.log("second")', 'console.log("third")']);
  let processes = [];
  const { code, stderr } = await run([file, '--no-color'], {
    onLine(line, child) {
      // Once the first cell printed, the executor surely runs; the second cell still waits.
      if (line !== 'first') return;
      processes = descendants(child.pid);
      child.stdout.destroy();
    },
  });
  assert.equal(code, 141, stderr);
  assert.doesNotMatch(stderr, /EPIPE|Unhandled/);
  assert.ok(processes.length >= 2, `expected the kernel and its executor, saw ${processes}`);
  assert.deepEqual(await leftovers(processes), [], 'kernel processes left behind');
});

test('--timeout interrupts a cell that runs too long, marks it failed and ends the run', async () => {
  const file = notebook('timeout.ipynb', ['while (true) {}', 'console.log("not reached")']);
  let processes = [];
  const { code, stdout, stderr } = await run([file, '--timeout', '1', '--no-color'], {
    onLine(line, child) {
      // The looping cell runs in the executor: catch the kernel and the executor while they live.
      if (line.startsWith('In [1]:')) pollUntil(() => (processes = descendants(child.pid)).length >= 2, { timeoutMs: 900, intervalMs: 10, what: 'the kernel and its executor' }).catch(() => {});
    },
  });
  assert.equal(code, 1, stdout);
  assert.match(stderr, /cell 1 timed out after 1 s/);
  assert.match(stdout, /\s1\s+timeout\s/);
  assert.match(stdout, /\s2\s+not run\s/);
  assert.ok(processes.length >= 2, `expected the kernel and its executor, saw ${processes}`);
  assert.deepEqual(await leftovers(processes), [], 'kernel processes left behind');
});

test('a file that is not JSON, or JSON that is not a notebook, exits 2 with one clear line', async () => {
  const notJson = path.join(dir, 'broken.ipynb');
  writeFileSync(notJson, '{ "cells": [');
  const notNotebook = path.join(dir, 'package.ipynb');
  writeFileSync(notNotebook, JSON.stringify({ name: 'x', version: '1.0.0' }));
  const cases = [
    [[notJson], /is not a notebook: it is not valid JSON/],
    [[notNotebook], /is not a Jupyter notebook: it has no "cells" list/],
    [[path.join(dir, 'missing.ipynb')], /cannot read notebook .*: no such file/],
    [[notNotebook, '--bogus'], /unknown option '--bogus'/],
    [[notNotebook, '--timeout', '0'], /--timeout takes a positive number/],
  ];
  for (const [args, message] of cases) {
    const { code, stdout, stderr } = await run(args);
    assert.equal(code, 2, `${args}: ${stderr}`);
    assert.match(stderr, message);
    assert.equal(stderr.trim().split('\n').length, 1, `one line, no stack trace: ${stderr}`);
    assert.equal(stdout, '');
  }
});

test('a slow cell shows plain progress lines when stdout is not a terminal', async () => {
  const file = notebook('slow.ipynb', ['await new Promise((resolve) => setTimeout(resolve, 3000));']);
  const { code, stdout } = await run([file]);
  assert.equal(code, 0, stdout);
  assert.match(stdout, /^\[1\/1\] cell 1 running… 2 s$/m);
  assert.doesNotMatch(stdout, /\r|\x1b\[2K/, 'no in-place redraws in a log');
});

test('--cell 2..3 runs only those code cells', async () => {
  const file = notebook('range.ipynb', ['console.log("cell one")', { markdown: true, source: 'text' }, 'console.log("cell two")', 'console.log("cell three")', 'console.log("cell four")']);
  const { code, stdout } = await run([file, '--cell', '2..3', '--json']);
  assert.equal(code, 0, stdout);
  const texts = events(stdout).filter((event) => event.event === 'output' && event.output.output_type === 'stream').map((event) => event.output.text);
  assert.deepEqual(texts, ['cell two\n', 'cell three\n']);
  assert.deepEqual(events(stdout)[0].cells, [2, 3]);
  const outOfRange = await run([file, '--cell', '5']);
  assert.equal(outOfRange.code, 2);
  assert.match(outOfRange.stderr, /out of range: .* has 4 code cells/);
});

test('tempo --help names every command and every option of run and install', () => {
  const result = spawnSync(process.execPath, [tempo, '--help'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  for (const option of ['install', '--display-name', 'kernel', 'run', '--out', '--inplace', '--timeout', '--cell', '--no-color', '--json']) {
    assert.ok(result.stdout.includes(option), `${option} missing from:\n${result.stdout}`);
  }
});
