import { appendFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../files/privateFiles.js';
import type { AuditRecord } from './AuditRecord.js';

/**
 * Append-only JSON-lines audit log of every action. Appends are synchronous
 * (one `write` with `O_APPEND` per record), so records are never interleaved
 * and a crash loses at most the record being written.
 */
export class AuditLog {
  private readonly recent: AuditRecord[] = [];

  constructor(
    /** The log file. */
    readonly file: string,
    private readonly keep = 1000,
  ) {
    ensurePrivateDir(dirname(file));
  }

  /** Appends one record. */
  append(record: AuditRecord): void {
    appendFileSync(this.file, `${JSON.stringify(record)}\n`, { mode: PRIVATE_FILE_MODE });
    this.recent.push(record);
    if (this.recent.length > this.keep) this.recent.shift();
  }

  /** Records appended by this process, oldest first (bounded). */
  get records(): readonly AuditRecord[] {
    return this.recent;
  }
}
