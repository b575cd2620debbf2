// The widget protocol sends binary values beside the JSON state: `buffer_paths` says where each
// buffer belongs (messages.md in @jupyter-widgets/schema). A path ending in a list index leaves a
// null in the list; one ending in a key leaves the key out.

export type StatePath = (string | number)[];

const isBinary = (value: unknown): value is ArrayBuffer | ArrayBufferView => value instanceof ArrayBuffer || ArrayBuffer.isView(value);

function bytesOf(value: ArrayBuffer | ArrayBufferView): Uint8Array {
  return value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/** `state` without its binary values, and where they were. */
export function splitBuffers(state: Record<string, unknown>): { state: Record<string, unknown>; bufferPaths: StatePath[]; buffers: Uint8Array[] } {
  const bufferPaths: StatePath[] = [];
  const buffers: Uint8Array[] = [];
  const walk = (value: unknown, path: StatePath): unknown => {
    if (Array.isArray(value)) return value.map((item, i) => (isBinary(item) ? (take(item, [...path, i]), null) : walk(item, [...path, i])));
    if (value === null || typeof value !== 'object' || isBinary(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (isBinary(item)) take(item, [...path, key]);
      else out[key] = walk(item, [...path, key]);
    }
    return out;
  };
  const take = (value: ArrayBuffer | ArrayBufferView, path: StatePath): void => {
    bufferPaths.push(path);
    buffers.push(bytesOf(value));
  };
  return { state: walk(state, []) as Record<string, unknown>, bufferPaths, buffers };
}

/** Puts each buffer back where its path says; a path that does not fit the state is skipped and reported. */
export function insertBuffers(state: Record<string, unknown>, bufferPaths: unknown, buffers: readonly Uint8Array[]): string[] {
  const problems: string[] = [];
  if (bufferPaths === undefined) return problems;
  if (!Array.isArray(bufferPaths)) return ['buffer_paths is not a list'];
  bufferPaths.forEach((path: unknown, i) => {
    const fits = Array.isArray(path) && path.length > 0 && path.every((step) => typeof step === 'string' || Number.isInteger(step));
    if (!fits || i >= buffers.length) {
      problems.push(`buffer path ${JSON.stringify(path)} has no buffer or is malformed`);
      return;
    }
    let target: unknown = state;
    for (const step of path.slice(0, -1)) target = target === null || typeof target !== 'object' ? undefined : (target as Record<string | number, unknown>)[step];
    if (target === null || typeof target !== 'object') {
      problems.push(`buffer path ${JSON.stringify(path)} leads nowhere in the state`);
      return;
    }
    (target as Record<string | number, unknown>)[path[path.length - 1]] = buffers[i];
  });
  return problems;
}
