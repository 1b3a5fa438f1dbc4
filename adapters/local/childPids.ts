import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * Pids of the direct children of `parent`, read synchronously (faults and
 * the exit hook must act at once). Needed because PostgreSQL puts every
 * child of the postmaster (backends, walsenders, the checkpointer, ...) in
 * its own session with `setsid()`, so a signal to the postmaster's process
 * group never reaches them.
 */
export function childPids(parent: number): number[] {
  if (fs.existsSync('/proc/self/stat')) {
    const children: number[] = [];
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue; // exited while we looked
      }
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) children.push(Number(entry));
    }
    return children;
  }
  const listing = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  return listing
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([pid, ppid]) => ppid === parent && pid !== undefined && pid > 0)
    .map(([pid]) => pid!);
}
