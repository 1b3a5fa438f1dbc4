import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from './files/privateFiles.js';

/**
 * Keeps a single daemon per journal without etcd: an exclusive lock file
 * holding the owner's pid. A lock whose pid no longer runs is stale (its
 * owner crashed) and is taken over.
 */
export class LocalLock {
  private held = false;

  constructor(readonly file: string) {}

  /**
   * Takes the lock (creating its folder 0700); a no-op when this instance
   * holds it already, so the CLI can take it before printing anything and
   * the daemon's own `acquire` then finds it taken.
   *
   * @throws when another live process holds it.
   */
  acquire(): void {
    if (this.held) return;
    ensurePrivateDir(dirname(this.file));
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.file, 'wx', PRIVATE_FILE_MODE);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        this.held = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const pid = Number(readFileSync(this.file, 'utf8').trim());
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
          throw new Error(`another daemon (pid ${pid}) holds ${this.file}`);
        }
        unlinkSync(this.file);
      }
    }
    throw new Error(`cannot take ${this.file}`);
  }

  /** Releases the lock if held. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    try {
      unlinkSync(this.file);
    } catch {
      // already gone
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
