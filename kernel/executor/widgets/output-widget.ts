import { AsyncLocalStorage } from 'node:async_hooks';
import { escapeHtml } from '../../display/html';
import type { ErrorContent, MimeBundle } from '../../protocol/messages';
import { WidgetModel, type WidgetHost } from './widget-model';

/** Output as the executor produces it; inside a capture it lands in an Output widget instead. */
export type CapturableOutput =
  | { type: 'stream'; name: 'stdout' | 'stderr'; text: string }
  | { type: 'display'; data: MimeBundle; displayId?: string }
  | { type: 'update_display'; data: MimeBundle; displayId: string }
  | { type: 'clear_output'; wait: boolean }
  | { type: 'error'; error: ErrorContent };

/** nbformat's output shapes, as the Output widget's `outputs` attribute holds them. */
type NbOutput =
  | { output_type: 'stream'; name: string; text: string }
  | { output_type: 'display_data'; data: MimeBundle; metadata: Record<string, unknown> }
  | ({ output_type: 'error' } & ErrorContent);

/** Updates per second to the front end at most while a capture runs; its end always sends the last. */
const SYNC_INTERVAL_MS = 50;

/** The Output widget whose capture the running code is inside, followed through its awaits and timers. */
const capturing = new AsyncLocalStorage<OutputWidget>();

/** Sends `output` to the capturing Output widget, if any; false when nothing captures it. */
export function captureOutput(output: CapturableOutput): boolean {
  const widget = capturing.getStore();
  return widget !== undefined && !widget.closed && widget.take(output);
}

/**
 * The Output widget (@jupyter-widgets/output 1.0). What a function prints and displays inside
 * `capture` is kept here, in the kernel, and sent as the `outputs` attribute: it shows the same
 * in every front end, survives a page reload, and gives front ends without widgets a text copy.
 */
export class OutputWidget extends WidgetModel {
  private readonly outputs: NbOutput[] = [];
  /** display_id of each output, for update_display inside the capture. */
  private readonly displayIds: (string | undefined)[] = [];
  private clearOnNext = false;
  private running = 0;
  private lastSync = 0;
  private dirty = false;

  constructor(host: WidgetHost) {
    super(host, 'OutputModel');
  }

  /** Runs `fn` with what it prints and displays going here, also what its timers and awaits print later. */
  capture<T>(fn: () => T): T {
    this.running += 1;
    let result: T;
    try {
      result = capturing.run(this, fn);
    } catch (error) {
      this.settled();
      throw error;
    }
    if (result instanceof Promise) return result.finally(() => this.settled()) as T;
    this.settled();
    return result;
  }

  /** Empties it now, or with `wait`, when the next output arrives. */
  clear(options: { wait?: boolean } = {}): void {
    if (options.wait) {
      this.clearOnNext = true;
      return;
    }
    if (this.outputs.length === 0) return;
    this.outputs.length = 0;
    this.displayIds.length = 0;
    this.changed();
  }

  /** What it holds, as text: stream text and each display's plain text. */
  text(): string {
    return this.outputs.map((output) => (output.output_type === 'stream' ? output.text : output.output_type === 'error' ? `${output.ename}: ${output.evalue}\n` : `${String(output.data['text/plain'] ?? '')}\n`)).join('');
  }

  /** What it holds, as HTML for front ends without widgets: the richest form each output has. */
  html(): string {
    return this.outputs
      .map((output) => {
        if (output.output_type === 'display_data') {
          const rich = output.data['text/html'] ?? output.data['image/svg+xml'];
          if (typeof rich === 'string') return rich;
          return `<pre>${escapeHtml(String(output.data['text/plain'] ?? ''))}</pre>`;
        }
        const text = output.output_type === 'stream' ? output.text : `${output.ename}: ${output.evalue}`;
        return `<pre>${escapeHtml(text)}</pre>`;
      })
      .join('');
  }

  /** @internal Called by captureOutput. */
  take(output: CapturableOutput): boolean {
    if (output.type === 'update_display') {
      const index = this.displayIds.indexOf(output.displayId);
      if (index < 0) return false;
      this.outputs[index] = { output_type: 'display_data', data: output.data, metadata: {} };
      this.changed();
      return true;
    }
    if (output.type === 'clear_output') {
      this.clear({ wait: output.wait });
      return true;
    }
    if (this.clearOnNext) {
      this.clearOnNext = false;
      this.outputs.length = 0;
      this.displayIds.length = 0;
    }
    const last = this.outputs[this.outputs.length - 1];
    if (output.type === 'stream' && last?.output_type === 'stream' && last.name === output.name) last.text += output.text;
    else {
      this.outputs.push(output.type === 'stream' ? { output_type: 'stream', name: output.name, text: output.text } : output.type === 'display' ? { output_type: 'display_data', data: output.data, metadata: {} } : { output_type: 'error', ...output.error });
      this.displayIds.push(output.type === 'display' ? output.displayId : undefined);
    }
    this.changed();
    return true;
  }

  private settled(): void {
    this.running -= 1;
    if (this.dirty) this.sync();
  }

  /** Sends at once, unless a capture is running and sent less than SYNC_INTERVAL_MS ago: its end sends the rest. */
  private changed(): void {
    this.dirty = true;
    if (this.running === 0 || performance.now() - this.lastSync >= SYNC_INTERVAL_MS) this.sync();
  }

  private sync(): void {
    this.dirty = false;
    this.lastSync = performance.now();
    this.set({ outputs: this.outputs.map((output) => ({ ...output })) });
  }
}
