import { WidgetModel, type Change, type WidgetHost } from './widget-model';

/** A widget with one value the reader changes: `.value` reads and assigns it, `.observe` follows it. */
export abstract class ValueWidget<V> extends WidgetModel {
  get value(): V {
    return this.readValue();
  }

  set value(value: V) {
    this.set(this.writeValue(value));
  }

  /** The label beside the control. */
  get description(): string {
    return String(this.state.description ?? '');
  }

  set description(text: string) {
    this.set({ description: text });
  }

  /** Calls `fn` whenever the value changes, from the front end or from code; returns what stops it. */
  observe(fn: (change: Change<V>) => void): () => void {
    return this.onChange((_keys, before) => {
      const old = this.readValue(before);
      const now = this.readValue();
      if (!Object.is(old, now)) fn({ name: 'value', old, new: now });
    });
  }

  protected abstract readValue(state?: Record<string, unknown>): V;
  protected abstract writeValue(value: V): Record<string, unknown>;
}

/** Attributes of the value widgets that read the same on every control. */
export interface ControlOptions {
  description?: string;
  disabled?: boolean;
  tooltip?: string;
}

export interface SliderOptions extends ControlOptions {
  min?: number;
  max?: number;
  /** A fractional step makes a FloatSlider; whole numbers an IntSlider. */
  step?: number;
  value?: number;
  continuous_update?: boolean;
}

/** IntSlider or FloatSlider (@jupyter-widgets/controls 2.0). */
export class Slider extends ValueWidget<number> {
  constructor(host: WidgetHost, options: SliderOptions = {}) {
    const isFloat = [options.step, options.min, options.max, options.value].some((n) => n !== undefined && !Number.isInteger(n));
    const min = options.min ?? 0;
    const max = options.max ?? 100;
    if (!(min <= max)) throw new RangeError(`slider: min (${min}) is above max (${max})`);
    const value = Math.min(max, Math.max(min, options.value ?? min));
    super(host, isFloat ? 'FloatSliderModel' : 'IntSliderModel', { ...options, min, max, value, step: options.step ?? (isFloat ? 0.1 : 1) });
  }

  protected readValue(state = this.state): number {
    return state.value as number;
  }

  protected writeValue(value: number): Record<string, unknown> {
    return { value: this.coerce('value', value) };
  }

  protected override coerce(name: string, value: unknown): unknown {
    if (name !== 'value' || typeof value !== 'number') return value;
    return Math.min(this.state.max as number, Math.max(this.state.min as number, value));
  }
}

export interface DropdownOptions<T> extends ControlOptions {
  /** The choices: values shown as themselves, or `[label, value]` pairs. */
  options: readonly (T | readonly [string, T])[];
  value?: T;
}

/** Dropdown: the front end knows labels and an index; the kernel maps the index to the value. */
export class Dropdown<T> extends ValueWidget<T> {
  private readonly values: T[];

  constructor(host: WidgetHost, options: DropdownOptions<T>) {
    const pairs = options.options.map((option) => (Array.isArray(option) && option.length === 2 && typeof option[0] === 'string' ? (option as readonly [string, T]) : ([String(option), option as T] as const)));
    if (pairs.length === 0) throw new RangeError('dropdown: options is empty');
    const index = options.value === undefined ? 0 : pairs.findIndex(([, value]) => Object.is(value, options.value));
    if (index < 0) throw new RangeError(`dropdown: value ${JSON.stringify(options.value)} is not one of the options`);
    const { options: _choices, value: _value, ...rest } = options;
    super(host, 'DropdownModel', { ...rest, _options_labels: pairs.map(([label]) => label), index });
    this.values = pairs.map(([, value]) => value);
  }

  protected readValue(state = this.state): T {
    return this.values[state.index as number];
  }

  protected writeValue(value: T): Record<string, unknown> {
    const index = this.values.findIndex((option) => Object.is(option, value));
    if (index < 0) throw new RangeError(`dropdown: ${JSON.stringify(value)} is not one of the options`);
    return { index };
  }

  protected override coerce(name: string, value: unknown): unknown {
    if (name !== 'index' || typeof value !== 'number') return value;
    return Math.min(this.values.length - 1, Math.max(0, value));
  }
}

export interface CheckboxOptions extends ControlOptions {
  value?: boolean;
}

export class Checkbox extends ValueWidget<boolean> {
  constructor(host: WidgetHost, options: CheckboxOptions = {}) {
    super(host, 'CheckboxModel', { ...options });
  }

  protected readValue(state = this.state): boolean {
    return state.value as boolean;
  }

  protected writeValue(value: boolean): Record<string, unknown> {
    return { value };
  }
}

export interface TextOptions extends ControlOptions {
  value?: string;
  placeholder?: string;
  continuous_update?: boolean;
}

export class Text extends ValueWidget<string> {
  constructor(host: WidgetHost, options: TextOptions = {}) {
    super(host, 'TextModel', { ...options });
  }

  protected readValue(state = this.state): string {
    return state.value as string;
  }

  protected writeValue(value: string): Record<string, unknown> {
    return { value };
  }
}

export interface ButtonOptions {
  description?: string;
  tooltip?: string;
  disabled?: boolean;
  button_style?: '' | 'primary' | 'success' | 'info' | 'warning' | 'danger';
  icon?: string;
  onClick?: (button: Button) => unknown;
}

/** A button: a front-end click arrives as a `custom` message `{ event: 'click' }`. */
export class Button extends WidgetModel {
  constructor(host: WidgetHost, options: ButtonOptions = {}) {
    const { onClick, ...state } = options;
    super(host, 'ButtonModel', state);
    if (onClick) this.onClick(onClick);
  }

  /** Calls `fn` on every click; an async `fn` runs on, and what it prints goes under the click. */
  onClick(fn: (button: Button) => unknown): void {
    this.onCustom((content) => {
      if ((content as { event?: unknown } | null)?.event === 'click') void fn(this);
    });
  }
}

/** HBox or VBox: lays out its children. */
export class Box extends WidgetModel {
  constructor(host: WidgetHost, direction: 'HBox' | 'VBox', private items: WidgetModel[]) {
    super(host, `${direction}Model`, { children: items.map((child) => child.reference) });
  }

  get children(): readonly WidgetModel[] {
    return this.items;
  }

  set children(items: readonly WidgetModel[]) {
    this.items = [...items];
    this.set({ children: items.map((child) => child.reference) });
  }
}
