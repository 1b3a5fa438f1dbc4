import { getEventListeners } from 'node:events';
import { armTimeout, type Clock } from './Clock.js';

/**
 * `timeoutSignal` for uses that follow one another and never overlap (the
 * controller's batch of reads, cycle after cycle), recycling its signal:
 * while the last one never fired and nothing is left listening to it, the
 * next {@link start} hands the same signal out again. Creating an
 * `AbortSignal` costs more than a quiet controller cycle in replay.
 * Otherwise it behaves as `timeoutSignal`, so a signal must not be used
 * after its `dispose()`.
 */
export class TimeoutBudget {
  private controller: AbortController | undefined;

  constructor(private readonly clock: Clock) {}

  /**
   * A signal that fires after `ms` of clock time, or when `parent` fires (at
   * once if it already has). Call `dispose()` when done, before the next
   * `start`: it releases the timer and the parent.
   */
  start(ms: number, parent?: AbortSignal): { signal: AbortSignal; dispose: () => void } {
    let controller = this.controller;
    if (controller === undefined || controller.signal.aborted || getEventListeners(controller.signal, 'abort').length > 0) {
      controller = this.controller = new AbortController();
    }
    return armTimeout(this.clock, controller, ms, parent);
  }
}
