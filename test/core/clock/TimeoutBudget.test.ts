import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { TimeoutBudget } from '../../../src/core/clock/TimeoutBudget.js';
import { VirtualClock } from '../../../src/core/clock/VirtualClock.js';

describe('TimeoutBudget', () => {
  it('fires after its time, with a timeout AbortError', async () => {
    const clock = new VirtualClock(0);
    const budget = new TimeoutBudget(clock);
    const { signal } = budget.start(500, new AbortController().signal);
    await clock.runUntil(499);
    expect(signal.aborted).toBe(false);
    await clock.runUntil(500);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toMatchObject({ name: 'AbortError', message: 'timed out after 500 ms' });
  });

  it('fires when its parent does, and starts aborted under an aborted parent', () => {
    const clock = new VirtualClock(0);
    const budget = new TimeoutBudget(clock);
    const parent = new AbortController();
    const { signal } = budget.start(500, parent.signal);
    parent.abort(new Error('stop'));
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toMatchObject({ message: 'stop' });
    const again = budget.start(500, parent.signal);
    expect(again.signal.aborted).toBe(true);
    expect(again.signal.reason).toMatchObject({ message: 'stop' });
  });

  it('releases its timer and its parent on dispose', () => {
    const clock = new VirtualClock(0);
    const budget = new TimeoutBudget(clock);
    const parent = new AbortController();
    const { signal, dispose } = budget.start(500, parent.signal);
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    dispose();
    // The parent keeps its one shared listener (see timeoutSignal.test.ts); this signal no longer follows it.
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    expect(clock.nextTimerAt()).toBeUndefined();
    parent.abort();
    expect(signal.aborted).toBe(false);
  });

  it('hands the same signal out again only after a use that left it clean', async () => {
    const clock = new VirtualClock(0);
    const budget = new TimeoutBudget(clock);
    const parent = new AbortController().signal;
    const first = budget.start(500, parent);
    first.dispose();
    const second = budget.start(500, parent);
    expect(second.signal).toBe(first.signal);

    // A listener left behind: a new signal.
    second.signal.addEventListener('abort', () => undefined);
    second.dispose();
    const third = budget.start(500, parent);
    expect(third.signal).not.toBe(second.signal);

    // A use that timed out: a new signal.
    await clock.runUntil(500);
    expect(third.signal.aborted).toBe(true);
    third.dispose();
    const fourth = budget.start(500, parent);
    expect(fourth.signal).not.toBe(third.signal);
    expect(fourth.signal.aborted).toBe(false);
  });
});
