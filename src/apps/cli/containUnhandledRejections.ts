import { redactAwsSecrets, redactGcpSecrets } from '../../../adapters/registry.js';

/**
 * Keeps the daemon running when a promise nobody waits for rejects (Node's
 * default is to exit 1), and logs it, redacted, on one line.
 *
 * Why this is safe for rejections and not for exceptions: every call the
 * daemon makes is awaited and its errors handled where they happen, so an
 * unhandled rejection comes from work nobody depends on, typically a client
 * library's internal promise (the GCP Compute client once rejected one per
 * API method when its credentials file was missing). Dropping it leaves no
 * state of ours half-written. An uncaught exception, by contrast, unwinds
 * a synchronous update in the middle, so the process still dies of one and
 * restarts from its journal, which is written ahead of every mutating call.
 *
 * @returns A function that removes the handler.
 */
export function containUnhandledRejections(log: (line: string) => void): () => void {
  const onRejection = (reason: unknown) => {
    const text = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
    const line = redactAwsSecrets(redactGcpSecrets(text.split('\n')[0]!)).slice(0, 500);
    log(`contained an error that nothing was waiting for (an unhandled promise rejection, likely inside a client library); still running: ${line}`);
  };
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('unhandledRejection', onRejection);
  };
}
