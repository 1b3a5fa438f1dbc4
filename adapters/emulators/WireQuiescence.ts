import type { Clock } from '../../src/core/clock/Clock.js';
import type { VirtualClock } from '../../src/core/clock/VirtualClock.js';
import type { Provider } from '../../src/core/contract/Provider.js';
import type { EmulatorHandle } from './EmulatorHandle.js';

/**
 * Lets virtual time and real HTTP coexist. A virtual clock jumps ahead as
 * soon as nothing is scheduled sooner; a request travelling over loopback
 * takes real time, so a naive `runUntil` would fire a call's timeout before
 * its answer could arrive. This class counts adapter calls in flight (for
 * providers it {@link track}s) and waits, between timers, until each of
 * them is either finished or parked at an emulator waiting on the world
 * (a hung `apiFault`, a read latency): those only move when virtual time
 * does, so time may move then.
 */
export class WireQuiescence {
  private calls = 0;
  /** Sleeps under way on a clock handed out by {@link adapterClock}. */
  private sleeping = 0;

  constructor(private readonly emulators: readonly EmulatorHandle[]) {}

  /** Adapter calls started through tracked providers and not settled yet. */
  get inFlight(): number {
    return this.calls;
  }

  /** `provider` with every method call counted while its promise is pending. */
  track<P extends Provider>(provider: P): P {
    return new Proxy(provider, {
      get: (target, key, receiver) => {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (!(result instanceof Promise)) return result;
          this.calls++;
          return result.finally(() => this.calls--);
        };
      },
    });
  }

  /**
   * `clock` as an adapter should get it: its sleeps count as parked. An
   * adapter that waits on virtual time between two requests (polling a
   * Cloud SQL operation) is neither in transit nor at an emulator; without
   * this, {@link settled} would wait for it forever, and it waits for time
   * to move.
   */
  adapterClock(clock: Clock): Clock {
    return {
      now: () => clock.now(),
      setTimer: (ms, fn) => clock.setTimer(ms, fn),
      sleep: (ms, signal) => {
        this.sleeping++;
        return clock.sleep(ms, signal).finally(() => this.sleeping--);
      },
    };
  }

  /** Resolves once every tracked call in flight is finished, parked on the world or asleep on the virtual clock. */
  async settled(): Promise<void> {
    for (let stable = 0; stable < 2; ) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      let parked = 0;
      for (const emulator of this.emulators) parked += emulator.stats().waitingOnWorld;
      if (this.calls <= parked + this.sleeping) {
        stable++;
        continue;
      }
      stable = 0;
      // Something is moving in real time (a request in transit, an answer being parsed): give it a moment.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Advances `clock` to `targetMs` one timer instant at a time, settling the wire before and after each. */
  async runUntil(clock: VirtualClock, targetMs: number): Promise<void> {
    await this.settled();
    for (;;) {
      const next = clock.nextTimerAt();
      if (next === undefined || next > targetMs) break;
      await clock.runUntil(next);
      await this.settled();
    }
    await clock.runUntil(targetMs);
    await this.settled();
  }
}
