// The executor's event ring: one thread writes lines, another reads them, in order and whole,
// through wrap-around, a full ring, multi-byte text and lines longer than the ring itself.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const ringModule = require.resolve('../../dist/executor/event-ring.js');
const { EventRingReader, eventRingMemory } = require(ringModule);

/** What the writer thread writes: short and long lines, ASCII and not, as text and as bytes. */
function lines() {
  const out = [];
  for (let i = 0; i < 3000; i++) {
    const text = i % 97 === 0 ? `${'é€😀'.repeat(60)} ${i}\n` : i % 501 === 0 ? `${'x'.repeat(5000)}${i}\n` : `${i}\n`;
    out.push({ text, asBytes: i % 3 === 0 });
  }
  return out;
}

const WRITER = `
const { workerData } = require('node:worker_threads');
const { EventRingWriter } = require(workerData.ringModule);
const writer = new EventRingWriter(workerData.memory);
for (const { text, asBytes } of workerData.lines) {
  if (asBytes) writer.write(Buffer.from(text));
  else writer.writeText(text);
}
writer.flush(10000);
`;

test('lines written on one thread arrive whole and in order on the other, through a small ring', async () => {
  const all = lines();
  const expected = Buffer.from(all.map((line) => line.text).join(''));
  // 1 KB: the flood wraps around it hundreds of times, and fills it whenever the reader lags.
  const memory = eventRingMemory(1024);
  const received = [];
  let length = 0;
  const done = new Promise((resolve) => {
    void new EventRingReader(memory).pump((chunk) => {
      received.push(Buffer.from(chunk));
      length += chunk.length;
      if (length >= expected.length) resolve();
    });
  });
  const worker = new Worker(WRITER, { eval: true, workerData: { ringModule, memory, lines: all } });
  const exited = new Promise((resolve, reject) => worker.on('exit', resolve).on('error', reject));
  await done;
  assert.equal(await exited, 0);
  const got = Buffer.concat(received);
  assert.equal(got.length, expected.length);
  assert.ok(got.equals(expected), 'the bytes read are the bytes written, in order');
});
