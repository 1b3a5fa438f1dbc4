import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { followSignal, timeoutSignal } from '../../../src/core/clock/Clock.js';
import { VirtualClock } from '../../../src/core/clock/VirtualClock.js';

/**
 * A controller that lives longer than one call (the probe round's, reused
 * round after round) follows the loop's signal through the same one
 * listener as the calls' timeout signals.
 */
describe('followSignal', () => {
  it('shares the parent listener of the timeout signals, and aborts with the parent reason', () => {
    const parent = new AbortController();
    const budget = timeoutSignal(new VirtualClock(0), 60_000, parent.signal);
    const followers = Array.from({ length: 20 }, () => new AbortController());
    for (const follower of followers) followSignal(parent.signal, follower);
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    parent.abort(new Error('shutting down'));
    expect(budget.signal.aborted).toBe(true);
    for (const follower of followers) expect(follower.signal.reason).toMatchObject({ message: 'shutting down' });
  });

  it('leaves the controller alone once undone', () => {
    const parent = new AbortController();
    const undone = new AbortController();
    const kept = new AbortController();
    followSignal(parent.signal, undone)();
    followSignal(parent.signal, kept);
    parent.abort();
    expect(undone.signal.aborted).toBe(false);
    expect(kept.signal.aborted).toBe(true);
  });

  it('aborts at once under a parent that has already fired', () => {
    const parent = new AbortController();
    parent.abort(new Error('gone'));
    const late = new AbortController();
    const undo = followSignal(parent.signal, late);
    expect(late.signal.aborted).toBe(true);
    expect(late.signal.reason).toMatchObject({ message: 'gone' });
    undo();
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
  });
});
