import { DISPLAY_SYMBOL } from '../../display/mime-bundle';
import { timelineBundle } from '../../display/timeline';
import { timingBundle } from '../../display/timing-line';
import type { ErrorContent, MimeBundle } from '../../protocol/messages';
import type { CellTiming, TimelineData } from '../../common/timeline-data';
import { Box, Checkbox, Dropdown, Slider, Text, ValueWidget } from './controls';
import { OutputWidget } from './output-widget';
import type { WidgetHost } from './widget-model';

/** How a control is asked for: `[min, max]` or `[min, max, step]` a slider, a list a dropdown, a boolean a checkbox, a string a text box, or a widget itself. */
export type ControlSpec = readonly [number, number] | readonly [number, number, number] | readonly unknown[] | boolean | number | string | ValueWidget<unknown>;

/** The value a control of that spec gives the function. */
export type ValueOf<S> = S extends ValueWidget<infer V> ? V : S extends boolean ? boolean : S extends readonly [number, number] | readonly [number, number, number] ? number : S extends readonly (infer T)[] ? T : S extends number ? number : S extends string ? string : never;

export type ValuesOf<S> = { -readonly [K in keyof S]: ValueOf<S[K]> };

export interface InteractOptions {
  /** Draw each run's event-loop timeline (default: as `%timeline` or the cell's `%%timeline` says). */
  timeline?: boolean;
  /** Show each run's timing line (default: as `%timing` says). */
  timing?: boolean;
}

/** A run measured on its own: what the function returned or threw, and its clock's figures. */
export interface MeasuredRun {
  ok: boolean;
  value?: unknown;
  error?: unknown;
  timing?: CellTiming;
  timeline?: TimelineData;
}

/** What interact needs from the executor. */
export interface InteractHost {
  widgets: WidgetHost;
  /** Runs `task` after the running cell's code and before its reply; with no cell running, next in line. */
  schedule(task: () => Promise<void>): void;
  /** Calls `fn` as a unit of its own for the clock (timing line, timeline), under the request that caused it. */
  measure(fn: () => unknown, timeline: boolean): Promise<MeasuredRun>;
  /** Shows a value, under `displayId` if given. */
  display(value: unknown, displayId?: string): void;
  /** Replaces what `displayId` shows. */
  updateDisplay(value: unknown, displayId: string): void;
  errorContent(thrown: unknown): ErrorContent;
  /** `%timing`, `%timeline` and the running cell's `%%timeline`, now. */
  settings(): { timing: boolean; timeline: boolean };
}

/** Slider moves arrive many a second; a run starts once they pause this long. */
const DEBOUNCE_MS = 100;

const midpoint = (min: number, max: number, step: number): number => min + Math.round((max - min) / 2 / step) * step;

function controlFor(host: WidgetHost, description: string, spec: ControlSpec): ValueWidget<unknown> {
  if (spec instanceof ValueWidget) {
    // A control passed in without a label is labelled with its name, as the built ones are.
    if (spec.description === '') spec.description = description;
    return spec;
  }
  if (typeof spec === 'boolean') return new Checkbox(host, { description, value: spec });
  if (typeof spec === 'string') return new Text(host, { description, value: spec });
  if (typeof spec === 'number') {
    const span = spec === 0 ? 1 : Math.abs(spec);
    return new Slider(host, { description, min: spec - 2 * span, max: spec + 2 * span, value: spec, step: Number.isInteger(spec) ? 1 : span / 10 });
  }
  const isRange = (spec.length === 2 || spec.length === 3) && spec.every((n) => typeof n === 'number');
  if (isRange) {
    const [min, max, step = 1] = spec as readonly number[];
    return new Slider(host, { description, min, max, step, value: midpoint(min, max, step) });
  }
  return new Dropdown(host, { description, options: spec as readonly unknown[] });
}

const shortValue = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : String(value));

