import { describe, expect, it } from 'vitest';
import type { DatabaseEndpoint } from '../../../src/core/contract/types.js';
import { decide } from '../../../src/core/controller/decide.js';
import { nextWake } from '../../../src/core/controller/nextWake.js';
import type { Plan } from '../../../src/core/controller/Plan.js';
import { DEFAULT_POLICY, resolvePolicy, type Policy } from '../../../src/core/controller/Policy.js';
import type { TargetHealth } from '../../../src/core/health/types.js';
import { db, down, key, snapshot, up, upWritable, zone } from './snapshotBuilder.js';

/**
 * The failed primary's fence waits for the database's endpoint to stop
 * answering it: clients must never be sent to an instance the controller
 * stopped while another takes writes, whatever the endpoint's and the
 * promotion's latencies. `orders` (use1-a, zone degraded) stalled: down
 * since 0, its replicas lost contact; `orders-b` (use1-b) is a sync replica.
 */
const policy = DEFAULT_POLICY;
const endpoint = (target: string, extra: Partial<DatabaseEndpoint> = {}): DatabaseEndpoint => ({ name: 'orders.db', provider: 'aws', database: 'orders', target, ttlSeconds: 30, extra: {}, ...extra });
const summary = (plan: Plan) => plan.steps.map((st) => `${st.operation} ${'target' in st ? st.target : ''}`);
/** The fences of a plan (an endpoint still on the old answer is also asked to move again, with its own settle window). */
const fences = (plan: Plan) => plan.steps.filter((st) => st.operation === 'stopDatabase');
const zones = [zone('use1-a', 'us-east-1', 'degraded'), zone('use1-b', 'us-east-1')];

/** The cycle that decides the failover. */
function failover(endpoints: readonly DatabaseEndpoint[], p: Policy = policy): Plan {
  return decide(
    snapshot({
      zones,
      databases: [
        { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(0) },
        { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { mode: 'sync', lagSeconds: 0, lastContactSeconds: 0, state: 'disconnected' }), health: up },
      ],
      replicationFrom: [[key('aws', 'orders'), 'cut']],
      endpoints,
    }),
    p,
  );
}

/** A cycle after the failover completed at 90 s: orders-b is the primary and takes writes, orders is still listed primary. */
const COMPLETED = 90_000;
function afterFailover(endpoints: readonly DatabaseEndpoint[], input: { now?: number; oldHealth?: TargetHealth; p?: Policy } = {}): Plan {
  return decide(afterFailoverSnapshot(endpoints, input), input.p ?? policy);
}
function afterFailoverSnapshot(endpoints: readonly DatabaseEndpoint[], input: { now?: number; oldHealth?: TargetHealth } = {}) {
  return snapshot({
    now: input.now ?? 100_000,
    zones,
    databases: [
      { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: input.oldHealth ?? down(0) },
      { instance: db('orders-b', 'use1-b', 'us-east-1', 'primary'), health: upWritable },
    ],
    memory: { clusters: { orders: { cluster: 'orders', primary: 'orders-b', provider: 'aws', failovers: 1, lastFailoverAt: COMPLETED, previousPrimary: { provider: 'aws', id: 'orders', zone: 'use1-a' } } } },
    endpoints,
  });
}

