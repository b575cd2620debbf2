// A kernel is a process tree (Tempo runs cells in a child process), so memory and cleanup are per tree.
import { readdirSync, readFileSync } from 'node:fs';

/** ppid of every live process, read from /proc/<pid>/stat (field 4, after the parenthesised name). */
function parentMap() {
  const parents = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The name may contain spaces and parentheses: split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // Exited while we were listing.
    }
  }
  return parents;
}

/** `root` and all its live descendants. */
export function processTree(root) {
  const children = new Map();
  for (const [pid, ppid] of parentMap()) {
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(pid);
  }
  const tree = [];
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop();
    tree.push(pid);
    pending.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** One `Name: N kB` field of a /proc file, in kB; 0 if the process has exited or is a zombie. */
function procKb(pid, file, field) {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/${file}`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Sum of VmRSS over the tree, in MB. Shared pages (the node binary, mapped by both Tempo's
 * kernel and executor) count once per process, as `ps`/`top` would add them up.
 */
export function treeRssMb(root) {
  return processTree(root).reduce((sum, pid) => sum + procKb(pid, 'status', 'VmRSS'), 0) / 1024;
}

/**
 * Sum of PSS over the tree, in MB: each shared page is split among the processes that map it,
 * so the node binary that Tempo's two processes share counts once, as the memory really used.
 */
export function treePssMb(root) {
  return processTree(root).reduce((sum, pid) => sum + procKb(pid, 'smaps_rollup', 'Pss'), 0) / 1024;
}

/**
 * SIGKILLs the tree. Descendants are listed first, because once the root dies they are
 * re-parented and no longer found under it; the process group catches any started meanwhile.
 */
export function killTree(root) {
  const pids = processTree(root);
  try {
    process.kill(-root, 'SIGKILL'); // the kernel leads its own group (spawned detached)
  } catch {
    // Group already gone.
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return pids;
}

/** Resolves once none of `pids` is alive any more (or rejects after `timeoutMs`). */
export async function waitGone(pids, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  const alive = (pid) => {
    try {
      // A zombie still answers kill(0); its state letter in stat tells it apart.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
    } catch {
      return false;
    }
  };
  while (pids.some(alive)) {
    if (Date.now() > deadline) throw new Error(`processes still alive after kill: ${pids.filter(alive).join(' ')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Trees still running, killed however this process ends (a thrown error, Ctrl-C, kill), so a
// failed benchmark never leaves a kernel behind. Signals must exit explicitly to run 'exit'.
const live = new Set();
process.on('exit', () => {
  for (const pid of live) killTree(pid);
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => process.exit(130));

/** Kills `pid`'s tree if this process exits first; call the returned function once it is gone. */
export function killOnExit(pid) {
  live.add(pid);
  return () => live.delete(pid);
}
