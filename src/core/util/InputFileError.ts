/** Cross-realm brand: works even when two copies of this package are loaded. */
const BRAND = Symbol.for('lifeboat.InputFileError');

/**
 * A file the user named cannot be used as input: missing, not a regular
 * file (a FIFO, a device, a directory where a file is needed), over its size
 * limit, or not UTF-8. The message is in the user's words and never holds
 * the file's content, so it is safe to print for a credentials file too.
 */
export class InputFileError extends Error {
  /** The path as the user named it. */
  readonly file: string;
  /** 1-based line of the problem, when it is inside the file (invalid UTF-8). */
  readonly line?: number;
  /** The reason without the file name (`it is a named pipe (FIFO), not a regular file`). */
  readonly reason: string;
  /** Node's error code when the operating system refused (`ENOENT`, `EACCES`). */
  readonly code?: string;
  readonly [BRAND] = true;

  constructor(file: string, reason: string, options: { line?: number; code?: string; cause?: unknown } = {}) {
    super(`${options.line === undefined ? file : `${file}:${options.line}`}: ${reason}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'InputFileError';
    this.file = file;
    this.reason = reason;
    if (options.line !== undefined) this.line = options.line;
    if (options.code !== undefined) this.code = options.code;
  }
}

/** True for any {@link InputFileError}, from any copy of this package. */
export function isInputFileError(value: unknown): value is InputFileError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
