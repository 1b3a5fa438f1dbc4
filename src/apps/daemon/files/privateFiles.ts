import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** Mode of every file the daemon writes: its state, audit trail and reports are for its operator only. */
export const PRIVATE_FILE_MODE = 0o600;
/** Mode of every folder the daemon creates. */
export const PRIVATE_DIR_MODE = 0o700;

/** Creates `folder` (and missing parents) with mode 0700; an existing folder is left as it is. */
export function ensurePrivateDir(folder: string): void {
  mkdirSync(folder, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * The path of `name` inside `folder`.
 *
 * @throws when `name` is not one plain file name (empty, `.`, `..`, or with
 * a path separator), so it would land outside `folder`; build names from ids
 * with `fileNameFromId`.
 */
export function pathInside(folder: string, name: string): string {
  const root = resolve(folder);
  const path = resolve(root, name);
  if (name === '' || name === '.' || name === '..' || basename(name) !== name || dirname(path) !== root || name.includes('\0')) {
    throw new Error(`refusing to write ${JSON.stringify(name)}: not a plain file name inside ${root}`);
  }
  return path;
}

/**
 * Writes `text` to `name` inside `folder` (created 0700 when missing),
 * mode 0600, atomically and durably (a temp file written, fsynced and
 * renamed over it, then the folder fsynced), and returns the path.
 *
 * @throws when `name` would leave `folder` (see {@link pathInside}) or the write fails.
 */
export function writePrivateFile(folder: string, name: string, text: string): string {
  const path = pathInside(folder, name);
  ensurePrivateDir(folder);
  const temp = join(dirname(path), `.${name}.tmp`);
  const fd = openSync(temp, 'w', PRIVATE_FILE_MODE);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  // The rename is durable only once the folder's entry is on disk too.
  fsyncFolder(dirname(path));
  return path;
}

/**
 * Removes `name` from `folder` durably (the folder is fsynced after the
 * unlink, so the file does not come back after a crash); a file already
 * gone is not an error.
 *
 * @throws when `name` would leave `folder` (see {@link pathInside}) or the removal fails.
 */
export function removePrivateFile(folder: string, name: string): void {
  const path = pathInside(folder, name);
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  fsyncFolder(dirname(path));
}

function fsyncFolder(folder: string): void {
  const dir = openSync(folder, 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
