// The executor: a child process of the kernel that runs the user's cells. It owns no socket, so
// a cell that blocks, loops or crashes here never stalls heartbeat or control in the kernel.

import { interruptMemory, ioThread } from './io-thread';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Console } from 'node:console';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { Script, constants as vmConstants } from 'node:vm';
import type { ErrorContent } from '../protocol/messages';
import { createDisplayApi, type DisplayEvent } from './display-api';
import { toMimeBundle } from '../display/mime-bundle';
import { timelineBundle } from '../display/timeline';
import { describeThrown, formatCompileError, formatError } from '../display/traceback';
import { CellClock } from './timing/cell-clock';
import { formatTimes } from './timing/time-magics';
import { CellRegistry } from './cell-registry';
import { type CommCommand, type ExecuteCommand, type ExecutorCommand, type InputReplyCommand } from '../common/executor-messages';
import { flushEvents, writeEvent } from './event-writer';
import { createInput } from './input-prompt';
import { createComms } from './comm-api';
import { captureOutput as captureInWidget } from './widgets/output-widget';
import { createWidgetApi } from './widgets/widget-api';
import type { MeasuredRun } from './widgets/interact';
import { InterruptGuard } from './interrupt-guard';
import { trapProcessExit } from './process-exit';
import { ReplEvaluator } from './repl-evaluator';
import { capturedFrames, installStackCapture, isInternal } from './stack-capture';
import { installMagicRuntime } from './magic-runtime';
import { expandMagics, MagicUsageError } from '../common/magics';
import { CellSyntaxError, IMPORT_HELPER, transpileCell } from './transpile';

/** The execute_request whose code is running now, or whose code started this async chain. */
const origin = new AsyncLocalStorage<string>();
const cells = new CellRegistry();
const guard = new InterruptGuard(interruptMemory, ioThread);
const evaluator = new ReplEvaluator(guard);
const kernelRoot = resolve(__dirname, '..');
// Lanes are named after the user's code: the cells and the files they import, not node's, Tempo's or a package's.
const clock = new CellClock(origin, (file) => file !== '' && !isInternal(file, kernelRoot) && !file.includes('/node_modules/'));
const settings = installMagicRuntime(process.argv[2]);
let lastParent = '';
/** The running cell's `%%timeline`: interact runs it starts draw charts too. */
let cellTimeline = false;
/** Cells and interact runs, one at a time, in order. */
let queue = Promise.resolve();
/** While a cell runs: what must run after its code and before its reply (interact's first run). */
let cellTail: (() => Promise<void>)[] | undefined;

const currentParent = (): string => origin.getStore() ?? lastParent;

function captureOutput(name: 'stdout' | 'stderr'): void {
  const stream = process[name];
  stream.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done as () => void);
    // Writing nothing shows nothing (execSync writes a child's empty stderr): no empty output box.
    if (text === '') return true;
    if (!captureInWidget({ type: 'stream', name, text })) writeEvent({ type: 'stream', parent: currentParent(), name, text });
    clock.mark(text);
    return true;
  }) as typeof stream.write;
}

/**
 * node's global console also reports each call to the inspector once a session is connected (the
 * REPL evaluator's is), which cost 3 µs a line, half of printing one. A console of its own class
 * writes to the same streams and nothing else. ignoreErrors false: it then calls write(text) alone,
 * without the error listener and callback it otherwise adds per call (captured streams never fail);
 * colorMode false is what 'auto' finds on the executor's pipes, without asking on every call.
 */
function installPlainConsole(): void {
  const plain = new Console({ stdout: process.stdout, stderr: process.stderr, ignoreErrors: false, colorMode: false });
  globalThis.console = Object.assign(plain, { Console });
}

/** Names the notebook's folder as the importer, so `import "pkg"` finds its node_modules. */
function installModuleLoading(): void {
  const base = join(resolve('.'), '[notebook]');
  const globals = globalThis as Record<string, unknown>;
  globals.require = createRequire(base);
  const load = new Script('(specifier) => import(specifier)', {
    filename: base,
    importModuleDynamically: vmConstants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  }).runInThisContext() as (specifier: string) => Promise<unknown>;
  // `import { display } from "tempo"` names the notebook globals, for editors that want imports.
  globals[IMPORT_HELPER] = (specifier: string) => (specifier === 'tempo' ? Promise.resolve(notebookGlobals) : load(specifier));
}

