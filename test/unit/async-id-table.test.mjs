// AsyncIdTable: the per-async-id codes CellClock keeps for a cell's live resources.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { AsyncIdTable } = require('../../dist/executor/timing/async-id-table.js');

test('set, get and delete codes by async id; absent ids read as 0', () => {
  const table = new AsyncIdTable();
  table.set(7, 1);
  table.set(5000, 3);
  table.set(7, 2);
  assert.equal(table.get(7), 2);
  assert.equal(table.get(5000), 3);
  assert.equal(table.get(8), 0);
  assert.equal(table.get(1 << 30), 0);
  assert.equal(table.delete(7), 2);
  assert.equal(table.delete(7), 0);
  assert.equal(table.get(7), 0);
  assert.equal(table.delete(123456), 0);
});

test('memory follows the live entries: a chunk is freed once its last entry is deleted', () => {
  const table = new AsyncIdTable();
  for (let id = 1000; id < 101_000; id++) table.set(id, 1);
  const full = table.chunkCount;
  assert.ok(full >= 25 && full <= 26, `${full} chunks for 100,000 dense ids`);
  for (let id = 1000; id < 101_000; id++) if (id !== 50_000) table.delete(id);
  assert.equal(table.chunkCount, 1, 'only the chunk of the one live id stays');
  assert.equal(table.get(50_000), 1);
  table.delete(50_000);
  assert.equal(table.chunkCount, 0);
  // A freed chunk that was the last one used is not read from again.
  table.set(50_001, 2);
  assert.equal(table.get(50_001), 2);
  assert.equal(table.get(50_000), 0);
});
