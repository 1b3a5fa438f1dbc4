import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { timeoutSignal } from '../../../src/core/clock/Clock.js';
import { VirtualClock } from '../../../src/core/clock/VirtualClock.js';

/**
 * Calls under way each get a timeout signal that follows the loop's signal.
 * With many hung calls at once they must not each add a listener to it:
 * Node warns (MaxListenersExceededWarning) past ten, and the listeners are
 * a leak while the calls hang.
 */
describe('timeoutSignal', () => {
  it('puts one listener on the parent however many signals follow it, and all abort with it', () => {
    const clock = new VirtualClock(0);
    const parent = new AbortController();
    const children = Array.from({ length: 50 }, () => timeoutSignal(clock, 60_000, parent.signal));
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    parent.abort(new Error('shutting down'));
    for (const { signal } of children) {
      expect(signal.aborted).toBe(true);
      expect(signal.reason).toMatchObject({ message: 'shutting down' });
    }
  });

  it('a disposed signal no longer follows the parent; the others still do', () => {
    const clock = new VirtualClock(0);
    const parent = new AbortController();
    const a = timeoutSignal(clock, 60_000, parent.signal);
    const b = timeoutSignal(clock, 60_000, parent.signal);
    a.dispose();
    parent.abort();
    expect(a.signal.aborted).toBe(false);
    expect(b.signal.aborted).toBe(true);
  });

  it('fires on its own after its time, leaving the parent and the other signals alone', async () => {
    const clock = new VirtualClock(0);
    const parent = new AbortController();
    const short = timeoutSignal(clock, 100, parent.signal);
    const long = timeoutSignal(clock, 1_000, parent.signal);
    await clock.runUntil(100);
    expect(short.signal.aborted).toBe(true);
    expect(short.signal.reason).toMatchObject({ name: 'AbortError', message: 'timed out after 100 ms' });
    expect(long.signal.aborted).toBe(false);
    expect(parent.signal.aborted).toBe(false);
  });

  it('starts aborted under an aborted parent', () => {
    const parent = new AbortController();
    parent.abort(new Error('gone'));
    const { signal } = timeoutSignal(new VirtualClock(0), 1_000, parent.signal);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toMatchObject({ message: 'gone' });
  });
});
