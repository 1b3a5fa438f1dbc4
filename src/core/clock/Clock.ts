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
  /**
   * Calls `fn` once after `ms` milliseconds of this clock's time; returns a
   * function that cancels it. Cheaper than `sleep` for timers that are
   * usually cancelled (call budgets).
   */
  setTimer(ms: number, fn: () => void): () => void;
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
  return armTimeout(clock, new AbortController(), ms, parent);
}

/** Per parent signal, the controllers that abort with it (one listener on the parent for all of them). */
const followers = new WeakMap<AbortSignal, Set<AbortController>>();

/**
 * Makes `controller` abort with `parent`'s reason when `parent` fires (at
 * once if it already has); returns the undo, which leaves `controller` alone
 * from then on. Children share one listener on the parent: a loop's signal
 * outlives thousands of calls, and many in flight at once (hung calls
 * waiting out their timeout) would each add one, past Node's listener
 * warning threshold.
 */
export function followSignal(parent: AbortSignal, controller: AbortController): () => void {
  if (parent.aborted) {
    controller.abort(parent.reason);
    return () => undefined;
  }
  let children = followers.get(parent);
  if (children === undefined) {
    const set = new Set<AbortController>();
    children = set;
    followers.set(parent, set);
    parent.addEventListener(
      'abort',
      () => {
        for (const child of set) child.abort(parent.reason);
        set.clear();
      },
      { once: true },
    );
  }
  const set = children;
  set.add(controller);
  return () => {
    set.delete(controller);
  };
}

/**
 * Makes `controller` abort after `ms` of `clock` time, or when `parent`
 * fires (at once if it already has). `dispose()` releases the timer and the
 * parent. Shared by {@link timeoutSignal} and `TimeoutBudget` (which brings
 * a recycled controller).
 */
export function armTimeout(
  clock: Clock,
  controller: AbortController,
  ms: number,
  parent?: AbortSignal,
): { signal: AbortSignal; dispose: () => void } {
  if (parent?.aborted) {
    controller.abort(parent.reason);
    return { signal: controller.signal, dispose: () => undefined };
  }
  const unfollow = parent === undefined ? undefined : followSignal(parent, controller);
  const cancel = clock.setTimer(ms, () => {
    const error = new Error(`timed out after ${ms} ms`);
    error.name = 'AbortError';
    controller.abort(error);
  });
  return {
    signal: controller.signal,
    dispose: () => {
      cancel();
      unfollow?.();
    },
  };
}
