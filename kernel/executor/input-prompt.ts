import { uniqueId } from '../display/unique-id';
import type { InputReplyCommand } from '../common/executor-messages';

export class StdinNotAllowedError extends Error {
  override readonly name = 'StdinNotAllowedError';
}

/**
 * `await input("Your name? ")` and `await input.password(...)`: the question goes to the kernel,
 * which asks the front end on the stdin channel; the executor's loop stays free meanwhile, so
 * timers keep running and an interrupt still cancels the cell.
 */
export function createInput(ask: (id: string, prompt: string, password: boolean) => void) {
  const waiting = new Map<string, { resolve: (value: string) => void; reject: (error: Error) => void }>();
  const request = (prompt: string, password: boolean): Promise<string> =>
    new Promise((resolve, reject) => {
      const id = uniqueId();
      waiting.set(id, { resolve, reject });
      ask(id, String(prompt ?? ''), password);
    });
  const input = Object.assign((prompt = '') => request(prompt, false), { password: (prompt = '') => request(prompt, true) });
  const answer = (reply: InputReplyCommand): void => {
    const entry = waiting.get(reply.id);
    if (!entry) return;
    waiting.delete(reply.id);
    if (reply.error !== undefined) entry.reject(new StdinNotAllowedError(reply.error));
    else entry.resolve(reply.value ?? '');
  };
  return { input, answer };
}