function errorContent(thrown: unknown, preface?: string): ErrorContent {
  const { name, message } = describeThrown(thrown);
  const content = formatError(name, message, capturedFrames(thrown));
  if (preface) content.traceback.unshift(preface);
  return content;
}


async function execute(command: ExecuteCommand): Promise<void> {
  lastParent = command.parent;
  guard.cell = command.cell;
  let error: ErrorContent | undefined;
  let measured: ReturnType<CellClock['end']>;
  try {
    const { source, cellMagic } = expandMagics(command.code);
    const { code, map } = transpileCell(source, command.cellName);
    // Tracebacks quote what the user wrote; magic lines were rewritten in place, so lines match.
    cells.add(command.cellName, command.code, map);
    cellTimeline = cellMagic === 'timeline';
    cellTail = [];
    clock.begin(command.parent, cellMagic === 'timeline' || settings.timeline);
    const running = origin.run(command.parent, () => evaluator.evaluate(code, command.cellName));
    clock.syncDone();
    const evaluation = await running;
    measured = clock.end();
    if (cellMagic === 'time' && measured) {
      const { cpuUserMs, cpuSystemMs, wallMs } = measured.timing;
      writeEvent({ type: 'stream', parent: command.parent, name: 'stdout', text: formatTimes(cpuUserMs, cpuSystemMs, wallMs) });
    }
    if (!evaluation.ok) error = errorContent(evaluation.error);
    else if (evaluation.value !== undefined) writeEvent({ type: 'result', parent: command.parent, data: toMimeBundle(evaluation.value) });
  } catch (thrown) {
    measured ??= clock.end();
    error = compileError(command, thrown);
  }
  const timedByRuns = await runCellTail();
  const userExpressions = error ? {} : await evaluateUserExpressions(command);
  const timeline = measured?.timeline ? timelineBundle(measured.timeline) : undefined;
  writeEvent({ type: 'done', parent: command.parent, error, userExpressions, timing: measured?.timing, timeline, timedByRuns, settings: { ...settings } });
}

/** What the cell asked to run after its code (interact's first run), each measured on its own; whether there was any. */
async function runCellTail(): Promise<boolean> {
  const tail = cellTail ?? [];
  const ran = tail.length > 0;
  for (let task = tail.shift(); task; task = tail.shift()) await task().catch((thrown: unknown) => reportLateError('Error in an interact run:', thrown));
  cellTail = undefined;
  cellTimeline = false;
  return ran;
}

/** After the running cell's code, or next in line when none runs. */
function schedule(task: () => Promise<void>): void {
  if (cellTail) cellTail.push(task);
  else queue = queue.then(task).catch((thrown: unknown) => reportLateError('Error in an interact run:', thrown));
}

let runs = 0;

/**
 * Runs `fn` as a unit of its own for the clock. It gets an origin of its own, so the clock counts
 * what `fn` starts and not the promises of the machinery awaiting it, which belong to the request
 * that caused the run (a cell, a slider's message). What it prints goes to its Output widget.
 */
async function measureRun(fn: () => unknown, timeline: boolean): Promise<MeasuredRun> {
  const parent = `${currentParent()}/run-${++runs}`;
  clock.begin(parent, timeline);
  const running = origin.run(parent, async () => fn());
  clock.syncDone();
  const outcome: MeasuredRun = await running.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
  const measured = clock.end();
  return { ...outcome, timing: measured?.timing, timeline: measured?.timeline };
}

function compileError(command: ExecuteCommand, thrown: unknown): ErrorContent {
  if (thrown instanceof CellSyntaxError) return formatCompileError('SyntaxError', command.cellName, command.code, thrown.position.line, thrown.position.column, thrown.message);
  if (thrown instanceof MagicUsageError) return formatCompileError('UsageError', command.cellName, command.code, thrown.line ?? 1, 0, thrown.message);
  return errorContent(thrown);
}

