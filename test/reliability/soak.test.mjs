// Soak: 2,000 cells of mixed work in one session (declarations, awaits, small prints, errors).
// Memory must not grow per cell (compiled code, source maps, timelines, contexts): the RSS of the
// kernel's whole process tree after the first 200 cells and after all 2,000 differ by < 20%.
// No forced GC: V8 collects on its own as a notebook session would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cmdline, processTree, resultText, rssKb, sharedKernel, streamText, treeRssKb } from './harness.mjs';

const CELLS = 2000;
const WARM = 200;
const LIMIT = 0.2;
// The type checker (its own tsc process, a few ms a cell) is switched off by default (%types off):
// the soak measures the kernel and executor alone.
// TEMPO_SOAK_TYPES=1 keeps type checks on (slow; use for a manual run).
const TYPES = process.env.TEMPO_SOAK_TYPES === '1';


const shared = sharedKernel(async (client) => {
  // A checked cell first waits for the TypeScript checker to load, so its memory is in the baseline.
  assert.equal((await client.execute('const warm: number = 1', { timeoutMs: 60_000 })).reply.content.status, 'ok');
  if (!TYPES) assert.equal((await client.execute('%types off', { timeoutMs: 30_000 })).reply.content.status, 'ok');
});

/** Cell i of the mix, and what its reply and output should be. */
function cell(i) {
  switch (i % 8) {
    case 0:
      return { code: `let v${i}: number = ${i};\nv${i}`, result: String(i) };
    case 1:
      return { code: `const f${i} = (x: number) => x + ${i};\nf${i}(1)`, result: String(i + 1) };
    case 2:
      return { code: `await new Promise((r) => setTimeout(r, 1));\n${i}`, result: String(i) };
    case 3:
      return { code: `console.log('line ${i}')`, stdout: `line ${i}\n` };
    case 4:
      return { code: `throw new Error('soak ${i}')`, error: 'Error' };
    case 5:
      return { code: `interface I${i} { a: number }\nclass C${i} implements I${i} { a = ${i} }\nnew C${i}().a`, result: String(i) };
    case 6:
      return { code: `(globalThis as any).total = (globalThis.total ?? 0) + 1;\nconst arr${i} = Array.from({ length: 100 }, (_, k) => k);\narr${i}.length`, result: '100' };
    default:
      return { code: `const s${i} = await Promise.resolve('s${i}');\ns${i}`, result: `'s${i}'` };
  }
}

test(`soak: ${CELLS} mixed cells; the process tree's RSS after ${WARM} and after ${CELLS} cells differ by < ${LIMIT * 100}%`, { timeout: TYPES ? 600_000 : 150_000 }, async (t) => {
  let warmRss;
  let warmEach;
  const perProcess = () => processTree(shared.kernel.pid).map((pid) => `${cmdline(pid).includes('executor-process-main') ? 'executor' : pid === shared.kernel.pid ? 'kernel' : 'child'} ${rssKb(pid)} kB`).join(', ');
  const started = Date.now();
  for (let i = 0; i < CELLS; i++) {
    const { code, result, stdout, error } = cell(i);
    const run = await shared.client.execute(code, { stop_on_error: false });
    const { content } = run.reply;
    if (error) {
      assert.equal(content.status, 'error', `cell ${i}`);
      assert.equal(content.ename, error, `cell ${i}`);
    } else {
      assert.equal(content.status, 'ok', `cell ${i}: ${content.ename}: ${content.evalue}`);
      if (result !== undefined) assert.equal(resultText(run), result, `cell ${i}`);
      if (stdout !== undefined) assert.equal(streamText(run.iopub), stdout, `cell ${i}`);
    }
    if (i + 1 === WARM) {
      warmRss = treeRssKb(shared.kernel.pid);
      warmEach = perProcess();
    }
  }
  const endRss = treeRssKb(shared.kernel.pid);
  const change = (endRss - warmRss) / warmRss;
  t.diagnostic(`${CELLS} cells in ${((Date.now() - started) / 1000).toFixed(1)} s; RSS of ${processTree(shared.kernel.pid).length} processes: ${warmRss} kB after ${WARM}, ${endRss} kB after ${CELLS} (${(change * 100).toFixed(1)}%); per process: [${warmEach}] → [${perProcess()}]`);
  assert.equal(resultText(await shared.client.execute('(globalThis as any).total')), String(CELLS / 8), 'state kept through the session');
  assert.ok(Math.abs(change) < LIMIT, `RSS changed by ${(change * 100).toFixed(1)}% (${warmRss} kB → ${endRss} kB; per process [${warmEach}] → [${perProcess()}])`);
});
