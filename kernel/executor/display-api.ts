import { uniqueId } from '../display/unique-id';
import type { MimeBundle } from '../protocol/messages';
import { DISPLAY_SYMBOL, toMimeBundle } from '../display/mime-bundle';
import { formatDuration } from '../display/timing-line';

/** What the display API asks the executor to send; it stamps the current cell as parent. */
export type DisplayEvent =
  | { type: 'display'; data: MimeBundle; displayId?: string }
  | { type: 'update_display'; data: MimeBundle; displayId: string }
  | { type: 'clear_output'; wait: boolean };

export interface DisplayHandle {
  readonly displayId: string;
  update(value: unknown): void;
  clear(): void;
}

/** A value that renders as `bundle` wherever it is shown: displayed, or a cell's last value. */
function renderable(bundle: MimeBundle): object {
  return { [DISPLAY_SYMBOL]: () => bundle, toString: () => String(bundle['text/plain'] ?? '') };
}

const stripTags = (html: string): string => html.replace(/<[^>]*>/g, '').trim();

/** `html\`<b>${x}</b>\`` joins a tagged template the way an untagged one would. */
function joinTemplate(strings: TemplateStringsArray | string, values: unknown[]): string {
  if (typeof strings === 'string') return strings;
  return strings.reduce((out, part, i) => out + part + (i < values.length ? String(values[i]) : ''), '');
}

function base64Of(data: Uint8Array | string): string {
  return typeof data === 'string' ? data : Buffer.from(data).toString('base64');
}

/**
 * The notebook's display API (`display`, `html`, `md`, `svg`, `clearOutput`, `progress`), in the
 * shape of Deno's so notebooks written for it show the same. `emit` sends to the kernel.
 */
export function createDisplayApi(emit: (event: DisplayEvent) => void) {
  const bundles = {
    html: (html: string): MimeBundle => ({ 'text/html': html, 'text/plain': stripTags(html) }),
    markdown: (markdown: string): MimeBundle => ({ 'text/markdown': markdown, 'text/plain': markdown }),
    svg: (svg: string): MimeBundle => ({ 'image/svg+xml': svg, 'text/plain': '<svg image>' }),
  };

  function show(bundle: MimeBundle, options: { id?: boolean | string } = {}): DisplayHandle | undefined {
    if (!options.id) {
      emit({ type: 'display', data: bundle });
      return undefined;
    }
    const displayId = typeof options.id === 'string' ? options.id : uniqueId();
    emit({ type: 'display', data: bundle, displayId });
    return {
      displayId,
      update: (value) => emit({ type: 'update_display', data: toMimeBundle(value), displayId }),
      clear: () => emit({ type: 'update_display', data: { 'text/plain': '' }, displayId }),
    };
  }

  // With an id, display() returns the handle for sure (typed so, for the checker); without, nothing.
  function displayValue(value: unknown, options: { id: true | string }): DisplayHandle;
  function displayValue(value: unknown, options?: { id?: false }): undefined;
  function displayValue(value: unknown, options?: { id?: boolean | string }): DisplayHandle | undefined {
    return show(toMimeBundle(value), options);
  }
  const display = Object.assign(displayValue, {
    html: (html: string, options?: { id?: boolean | string }) => show(bundles.html(html), options),
    markdown: (markdown: string, options?: { id?: boolean | string }) => show(bundles.markdown(markdown), options),
    svg: (svg: string, options?: { id?: boolean | string }) => show(bundles.svg(svg), options),
    png: (data: Uint8Array | string, options?: { id?: boolean | string }) => show({ 'image/png': base64Of(data), 'text/plain': '<PNG image>' }, options),
    jpeg: (data: Uint8Array | string, options?: { id?: boolean | string }) => show({ 'image/jpeg': base64Of(data), 'text/plain': '<JPEG image>' }, options),
    json: (value: unknown, options?: { id?: boolean | string }) => show({ 'application/json': value, 'text/plain': JSON.stringify(value, null, 2) }, options),
    text: (text: string, options?: { id?: boolean | string }) => show({ 'text/plain': text }, options),
    mime: (bundle: MimeBundle, options?: { id?: boolean | string }) => show(bundle, options),
  });

  const tag =
    (make: (text: string) => MimeBundle) =>
    (strings: TemplateStringsArray | string, ...values: unknown[]) =>
      renderable(make(joinTemplate(strings, values)));

  return {
    display,
    html: tag(bundles.html),
    md: tag(bundles.markdown),
    svg: tag(bundles.svg),
    clearOutput: (options: { wait?: boolean } = {}) => emit({ type: 'clear_output', wait: options.wait === true }),
    progress: createProgress(show),
  };
}

