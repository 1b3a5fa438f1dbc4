import { isInputFileError } from '../../src/core/util/InputFileError.js';
import { checkInputPath } from '../../src/core/util/readInputFile.js';

/** Largest service-account key file read (one is about 2 KiB). */
const CREDENTIALS_MAX_BYTES = 64 * 1024;

/**
 * Checks, at start, the credentials file that `variable` (named in the
 * config) points at: a regular file of at most 64 KiB.
 * Here a missing file, a FIFO or a huge file can still be reported with
 * exit 2; whatever happens to the file later is contained by the adapter
 * and reported by `ProviderFailureLog`. The message names the variable and
 * the path, never the content.
 *
 * @returns `file`, checked.
 * @throws Error naming the variable, the file and the reason.
 */
export async function checkCredentialsFile(variable: string, file: string): Promise<string> {
  try {
    await checkInputPath(file, { maxBytes: CREDENTIALS_MAX_BYTES });
  } catch (error) {
    if (!isInputFileError(error)) throw error;
    throw new Error(`the credentials file that ${variable} (named in the config) points at: ${error.message}`, { cause: error });
  }
  return file;
}
