import type { Header, Parent } from '../protocol/messages';
import type { Output } from './language';
import type { Messenger } from './messenger';
import { StreamBatcher } from './stream-batcher';

/** Parents remembered for output that arrives after its cell finished. */
const PARENT_MEMORY = 1000;

/**
 * Sends a language's output on IOPub under the request that caused it, even when it comes after
 * that request's reply (ipykernel's parent in a context variable). Streams are batched; anything
 * else flushes them first, so order is kept. Silent requests publish nothing.
 */
export class OutputRouter {
  private readonly parents = new Map<string, { header: Header; silent: boolean }>();
  private readonly streams: StreamBatcher;
  /** The msg_id of the cell running now: output with no known parent goes there. */
  running: string | undefined;

  constructor(private readonly messenger: Messenger, private readonly executionCount: () => number) {
    this.streams = new StreamBatcher((parent, name, text) => this.publish(parent, { type: 'stream', name, text }));
  }

  remember(header: Header, silent: boolean): void {
    this.parents.set(header.msg_id, { header, silent });
    if (this.parents.size > PARENT_MEMORY) this.parents.delete(this.parents.keys().next().value as string);
  }

  /** Output without a known parent goes to the running cell, else to the last one that ran. */
  parentOf(cellId: string): string {
    if (cellId && this.parents.has(cellId)) return cellId;
    return this.running ?? [...this.parents.keys()].pop() ?? '';
  }

  route(cellId: string, output: Output): void {
    const parent = this.parentOf(cellId);
    if (output.type === 'stream') {
      this.streams.write(parent, output.name, output.text);
      return;
    }
    this.flush();
    this.publish(parent, output);
  }

  flush(): void {
    this.streams.flush();
  }

  /** Sends `output` under `parent` now, unless that request was silent. */
  publish(parent: string, output: Output): void {
    const known = this.parents.get(parent);
    // A comm is shared state, not output: a widget opened by a silent cell must still open.
    if (known?.silent && !output.type.startsWith('comm_')) return;
    const header: Parent = known?.header ?? {};
    switch (output.type) {
      case 'stream':
        return this.messenger.publish('stream', { name: output.name, text: output.text }, header);
      case 'execute_result':
        return this.messenger.publish('execute_result', { execution_count: this.executionCount(), data: output.data, metadata: {} }, header);
      case 'display_data':
        return this.messenger.publish('display_data', { data: output.data, metadata: {}, transient: output.displayId ? { display_id: output.displayId } : {} }, header);
      case 'update_display_data':
        return this.messenger.publish('update_display_data', { data: output.data, metadata: {}, transient: { display_id: output.displayId } }, header);
      case 'clear_output':
        return this.messenger.publish('clear_output', { wait: output.wait }, header);
      case 'error':
        return this.messenger.publish('error', output.error, header);
      case 'comm_open':
        return this.messenger.publish('comm_open', { comm_id: output.comm_id, target_name: output.target_name, data: output.data }, header, output.extras);
      case 'comm_msg':
      case 'comm_close':
        return this.messenger.publish(output.type, { comm_id: output.comm_id, data: output.data }, header, output.extras);
    }
  }
}