describe('decide: the endpoint moves before the failed primary is fenced', () => {
  it('plans the promotion and the endpoint change without the fence while the endpoint answers the failed primary, and says why', () => {
    const plan = failover([endpoint('orders')]);
    expect(summary(plan)).toEqual(['promoteReplica orders-b', 'updateEndpoint orders.db']);
    expect(plan.notes).toContain(
      'orders: orders is fenced once endpoint orders.db no longer answers it, so clients are never sent to a stopped instance while the new primary takes writes (at most 300s after it does)',
    );
  });

  it('an endpoint served by another provider than the database holds the fence the same way', () => {
    expect(summary(failover([endpoint('orders', { provider: 'gcp' })]))).toEqual(['promoteReplica orders-b', 'updateEndpoint orders.db']);
  });

  it('fences first as before when nothing sends clients to the failed primary: no endpoint, another database\'s, one already elsewhere, or endpoints not moved by the controller', () => {
    const fenceFirst = ['stopDatabase orders', 'promoteReplica orders-b'];
    expect(summary(failover([]))).toEqual(fenceFirst);
    expect(summary(failover([endpoint('orders', { database: 'billing', name: 'billing.db' })]))).toEqual(fenceFirst);
    expect(summary(failover([endpoint('orders-b')]))).toEqual(fenceFirst);
    expect(summary(failover([endpoint('orders')], resolvePolicy({ moveEndpoints: false })))).toEqual(fenceFirst);
  });

  it('after the promotion, holds the fence while the provider still serves the old answer (the change pending), and fences once it serves the new primary', () => {
    const pending = afterFailover([endpoint('orders', { pendingTarget: 'orders-b' })]);
    expect(summary(pending)).toEqual([]);
    expect(pending.notes).toContain('orders: orders is fenced once endpoint orders.db no longer answers it (as its provider lists it), at most 290s more (endpointMoveTimeout)');
    expect(afterFailover([endpoint('orders-b')]).steps).toEqual([
      expect.objectContaining({ operation: 'stopDatabase', target: 'orders', key: 'fence:aws:orders', reason: 'orders is a former primary of orders: fence it so it can never take writes again' }),
    ]);
  });

  it('is bounded: an endpoint that cannot move holds the fence endpointMoveTimeout after the new primary took writes, then it is fenced anyway, saying so; the controller wakes then', () => {
    const deadline = COMPLETED + policy.endpointMoveTimeout * 1000;
    expect(fences(afterFailover([endpoint('orders')], { now: deadline - 1_000 }))).toEqual([]);
    expect(fences(afterFailover([endpoint('orders')], { now: deadline }))).toEqual([
      expect.objectContaining({
        operation: 'stopDatabase',
        target: 'orders',
        reason: 'orders is a former primary of orders: fence it so it can never take writes again; endpoint orders.db still answers it 300s after the new primary took writes (endpointMoveTimeout): fenced anyway',
      }),
    ]);
    const short = resolvePolicy({ endpointMoveTimeout: 5 });
    expect(summary(afterFailover([endpoint('orders')], { p: short }))).toEqual(['stopDatabase orders', 'updateEndpoint orders.db']);
    expect(nextWake(afterFailoverSnapshot([endpoint('orders')]), policy)).toBe(deadline);
    // Nothing to wait for once the endpoint answers the primary: the next timer is the cooldown's end.
    expect(nextWake(afterFailoverSnapshot([endpoint('orders-b')]), policy)).toBe(COMPLETED + policy.failoverCooldown * 1000);
  });

  it('an old primary that takes writes again is fenced at once, endpoint or not (the split-brain guard comes first)', () => {
    expect(fences(afterFailover([endpoint('orders')], { oldHealth: upWritable }))).toEqual([
      expect.objectContaining({ operation: 'stopDatabase', target: 'orders', reason: 'orders accepts writes but orders-b is the primary of orders: fence it (split-brain guard)' }),
    ]);
  });
});

/**
 * A planned switchover stops a healthy primary first (it takes writes until
 * then), so the order there is: endpoint moved to the target at the stop,
 * the target promoted once the endpoint no longer answers the stopped
 * primary. alice's request runs until 390 s; orders is stopped, orders-b (sync) has caught up.
 */
describe('decide: a planned switchover promotes once the endpoint has left the stopped primary', () => {
  const handover = {
    clusters: { orders: { cluster: 'orders', primary: 'orders', provider: 'aws', failovers: 0 } },
    intents: { orders: { kind: 'switchover', cluster: 'orders', requestedBy: 'alice', requestedAt: 90_000, deadline: 390_000, fenced: { primary: 'orders', provider: 'aws', target: 'orders-b', targetProvider: 'aws' } } },
    fenced: { [key('aws', 'orders')]: 95_000 },
  };
  const switchover = (endpoints: readonly DatabaseEndpoint[], now = 100_000, p: Policy = policy) =>
    decide(
      snapshot({
        now,
        zones: [zone('use1-a', 'us-east-1'), zone('use1-b', 'us-east-1')],
        databases: [
          { instance: { ...db('orders', 'use1-a', 'us-east-1', 'primary'), state: 'stopped' }, health: up },
          { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { mode: 'sync', lagSeconds: 0, state: 'disconnected' }), health: up },
        ],
        memory: handover,
        endpoints,
      }),
      p,
    );

  it('moves the endpoint to the target as soon as the primary is stopped, and does not promote while it answers the stopped primary', () => {
    const plan = switchover([endpoint('orders')]);
    expect(plan.steps).toEqual([
      expect.objectContaining({
        operation: 'updateEndpoint',
        instance: 'orders-b',
        reason: 'orders.db answers orders; orders is stopped for a planned switchover to orders-b: point clients at orders-b now, so the change propagates while it catches up (it is promoted once the endpoint has moved)',
      }),
    ]);
    expect(plan.notes.join('\n')).toMatch(/orders: switchover: orders-b has caught up; promoting it once endpoint orders\.db no longer answers orders, stopped/);
    // The change pending at the provider: not asked again, still no promotion.
    expect(switchover([endpoint('orders', { pendingTarget: 'orders-b' })]).steps).toEqual([]);
  });

  it('promotes once the provider serves the target; without an endpoint (or endpoints not moved) at once, as before', () => {
    expect(summary(switchover([endpoint('orders-b')]))).toEqual(['promoteReplica orders-b']);
    expect(summary(switchover([]))).toEqual(['promoteReplica orders-b']);
    expect(summary(switchover([endpoint('orders')], 100_000, resolvePolicy({ moveEndpoints: false })))).toEqual(['promoteReplica orders-b']);
  });

  it('an endpoint that does not move by the deadline: the switchover is handed back (the stopped primary started again), never promoted onto a stopped answer', () => {
    expect(summary(switchover([endpoint('orders', { pendingTarget: 'orders-b' })], 389_000))).toEqual([]);
    expect(summary(switchover([endpoint('orders', { pendingTarget: 'orders-b' })], 390_000))).toEqual(['rebootDatabase orders']);
  });
});
