// The checker's worker thread: TypeScript 7's checker is driven through blocking calls, kept off
// the kernel's main thread so a slow check never holds up heartbeat, control or interrupts.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { CheckerRequest, CheckerResponse } from '../common/checker-messages';
import { NativeChecker } from './native-checker';

if (!parentPort) throw new Error('checker-worker runs only as a worker thread');
const port = parentPort;

const started = performance.now();
const { cwd, folder, warmCompletion } = workerData as { cwd: string; folder: string; warmCompletion: boolean };
const checker = new NativeChecker(cwd, folder);
// The warm-up loads the libraries and @types/node (a check), then what completion needs, so that
// the first real request is a warm one. Requests that came meanwhile go first (`tempo run` sends
// its first cell at once): the first of them loads the libraries as the warm-up's check would.
if (!serveWaiting()) checker.check('');
serveWaiting();
if (warmCompletion) checker.complete('Math.f', 6);
port.postMessage({ id: 0, ok: true, ready: true, notes: checker.notes, warmMs: Math.round(performance.now() - started) } satisfies CheckerResponse);

port.on('message', (request: CheckerRequest) => port.postMessage(answer(request)));

/** Answers the requests waiting on the port, if any; whether there were. */
function serveWaiting(): boolean {
  let served = false;
  for (let message = receiveMessageOnPort(port); message; message = receiveMessageOnPort(port)) {
    port.postMessage(answer(message.message as CheckerRequest));
    served = true;
  }
  return served;
}

function answer(request: CheckerRequest): CheckerResponse {
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
    return { id: request.id, ok: true, result };
  } catch (error) {
    // tsc may be left waiting on a request it failed (a blocking call to it would then never
    // return): end it and this thread. The kernel says so once, then runs cells unchecked.
    port.postMessage({ id: request.id, ok: false, error: (error as Error).stack ?? String(error) } satisfies CheckerResponse);
    checker.close();
    process.exit(1);
  }
}
