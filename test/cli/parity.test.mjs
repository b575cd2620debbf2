// `tempo run` against Jupyter's own runner: the same notebook executed by `tempo run --out` and by
// Debian's nbclient (python3-nbclient, Tempo's kernelspec installed into a temp prefix found through
// JUPYTER_PATH) gives the same outputs per cell, and nbclient can read and re-execute the `--out` file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const tempo = path.join(repo, 'bin', 'tempo');
let dir;
let prefix;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tempo-parity-test-'));
  prefix = path.join(dir, 'prefix');
  const install = spawnSync(process.execPath, [tempo, 'install', '--prefix', prefix, '--name', 'tempo'], { cwd: repo, encoding: 'utf8' });
  assert.equal(install.status, 0, install.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const CELLS = [
  'console.log("hello"); console.log("world");',
  '6 * 7',
  'display.html("<b>x</b>")',
  'process.stderr.write("oops\\n");\nconsole.log("after stderr");',
];

function writeNotebook(file, cells) {
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: cells.map((source, index) => ({ cell_type: 'code', id: `cell-${index}`, metadata: {}, source, outputs: [], execution_count: null })),
  };
  writeFileSync(file, JSON.stringify(nb));
}

/** Runs a command to its end; rejects past the deadline (and kills it). */
function exec(command, args, { env, deadlineMs = 90_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish in ${deadlineMs} ms\n${stdout}\n${stderr}`));
    }, deadlineMs);
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// Executes each notebook given with nbclient (nbformat.read + NotebookClient.execute), prints
// {file: [cell outputs...]} as JSON, or {file: {"error": "..."}} when reading or running failed.
const NBCLIENT = `
import json, sys, traceback
import nbformat, nbclient
result = {}
for path in sys.argv[1:]:
    try:
        nb = nbformat.read(path, as_version=4)
        nbclient.NotebookClient(nb, kernel_name='tempo', timeout=60).execute()
        result[path] = [cell.get('outputs', []) for cell in nb.cells]
    except Exception:
        result[path] = {'error': traceback.format_exc()}
print(json.dumps(result))
`;

const joinText = (text) => (Array.isArray(text) ? text.join('') : text);

/**
 * What must agree between runners, per cell: output types in order, stream names and text
 * (consecutive chunks of one stream merged, as the notebook format allows either way), the mime
 * types and text/plain of results and displays, and the execution count of results. The timing
 * line's numbers change from run to run, so it is compared by its prefix only.
 */
function comparable(cellOutputs) {
  const merged = [];
  for (const output of cellOutputs) {
    const last = merged.at(-1);
    if (output.output_type === 'stream' && last?.output_type === 'stream' && last.name === output.name) {
      last.text += joinText(output.text);
    } else if (output.output_type === 'stream') {
      merged.push({ output_type: 'stream', name: output.name, text: joinText(output.text) });
    } else if (output.output_type === 'error') {
      merged.push({ output_type: 'error', ename: output.ename, evalue: output.evalue });
    } else {
      const plain = joinText(output.data?.['text/plain'] ?? '');
      merged.push({
        output_type: output.output_type,
        mimetypes: Object.keys(output.data ?? {}).sort(),
        'text/plain': plain.startsWith('⏱') ? '⏱ (timing)' : plain,
        ...(output.output_type === 'execute_result' ? { execution_count: output.execution_count } : {}),
      });
    }
  }
  return merged;
}

test('tempo run --out and nbclient give the same outputs per cell; nbclient re-executes the --out file', async () => {
  const source = path.join(dir, 'parity.ipynb');
  const forNbclient = path.join(dir, 'parity-nbclient.ipynb');
  const out = path.join(dir, 'parity-tempo.ipynb');
  writeNotebook(source, CELLS);
  writeNotebook(forNbclient, CELLS);

  const tempoRun = await exec(process.execPath, [tempo, 'run', source, '--out', out], { env: { ...process.env, NO_COLOR: '' } });
  assert.equal(tempoRun.code, 0, tempoRun.stdout + tempoRun.stderr);

  const env = { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? dir, JUPYTER_PATH: path.join(prefix, 'share', 'jupyter'), PYTHONDONTWRITEBYTECODE: '1' };
  const python = await exec('/usr/bin/python3', ['-c', NBCLIENT, forNbclient, out], { env });
  assert.equal(python.code, 0, python.stderr);
  const results = JSON.parse(python.stdout);

  for (const file of [forNbclient, out]) assert.ok(Array.isArray(results[file]), `nbclient failed on ${path.basename(file)}:\n${results[file]?.error}`);
  const byTempo = JSON.parse(readFileSync(out, 'utf8')).cells.map((cell) => comparable(cell.outputs));
  const byNbclient = results[forNbclient].map(comparable);
  const reExecuted = results[out].map(comparable);

  // The notebook exercises what it means to: every cell has a timing line, and the expected outputs.
  assert.deepEqual(byNbclient[0].slice(0, 1), [{ output_type: 'stream', name: 'stdout', text: 'hello\nworld\n' }]);
  assert.deepEqual(byNbclient[1][0], { output_type: 'execute_result', mimetypes: ['text/plain'], 'text/plain': '42', execution_count: 2 });
  assert.deepEqual(byNbclient[2][0], { output_type: 'display_data', mimetypes: ['text/html', 'text/plain'], 'text/plain': 'x' });
  assert.ok(byNbclient[3].some((output) => output.output_type === 'stream' && output.name === 'stderr' && output.text === 'oops\n'), JSON.stringify(byNbclient[3]));
  assert.ok(byNbclient.every((outputs) => outputs.at(-1)['text/plain'] === '⏱ (timing)'), 'a timing line ends every cell');

  for (let cell = 0; cell < CELLS.length; cell++) {
    assert.deepEqual(byTempo[cell], byNbclient[cell], `cell ${cell + 1}: tempo run vs nbclient`);
    assert.deepEqual(reExecuted[cell], byNbclient[cell], `cell ${cell + 1}: --out file re-executed by nbclient`);
  }
});
