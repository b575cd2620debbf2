// A byte ring in shared memory from the executor's main thread, which writes events into it, to
// its I/O thread, which sends them to the kernel. One writer, one reader: each moves only its own
// end, so neither takes a lock, and the reader sends whatever has piled up in one write.

const HEAD = 0; // where the writer puts the next byte
const TAIL = 1; // where the reader takes the next byte; HEAD === TAIL: empty
const PARKED = 2; // 1 while the reader waits for bytes: only then must the writer wake it
const HEADER_BYTES = 3 * Int32Array.BYTES_PER_ELEMENT;

export function eventRingMemory(capacity: number): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + capacity);
}

class EventRing {
  protected readonly words: Int32Array;
  protected readonly bytes: Uint8Array;
  protected readonly capacity: number;

  constructor(memory: SharedArrayBuffer) {
    this.words = new Int32Array(memory, 0, 3);
    this.bytes = new Uint8Array(memory, HEADER_BYTES);
    this.capacity = this.bytes.length;
  }
}

/** The main thread's end. */
export class EventRingWriter extends EventRing {
  private readonly buffer = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.capacity);

  /**
   * Appends `text` as UTF-8, encoded straight into the ring when it surely fits before the end
   * (no buffer to allocate and copy for each line of a flood), else through write().
   */
  writeText(text: string): void {
    const head = this.words[HEAD];
    // At most 3 bytes per UTF-16 unit.
    if (text.length * 3 > this.room(head)) return this.write(Buffer.from(text));
    const length = this.buffer.write(text, head);
    this.publish((head + length) % this.capacity);
  }

  /** Appends `data`; waits for the reader while the ring is full. */
  write(data: Uint8Array): void {
    let offset = 0;
    while (offset < data.length) {
      const head = this.words[HEAD];
      const room = this.room(head);
      if (room === 0) {
        // Full: the reader's end sits just past ours until it takes some bytes.
        Atomics.wait(this.words, TAIL, (head + 1) % this.capacity, 100);
        continue;
      }
      const length = Math.min(room, data.length - offset);
      this.bytes.set(data.subarray(offset, offset + length), head);
      this.publish((head + length) % this.capacity);
      offset += length;
    }
  }

  /** Free bytes from `head` on without wrapping around (0: the ring is full). */
  private room(head: number): number {
    const tail = Atomics.load(this.words, TAIL);
    // One byte stays free, so that a full ring is not mistaken for an empty one.
    const free = (tail - head - 1 + this.capacity) % this.capacity;
    return Math.min(free, this.capacity - head);
  }

  /** Hands the bytes up to `head` to the reader, waking it if it waits. */
  private publish(head: number): void {
    Atomics.store(this.words, HEAD, head);
    if (Atomics.load(this.words, PARKED) === 1) Atomics.notify(this.words, HEAD);
  }

  /** Waits up to `timeoutMs` for the reader to have sent everything; whether it has. */
  flush(timeoutMs: number): boolean {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const tail = Atomics.load(this.words, TAIL);
      if (tail === Atomics.load(this.words, HEAD)) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.words, TAIL, tail, left);
    }
  }
}

/** The I/O thread's end. */
export class EventRingReader extends EventRing {
  /** Hands each run of bytes written so far to `send` (which must take them all), for ever. */
  async pump(send: (chunk: Uint8Array) => void): Promise<never> {
    for (;;) {
      const tail = this.words[TAIL];
      const head = Atomics.load(this.words, HEAD);
      if (head === tail) {
        Atomics.store(this.words, PARKED, 1);
        const wait = Atomics.waitAsync(this.words, HEAD, tail);
        if (wait.async) await wait.value;
        Atomics.store(this.words, PARKED, 0);
        continue;
      }
      const end = head > tail ? head : this.capacity;
      send(this.bytes.subarray(tail, end));
      Atomics.store(this.words, TAIL, end % this.capacity);
      Atomics.notify(this.words, TAIL);
      // Let the thread's other work (interrupt requests) in between runs of a flood.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
