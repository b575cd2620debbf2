import type { Message, RequestContents } from '../protocol/messages';
import type { CommRequest, Language, Output } from './language';
import type { OutputRouter } from './output-router';

/**
 * messaging spec: custom messages. Core keeps the table of open comms that comm_info lists, fed
 * by both directions; the handlers themselves live in the language, with the code that
 * registered them.
 */
export class CommTable {
  /** Open comms by id, with their target. */
  private readonly open = new Map<string, string>();

  constructor(private readonly router: OutputRouter) {}

  /** A front end's comm_open, comm_msg or comm_close; resolves when the language has handled it. */
  async forward(message: Message<RequestContents['comm_open'] | RequestContents['comm_msg']>, language: Language): Promise<void> {
    const content = message.content;
    if (typeof content.comm_id !== 'string') return;
    const type = message.header.msg_type as CommRequest['type'];
    const extras = { metadata: message.metadata, buffers: message.buffers };
    const request: CommRequest =
      type === 'comm_open'
        ? { type, comm_id: content.comm_id, target_name: String('target_name' in content ? content.target_name ?? '' : ''), data: content.data ?? {}, ...extras }
        : { type, comm_id: content.comm_id, data: content.data ?? {}, ...extras };
    this.observe(request);
    this.router.remember(message.header, false);
    await language.comm(request, message.header.msg_id);
    // What the handler printed goes out before the request's idle.
    this.router.flush();
  }

  /** A comm opened or closed from either side. */
  observe(message: Output | CommRequest): void {
    if (message.type === 'comm_open') this.open.set(message.comm_id, message.target_name);
    if (message.type === 'comm_close') this.open.delete(message.comm_id);
  }

  /** messaging spec: comm_info, optionally only the comms of one target. */
  info(targetName?: unknown): Record<string, { target_name: string }> {
    const entries = [...this.open].filter(([, target]) => typeof targetName !== 'string' || target === targetName);
    return Object.fromEntries(entries.map(([id, target]) => [id, { target_name: target }]));
  }

  /** The language lost its state: the comms lived there. */
  clear(): void {
    this.open.clear();
  }
}
