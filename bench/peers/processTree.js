// The processes of one simulated zone, as a tree: the fault freezes every one of them at
// once (SIGSTOP), as the `local` adapter's `unreachable` fault does for Lifeboat's zones.
import { readdirSync, readFileSync } from 'node:fs';

/** Every pid below `root` (children, grandchildren, ...), read from /proc. */
export function descendants(root) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(entry));
  }
  const found = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** `root` and every process below it. */
export function tree(root) {
  return [root, ...descendants(root)];
}

/** Sends `signal` to each pid, ignoring those that are gone. */
export function signalAll(pids, signal) {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Freezes every process of the trees under `roots` (SIGSTOP, parents first so none
 * can spawn a child after its parent was listed) and returns a thaw function that
 * resumes exactly those (SIGCONT).
 */
export function freezeTrees(roots) {
  const frozen = [];
  for (const root of roots) {
    signalAll([root], 'SIGSTOP');
    frozen.push(root);
    // A stopped parent forks no more; list its subtree once it is stopped, and stop that too.
    for (const pid of descendants(root)) {
      signalAll([pid], 'SIGSTOP');
      frozen.push(pid);
    }
  }
  return () => signalAll([...frozen].reverse(), 'SIGCONT');
}

/** Kills every process of the trees under `roots` (SIGCONT first, so a frozen one can die). */
export function killTrees(roots) {
  const pids = roots.flatMap((root) => tree(root));
  signalAll(pids, 'SIGCONT');
  signalAll(pids, 'SIGKILL');
}