/** Updates per second at most, so 10,000 settling promises do not send 10,000 messages. */
const PROGRESS_UPDATE_MS = 50;

/** Settle times a finished bar lists; past them it says how many more. */
const SETTLED_LISTED = 10;

/** `settled at 0.20, 0.40, 0.60 s`: when each step came, so a saved notebook still shows the staircase. */
function settledText(settledMs: readonly number[]): string {
  if (settledMs.length === 0) return '';
  const seconds = settledMs[settledMs.length - 1] >= 1000 || settledMs.some((ms) => ms >= 100);
  const shown = settledMs.slice(0, SETTLED_LISTED).map((ms) => (seconds ? (ms / 1000).toFixed(2) : ms.toFixed(0)));
  const more = settledMs.length > SETTLED_LISTED ? `, … ${settledMs.length - SETTLED_LISTED} more` : '';
  return ` · settled at ${shown.join(', ')}${more} ${seconds ? 's' : 'ms'}`;
}

function progressBundle(label: string, done: number, total: number | undefined, elapsedMs: number, settledMs: readonly number[] | undefined): MimeBundle {
  const width = 20;
  const filled = total ? Math.round((done / total) * width) : 0;
  const count = total === undefined ? `${done}` : `${done}/${total}`;
  const time = formatDuration(elapsedMs);
  const end = settledMs ? ` · done${settledText(settledMs)}` : '';
  const text = `${label ? `${label} ` : ''}[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${count} · ${time}${end}`;
  const bar = total === undefined ? '<progress></progress>' : `<progress value="${done}" max="${total}"></progress>`;
  const html = `<div style="font-family: var(--jp-code-font-family, monospace); font-size: 12px">${label ? `${label} ` : ''}${bar} ${count} · ${time}${end}</div>`;
  return { 'text/plain': text, 'text/html': html };
}

function createProgress(show: (bundle: MimeBundle, options: { id: true }) => DisplayHandle | undefined) {
  /** A live bar; `step` counts one more, `finish` draws the final state. */
  function bar(label: string, total: number | undefined) {
    const started = performance.now();
    let done = 0;
    let lastDraw = 0;
    const settledMs: number[] = [];
    const handle = show(progressBundle(label, 0, total, 0, undefined), { id: true }) as DisplayHandle;
    const draw = (finished: boolean): void => {
      lastDraw = performance.now();
      handle.update(renderable(progressBundle(label, done, total, lastDraw - started, finished ? settledMs : undefined)));
    };
    return {
      step: () => {
        done += 1;
        settledMs.push(performance.now() - started);
        if (performance.now() - lastDraw >= PROGRESS_UPDATE_MS) draw(false);
      },
      finish: () => draw(true),
    };
  }

  const sizeOf = (items: unknown): number | undefined => {
    const sized = items as { length?: unknown; size?: unknown };
    return typeof sized.length === 'number' ? sized.length : typeof sized.size === 'number' ? sized.size : undefined;
  };

  /** `for await (const x of progress(items))`: a bar that advances as the loop does. */
  async function* progress<T>(items: Iterable<T> | AsyncIterable<T>, options: { label?: string } = {}): AsyncGenerator<T> {
    const live = bar(options.label ?? '', sizeOf(items));
    try {
      for await (const item of items as AsyncIterable<T>) {
        yield item;
        live.step();
      }
    } finally {
      live.finish();
    }
  }

  /** `await progress.all(promises)`: Promise.all with a bar of how many have settled. */
  async function all<T>(promises: Iterable<T | PromiseLike<T>>, options: { label?: string } = {}): Promise<Awaited<T>[]> {
    const list = [...promises];
    const live = bar(options.label ?? '', list.length);
    try {
      return await Promise.all(list.map((p) => Promise.resolve(p).finally(() => live.step())));
    } finally {
      live.finish();
    }
  }

  return Object.assign(progress, { all });
}
