import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/core/controller/decide.js';
import { checkSwitchover } from '../../../src/core/controller/planSwitchover.js';
import { DEFAULT_POLICY } from '../../../src/core/controller/Policy.js';
import { db, down, key, snapshot, up, upWritable, zone } from './snapshotBuilder.js';

const policy = DEFAULT_POLICY;
const zones = (impaired: string[] = []) => ['use1-a', 'use1-b', 'use1-c'].map((z) => zone(z, 'us-east-1', impaired.includes(z) ? 'impaired' : 'healthy'));
const primary = (health = upWritable, state: 'available' | 'stopped' = 'available') => ({ instance: { ...db('orders', 'use1-a', 'us-east-1', 'primary'), state }, health });
const syncB = (replication = {}) => ({ instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { mode: 'sync', lagSeconds: 0, ...replication }), health: up });
const asyncC = (replication = {}) => ({ instance: db('orders-c', 'use1-c', 'us-east-1', 'replica', { lagSeconds: 2, ...replication }), health: up });
const cluster = { orders: { cluster: 'orders', primary: 'orders', provider: 'aws', failovers: 0 } };
const intent = (extra: Record<string, unknown> = {}) => ({ orders: { kind: 'switchover', cluster: 'orders', requestedBy: 'alice', requestedAt: 90_000, deadline: 390_000, ...extra } });

