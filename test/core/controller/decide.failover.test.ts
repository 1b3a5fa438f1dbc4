import { describe, expect, it } from 'vitest';
import type { Capabilities, DatabaseInstance } from '../../../src/core/contract/types.js';
import { decide } from '../../../src/core/controller/decide.js';
import type { Plan } from '../../../src/core/controller/Plan.js';
import { DEFAULT_POLICY, resolvePolicy, type Policy } from '../../../src/core/controller/Policy.js';
import { db, down, key, snapshot, up, zone } from './snapshotBuilder.js';

/**
 * One failover's plan beyond the choice of replica: the fence that goes
 * with the promotion, a promotion already in flight, the retry bound, and
 * requests for clusters nothing lists. The primary `orders` (use1-a, zone
 * degraded) stalled: down for 100 s, its replicas lost contact; `orders-b`
 * (use1-b) is a sync replica.
 */
const stalled = (input: { primary?: Partial<DatabaseInstance>; capabilities?: Partial<Capabilities>; memory?: Record<string, unknown>; inFlight?: string[]; now?: number; primaryZone?: 'degraded' | 'impaired' } = {}) =>
  snapshot({
    now: input.now ?? 100_000,
    zones: [zone('use1-a', 'us-east-1', input.primaryZone ?? 'degraded'), zone('use1-b', 'us-east-1')],
    databases: [
      { instance: { ...db('orders', 'use1-a', 'us-east-1', 'primary'), ...input.primary }, health: down(0) },
      { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { mode: 'sync', lagSeconds: 0, lastContactSeconds: 0, state: 'disconnected' }), health: up },
    ],
    replicationFrom: [[key('aws', 'orders'), 'cut']],
    ...(input.memory ? { memory: input.memory } : {}),
    ...(input.capabilities ? { capabilities: input.capabilities } : {}),
    ...(input.inFlight ? { inFlight: input.inFlight } : {}),
  });
const summary = (plan: Plan) => plan.steps.map((st) => `${st.operation} ${'target' in st ? st.target : ''}`);
const run = (input: Parameters<typeof stalled>[0] = {}, policy: Policy = DEFAULT_POLICY) => decide(stalled(input), policy);

describe('decide: the fence that goes with a promotion', () => {
  it('fences the failed primary first, saying why, in the same plan as the promotion', () => {
    const plan = run();
    expect(plan.steps[0]).toEqual({
      operation: 'stopDatabase',
      key: 'fence:aws:orders',
      provider: 'aws',
      region: 'us-east-1',
      zone: 'use1-a',
      cluster: 'orders',
      target: 'orders',
      reason: 'primary orders does not answer and its replicas lost contact with it; fence it before orders-b takes over',
    });
    expect(summary(plan)).toEqual(['stopDatabase orders', 'promoteReplica orders-b']);
  });

  it('promotes without it when the primary cannot or need not be fenced now', () => {
    expect(summary(run({ capabilities: { stopDatabase: false } }))).toEqual(['promoteReplica orders-b']);
    expect(summary(run({}, resolvePolicy({ fenceOldPrimary: false })))).toEqual(['promoteReplica orders-b']);
    // Listed failed: nothing there to stop.
    expect(summary(run({ primary: { state: 'failed' } }))).toEqual(['promoteReplica orders-b']);
    // Its fence is settling.
    expect(summary(run({ memory: { issued: { 'fence:aws:orders': 100_001 } } }))).toEqual(['promoteReplica orders-b']);
    // In an impaired zone: no call into it.
    expect(summary(run({ primaryZone: 'impaired' }))).toEqual(['promoteReplica orders-b']);
    // A provider that will not stop it while orders-b follows it: after the promotion.
    expect(summary(run({ capabilities: { stopRefusedWithReplicas: true } }))).toEqual(['promoteReplica orders-b']);
  });

  it('a promotion already in flight is not planned again; the fence still is', () => {
    expect(summary(run({ inFlight: ['promote:orders:aws:orders-b'] }))).toEqual(['stopDatabase orders']);
  });
});

describe('decide: the retry bound', () => {
  const promoteKey = 'promote:orders:aws:orders-b';
  const window = DEFAULT_POLICY.stepRetryWindow * 1000;

  it('holds a step tried maxStepRetries + 1 times within the window, with a note saying when it is tried again', () => {
    const plan = run({ now: 1_000_000, memory: { tries: { [promoteKey]: [900_000, 950_000, 970_000, 990_000] } } });
    expect(summary(plan)).toEqual(['stopDatabase orders']);
    expect(plan.notes).toContain(`promoteReplica orders-b: tried 4 times in ${DEFAULT_POLICY.stepRetryWindow}s (maxStepRetries 3); not tried again for ${(900_000 + window - 1_000_000) / 1000}s`);
  });

  it('plans it while it was tried maxStepRetries times, or once its oldest try leaves the window', () => {
    expect(summary(run({ now: 1_000_000, memory: { tries: { [promoteKey]: [950_000, 970_000, 990_000] } } }))).toContain('promoteReplica orders-b');
    const now = 900_000 + window;
    expect(summary(run({ now, memory: { tries: { [promoteKey]: [900_000, 950_000, 970_000, 990_000] } } }))).toContain('promoteReplica orders-b');
    expect(summary(run({ now: now - 1, memory: { tries: { [promoteKey]: [900_000, 950_000, 970_000, 990_000] } } }))).not.toContain('promoteReplica orders-b');
  });

  it('names a group step by its group', () => {
    const plan = decide(
      snapshot({
        now: 1_000_000,
        zones: [zone('use1-a', 'us-east-1')],
        groups: [{ id: 'web', provider: 'aws', region: 'us-east-1', minHealthy: 1 }],
        memory: { tries: { 'createNode:aws:web': [900_000, 950_000, 970_000, 990_000] } },
      }),
      DEFAULT_POLICY,
    );
    expect(plan.steps).toEqual([]);
    expect(plan.notes.join('\n')).toMatch(/^createNode web: tried 4 times/m);
  });
});

