// One run of one peer: a fresh kernel taken through every row that applies to it, in order.
// A row that fails records its error and the run goes on; a kernel that died ends the run.
import { performance } from 'node:perf_hooks';
import { openCells } from './cells.mjs';
import { firstKernelInfoReply } from './kernel-info.mjs';
import { launchKernel } from './kernels.mjs';
import { PRINT_LINES, TYPED_SETUP_CELLS } from './peers.mjs';
import { treePssMb, treeRssMb } from './proctree.mjs';
import { EXPECTED_MS } from './seeds.mjs';
import { median } from './stats.mjs';

/** Pause before reading memory, so the kernel has settled (sent everything, finished start-up work). */
export const RSS_DELAY_MS = 1000;
/** Typed cells and completions per run, after the TYPED_SETUP_CELLS cells that declare names. */
export const TYPED_REPEAT = 9;
/** A step that takes longer than this is measured in the first run only (Deno prints 100,000 lines in about a minute). */
export const SLOW_STEP_MS = 30_000;
/** More than this share of trivial cells lost (no output or idle) fails the row. */
const MAX_LOST_SHARE = 0.1;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The steps of a run, in order. Each applies to some peers, sets its rows in `values` as it
 * measures them, and gets the kernel (`launched`) and the Jupyter client (`cells`).
 */
const STEPS = [
  {
    rows: ['rssStartMb', 'pssStartMb'],
    async run({ launched, values }) {
      await sleep(RSS_DELAY_MS);
      Object.assign(values, { rssStartMb: treeRssMb(launched.pid), pssStartMb: treePssMb(launched.pid) });
    },
  },
  {
    rows: ['trivialMs', 'rssCellsMb'],
    async run({ peer, cells, launched, opts, counts, values }) {
      const { code, shows } = peer.code.trivial;
      const runs = await cells.run(code, { repeat: opts.warmup + opts.cells, allowLost: true, expect: { contains: shows } });
      const ok = (run) => run.ms !== null && run.shown === shows;
      counts.lost = runs.filter((run) => !ok(run)).length;
      counts.late += runs.filter((run) => run.late).length;
      if (counts.lost > runs.length * MAX_LOST_SHARE) throw new Error(`${counts.lost} of ${runs.length} cells lost their output or idle status`);
      values.trivialMs = median(runs.slice(opts.warmup).filter(ok).map((run) => run.ms));
      await sleep(RSS_DELAY_MS);
      values.rssCellsMb = treeRssMb(launched.pid);
    },
  },
  {
    rows: ['typedMs', 'completeMs', 'rssCheckerMb', 'pssCheckerMb'],
    applies: (peer) => peer.typeChecks,
    async run({ peer, cells, launched, values }) {
      const { typedSetup, typed, complete } = peer.code;
      for (let i = 0; i < TYPED_SETUP_CELLS; i++) await cells.run(typedSetup(i));
      const typedRuns = [];
      for (let k = 0; k < TYPED_REPEAT; k++) typedRuns.push(...(await cells.run(typed(k))));
      values.typedMs = median(typedRuns.map((run) => run.ms));
      const completions = await cells.complete(complete, { repeat: TYPED_REPEAT });
      if (!completions.every((run) => run.matches.some((match) => /(^|\.)floor$/.test(match)))) {
        throw new Error(`completing ${complete} did not offer floor (got ${JSON.stringify(completions[0].matches.slice(0, 5))})`);
      }
      values.completeMs = median(completions.map((run) => run.ms));
      await sleep(RSS_DELAY_MS);
      values.rssCheckerMb = treeRssMb(launched.pid);
      values.pssCheckerMb = treePssMb(launched.pid);
    },
  },
  {
    rows: Object.keys(EXPECTED_MS).map((name) => `${name}SeedMs`),
    async run({ peer, cells, values, counts }) {
      const { setup, examples } = peer.code.seeds;
      await cells.run(setup);
      for (const [name, code] of Object.entries(examples)) {
        const [run] = await cells.run(code, { expect: { contains: 'Finishing job 4' } });
        counts.late += run.late;
        // Tempo's own figure where it reports one; otherwise what the client sees.
        const reported = peer.reportsWallMs ? run.timing?.wallMs : run.ms;
        if (typeof reported !== 'number') throw new Error('execute_reply has no metadata.timing.wallMs');
        values[`${name}SeedMs`] = reported - EXPECTED_MS[name];
      }
    },
  },
  {
    rows: ['printMs'],
    async run({ peer, cells, values, counts }) {
      const [run] = await cells.run(peer.code.printLines, { timeout: 300, allowLost: true, expect: { lines: PRINT_LINES } });
      counts.late += run.late;
      if (run.ms === null) throw new Error(`${run.lines} of ${PRINT_LINES} lines arrived, ${run.lines < PRINT_LINES ? 'no more came' : 'then no idle status'} within 5 s`);
      values.printMs = run.ms;
    },
  },
];

