import { readFileSync } from 'node:fs';
import type { Message } from '../protocol/messages';
import { KernelClient } from '../client/kernel-client';

interface NotebookCell {
  cell_type: string;
  source: string | string[];
  metadata?: { tags?: string[] };
}

class UsageError extends Error {}

const stripAnsi = (text: string): string => text.replace(/\x1b\[[0-9;]*m/g, '');

function readNotebook(path: string): NotebookCell[] {
  let notebook: { cells?: unknown };
  try {
    notebook = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read notebook ${path}: ${(error as Error).message}`);
  }
  if (!Array.isArray(notebook.cells)) throw new UsageError(`${path} is not a Jupyter notebook (no cells)`);
  return (notebook.cells as NotebookCell[]).filter((cell) => cell.cell_type === 'code');
}

const sourceOf = (cell: NotebookCell): string => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);

/** Prints one output as it arrives, in its text form. */
function printOutput(message: Message, color: boolean): void {
  const content = message.content as Record<string, unknown>;
  switch (message.header.msg_type) {
    case 'stream':
      (content.name === 'stderr' ? process.stderr : process.stdout).write(String(content.text));
      break;
    case 'execute_result':
    case 'display_data': {
      const data = content.data as Record<string, unknown>;
      if (typeof data['text/plain'] === 'string') process.stdout.write(`${data['text/plain']}\n`);
      break;
    }
    case 'error': {
      const traceback = (content.traceback as string[]).join('\n');
      process.stdout.write(`${color ? traceback : stripAnsi(traceback)}\n`);
      break;
    }
  }
}

/**
 * `tempo run NOTEBOOK`: runs every code cell through a real Tempo kernel and prints outputs as
 * they stream. Exit 0 when all cells succeed, 1 when one fails (unless tagged raises-exception),
 * 2 for bad usage. Ctrl-C interrupts the running cell; a second Ctrl-C stops the run.
 */
export async function runNotebook(args: string[]): Promise<number> {
  const color = process.stdout.isTTY === true && !args.includes('--no-color');
  const paths = args.filter((arg) => !arg.startsWith('--'));
  if (paths.length !== 1) throw new UsageError('tempo run takes one NOTEBOOK.ipynb');
  const cells = readNotebook(paths[0]);
  const client = new KernelClient();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts += 1;
    if (interrupts === 1) client.interrupt();
    else void client.shutdown().then(() => process.exit(130));
  };
  process.on('SIGINT', onSigint);
  const summary: { cell: number; status: string; seconds: number }[] = [];
  try {
    await client.start();
    for (const [index, cell] of cells.entries()) {
      const source = sourceOf(cell);
      process.stdout.write(`\n${color ? '\x1b[1;32m' : ''}In [${index + 1}]:${color ? '\x1b[0m' : ''} ${source.split('\n').join('\n        ')}\n\n`);
      const started = performance.now();
      const reply = await client.execute(source, (message) => printOutput(message, color));
      const status = String(reply.content.status);
      summary.push({ cell: index + 1, status, seconds: (performance.now() - started) / 1000 });
      if (status !== 'ok' && !cell.metadata?.tags?.includes('raises-exception')) break;
    }
  } finally {
    process.off('SIGINT', onSigint);
    await client.shutdown();
  }
  printSummary(summary, cells.length);
  const failed = summary.some((row, i) => row.status !== 'ok' && !cells[i].metadata?.tags?.includes('raises-exception'));
  return failed ? 1 : 0;
}

function printSummary(rows: { cell: number; status: string; seconds: number }[], total: number): void {
  process.stdout.write(`\ncell  status  wall\n`);
  for (const row of rows) process.stdout.write(`${String(row.cell).padStart(4)}  ${row.status.padEnd(6)}  ${row.seconds.toFixed(3)} s\n`);
  process.stdout.write(`${rows.length} of ${total} cells run\n`);
}

export function isUsageError(error: unknown): error is UsageError {
  return error instanceof UsageError;
}
