import { DISPLAY_SYMBOL } from '../../display/mime-bundle';
import type { MimeBundle } from '../../protocol/messages';
import type { Comm, CommMessage } from '../comm-api';
import { insertBuffers, splitBuffers } from './binary-state';
import { NEW_INSTANCE, invalidValue, specOf, type AttributeSpec, type ModelSpec } from './widget-specs';

/** The version of the widget message protocol Tempo speaks (comm_open metadata, view bundles). */
export const PROTOCOL_VERSION = '2.1.0';
export const WIDGET_TARGET = 'jupyter.widget';
export const VIEW_MIME = 'application/vnd.jupyter.widget-view+json';

/** What a model needs from the executor: a comm per model, the table of open models, a log for bad messages. */
export interface WidgetHost {
  openComm(data: unknown, buffers: Uint8Array[]): Comm;
  opened(model: WidgetModel): void;
  closed(model: WidgetModel): void;
  log(text: string): void;
}

export interface Change<V> {
  name: string;
  old: V;
  new: V;
}

type State = Record<string, unknown>;

/** What a model's text looks like where widgets cannot be shown: `IntSlider(value=5, min=1, max=50)`. */
const SHOWN_IN_TEXT = ['description', 'value', 'min', 'max', 'step'];

/**
 * One widget model: its full state (every attribute the published spec lists, from its defaults),
 * kept in step with the front end over one `jupyter.widget` comm. The front end's updates are
 * checked against the spec: a key or value it may not send is logged and dropped, never thrown.
 */
export class WidgetModel {
  readonly id: string;
  protected readonly state: State;
  private readonly spec: ModelSpec;
  private readonly comm: Comm;
  /** The layout and style models this one made for itself, closed with it. */
  private readonly owned: WidgetModel[] = [];
  private readonly listeners = new Set<(keys: readonly string[], before: State) => void>();
  private readonly customHandlers = new Set<(content: unknown, buffers: Buffer[]) => void>();
  private isClosed = false;
  /** Text (and HTML) shown instead of the widget by front ends without widgets. */
  fallback: MimeBundle | undefined;

  constructor(protected readonly host: WidgetHost, modelName: string, initial: State = {}) {
    this.spec = specOf(modelName);
    this.state = {};
    for (const attribute of this.spec.attributes) {
      if (attribute.name in initial) continue;
      if (attribute.default === NEW_INSTANCE) {
        // A reference must name a model the front end already has: children open first.
        const child = new WidgetModel(host, `${attribute.widget}Model`);
        this.owned.push(child);
        this.state[attribute.name] = child.reference;
      } else this.state[attribute.name] = structuredClone(attribute.default);
    }
    for (const [name, value] of Object.entries(initial)) {
      const problem = this.problemWith(name, value);
      if (problem) throw new TypeError(`${this.spec.model.name.replace(/Model$/, '')}: ${problem}`);
      this.state[name] = value;
    }
    const { state, bufferPaths, buffers } = splitBuffers(this.state);
    this.comm = host.openComm({ state, buffer_paths: bufferPaths }, buffers);
    this.id = this.comm.id;
    this.comm.onMsg = (data, message) => this.receive(data, message);
    this.comm.onClose = () => this.dispose();
    host.opened(this);
  }

