import { ZONE_FAULTS, type ZoneFault } from '../../../adapters/local/index.js';
import { Random } from '../../core/util/Random.js';
import { DEMO_ZONES, type DemoPlacement } from './demoTopology.js';
import type { FailoverDrillOptions } from './runFailoverDrill.js';

/** The randomized part of one drill round (everything else is the drill's default). */
export interface DrillRound {
  /** 1-based round number. */
  readonly round: number;
  readonly fault: ZoneFault;
  readonly placement: DemoPlacement;
  /** Acknowledged writes before the fault, ms. */
  readonly warmupMs: number;
  /** Pause between writes, ms. */
  readonly writeIntervalMs: number;
  /** When the zone comes back, ms after the failover completed. */
  readonly healAfterMs: number;
}

/**
 * `count` randomized drill rounds from `seed`: the primary, sync and async
 * standby placed over the three zones at random, the fault kinds in a random
 * order taken in turn (every kind once in any three rounds), and random timing (warm-up before the fault,
 * write pace, when the zone comes back). The same seed gives the same
 * rounds (round n does not depend on `count`), so a failing round can be
 * replayed with its seed.
 */
export function randomDrillRounds(seed: number, count: number): DrillRound[] {
  const random = new Random(seed);
  const faults = shuffle(random, ZONE_FAULTS);
  return Array.from({ length: count }, (_, index): DrillRound => {
    // Each round draws from its own generator: round n is the same whatever the count.
    const own = random.fork(index + 1);
    const [primary, sync, async] = shuffle(own, DEMO_ZONES) as [string, string, string];
    return {
      round: index + 1,
      fault: faults[index % faults.length]!,
      placement: { primary, sync, async },
      warmupMs: 300 + own.int(2700),
      writeIntervalMs: 5 + own.int(36),
      healAfterMs: own.int(8000),
    };
  });
}

/** The drill options of a round (merge with anything else the caller wants). */
export function roundOptions(round: DrillRound): FailoverDrillOptions {
  const { fault, placement, warmupMs, writeIntervalMs, healAfterMs } = round;
  return { fault, placement, warmupMs, writeIntervalMs, healAfterMs };
}

function shuffle<T>(random: Random, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
