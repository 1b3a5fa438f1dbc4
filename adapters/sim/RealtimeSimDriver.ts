import type { Clock } from '../../src/core/clock/Clock.js';
import type { VirtualClock } from '../../src/core/clock/VirtualClock.js';

/**
 * Moves a simulated world's {@link VirtualClock} forward in step with real
 * time, so a real-time daemon can run against a `SimWorld`. World time is
 * `(real elapsed) × timeScale` since {@link RealtimeSimDriver.run} started.
 */
export class RealtimeSimDriver {
  constructor(
    private readonly world: VirtualClock,
    private readonly real: Clock,
    private readonly options: { readonly timeScale?: number; readonly tickMs?: number } = {},
  ) {}

  /** Advances the world every tick until `signal` fires. */
  async run(signal: AbortSignal): Promise<void> {
    const scale = this.options.timeScale ?? 1;
    const tick = this.options.tickMs ?? 50;
    const start = this.real.now();
    const origin = this.world.now();
    while (!signal.aborted) {
      await this.world.runUntil(origin + (this.real.now() - start) * scale);
      await this.real.sleep(tick, signal).catch(() => undefined);
    }
  }
}
