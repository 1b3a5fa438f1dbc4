import { describe, expect, it } from 'vitest';
import { Controller } from '../../../src/core/controller/Controller.js';
import type { ControllerEvent } from '../../../src/core/controller/ControllerEvent.js';
import { resolvePolicy } from '../../../src/core/controller/Policy.js';
import { simFixture } from '../../adapters/sim/simFixture.js';

const FAULT_AT_S = 61;

/**
 * The controller over the sim fixture in virtual time: the primary's zone goes dark at 61 s, and a
 * promotion takes `promoteLatency` seconds to take effect in the world.
 */
async function failover(promoteTimeout: number, promoteLatency: number, untilS: number) {
  const { clock, world } = simFixture({
    latency: { promoteReplica: promoteLatency },
    events: [{ at: FAULT_AT_S, kind: 'impair', zone: 'us-east-1a', mode: 'unreachable', errorRate: 0 }],
  });
  const policy = resolvePolicy({ promoteTimeout });
  const events: ControllerEvent[] = [];
  const controller = new Controller({
    providers: world.providers(),
    prober: world.prober(),
    clock,
    policy,
    groups: [],
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
  // Ground truth: the promote calls the world received (virtual seconds -> ms).
  const promotions = world.calls
    .filter((c) => c.operation === 'promoteReplica')
    .map((c) => ({ t: c.t * 1000, target: c.target, result: c.result }));
  return { events, promotions, probeInterval: policy.probeInterval * 1000 };
}

describe('Controller: a promotion that does not take effect within promoteTimeout', () => {
  it('is abandoned after promoteTimeout, not before, and the next candidate is promoted', async () => {
    // The promotion would take 400 s; the controller gives it 90 s.
    const { events, promotions, probeInterval } = await failover(90, 400, 300);
    // Each slow promotion is given up after 90 s and the next best candidate is tried: orders-s (sync),
    // then orders-b (same region), then orders-w (us-west-2); never the same one twice.
    const failed = events.filter((e) => e.kind === 'failover.failed');
    expect(promotions.map((p) => [p.target, p.result])).toEqual([['orders-s', 'ok'], ['orders-b', 'ok'], ['orders-w', 'ok']]);
    expect(failed.map((e) => e.detail)).toEqual([
      expect.stringMatching(/orders-s did not become a writable primary within 9\ds; trying another candidate/),
      expect.stringMatching(/orders-b did not become a writable primary within 9\ds; trying another candidate/),
    ]);
    for (const [i, failure] of failed.entries()) {
      const waited = failure.t - promotions[i]!.t;
      expect(waited).toBeGreaterThanOrEqual(90_000);
      expect(waited).toBeLessThanOrEqual(90_000 + 2 * probeInterval);
      // The next candidate is promoted in the same cycle the previous one is given up.
      expect(promotions[i + 1]!.t - failure.t).toBeLessThanOrEqual(probeInterval);
    }
  });

  it('is waited for, however slow, while it is within promoteTimeout', async () => {
    // Same slow promotion (400 s), with a promoteTimeout of 450 s: one promotion, completed.
    const { events, promotions } = await failover(450, 400, 600);
    expect(promotions.map((p) => p.target)).toEqual(['orders-s']);
    expect(events.filter((e) => e.kind === 'failover.failed')).toEqual([]);
    expect(events.filter((e) => e.kind === 'failover.completed')).toHaveLength(1);
  });
});
