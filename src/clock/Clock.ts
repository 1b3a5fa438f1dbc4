/**
 * Time, injected. Core code never reads the wall clock or sets timers itself,
 * so the same controller runs in real time (the daemon) and in virtual time
 * (replay), deterministically.
 */
export interface Clock {
  /** Milliseconds since this clock's epoch (Unix epoch for the system clock, scenario start for replay). */
  now(): number;
  /**
   * Resolves after `ms` milliseconds of this clock's time. Rejects with an
   * `AbortError` as soon as `signal` fires (and releases the timer).
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The error a sleep or a call rejects with when its signal fires. */
export function abortError(signal?: AbortSignal): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const error = new Error(reason instanceof Error ? reason.message : 'The operation was aborted');
  error.name = 'AbortError';
  return error;
}

/**
 * An `AbortSignal` that fires after `ms` of `clock` time, or when `parent`
 * fires. Call `dispose()` when done so the timer does not linger.
 */
export function timeoutSignal(
  clock: Clock,
  ms: number,
  parent?: AbortSignal,
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const timerController = new AbortController();
  const onParentAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  clock.sleep(ms, timerController.signal).then(
    () => {
      const error = new Error(`timed out after ${ms} ms`);
      error.name = 'AbortError';
      controller.abort(error);
    },
    () => undefined,
  );
  return {
    signal: controller.signal,
    dispose: () => {
      timerController.abort();
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
