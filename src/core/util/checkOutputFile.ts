import { constants, type Stats } from 'node:fs';
import { access, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InputFileError } from './InputFileError.js';

/**
 * Checks, before any work, that a file can be written at `path`: its folder
 * exists and is writable, and `path` is not a directory, a folder that is a
 * file, or a named pipe nobody reads (writing would hang). Commands call it
 * before long work (`replay --json`), so a typo in the output path is
 * refused in a second, not after minutes of replay.
 *
 * Writing can still fail later (a full disk); the caller reports that too.
 *
 * @throws {@link InputFileError} naming the path and the reason.
 */
export async function checkOutputFile(path: string): Promise<void> {
  let info: Stats | undefined;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new InputFileError(path, 'cannot write the file: a parent in the path is a file, not a folder', { code });
    if (code !== 'ENOENT') throw new InputFileError(path, `cannot write the file: ${(error as Error).message}`, { ...(code ? { code } : {}), cause: error });
  }
  if (info === undefined) {
    const folder = dirname(path);
    let parent: Stats;
    try {
      parent = await stat(folder);
    } catch {
      throw new InputFileError(path, `cannot write the file: its folder ${folder} does not exist`, { code: 'ENOENT' });
    }
    if (!parent.isDirectory()) throw new InputFileError(path, `cannot write the file: ${folder} is not a folder`, { code: 'ENOTDIR' });
    await checkWritable(path, folder, 'its folder');
    return;
  }
  if (info.isDirectory()) throw new InputFileError(path, 'cannot write the file: it is a directory', { code: 'EISDIR' });
  if (info.isFIFO()) {
    // Opening a FIFO for writing without a reader blocks; non-blocking, it fails with ENXIO instead.
    try {
      await (await open(path, constants.O_WRONLY | (constants.O_NONBLOCK ?? 0))).close();
    } catch {
      throw new InputFileError(path, 'cannot write the file: it is a named pipe (FIFO) that nothing reads');
    }
    return;
  }
  await checkWritable(path, path, 'the file');
}

async function checkWritable(path: string, target: string, what: string): Promise<void> {
  try {
    await access(target, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputFileError(path, `cannot write the file: ${what} is not writable (${code ?? 'error'})`, { ...(code ? { code } : {}), cause: error });
  }
}
