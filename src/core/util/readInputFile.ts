import { isUtf8 } from 'node:buffer';
import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { InputFileError } from './InputFileError.js';

/** What a path the user named turned out to be. */
export type InputPathKind = 'file' | 'directory';

/** How a path may be read. */
export interface InputFileLimits {
  /** Largest file accepted, in bytes. A larger file is refused before a byte is read. */
  readonly maxBytes: number;
  /** True where a folder is allowed in place of a file (scenario folders); default false. */
  readonly allowDirectory?: boolean;
}

/** Node error codes users hit, in their words. */
const OS_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  ENOTDIR: 'no such file (a parent in the path is not a folder)',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long',
};

// A FIFO opened without O_NONBLOCK blocks until something writes to it: the open itself would hang.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);
const CHUNK_BYTES = 64 * 1024;

/**
 * Checks, without reading it, that `path` is a regular file no larger than
 * `limits.maxBytes` (or a directory, where `limits.allowDirectory`).
 *
 * Every path the CLI and the daemon read goes through here or through
 * {@link readInputFile}: a FIFO would hang the reader, `/dev/zero` would eat
 * memory until the process dies, a huge file would take minutes to parse.
 *
 * @throws {@link InputFileError} naming the file and what it is instead.
 */
export async function checkInputPath(path: string, limits: InputFileLimits): Promise<InputPathKind> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    throw osError(path, error);
  }
  return checkStats(path, info, limits);
}

/**
 * Reads a regular file of at most `limits.maxBytes` bytes as UTF-8 text.
 *
 * The type and size are checked on the opened file (not on the path before
 * opening, which a rename could change in between), and reading stops one
 * byte past the limit whatever the file claims, so a file that grows or a
 * `/proc` file that reports size 0 cannot make it read more.
 *
 * @throws {@link InputFileError} when the file is missing, unreadable, not a
 * regular file, over the limit, or not valid UTF-8 (with the line).
 */
export async function readInputFile(path: string, limits: Omit<InputFileLimits, 'allowDirectory'>): Promise<string> {
  let handle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    throw osError(path, error);
  }
  try {
    checkStats(path, await handle.stat(), { maxBytes: limits.maxBytes });
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(CHUNK_BYTES, limits.maxBytes + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > limits.maxBytes) throw tooLarge(path, undefined, limits.maxBytes);
    }
    return decodeUtf8(path, Buffer.concat(chunks, total));
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    throw osError(path, error);
  } finally {
    await handle.close();
  }
}

/** `12.5 MiB`, `300 KiB`, `17 bytes`: sizes in messages. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / (1024 * 1024)).toFixed(1))} MiB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KiB`;
  return `${bytes} bytes`;
}

function checkStats(path: string, info: Stats, limits: InputFileLimits): InputPathKind {
  if (info.isDirectory()) {
    if (limits.allowDirectory) return 'directory';
    throw new InputFileError(path, 'cannot read the file: it is a directory, not a file (EISDIR)', { code: 'EISDIR' });
  }
  if (!info.isFile()) throw new InputFileError(path, `cannot read the file: it is ${describeSpecialFile(info)}, not a regular file`);
  if (info.size > limits.maxBytes) throw tooLarge(path, info.size, limits.maxBytes);
  return 'file';
}

function describeSpecialFile(info: Stats): string {
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a file';
}

function tooLarge(path: string, size: number | undefined, maxBytes: number): InputFileError {
  // Just over the limit, rounded sizes would read "256 KiB, over the limit of 256 KiB": then say bytes.
  const exact = size !== undefined && formatBytes(size) === formatBytes(maxBytes);
  const limit = exact ? `${maxBytes} bytes` : formatBytes(maxBytes);
  const actual = size === undefined ? `more than ${limit}` : exact ? `${size} bytes` : formatBytes(size);
  return new InputFileError(path, `the file is ${actual}, over the size limit of ${limit} for this kind of file`);
}

function osError(path: string, error: unknown): InputFileError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = (code !== undefined ? OS_ERRORS[code] : undefined) ?? (error as Error).message;
  return new InputFileError(path, `cannot read the file: ${reason}${code ? ` (${code})` : ''}`, { ...(code ? { code } : {}), cause: error });
}

function decodeUtf8(path: string, bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  const offset = firstInvalidUtf8(bytes);
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const byte = bytes[offset]!.toString(16).toUpperCase().padStart(2, '0');
  throw new InputFileError(path, `not valid UTF-8: byte 0x${byte} at byte ${offset - lineStart + 1} of the line (save the file as UTF-8)`, { line });
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence (RFC 3629). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  const continuation = (at: number, low = 0x80, high = 0xbf) => at < bytes.length && bytes[at]! >= low && bytes[at]! <= high;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let length: number;
    if (b < 0x80) length = 1;
    else if (b >= 0xc2 && b <= 0xdf) length = continuation(i + 1) ? 2 : 0;
    else if (b >= 0xe0 && b <= 0xef) {
      const [low, high] = b === 0xe0 ? [0xa0, 0xbf] : b === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
      length = continuation(i + 1, low, high) && continuation(i + 2) ? 3 : 0;
    } else if (b >= 0xf0 && b <= 0xf4) {
      const [low, high] = b === 0xf0 ? [0x90, 0xbf] : b === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
      length = continuation(i + 1, low, high) && continuation(i + 2) && continuation(i + 3) ? 4 : 0;
    } else length = 0;
    if (length === 0) return i;
    i += length;
  }
  return bytes.length;
}
