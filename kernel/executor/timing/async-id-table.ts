/** Entries per chunk: a promise storm fills chunks densely, and one chunk is 4 kB. */
const CHUNK_BITS = 12;
const CHUNK_SIZE = 1 << CHUNK_BITS;

interface Chunk {
  codes: Uint8Array;
  /** Non-zero entries: at 0 the chunk is freed. */
  used: number;
}

/**
 * A small code (1–255) per async id, for the resources one cell started. A cell may start
 * hundreds of thousands of promises, and a Map entry per promise costs more than the promise's
 * own work (hashing, growth, an object per entry, GC). Async ids only grow, so the ids of one
 * cell sit close together: here they index fixed chunks of bytes instead, and a chunk is freed
 * once none of its entries is set, so memory follows what is still live rather than what ran.
 */
export class AsyncIdTable {
  private readonly chunks = new Map<number, Chunk>();
  /** The chunk used last: ids arrive nearly in order, so most look-ups skip the Map. */
  private lastKey = -1;
  private last: Chunk | undefined;

  get(id: number): number {
    const chunk = this.chunkOf(id >> CHUNK_BITS);
    return chunk ? chunk.codes[id & (CHUNK_SIZE - 1)] : 0;
  }

  /** `code` must be 1–255: 0 is what an absent id reads as. */
  set(id: number, code: number): void {
    const key = id >> CHUNK_BITS;
    let chunk = this.chunkOf(key);
    if (!chunk) {
      chunk = { codes: new Uint8Array(CHUNK_SIZE), used: 0 };
      this.chunks.set(key, chunk);
      this.lastKey = key;
      this.last = chunk;
    }
    const index = id & (CHUNK_SIZE - 1);
    if (chunk.codes[index] === 0) chunk.used += 1;
    chunk.codes[index] = code;
  }

  /** Forgets `id`; returns the code it had (0 if none). */
  delete(id: number): number {
    const key = id >> CHUNK_BITS;
    const chunk = this.chunkOf(key);
    if (!chunk) return 0;
    const index = id & (CHUNK_SIZE - 1);
    const code = chunk.codes[index];
    if (code === 0) return 0;
    chunk.codes[index] = 0;
    chunk.used -= 1;
    if (chunk.used === 0) {
      this.chunks.delete(key);
      if (this.lastKey === key) this.last = undefined;
    }
    return code;
  }

  /** Chunks held now, for tests of the memory bound. */
  get chunkCount(): number {
    return this.chunks.size;
  }

  private chunkOf(key: number): Chunk | undefined {
    if (key === this.lastKey && this.last) return this.last;
    const chunk = this.chunks.get(key);
    if (chunk) {
      this.lastKey = key;
      this.last = chunk;
    }
    return chunk;
  }
}