  /** How state names this model: `IPY_MODEL_<id>`. */
  get reference(): string {
    return `IPY_MODEL_${this.id}`;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** The state as the control comm's `update_states` lists it. */
  fullState(): { model_name: string; model_module: string; model_module_version: string; state: State } {
    const { model } = this.spec;
    return { model_name: model.name, model_module: model.module, model_module_version: model.version, state: this.state };
  }

  /** Changes attributes from the kernel side: checked, applied, sent as one `update`. */
  protected set(patch: State): void {
    for (const [name, value] of Object.entries(patch)) {
      const problem = this.problemWith(name, value);
      if (problem) throw new TypeError(`${this.spec.model.name.replace(/Model$/, '')}: ${problem}`);
    }
    const before = { ...this.state };
    const keys = Object.keys(patch).filter((name) => !Object.is(this.state[name], patch[name]));
    Object.assign(this.state, patch);
    this.sendState('update', Object.keys(patch));
    this.notify(keys, before);
  }

  /** Calls `listener` with the names that changed and the state before, after every change from either side. */
  protected onChange(listener: (keys: readonly string[], before: State) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `handler` with each `custom` message the front end's model sends (a button's click), and its binary buffers. */
  onCustom(handler: (content: unknown, buffers: Buffer[]) => void): void {
    this.customHandlers.add(handler);
  }

  /** A value the front end sent, made to fit the model (a slider clamps to its range); the kernel side then sends it back. */
  protected coerce(_name: string, value: unknown): unknown {
    return value;
  }

  /** Sends a `custom` message to the front end's model. */
  send(content: unknown, buffers: Uint8Array[] = []): void {
    if (!this.isClosed) this.comm.send({ method: 'custom', content }, { buffers });
  }

  /** Closes the comm: the front end removes every view of it. */
  close(): void {
    if (this.isClosed) return;
    this.comm.close();
    this.dispose();
  }

  [DISPLAY_SYMBOL](): MimeBundle {
    return { [VIEW_MIME]: { model_id: this.id, version_major: 2, version_minor: 1 }, 'text/plain': this.toString(), ...this.fallback };
  }

  toString(): string {
    const shown = SHOWN_IN_TEXT.filter((name) => name in this.state && this.state[name] !== '').map((name) => `${name}=${JSON.stringify(this.state[name])}`);
    return `${this.spec.model.name.replace(/Model$/, '')}(${shown.join(', ')})`;
  }

  private dispose(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const child of this.owned) child.close();
    this.listeners.clear();
    this.customHandlers.clear();
    this.host.closed(this);
  }

  private attribute(name: string): AttributeSpec | undefined {
    return this.spec.attributes.find((attribute) => attribute.name === name);
  }

  private problemWith(name: string, value: unknown): string | undefined {
    const attribute = this.attribute(name);
    if (!attribute) return `${name} is not an attribute of ${this.spec.model.name}`;
    return invalidValue(attribute, value);
  }

  private sendState(method: 'update' | 'echo_update', keys: readonly string[]): void {
    if (this.isClosed || keys.length === 0) return;
    const { state, bufferPaths, buffers } = splitBuffers(Object.fromEntries(keys.map((name) => [name, this.state[name]])));
    this.comm.send({ method, state, buffer_paths: bufferPaths }, { buffers });
  }

  private notify(keys: readonly string[], before: State): void {
    if (keys.length > 0) for (const listener of [...this.listeners]) listener(keys, before);
  }

  /** A message from the front end's model (messages.md: update, request_state, custom). */
  private receive(data: unknown, message: CommMessage): void {
    const body = (data ?? {}) as { method?: unknown; state?: unknown; buffer_paths?: unknown; content?: unknown };
    switch (body.method) {
      case 'update':
        return this.receiveUpdate(body.state, body.buffer_paths, message.buffers);
      case 'request_state':
        return this.sendState('update', Object.keys(this.state));
      case 'custom':
        for (const handler of [...this.customHandlers]) handler(body.content, message.buffers);
        return;
      default:
        this.host.log(`widget ${this.id}: message without a known method ignored: ${JSON.stringify(data).slice(0, 200)}`);
    }
  }

  private receiveUpdate(received: unknown, bufferPaths: unknown, buffers: Buffer[]): void {
    if (received === null || typeof received !== 'object' || Array.isArray(received)) {
      this.host.log(`widget ${this.id}: update without a state object ignored`);
      return;
    }
    const patch = { ...(received as State) };
    const bufferProblems = insertBuffers(patch, bufferPaths, buffers);
    if (bufferProblems.length > 0) {
      // Binary values missing or misplaced: the update is incomplete, so none of it is applied.
      this.host.log(`widget ${this.id}: update ignored: ${bufferProblems.join('; ')}`);
      return;
    }
    const accepted: string[] = [];
    const corrected: string[] = [];
    const before = { ...this.state };
    for (const [name, value] of Object.entries(patch)) {
      // The model and view names are fixed at creation (messages.md: "assumed immutable").
      const problem = name.startsWith('_model_') || name.startsWith('_view_') ? `${name} cannot change` : this.problemWith(name, value);
      if (problem) {
        this.host.log(`widget ${this.id}: update of ${name} ignored: ${problem}`);
        continue;
      }
      const fitted = this.coerce(name, value);
      this.state[name] = fitted;
      accepted.push(name);
      if (!Object.is(fitted, value)) corrected.push(name);
    }
    // Other front ends learn the change; the sender matches the echo to its own message.
    this.sendState('echo_update', accepted);
    this.sendState('update', corrected);
    this.notify(accepted.filter((name) => !Object.is(before[name], this.state[name])), before);
  }
}