describe('planned switchover through decide', () => {
  it('is refused, with the failover rules reason, for a target in an impaired zone, not replicating, or too far behind', () => {
    const refused = (databases: ReturnType<typeof syncB>[], target: string, impaired: string[] = []) => {
      const s = snapshot({ zones: zones(impaired), databases: [primary(), ...databases], memory: { clusters: cluster } });
      const check = checkSwitchover(s, policy, { cluster: 'orders', target });
      return 'refused' in check ? check.refused : undefined;
    };
    expect(refused([syncB()], 'orders-b', ['use1-b'])).toMatch(/not promoting orders-b: its zone use1-b is impaired/);
    expect(refused([syncB({ state: 'broken' })], 'orders-b')).toMatch(/not promoting orders-b: its replication is broken/);
    expect(refused([asyncC({ lagSeconds: 600 })], 'orders-c')).toMatch(/would lose about 600s of writes \(maxDataLoss 30s\)/);
    expect(refused([asyncC({ state: 'disconnected', lastContactSeconds: 1, lagSeconds: 2 })], 'orders-c')).toMatch(/is not streaming from orders in a healthy zone; it cannot catch up/);
    expect(refused([syncB({ upstream: 'orders-old' })], 'orders-b')).toMatch(/follows orders-old, not the primary orders/);
    // Unnamed: the best candidate by the failover rules (sync first), or a refusal naming why none can.
    const s = snapshot({ zones: zones(), databases: [primary(), syncB(), asyncC()], memory: { clusters: cluster } });
    expect(checkSwitchover(s, policy, { cluster: 'orders' })).toMatchObject({ target: { instance: { id: 'orders-b' } } });
    const none = snapshot({ zones: zones(['use1-b', 'use1-c']), databases: [primary(), syncB(), asyncC()], memory: { clusters: cluster } });
    expect(checkSwitchover(none, policy, { cluster: 'orders' })).toMatchObject({ refused: expect.stringMatching(/no replica streaming from orders in a healthy zone/) });
    // And the primary must be a healthy writable one: a failover is automatic.
    const sick = snapshot({ zones: zones(), databases: [primary(down(50_000)), syncB()], memory: { clusters: cluster } });
    expect(checkSwitchover(sick, policy, { cluster: 'orders' })).toMatchObject({ refused: expect.stringMatching(/not a healthy writable primary/) });
  });

  it('a request that became unsafe by the time decide sees it ends as refused, and the cluster is decided as usual', () => {
    const s = snapshot({ zones: zones(['use1-b']), databases: [primary(), syncB()], memory: { clusters: cluster, intents: intent({ target: 'orders-b' }) } });
    const plan = decide(s, policy);
    expect(plan.steps).toEqual([]);
    expect(plan.verdicts).toEqual([{ cluster: 'orders', kind: 'switchover', outcome: 'refused', reason: expect.stringMatching(/its zone use1-b is impaired/) }]);
  });

  it('fences the primary first, naming who asked and the replica that takes over; the fence is not held by a pause', () => {
    const plan = decide(snapshot({ zones: zones(), databases: [primary(), syncB(), asyncC()], memory: { clusters: cluster, intents: intent() } }), policy);
    expect(plan.steps).toEqual([
      expect.objectContaining({ operation: 'stopDatabase', target: 'orders', requestedBy: 'alice', handoverTo: { target: 'orders-b', provider: 'aws' }, reason: expect.stringMatching(/planned switchover of orders requested by alice/) }),
    ]);
    expect(plan.wakeAt).toBeLessThanOrEqual(390_000);
  });

  it('promotes once the target holds every committed write, and not before', () => {
    const fenced = intent({ fenced: { primary: 'orders', provider: 'aws', target: 'orders-c', targetProvider: 'aws' } });
    const memory = (extra = {}) => ({ clusters: cluster, intents: fenced, fenced: { [key('aws', 'orders')]: 95_000 }, ...extra });
    // An async target still behind: wait (no step), with a note saying for what and until when.
    const behind = decide(snapshot({ zones: zones(), databases: [primary(up, 'stopped'), asyncC({ lagSeconds: 2 })], memory: memory() }), policy);
    expect(behind.steps).toEqual([]);
    expect(behind.notes.join('\n')).toMatch(/switchover waiting for orders-c to catch up \(lag 2s\)/);
    // Streaming with nothing left to replay while the primary takes no writes: promote, no loss.
    const caughtUp = decide(snapshot({ zones: zones(), databases: [primary(up, 'stopped'), asyncC({ lagSeconds: 0 })], memory: memory() }), policy);
    expect(caughtUp.steps).toEqual([expect.objectContaining({ operation: 'promoteReplica', target: 'orders-c', estimatedLossSeconds: 0, requestedBy: 'alice' })]);
    // Not while the old primary still takes writes: the fence is sent again instead.
    const stillWritable = decide(snapshot({ zones: zones(), databases: [primary(), asyncC({ lagSeconds: 0 })], memory: memory() }), policy);
    expect(stillWritable.steps.map((s) => s.operation)).toEqual(['stopDatabase']);
  });

  it('a synchronous standby holds every commit once the primary is stopped, even disconnected from it', () => {
    const fenced = intent({ fenced: { primary: 'orders', provider: 'aws', target: 'orders-b', targetProvider: 'aws' } });
    const s = snapshot({ zones: zones(), databases: [primary(up, 'stopped'), syncB({ state: 'disconnected', lagSeconds: 3, lastContactSeconds: 3 })], memory: { clusters: cluster, intents: fenced, fenced: { [key('aws', 'orders')]: 95_000 } } });
    expect(decide(s, policy).steps).toEqual([expect.objectContaining({ operation: 'promoteReplica', target: 'orders-b' })]);
  });

  it('at the deadline, starts the fenced primary again and gives up; with nothing to undo it hands the cluster back', () => {
    const fenced = intent({ deadline: 100_000, fenced: { primary: 'orders', provider: 'aws', target: 'orders-c', targetProvider: 'aws' } });
    const memory = { clusters: cluster, intents: fenced, fenced: { [key('aws', 'orders')]: 95_000 } };
    const late = decide(snapshot({ zones: zones(), databases: [primary(up, 'stopped'), asyncC({ lagSeconds: 2 })], memory }), policy);
    expect(late.steps).toEqual([expect.objectContaining({ operation: 'rebootDatabase', target: 'orders', requestedBy: 'alice', reason: expect.stringMatching(/abandoned: orders-c did not catch up before the deadline/) })]);
    const cannot = decide(snapshot({ zones: zones(), databases: [primary(up, 'stopped'), asyncC({ lagSeconds: 2 })], memory, capabilities: { rebootDatabase: false } }), policy);
    expect(cannot.verdicts).toEqual([expect.objectContaining({ outcome: 'abandoned' })]);
    // Handed back: the primary this controller fenced counts as failed, and the failover rules take over.
    expect(cannot.steps.map((s) => s.operation)).toEqual(['promoteReplica']);
    // A fence that never took (the old primary still serves): nothing to undo, and memory forgets the fence.
    const neverStopped = decide(snapshot({ zones: zones(), databases: [primary(), asyncC({ lagSeconds: 2 })], memory }), policy);
    expect(neverStopped.steps).toEqual([]);
    expect(neverStopped.verdicts).toEqual([expect.objectContaining({ outcome: 'abandoned', forgetFence: { provider: 'aws', target: 'orders' } })]);
  });
});
