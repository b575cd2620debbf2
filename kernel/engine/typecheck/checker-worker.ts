// The checker's worker thread: TypeScript's LanguageService, kept off the kernel's main thread so a
// slow check never holds up heartbeat, control or interrupts.
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckerRequest, CheckerResponse } from './checker-protocol';
import { LanguageServiceChecker } from './language-service-checker';

const port = parentPort;
if (!port) throw new Error('checker-worker runs only as a worker thread');

const started = performance.now();
const checker = new LanguageServiceChecker((workerData as { cwd: string }).cwd);
checker.warm();
port.postMessage({ id: 0, ok: true, ready: true, notes: checker.notes, warmMs: Math.round(performance.now() - started) } satisfies CheckerResponse);

port.on('message', (request: CheckerRequest) => {
  let response: CheckerResponse;
  try {
    let result: unknown;
    switch (request.op) {
      case 'check':
        result = checker.check(request.code);
        break;
      case 'complete':
        result = checker.complete(request.code, request.cursorPos);
        break;
      case 'inspect':
        result = checker.inspect(request.code, request.cursorPos);
        break;
      case 'commit':
        result = checker.commit(request.code);
        break;
      case 'reset':
        checker.reset();
        break;
    }
    response = { id: request.id, ok: true, result };
  } catch (error) {
    response = { id: request.id, ok: false, error: (error as Error).stack ?? String(error) };
  }
  port.postMessage(response);
});
