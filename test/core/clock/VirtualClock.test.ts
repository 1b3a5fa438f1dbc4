import { describe, expect, it } from 'vitest';
import { VirtualClock, type VirtualClockSettle } from '../../../src/core/clock/VirtualClock.js';

const MODES: VirtualClockSettle[] = ['macrotask', 'microtasks'];

/** A chain of `depth` promise continuations, logging its end with the clock's time. */
async function chain(clock: VirtualClock, log: string[], name: string, depth: number): Promise<void> {
  for (let i = 0; i < depth; i++) await Promise.resolve();
  log.push(`${name}@${clock.now()}`);
}

describe.each(MODES)('VirtualClock (settle: %s)', (settle) => {
  it('fires timers in time order, and timers due at the same instant in the order they were set', async () => {
    const clock = new VirtualClock(0, { settle });
    const log: string[] = [];
    clock.setTimer(20, () => log.push('b'));
    clock.schedule(10, () => log.push('a'));
    clock.setTimer(20, () => log.push('c'));
    const cancel = clock.setTimer(15, () => log.push('cancelled'));
    cancel();
    await clock.runUntil(100);
    expect(log).toEqual(['a', 'b', 'c']);
    expect(clock.now()).toBe(100);
  });

  it('lets every promise chain a timer resolves run before time moves on', async () => {
    const clock = new VirtualClock(0, { settle });
    const log: string[] = [];
    clock.setTimer(10, () => void chain(clock, log, 'deep', 50));
    clock.setTimer(11, () => log.push(`next@${clock.now()}`));
    await clock.runUntil(20);
    expect(log).toEqual(['deep@10', 'next@11']);
  });

  it('fires a zero-delay timer set by a continuation at the same instant', async () => {
    const clock = new VirtualClock(0, { settle });
    const log: string[] = [];
    const loop = (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(0);
        await Promise.resolve();
        log.push(`tick${i}@${clock.now()}`);
      }
      await clock.sleep(5);
      log.push(`done@${clock.now()}`);
    })();
    await clock.runUntil(100);
    await loop;
    expect(log).toEqual(['tick0@0', 'tick1@0', 'tick2@0', 'done@5']);
  });

  it('rejects a sleep when its signal fires, and releases its timer', async () => {
    const clock = new VirtualClock(0, { settle });
    const abort = new AbortController();
    const slept = clock.sleep(1000, abort.signal);
    abort.abort();
    await expect(slept).rejects.toMatchObject({ name: 'AbortError' });
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('keeps many timers in order', async () => {
    const clock = new VirtualClock(0, { settle });
    const fired: number[] = [];
    const times = Array.from({ length: 200 }, (_, i) => (i * 7919) % 101);
    times.forEach((t, i) => clock.setTimer(t, () => fired.push(t * 1000 + i)));
    await clock.runUntil(1000);
    expect(fired).toEqual([...fired].sort((a, b) => a - b));
    expect(fired).toHaveLength(200);
  });
});

describe('VirtualClock settle modes', () => {
  it('interleave promise chains identically', async () => {
    const run = async (settle: VirtualClockSettle) => {
      const clock = new VirtualClock(0, { settle });
      const log: string[] = [];
      for (let i = 0; i < 5; i++) {
        clock.setTimer(i % 2 === 0 ? 10 : 20, () => {
          void chain(clock, log, `c${i}`, 3 * i);
          clock.setTimer(0, () => log.push(`z${i}@${clock.now()}`));
        });
      }
      await clock.runUntil(50);
      return log;
    };
    expect(await run('microtasks')).toEqual(await run('macrotask'));
  });

  it('microtasks: does not wait for real macrotasks; macrotask: gives them a turn', async () => {
    const outcome = async (settle: VirtualClockSettle) => {
      const clock = new VirtualClock(0, { settle });
      let seenAt: number | undefined;
      clock.setTimer(10, () => setImmediate(() => (seenAt = clock.now())));
      clock.setTimer(15, () => undefined);
      await clock.runUntil(20);
      return seenAt;
    };
    expect(await outcome('macrotask')).toBe(10);
    // Time moved on (and the replay returned) before the real macrotask got its turn.
    expect(await outcome('microtasks')).toBeUndefined();
  });
});
