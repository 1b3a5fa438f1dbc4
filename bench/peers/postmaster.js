// The postmaster of a data directory, from its `postmaster.pid` (first line). Patroni and
// pg_autoctl may start PostgreSQL outside their own process tree, so a zone's processes
// are the manager's tree plus this one's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The postmaster's pid, or undefined when the server is not running. */
export function postmasterPid(dataDir) {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
