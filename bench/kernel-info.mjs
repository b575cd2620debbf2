// The first kernel_info_request/reply on shell, and shutdown_request on control, spoken directly
// over ZeroMQ so the timing starts at spawn without a Python client's import time in the way.
import { createHmac, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const zmq = createRequire(import.meta.url)('zeromq');
const DELIMITER = '<IDS|MSG>';

function sign(key, parts) {
  const hmac = createHmac('sha256', key);
  for (const part of parts) hmac.update(part);
  return hmac.digest('hex');
}

/** The frames of a signed request, and its msg_id. */
function request(info, msgType, content) {
  const msgId = randomUUID();
  const header = JSON.stringify({
    msg_id: msgId,
    session: randomUUID(),
    username: 'bench',
    date: new Date().toISOString(),
    msg_type: msgType,
    version: '5.3',
  });
  const parts = [header, '{}', '{}', JSON.stringify(content)];
  return { msgId, frames: [DELIMITER, sign(info.key, parts), ...parts] };
}

/**
 * Sends shutdown_request (restart: true, as jupyter_client's restart_kernel does) on control.
 * Returns the socket, to be closed once the kernel has exited: closing it earlier could drop
 * the request before ZeroMQ has sent it.
 */
export async function sendRestartRequest(info) {
  const socket = new zmq.Dealer({ linger: 0 });
  socket.connect(`tcp://${info.ip}:${info.control_port}`);
  await socket.send(request(info, 'shutdown_request', { restart: true }).frames);
  return socket;
}

/**
 * Sends one kernel_info_request as soon as the process is spawned and resolves with the
 * performance.now() at which its reply arrived. The request waits in ZeroMQ's queue until the
 * kernel binds; a 2 ms reconnect interval (ZeroMQ's default is 100 ms) keeps the client's own
 * retry back-off from being counted as kernel start-up time. Receives time out every 100 ms
 * only to notice a kernel that died (`isAlive()` false) instead of waiting `timeoutMs` for it.
 */
export async function firstKernelInfoReply(info, isAlive, timeoutMs = 30_000) {
  const deadline = performance.now() + timeoutMs;
  const socket = new zmq.Dealer({ linger: 0, reconnectInterval: 2, receiveTimeout: 100 });
  try {
    socket.connect(`tcp://${info.ip}:${info.shell_port}`);
    const { msgId, frames: sent } = request(info, 'kernel_info_request', {});
    await socket.send(sent);
    for (;;) {
      let frames;
      try {
        frames = await socket.receive();
      } catch (error) {
        if (error.code !== 'EAGAIN') throw error;
        if (!isAlive()) throw new Error('kernel exited before its kernel_info_reply');
        if (performance.now() > deadline) throw new Error(`no kernel_info_reply within ${timeoutMs / 1000} s`);
        continue;
      }
      const arrivedAt = performance.now();
      const at = frames.findIndex((frame) => frame.toString() === DELIMITER);
      const [signature, ...reply] = frames.slice(at + 1, at + 6).map(String);
      if (at < 0 || signature !== sign(info.key, reply)) throw new Error('malformed or badly signed reply on shell');
      const [replyHeader, parentHeader] = reply.map((part) => JSON.parse(part));
      if (replyHeader.msg_type === 'kernel_info_reply' && parentHeader.msg_id === msgId) return arrivedAt;
    }
  } finally {
    socket.close();
  }
}
