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
  const stops = world.calls
    .filter((c) => c.operation === 'stopDatabase')
    .map((c) => ({ t: c.t * 1000, target: c.target, result: c.result }));
  return { events, promotions, stops, probeInterval: policy.probeInterval * 1000 };
}

describe('Controller: a promotion that does not take effect within promoteTimeout', () => {
  it('is given up after promoteTimeout, not before, and fenced before anything else is promoted: a refused fence (it is being promoted) means it is watched again, never a second promotion', async () => {
    // The promotion would take 400 s; the controller gives it 90 s at a time.
    const { events, promotions, probeInterval, stops } = await failover(90, 400, 600);
    const failed = events.filter((e) => e.kind === 'failover.failed');
    expect(failed[0]!.detail).toMatch(/orders-s did not become a writable primary within 9\ds; trying another candidate once it is fenced/);
    const waited = failed[0]!.t - promotions[0]!.t;
    expect(waited).toBeGreaterThanOrEqual(90_000);
    expect(waited).toBeLessThanOrEqual(90_000 + 2 * probeInterval);
    // Each time it is given up, the stop is refused (the provider is promoting it) and it is watched again,
    // at most 1 + maxStepRetries times; another candidate is never promoted while it may still complete.
    expect(stops.length).toBeGreaterThanOrEqual(1);
    expect(stops.length).toBeLessThanOrEqual(4);
    expect(stops.every((s) => s.target === 'orders-s' && s.result === 'error')).toBe(true);
    expect(stops[0]!.t - failed[0]!.t).toBeLessThanOrEqual(probeInterval);
    expect(promotions.map((p) => [p.target, p.result])).toEqual([['orders-s', 'ok']]);
    const completed = events.filter((e) => e.kind === 'failover.completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]!.detail).toContain('orders-s is the primary');
  });

  it('is waited for, however slow, while it is within promoteTimeout', async () => {
    // Same slow promotion (400 s), with a promoteTimeout of 450 s: one promotion, completed.
    const { events, promotions } = await failover(450, 400, 600);
    expect(promotions.map((p) => p.target)).toEqual(['orders-s']);
    expect(events.filter((e) => e.kind === 'failover.failed')).toEqual([]);
    expect(events.filter((e) => e.kind === 'failover.completed')).toHaveLength(1);
  });
});
