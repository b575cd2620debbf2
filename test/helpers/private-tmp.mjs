// Loaded with `node --import` by the test runner and each test file's process: every test file
// (and every kernel, executor and checker it starts, which inherit TMPDIR) gets a temporary
// folder of its own, removed when it exits, so a test that counts files there never sees another
// Tempo's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'tempo-test-'));
process.env.TMPDIR = dir;
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
