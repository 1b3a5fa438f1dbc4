import type { Clock } from './Clock.js';

/**
 * Sleeps on a clock that end early when one long-lived signal fires: a loop's
 * pause between rounds. Unlike `clock.sleep(ms, signal)` it keeps a single
 * abort listener for all its sleeps instead of adding and removing one per
 * sleep, which costs more than a whole quiet controller cycle in replay.
 * Call {@link Sleeper.dispose} when the loop ends.
 */
export class Sleeper {
  private wake: (() => void) | undefined;
  private readonly onAbort = (): void => this.wake?.();

  constructor(
    private readonly clock: Clock,
    private readonly signal: AbortSignal,
  ) {
    if (!signal.aborted) signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /**
   * Resolves after `ms` of clock time, or as soon as the signal fires (at
   * once if it already has). Never rejects: check the signal afterwards. One
   * sleep at a time. It resolves one promise continuation after the timer or
   * the signal, as `clock.sleep(ms, signal).catch(() => {})` does, so putting
   * one in place of the other moves no continuation of anyone else.
   */
  sleep(ms: number): Promise<void> {
    const slept = this.signal.aborted
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const cancel = this.clock.setTimer(ms, () => {
            this.wake = undefined;
            resolve();
          });
          this.wake = () => {
            this.wake = undefined;
            cancel();
            resolve();
          };
        });
    return slept.then(ignore);
  }

  /**
   * Calls `fn` after `ms` of clock time, or as soon as the signal fires (at
   * once if it already has): as a microtask queued when the timer fires, so
   * after every other timer due at that instant, where a `sleep`'s first
   * continuation runs too. Check the signal in `fn`. Shares the one pending
   * wait with {@link sleep}. For loops that take many rounds in a row
   * without a promise each.
   */
  callAfter(ms: number, fn: () => void): void {
    if (this.signal.aborted) {
      queueMicrotask(fn);
      return;
    }
    // The callback and its cancel are kept in fields and the two ways it can be called are bound once:
    // a run of quiet rounds calls this once a round.
    this.pending = fn;
    this.cancelPending = this.clock.setTimer(ms, this.onPendingTimer);
    this.wake = this.onPendingWake;
  }

  private pending: (() => void) | undefined;
  private cancelPending: () => void = noCancel;

  private readonly onPendingTimer = (): void => {
    this.wake = undefined;
    this.queuePending();
  };

  private readonly onPendingWake = (): void => {
    this.wake = undefined;
    this.cancelPending();
    this.queuePending();
  };

  private queuePending(): void {
    const fn = this.pending;
    this.pending = undefined;
    this.cancelPending = noCancel;
    if (fn !== undefined) queueMicrotask(fn);
  }

  /** Removes the listener; a sleep in progress runs to its end. */
  dispose(): void {
    this.wake = undefined;
    this.signal.removeEventListener('abort', this.onAbort);
  }
}

function ignore(): void {}

function noCancel(): void {}