/** The last line of a kernel's output, for error messages. */
const lastOutput = (launched) => launched.output().split('\n').at(-1);

/**
 * Launches `peer`'s kernel, runs `body({ launched, open })`, and always closes the Jupyter client
 * (`open()` starts it, `close()` ends it early) and kills the kernel's tree.
 */
async function withKernel(peer, scratch, body) {
  const launched = await launchKernel(peer, scratch);
  let cells;
  const session = {
    launched,
    open: async () => (cells = await openCells(launched.connection.path)),
    close: async () => {
      const open = cells;
      cells = undefined;
      await open?.close();
    },
  };
  try {
    return await body(session);
  } finally {
    try {
      await session.close();
    } finally {
      await launched.stop();
    }
  }
}

/**
 * Runs every step that applies to `peer` on one fresh kernel, then restarts it. Steps whose rows
 * are all in `opts.skip` are left out; a step that took over SLOW_STEP_MS adds its rows to it.
 * Resolves with { values: { row: number }, errors: { row: message }, counts }, counts being
 * { lost: trivial cells that never finished, late: cells with output after their idle status }.
 * Rows of steps that could not run because the kernel died get that as their error.
 */
export async function measureRun(peer, scratch, opts) {
  const values = {};
  const errors = {};
  const counts = { lost: 0, late: 0 };
  const fail = (rows, error) => {
    for (const row of rows) errors[row] ??= error.message.split('\n')[0];
  };
  const steps = STEPS.filter((step) => !step.applies || step.applies(peer));
  await withKernel(peer, scratch, async ({ launched, open, close }) => {
    const died = () => new Error(`kernel exited: ${lastOutput(launched)}`);
    try {
      values.coldStartMs = (await firstKernelInfoReply(launched.connection.info, launched.isAlive)) - launched.startedAt;
      const cells = await open();
      for (const step of steps) {
        if (step.rows.every((row) => opts.skip.has(row))) continue;
        const started = performance.now();
        try {
          if (!launched.isAlive()) throw died();
          await step.run({ peer, cells, launched, opts, counts, values });
          if (performance.now() - started > SLOW_STEP_MS) for (const row of step.rows) opts.skip.add(row);
        } catch (error) {
          fail(step.rows.filter((row) => values[row] === undefined), error);
        }
      }
      // Restart an idle kernel: a cell that lost its output (tslab's 100,000 lines) may leave it
      // busy, and its reply to one more cell says it is done. If even that fails, the restart tells.
      await cells.run(peer.code.trivial.code, { allowLost: true, timeout: 120 }).catch(() => undefined);
      await close();
      if (!launched.isAlive()) throw died();
      values.restartMs = await launched.restart();
    } catch (error) {
      // Start-up, the client or the restart failed: every row not measured yet gets the error.
      const output = lastOutput(launched);
      fail(ALL_ROWS.filter((row) => values[row] === undefined), new Error(`${error.message}${output ? ` (kernel: ${output})` : ''}`));
    }
  });
  return { values, errors, counts };
}

/**
 * The first typed cell, on a kernel of its own: sent as soon as a client is subscribed after
 * kernel_info_reply, as test/conformance's first_cell does, so it waits for whatever checker
 * loading is still under way.
 */
export async function measureFirstTypedCell(peer, scratch) {
  try {
    return await withKernel(peer, scratch, async ({ launched, open }) => {
      await firstKernelInfoReply(launched.connection.info, launched.isAlive);
      const [run] = await (await open()).run(peer.code.firstTyped);
      if (run.shown !== '2') throw new Error(`first typed cell showed ${JSON.stringify(run.shown)}, not 2`);
      return { values: { firstTypedMs: run.ms }, errors: {} };
    });
  } catch (error) {
    return { values: {}, errors: { firstTypedMs: error.message.split('\n')[0] } };
  }
}

/** Every row a run can set, in the order measured. */
export const ALL_ROWS = ['coldStartMs', ...STEPS.flatMap((step) => step.rows), 'restartMs'];

/** Starts the kernel once and waits for its kernel_info_reply: an uncounted start that fills the page cache. */
export async function warmUp(peer, scratch) {
  await withKernel(peer, scratch, ({ launched }) => firstKernelInfoReply(launched.connection.info, launched.isAlive));
}