/** messaging spec: user_expressions are evaluated after the code, each with its own status. */
async function evaluateUserExpressions(command: ExecuteCommand): Promise<Record<string, unknown>> {
  const results: Record<string, unknown> = {};
  for (const [key, expression] of Object.entries(command.userExpressions)) {
    const evaluation = await origin.run(command.parent, () => evaluator.evaluate(expression, '<user expression>'));
    results[key] = evaluation.ok
      ? { status: 'ok', data: toMimeBundle(evaluation.value), metadata: {} }
      : { status: 'error', ...errorContent(evaluation.error) };
  }
  return results;
}

/** The globals a notebook uses without importing anything: display, html``, md``, svg``, progress, input. */
let notebookGlobals: Record<string, unknown> = {};

/** Installs the globals; returns what answers the kernel's input replies and comm messages. */
function installNotebookGlobals(): { answerInput: (reply: InputReplyCommand) => void; handleComm: (command: CommCommand) => void } {
  // Inside an Output widget's capture, displays land in the widget; elsewhere they go to the kernel.
  const emitDisplay = (event: DisplayEvent): void => {
    if (!captureInWidget(event)) writeEvent({ ...event, parent: currentParent() });
  };
  const api = createDisplayApi(emitDisplay);
  const { input, answer } = createInput((id, prompt, password) => writeEvent({ type: 'input_request', parent: currentParent(), id, prompt, password }));
  const log = (text: string): void => writeEvent({ type: 'log', text });
  const { comms, handle } = createComms((event) => writeEvent({ ...event, parent: currentParent() }), log);
  const { widgets, interact } = createWidgetApi({
    comms,
    log,
    schedule,
    measure: measureRun,
    display: (value, displayId) => emitDisplay({ type: 'display', data: toMimeBundle(value), displayId }),
    updateDisplay: (value, displayId) => emitDisplay({ type: 'update_display', data: toMimeBundle(value), displayId }),
    errorContent: (thrown) => errorContent(thrown),
    settings: () => ({ timing: settings.timing, timeline: settings.timeline || cellTimeline }),
  });
  notebookGlobals = { ...api, input, comms, widgets, interact };
  Object.assign(globalThis, notebookGlobals);
  // A front end's comm message runs its handler with that message as the parent of what it prints.
  const handleComm = (command: CommCommand): void => {
    try {
      origin.run(command.parent, () => handle(command));
    } catch (thrown) {
      writeEvent({ type: 'error', parent: command.parent, error: errorContent(thrown, `Error in the handler of comm ${command.comm_id}:`) });
    } finally {
      writeEvent({ type: 'comm_done', parent: command.parent });
    }
  };
  return { answerInput: answer, handleComm };
}

function reportLateError(kind: string, thrown: unknown): void {
  const error = errorContent(thrown, kind);
  if (!captureInWidget({ type: 'error', error })) writeEvent({ type: 'error', parent: currentParent(), error });
}

function main(): void {
  installStackCapture(cells, kernelRoot);
  captureOutput('stdout');
  captureOutput('stderr');
  installPlainConsole();
  installModuleLoading();
  const { answerInput, handleComm } = installNotebookGlobals();
  // Errors outside any cell's await chain would otherwise end the process: report them under the
  // cell that started the chain (AsyncLocalStorage follows timers and promises) and carry on.
  process.on('uncaughtException', (thrown) => reportLateError('Uncaught exception in a callback:', thrown));
  process.on('unhandledRejection', (reason) => reportLateError('Unhandled promise rejection (nobody awaited or caught it):', reason));
  // An interrupt that finds no synchronous code of its cell running: stop the cell's pending await.
  guard.onInterrupt = () => evaluator.interrupt();
  const exit = trapProcessExit(flushEvents);
  // The kernel is gone (even if it was killed): nothing is left to serve.
  process.on('disconnect', () => exit(0));

  process.on('message', (command: ExecutorCommand) => {
    // Answers to input() and comm messages come while a cell may still run: they cannot wait in the queue.
    if (command.type === 'input_reply') answerInput(command);
    else if (command.type === 'comm') handleComm(command);
    else queue = queue.then(() => execute(command));
  });
  writeEvent({ type: 'ready' });
}

main();
