import fs from 'node:fs/promises';
import path from 'node:path';
import type { FileOwner } from './writeOwnedFile.js';

/** Files a base backup must not carry over, by path relative to the data dir. */
const SKIPPED_FILES = new Set([
  'postmaster.pid',
  'postmaster.opts',
  'standby.signal',
  'recovery.signal',
  'backup_label',
  'backup_label.old',
  'tablespace_map',
  'current_logfiles',
]);

/** Directories copied empty: WAL comes by streaming, the rest is per-server runtime state. */
const EMPTIED_DIRS = new Set([
  'pg_wal',
  'pg_replslot',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_stat_tmp',
  'pg_subtrans',
]);

/** Files copied at once; enough to hide per-file latency without exhausting descriptors. */
const COPY_CONCURRENCY = 32;

/**
 * Copies a data dir. For a base backup (`backup: true`, between
 * `pg_backup_start` and `pg_backup_stop`, which make the torn copy of a
 * running server consistent by WAL replay) runtime state and WAL are left
 * out and files vanishing while we copy are skipped; otherwise (a stopped
 * template) everything is copied. Everything ends up owned by `owner`, dirs
 * 0700, files keeping their mode.
 */
export async function copyDataDir(source: string, target: string, owner: FileOwner, backup: boolean): Promise<void> {
  const files: string[] = [];
  await copyTree(source, target, '', owner, backup, files);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const relative = files[next++]!;
      try {
        await fs.copyFile(path.join(source, relative), path.join(target, relative));
      } catch (error) {
        if (backup && (error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      if (owner) await fs.chown(path.join(target, relative), owner.uid, owner.gid);
    }
  };
  await Promise.all(Array.from({ length: COPY_CONCURRENCY }, worker));
}

/** Creates the directory tree and lists the files to copy. */
async function copyTree(
  sourceRoot: string,
  targetRoot: string,
  relative: string,
  owner: FileOwner,
  backup: boolean,
  files: string[],
): Promise<void> {
  const to = path.join(targetRoot, relative);
  await fs.mkdir(to, { mode: 0o700 });
  if (owner) await fs.chown(to, owner.uid, owner.gid);
  if (backup && EMPTIED_DIRS.has(relative)) return;
  let entries;
  try {
    entries = await fs.readdir(path.join(sourceRoot, relative), { withFileTypes: true });
  } catch (error) {
    if (backup && (error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) {
    const child = relative === '' ? entry.name : path.join(relative, entry.name);
    if (entry.isDirectory()) {
      await copyTree(sourceRoot, targetRoot, child, owner, backup, files);
    } else if (entry.isFile() && !(backup && (SKIPPED_FILES.has(child) || entry.name === 'pg_internal.init'))) {
      files.push(child);
    }
  }
}