/**
 * `interactive(fn, { jobs: [1, 50] })`: a VBox of controls built from the specs and an Output
 * widget. `fn` runs once with the controls' values, then again whenever one changes (after
 * DEBOUNCE_MS of quiet); each run replaces the last one's output and ends with its own timing
 * line, and its timeline when asked. Runs never overlap each other or a cell.
 */
export class Interactive<S extends Record<string, ControlSpec>> extends Box {
  readonly controls: { [K in keyof S]: ValueWidget<ValueOf<S[K]>> };
  readonly output: OutputWidget;
  private readonly made: ValueWidget<unknown>[];
  /** Stops following the controls, the caller's own too, when it closes. */
  private readonly unobserve: (() => void)[];
  private debounce: NodeJS.Timeout | undefined;
  private queued = false;
  private runs = 0;
  /** A `%%timeline` cell that made it asked for charts: its runs keep drawing them. */
  private readonly madeUnderTimeline: boolean;
  /** When interact displayed it: after the first run its text copy is brought up to date. */
  displayId: string | undefined;

  constructor(
    private readonly interactHost: InteractHost,
    private readonly fn: (values: ValuesOf<S>) => unknown,
    specs: S,
    private readonly options: InteractOptions = {},
  ) {
    const entries = Object.entries(specs).map(([name, spec]) => [name, controlFor(interactHost.widgets, name, spec)] as const);
    const output = new OutputWidget(interactHost.widgets);
    super(interactHost.widgets, 'VBox', [...entries.map(([, control]) => control), output]);
    this.controls = Object.fromEntries(entries) as { [K in keyof S]: ValueWidget<ValueOf<S[K]>> };
    this.output = output;
    this.made = entries.filter(([name]) => !(specs[name] instanceof ValueWidget)).map(([, control]) => control);
    this.madeUnderTimeline = interactHost.settings().timeline;
    this.unobserve = entries.map(([, control]) => control.observe(() => this.rerun()));
    this.queue();
  }

  /** The controls' current values, as `fn` receives them. */
  values(): ValuesOf<S> {
    return Object.fromEntries(Object.entries(this.controls).map(([name, control]) => [name, control.value])) as ValuesOf<S>;
  }

  /** Closes the controls it made, its output and itself. */
  override close(): void {
    clearTimeout(this.debounce);
    for (const stop of this.unobserve) stop();
    for (const control of this.made) control.close();
    this.output.close();
    super.close();
  }

  private rerun(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.queue(), DEBOUNCE_MS);
  }

  /** One run in line at most: the values it reads are those when it starts. */
  private queue(): void {
    if (this.queued || this.closed) return;
    this.queued = true;
    this.interactHost.schedule(async () => {
      this.queued = false;
      if (!this.closed) await this.run();
    });
  }

  private async run(): Promise<void> {
    const values = this.values();
    const settings = this.interactHost.settings();
    const timeline = this.options.timeline ?? (this.madeUnderTimeline || settings.timeline);
    this.runs += 1;
    this.output.clear();
    await this.output.capture(async () => {
      const run = await this.interactHost.measure(() => this.fn(values), timeline);
      if (!run.ok) this.output.take({ type: 'error', error: this.interactHost.errorContent(run.error) });
      else if (run.value !== undefined) this.interactHost.display(run.value);
      if (run.timeline) this.interactHost.display(mime(timelineBundle(run.timeline)));
      const label = Object.entries(values).map(([name, value]) => `${name}=${shortValue(value)}`).join(', ');
      if (run.timing && (this.options.timing ?? settings.timing)) this.interactHost.display(mime(timingBundle(run.timing, label)));
    });
    if (this.runs === 1 && this.displayId) {
      this.fallback = { 'text/plain': this.output.text(), 'text/html': this.output.html() };
      this.interactHost.updateDisplay(this, this.displayId);
    }
  }
}

/** A value that shows as `bundle`. */
function mime(bundle: MimeBundle): object {
  return { [DISPLAY_SYMBOL]: () => bundle };
}
