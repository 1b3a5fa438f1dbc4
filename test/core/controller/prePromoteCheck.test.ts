// The pre-promote check runs inside the promote step: a veto is a rejected step result that
// memory records (the candidate is avoided for backoffMax) and decide reads, not a side door.
import { describe, expect, it } from 'vitest';
import { Controller } from '../../../src/core/controller/Controller.js';
import type { ControllerEvent } from '../../../src/core/controller/ControllerEvent.js';
import type { PromoteStep } from '../../../src/core/controller/Plan.js';
import { resolvePolicy } from '../../../src/core/controller/Policy.js';
import type { PrePromoteCheck, PrePromoteVerdict } from '../../../src/core/controller/PrePromoteCheck.js';
import { simFixture } from '../../adapters/sim/simFixture.js';

async function failoverWith(answer: (step: PromoteStep) => Promise<PrePromoteVerdict>) {
  const { clock, world } = simFixture({ events: [{ at: 61, kind: 'impair', zone: 'us-east-1a', mode: 'unreachable', errorRate: 0 }] });
  const asked: string[] = [];
  const prePromote: PrePromoteCheck = {
    check: (step) => {
      asked.push(step.target);
      return answer(step);
    },
  };
  const events: ControllerEvent[] = [];
  const controller = new Controller({
    providers: world.providers(),
    prober: world.prober(),
    clock,
    policy: resolvePolicy({}),
    groups: [],
    watch: [{ provider: 'aws', region: 'us-east-1' }, { provider: 'aws', region: 'us-west-2' }],
    random: () => 0.5,
    prePromote,
  });
  controller.on('event', (event) => events.push(event));
  const stop = new AbortController();
  const running = controller.run(stop.signal);
  await clock.runUntil(240_000);
  stop.abort();
  await clock.runUntil(clock.now());
  await running;
  const promotions = world.calls.filter((c) => c.operation === 'promoteReplica').map((c) => c.target);
  return { asked, events, promotions, memory: controller.memory };
}

describe('Controller with a pre-promote check', () => {
  it('makes no promote call for a vetoed candidate, records the veto, and promotes the next candidate', async () => {
    const { asked, events, promotions, memory } = await failoverWith(async (step) =>
      step.target === 'orders-s' ? { proceed: false, reason: 'exit 1: replica orders-s is being rebuilt' } : { proceed: true, reason: 'exit 0' },
    );
    expect(asked.slice(0, 2)).toEqual(['orders-s', 'orders-b']);
    expect(promotions).toEqual(['orders-b']);
    const failed = events.filter((e) => e.kind === 'failover.failed');
    expect(failed.map((e) => e.detail)).toEqual([expect.stringContaining('vetoed by the pre-promote check: exit 1: replica orders-s is being rebuilt')]);
    expect(events.filter((e) => e.kind === 'failover.completed').map((e) => e.detail)).toEqual([expect.stringContaining('orders-b is the primary')]);
    // Memory holds the veto as a failed candidate, which decide reads.
    expect([...memory.failedCandidates.keys()].some((k) => k.includes('orders-s'))).toBe(true);
  });

  it('proceeds when the check itself fails (a broken check never blocks a failover)', async () => {
    const { promotions } = await failoverWith(async () => {
      throw new Error('boom');
    });
    expect(promotions).toEqual(['orders-s']);
  });
});
