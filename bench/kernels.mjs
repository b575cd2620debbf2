// Kernel processes: started from a peer's kernelspec argv as Jupyter would start them, restarted
// as jupyter_client's restart_kernel does, and always killed with their whole tree.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { writeConnectionFile } from './connection.mjs';
import { firstKernelInfoReply, sendRestartRequest } from './kernel-info.mjs';
import { killOnExit, killTree, waitGone } from './proctree.mjs';

/** jupyter_client's default shutdown_wait_time: how long a restarting kernel may take to exit before it is killed. */
const SHUTDOWN_WAIT_MS = 5000;

/** Spawns argv; resolves once the process exists (a bad argv[0] rejects). */
async function spawnKernel(argv, env) {
  const child = spawn(argv[0], argv.slice(1), {
    // Own process group, like jupyter_client's start_new_session: one kill reaches the tree.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env, JPY_PARENT_PID: String(process.pid) },
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // A missing or non-executable argv[0] is an 'error' event, not an exception.
  await new Promise((resolve, reject) => child.once('spawn', resolve).once('error', reject));
  return { child, exited, forget: killOnExit(child.pid) };
}

/** Kills the tree and waits until it is gone, so that runs do not overlap. */
async function stopKernel({ child, exited, forget }) {
  const pids = killTree(child.pid);
  await exited;
  await waitGone(pids);
  forget();
}

/**
 * Spawns the peer's kernel on a fresh connection file. `startedAt` is taken just before spawn.
 * `restart()` resolves with the restart's duration in ms; `stop()` kills the current process tree.
 */
export async function launchKernel(peer, scratch) {
  const connection = await writeConnectionFile(scratch);
  const argv = peer.argv.map((arg) => arg.replaceAll('{connection_file}', connection.path));
  let output = '';
  // Keep the last few kB of the kernel's output for error messages; draining also stops a full pipe from blocking it.
  const keep = (chunk) => {
    output = (output + chunk).slice(-4000);
  };
  const start = async () => {
    const running = await spawnKernel(argv, peer.env);
    running.child.stdout.on('data', keep);
    running.child.stderr.on('data', keep);
    return running;
  };
  const startedAt = performance.now();
  let current = await start();
  const isAlive = () => current.child.exitCode === null && current.child.signalCode === null;
  return {
    connection,
    get pid() {
      return current.child.pid;
    },
    startedAt,
    output: () => output.trim(),
    isAlive,
    /**
     * What jupyter_client's KernelManager.restart_kernel() does: shutdown_request with
     * restart: true on control, wait for the process to exit (killed after 5 s), clean up what
     * is left of its tree, start it again on the same connection file. Timed from the request
     * to the new process's first kernel_info_reply; the exit is awaited directly, not polled
     * every 0.1 s as jupyter_client does.
     */
    async restart() {
      const begun = performance.now();
      const control = await sendRestartRequest(connection.info);
      try {
        const timer = new Promise((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS).unref());
        await Promise.race([current.exited, timer]);
        await stopKernel(current);
      } finally {
        control.close();
      }
      current = await start();
      return (await firstKernelInfoReply(connection.info, isAlive)) - begun;
    },
    stop: () => stopKernel(current),
  };
}
