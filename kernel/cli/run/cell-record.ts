import type { Message } from '../../protocol/messages';
import { splitLines, type NotebookCell, type NotebookOutput } from './notebook-file';

/**
 * How a cell ended. `error` covers a cell tagged raises-exception too (then `allowed`); `timeout`
 * is `--timeout` interrupting it; `stopped` is a second Ctrl-C giving up on it.
 */
export type CellStatus = 'ok' | 'error' | 'interrupted' | 'timeout' | 'stopped' | 'not run';

/** The five times JupyterLab records per cell (its "record timing" setting) under metadata.execution. */
type ExecutionTimes = Partial<Record<'iopub.status.busy' | 'iopub.execute_input' | 'shell.execute_reply.started' | 'shell.execute_reply' | 'iopub.status.idle', string>>;

/** Media types whose string values nbformat stores as a list of lines. */
const isTextMime = (mime: string): boolean => mime.startsWith('text/') || mime === 'image/svg+xml' || (mime.startsWith('application/') && !mime.endsWith('json'));

function storedData(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).map(([mime, value]) => [mime, typeof value === 'string' && isTextMime(mime) ? splitLines(value) : value]));
}

/** Turns an IOPub output message into the nbformat output Jupyter would store, or undefined. */
export function toNotebookOutput(message: Message): NotebookOutput | undefined {
  const content = message.content as Record<string, unknown>;
  const data = (content.data ?? {}) as Record<string, unknown>;
  const metadata = (content.metadata ?? {}) as Record<string, unknown>;
  switch (message.header.msg_type) {
    case 'stream':
      return { output_type: 'stream', name: String(content.name), text: String(content.text) };
    case 'execute_result':
      return { output_type: 'execute_result', execution_count: typeof content.execution_count === 'number' ? content.execution_count : null, data, metadata };
    case 'display_data':
      return { output_type: 'display_data', data, metadata };
    case 'error':
      return { output_type: 'error', ename: String(content.ename), evalue: String(content.evalue), traceback: Array.isArray(content.traceback) ? content.traceback.map(String) : [] };
    default:
      return undefined;
  }
}

/**
 * One code cell's run: its outputs as JupyterLab keeps them (consecutive stream outputs of one
 * name merged, clear_output and update_display_data applied), its count, times and status.
 */
export class CellRecord {
  readonly outputs: NotebookOutput[] = [];
  /** The execute_request's msg_id, once the kernel has answered to it: late output names it as parent. */
  msgId: string | undefined;
  readonly times: ExecutionTimes = {};
  executionCount: number | null = null;
  status: CellStatus = 'not run';
  /** The cell failed but is tagged raises-exception, so the run goes on. */
  allowed = false;
  wallMs: number | undefined;
  blockedMs: number | undefined;
  private readonly displayIds = new Map<number, string>();
  /** Outputs updated in place since they were shown (a progress bar, an interact's first run). */
  private readonly updated = new Set<NotebookOutput>();
  private clearPending = false;

  constructor(readonly number: number, readonly cell: NotebookCell) {}

  /**
   * Takes every IOPub message of this execution, also those that come after it finished; returns
   * the output it added, if any. update_display_data is not here: it may change any cell's display.
   */
  onIopub(message: Message): NotebookOutput | undefined {
    const content = message.content as Record<string, unknown>;
    const type = message.header.msg_type;
    this.msgId ??= (message.parent_header as { msg_id?: string }).msg_id;
    if (type === 'status' && content.execution_state === 'busy') this.times['iopub.status.busy'] = message.header.date;
    else if (type === 'status' && content.execution_state === 'idle') this.times['iopub.status.idle'] = message.header.date;
    else if (type === 'execute_input') {
      this.times['iopub.execute_input'] = message.header.date;
      if (typeof content.execution_count === 'number') this.executionCount = content.execution_count;
    } else if (type === 'clear_output') {
      if (content.wait === true) this.clearPending = true;
      else this.clear();
    } else if (type !== 'update_display_data') {
      const output = toNotebookOutput(message);
      if (!output) return undefined;
      if (this.clearPending) this.clear();
      this.add(output, (content.transient as { display_id?: string } | undefined)?.display_id);
      return output;
    }
    return undefined;
  }

  /** An update_display_data from any cell: replaces this cell's outputs that show that display id, as JupyterLab does. */
  updateDisplay(message: Message): void {
    const content = message.content as Record<string, unknown>;
    const id = (content.transient as { display_id?: string } | undefined)?.display_id;
    for (const [index, displayId] of this.displayIds) {
      const output = this.outputs[index];
      if (displayId === id && output && 'data' in output) {
        Object.assign(output, { data: storedData(content.data as Record<string, unknown>), metadata: content.metadata ?? {} });
        this.updated.add(output);
      }
    }
  }

  /** The outputs updated in place since the last call, in their final state. */
  takeUpdated(): NotebookOutput[] {
    const outputs = this.outputs.filter((output) => this.updated.has(output));
    this.updated.clear();
    return outputs;
  }

  onReply(reply: Message): void {
    const started = reply.metadata.started;
    if (typeof started === 'string') this.times['shell.execute_reply.started'] = started;
    this.times['shell.execute_reply'] = reply.header.date;
    if (typeof reply.content.execution_count === 'number') this.executionCount = reply.content.execution_count;
    const timing = reply.metadata.timing as { wallMs?: unknown; blockedMs?: unknown } | undefined;
    if (typeof timing?.wallMs === 'number') this.wallMs = timing.wallMs;
    if (typeof timing?.blockedMs === 'number') this.blockedMs = timing.blockedMs;
  }

  /** Writes this run into the notebook cell, in the shape nbformat 4.5 stores. */
  storeInto(cell: NotebookCell): void {
    cell.outputs = this.outputs.map((output) => {
      if (output.output_type === 'stream') return { ...output, text: splitLines(String(output.text)) };
      if (output.output_type === 'error') return output;
      return { ...output, data: storedData(output.data) };
    });
    cell.execution_count = this.executionCount;
    const known = Object.fromEntries(Object.entries(this.times).filter(([, value]) => typeof value === 'string'));
    cell.metadata = { ...cell.metadata, execution: known };
  }

  private add(output: NotebookOutput, displayId: string | undefined): void {
    const last = this.outputs[this.outputs.length - 1];
    // JupyterLab's output model appends to the previous output when both are the same stream.
    if (output.output_type === 'stream' && last?.output_type === 'stream' && last.name === output.name) {
      last.text = String(last.text) + String(output.text);
      return;
    }
    if (displayId !== undefined) this.displayIds.set(this.outputs.length, displayId);
    this.outputs.push({ ...output });
  }

  private clear(): void {
    this.outputs.length = 0;
    this.displayIds.clear();
    this.clearPending = false;
  }
}
