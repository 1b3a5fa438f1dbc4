import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A killed postmaster (power fault, a frozen server stopped) leaves its
 * small System V shared memory segment behind; PostgreSQL removes it on the
 * next start in the same data dir, but we are about to delete the data dir.
 * So when `dataDir`'s `postmaster.pid` survived its process, remove the
 * segment named on that file's 7th line (`key id`). Best effort.
 */
export async function releaseSharedMemory(dataDir: string): Promise<void> {
  const lines = (await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
  const pid = Number(lines[0]);
  const shmid = lines[6]?.trim().split(/\s+/)[1];
  if (!(pid > 0) || shmid === undefined || !/^\d+$/.test(shmid) || isAlive(pid)) return;
  await run('ipcrm', ['-m', shmid]).catch(() => undefined);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
