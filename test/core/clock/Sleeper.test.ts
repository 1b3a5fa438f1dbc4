import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Sleeper } from '../../../src/core/clock/Sleeper.js';
import { VirtualClock } from '../../../src/core/clock/VirtualClock.js';

describe('Sleeper', () => {
  it('sleeps on the clock with one abort listener for all its sleeps', async () => {
    const clock = new VirtualClock(0, { settle: 'microtasks' });
    const stop = new AbortController();
    const sleeper = new Sleeper(clock, stop.signal);
    const woke: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 3; i++) {
        await sleeper.sleep(1000);
        woke.push(clock.now());
        expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
      }
    })();
    await clock.runUntil(5000);
    await loop;
    expect(woke).toEqual([1000, 2000, 3000]);
    sleeper.dispose();
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });

  it('ends a sleep early when the signal fires, releasing its timer, and never rejects', async () => {
    const clock = new VirtualClock(0);
    const stop = new AbortController();
    const sleeper = new Sleeper(clock, stop.signal);
    const slept = sleeper.sleep(60_000);
    stop.abort();
    await expect(slept).resolves.toBeUndefined();
    expect(clock.nextTimerAt()).toBeUndefined();
    // Already fired: resolves at once.
    await expect(sleeper.sleep(60_000)).resolves.toBeUndefined();
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('resumes its caller after as many continuations as clock.sleep(ms, signal).catch()', async () => {
    const order = async (useSleeper: boolean) => {
      const clock = new VirtualClock(0, { settle: 'microtasks' });
      const stop = new AbortController();
      const sleeper = new Sleeper(clock, stop.signal);
      const log: string[] = [];
      const waiter = (async () => {
        if (useSleeper) await sleeper.sleep(10);
        else await clock.sleep(10, stop.signal).catch(() => undefined);
        log.push('sleeper');
      })();
      clock.setTimer(10, () => {
        void (async () => {
          for (let i = 0; i < 4; i++) {
            log.push(`other${i}`);
            await Promise.resolve();
          }
        })();
      });
      await clock.runUntil(20);
      await waiter;
      return log;
    };
    expect(await order(true)).toEqual(await order(false));
  });
});