describe('decide: requests for a cluster nothing lists', () => {
  it('are refused with the reason; a listed cluster is not', () => {
    const intent = (cluster: string) => ({ kind: 'switchover', cluster, requestedBy: 'alice', requestedAt: 90_000, deadline: 200_000 });
    const plan = run({ memory: { intents: { billing: intent('billing') } } });
    expect(plan.verdicts).toEqual([{ cluster: 'billing', kind: 'switchover', outcome: 'refused', reason: 'billing: no instance of it is listed' }]);
  });
});

describe('decide: several clusters', () => {
  it('are decided in name order, whatever order they are listed in', () => {
    const pair = (cluster: string) => [
      { instance: { ...db(cluster, 'use1-a', 'us-east-1', 'primary'), cluster }, health: down(0) },
      { instance: { ...db(`${cluster}-b`, 'use1-b', 'us-east-1', 'replica', { mode: 'sync', lagSeconds: 0, upstream: cluster }), cluster }, health: up },
    ];
    const plan = decide(
      snapshot({
        zones: [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1')],
        databases: [...pair('orders'), ...pair('billing')],
        memory: { clusters: { orders: { cluster: 'orders', primary: 'orders', provider: 'aws', failovers: 0 }, billing: { cluster: 'billing', primary: 'billing', provider: 'aws', failovers: 0 } } },
      }),
      DEFAULT_POLICY,
    );
    expect(summary(plan)).toEqual(['promoteReplica billing-b', 'promoteReplica orders-b']);
  });

  it('in observe mode, every step is held as what it would do', () => {
    const plan = run({}, resolvePolicy({ mode: 'observe' }));
    expect(plan.steps).toEqual([]);
    expect(plan.held.map((h) => [h.why, h.step.operation, h.detail])).toEqual([
      ['observe', 'stopDatabase', 'would run (mode: observe)'],
      ['observe', 'promoteReplica', 'would run (mode: observe)'],
    ]);
  });
});

describe('decide: the failover cooldown', () => {
  // orders-b (use1-b) took over from orders (use1-a) at `last`; now orders-b's storage stalled (confirmed by its replicas).
  const again = (input: { now: number; last: number; replicas: { id: string; zone: string }[]; previous?: Record<string, unknown> }) =>
    decide(
      snapshot({
        now: input.now,
        zones: [zone('use1-a', 'us-east-1'), zone('use1-b', 'us-east-1', 'degraded'), zone('use1-c', 'us-east-1')],
        databases: [
          { instance: db('orders-b', 'use1-b', 'us-east-1', 'primary'), health: down(0) },
          ...input.replicas.map((r) => ({ instance: db(r.id, r.zone, 'us-east-1', 'replica', { upstream: 'orders-b', lagSeconds: 0 }), health: up })),
        ],
        replicationFrom: [[key('aws', 'orders-b'), 'cut']],
        memory: { clusters: { orders: { cluster: 'orders', primary: 'orders-b', provider: 'aws', failovers: 1, lastFailoverAt: input.last, previousPrimary: input.previous ?? { provider: 'aws', id: 'orders', zone: 'use1-a' } } } },
      }),
      DEFAULT_POLICY,
    );
  const promoted = (plan: Plan) => plan.steps.filter((st) => st.operation === 'promoteReplica').map((st) => ('target' in st ? st.target : ''));

  it('counts from the last failover at any clock value', () => {
    const back = [{ id: 'orders-a2', zone: 'use1-a' }];
    expect(promoted(again({ now: 1_000_000, last: 900_000, replicas: back }))).toEqual([]);
    expect(promoted(again({ now: 1_500_000, last: 900_000, replicas: back }))).toEqual(['orders-a2']);
  });

  it('the old primary itself, rebuilt as a replica in another zone, is still the way back', () => {
    const plan = again({ now: 100_000, last: 90_000, replicas: [{ id: 'orders', zone: 'use1-c' }] });
    expect(promoted(plan)).toEqual([]);
    expect(plan.notes.join('\n')).toMatch(/the only replicas left are where the failover 10s ago came from \(orders, zone use1-a\)/);
  });

  it('with a previous primary of unknown zone, the note says so', () => {
    const plan = again({ now: 100_000, last: 90_000, replicas: [{ id: 'orders', zone: 'use1-c' }], previous: { provider: 'aws', id: 'orders' } });
    expect(plan.notes.join('\n')).toMatch(/came from \(orders, zone unknown\); waiting out the cooldown \(600s\) rather than ping-pong/);
  });

  it('with no candidate at all, the note says none can be promoted, not that it waits for the cooldown', () => {
    const plan = again({ now: 100_000, last: 90_000, replicas: [] });
    expect(plan.notes).toContain('orders: primary orders-b does not answer and its replicas lost contact with it, but no replica can be promoted safely');
  });
});
