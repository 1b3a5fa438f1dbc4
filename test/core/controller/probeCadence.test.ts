import { describe, expect, it } from 'vitest';
import type { Prober } from '../../../src/core/contract/Prober.js';
import { Controller } from '../../../src/core/controller/Controller.js';
import type { ControllerEvent } from '../../../src/core/controller/ControllerEvent.js';
import { DEFAULT_POLICY } from '../../../src/core/controller/Policy.js';
import { simFixture } from '../../adapters/sim/simFixture.js';

const FAULT_AT_S = 61;

/** The production controller on the sim fixture; the primary's zone goes dark at 61 s. Returns probe round start times (ms). */
async function runAroundFault(untilS: number) {
  const { clock, world } = simFixture({ events: [{ at: FAULT_AT_S, kind: 'impair', zone: 'us-east-1a', mode: 'unreachable', errorRate: 0 }] });
  const inner = world.prober();
  const rounds: number[] = [];
  const prober: Prober = {
    probe: (targets, signal) => {
      rounds.push(clock.now());
      return inner.probe(targets, signal);
    },
  };
  const events: ControllerEvent[] = [];
  const controller = new Controller({
    providers: world.providers(),
    prober,
    clock,
    policy: DEFAULT_POLICY,
    groups: [{ id: 'web', provider: 'aws', region: 'us-east-1', minHealthy: 4 }],
    watch: [{ provider: 'aws', region: 'us-east-1' }, { provider: 'aws', region: 'us-west-2' }],
    random: () => 0.5,
  });
  controller.on('event', (event) => events.push(event));
  const stop = new AbortController();
  const running = controller.run(stop.signal);
  await clock.runUntil(untilS * 1000);
  stop.abort();
  await clock.runUntil(clock.now());
  await running;
  return { rounds, events };
}

describe('Controller probe cadence', () => {
  it('probes every probeInterval while calm, then in quick rounds from the first failure until the zone is confirmed', async () => {
    const { rounds, events } = await runAroundFault(180);
    const faultMs = FAULT_AT_S * 1000;
    const gaps = (from: number, to: number) =>
      rounds.slice(1).map((t, i) => ({ t, gap: t - rounds[i]! })).filter(({ t }) => t > from && t <= to);

    // Calm: one round every probeInterval.
    const calm = gaps(20_000, faultMs);
    expect(calm.length).toBeGreaterThan(5);
    for (const { gap } of calm) expect(gap).toBe(DEFAULT_POLICY.probeInterval * 1000);

    const impaired = events.find((e) => e.kind === 'zone.impaired' && e.zone === 'us-east-1a');
    expect(impaired).toBeDefined();
    const firstFailedRound = rounds.find((t) => t >= faultMs)!;
    // From the first failed round to confirmation, rounds follow each other as fast as the timeout allows.
    const converging = gaps(firstFailedRound + 1, impaired!.t);
    expect(converging.length).toBeGreaterThanOrEqual(DEFAULT_POLICY.failedRounds - 1);
    const fastest = Math.max(DEFAULT_POLICY.suspectProbeInterval, DEFAULT_POLICY.probeTimeout) * 1000;
    for (const { gap } of converging) expect(gap).toBeLessThanOrEqual(fastest);
    // Confirmed about blipTolerance after the fault (dated from the replicas' lost contact), not after
    // failedRounds calm rounds on top of it.
    expect(impaired!.t - faultMs).toBeLessThanOrEqual((DEFAULT_POLICY.blipTolerance + DEFAULT_POLICY.suspectProbeInterval) * 1000);
    expect(events.some((e) => e.kind === 'failover.planned')).toBe(true);

    // Once the outage is confirmed and settled, back to the calm interval.
    const settled = gaps(170_000, 180_000);
    expect(settled.length).toBeGreaterThan(0);
    for (const { gap } of settled) expect(gap).toBe(DEFAULT_POLICY.probeInterval * 1000);
  });
});
