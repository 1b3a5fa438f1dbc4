import { isInputFileError } from '../../../core/util/InputFileError.js';
import { checkInputPath } from '../../../core/util/readInputFile.js';
import { INPUT_LIMITS } from '../../replay/scenario/inputLimits.js';

/**
 * Checks, at start, the credentials file that `variable` (named in the
 * config) points at: a regular file within {@link INPUT_LIMITS}.credentialsBytes.
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
    await checkInputPath(file, { maxBytes: INPUT_LIMITS.credentialsBytes });
  } catch (error) {
    if (!isInputFileError(error)) throw error;
    throw new Error(`the credentials file that ${variable} (named in the config) points at: ${error.message}`, { cause: error });
  }
  return file;
}
