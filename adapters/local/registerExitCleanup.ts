/**
 * Synchronous last-chance clean-ups run on process `exit`, one listener for
 * every adapter in the process (an adapter forgotten without `close()`, or a
 * test run that calls `process.exit`). Only synchronous work runs there, so
 * it only sends signals; the watchdog removes what is left on disk.
 */
const cleanups = new Set<() => void>();
let installed = false;

/** Registers `cleanup` until the returned function is called. */
export function registerExitCleanup(cleanup: () => void): () => void {
  if (!installed) {
    installed = true;
    process.once('exit', () => {
      for (const run of cleanups) {
        try {
          run();
        } catch {
          // One failing clean-up must not keep the others from running.
        }
      }
    });
  }
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}
