import { describe, expect, it } from 'vitest';
import type { Capabilities, DatabaseInstance } from '../../../src/core/contract/types.js';
import { decide } from '../../../src/core/controller/decide.js';
import { followsPrimary } from '../../../src/core/controller/planReplicas.js';
import type { CreateReplicaStep, Plan } from '../../../src/core/controller/Plan.js';
import { DEFAULT_POLICY } from '../../../src/core/controller/Policy.js';
import type { DatabaseView } from '../../../src/core/controller/Snapshot.js';
import type { TargetHealth, ZoneState } from '../../../src/core/health/types.js';
import { db, down, key, snapshot, up, upWritable, zone, type SnapshotInput } from './snapshotBuilder.js';

/**
 * Replica upkeep after a failover from `orders` (use1-a) to `orders-b`
 * (use1-b), on a provider that cannot re-point replicas: where a missing
 * replica is created, what is re-sent after a restart, and what the notes
 * say when nothing can be done.
 */
const CLOUD_SQL: Partial<Capabilities> = { repointReplica: false };
const policy = DEFAULT_POLICY;
const zones = (states: Record<string, ZoneState> = {}) => ['use1-a', 'use1-b', 'use1-c', 'use1-d'].map((z) => zone(z, 'us-east-1', states[z] ?? 'healthy'));
const fencedOld = (): DatabaseView => ({ instance: { ...db('orders', 'use1-a', 'us-east-1', 'primary'), state: 'stopped' }, health: down(0) });
const newPrimary = (over: Partial<DatabaseInstance> = {}, health: TargetHealth = upWritable): DatabaseView => ({ instance: { ...db('orders-b', 'use1-b', 'us-east-1', 'primary'), ...over }, health });
const cluster = (extra: Record<string, unknown> = {}) => ({
  clusters: { orders: { cluster: 'orders', primary: 'orders-b', provider: 'aws', failovers: 1, replicaHomes: [{ provider: 'aws', region: 'us-east-1', zone: 'use1-c' }], ...extra } },
  fenced: { [key('aws', 'orders')]: 50_000 },
});
const plan = (input: Partial<SnapshotInput> = {}): Plan => decide(snapshot({ zones: zones(), databases: [fencedOld(), newPrimary()], memory: cluster(), capabilities: CLOUD_SQL, ...input }), policy);
const created = (p: Plan) => p.steps.filter((s): s is CreateReplicaStep => s.operation === 'createReplica');

describe('planReplicas: where a missing replica goes', () => {
  it('to its home zone while no instance of the cluster is there, with the full step', () => {
    expect(created(plan())).toEqual([
      {
        operation: 'createReplica',
        key: 'createReplica:aws:orders-r1',
        provider: 'aws',
        region: 'us-east-1',
        zone: 'use1-c',
        cluster: 'orders',
        target: 'orders-r1',
        source: 'orders-b',
        home: 'us-east-1/use1-c',
        reason: 'orders has 0 of 1 replicas following orders-b; create orders-r1 in use1-c in place of the replica in use1-c',
      },
    ]);
  });

  it('elsewhere once an instance of the cluster is in its home zone: the emptiest healthy zone', () => {
    const occupant = { instance: { ...db('other', 'use1-c', 'us-east-1', 'replica', { upstream: 'orders' }), state: 'failed' as const }, health: down(0) };
    expect(created(plan({ databases: [fencedOld(), newPrimary(), occupant] })).map((s) => s.zone)).toEqual(['use1-d']);
  });

  it('not to the zone the last failover left, within the cooldown; there after it', () => {
    const memory = (lastFailoverAt: number) => cluster({ replicaHomes: [{ provider: 'aws', region: 'us-east-1', zone: 'use1-d' }], lastFailoverAt, previousPrimary: { provider: 'aws', id: 'orders', zone: 'use1-d' } });
    expect(created(plan({ memory: memory(90_000) })).map((s) => s.zone)).toEqual(['use1-c']);
    expect(created(plan({ memory: memory(100_000 - policy.failoverCooldown * 1000) })).map((s) => s.zone)).toEqual(['use1-d']);
  });

  it('not to a zone where a database does not answer (a storage stall), unless it is one we stopped', () => {
    const stalled = { instance: db('billing', 'use1-c', 'us-east-1', 'primary'), health: down(90_000) };
    expect(created(plan({ databases: [fencedOld(), newPrimary(), { ...stalled, instance: { ...stalled.instance, cluster: 'billing' } }] })).map((s) => s.zone)).toEqual(['use1-d']);
  });

  it('to a degraded zone that answers when no zone is healthy, never a silent one', () => {
    const silent = (id: string) => {
      const z = zone(id, 'us-east-1', 'degraded');
      return { ...z, evidence: { ...z.evidence, probes: { total: 2, down: 2, up: 0, failing: 0 } } };
    };
    const p = plan({ zones: [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1'), silent('use1-c'), zone('use1-d', 'us-east-1', 'degraded')] });
    expect(created(p).map((s) => s.zone)).toEqual(['use1-d']);
    const none = plan({ zones: [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1'), silent('use1-c'), silent('use1-d')] });
    expect(created(none)).toEqual([]);
    expect(none.notes).toContain('orders: replica short (home us-east-1/use1-c), but no zone of aws is healthy and answering outside use1-b');
  });

  it('with ids that skip any already taken', () => {
    const taken = { instance: { ...db('orders-r1', 'use1-d', 'us-east-1', 'replica', { upstream: 'elsewhere' }), state: 'failed' as const }, health: down(0) };
    expect(created(plan({ databases: [fencedOld(), newPrimary(), taken] })).map((s) => s.target)).toEqual(['orders-r2']);
  });
});

describe('planReplicas: what stops a create, said in a note', () => {
  it('a provider that cannot create replicas', () => {
    const p = plan({ capabilities: { ...CLOUD_SQL, createReplica: false } });
    expect(created(p)).toEqual([]);
    expect(p.notes).toContain('orders: 1 replica(s) short, but aws cannot create replicas');
  });

  it('a primary not there to copy from', () => {
    const p = plan({ databases: [fencedOld(), newPrimary({ state: 'rebooting' }, up)] });
    expect(created(p)).toEqual([]);
    expect(p.notes).toContain('orders: 1 replica(s) short; waiting for orders-b to be available (rebooting, up)');
  });
});

describe('planReplicas: a create the journal shows unfinished', () => {
  const pending = (uncertain: boolean) => ({ 'orders-r1': { provider: 'aws', region: 'us-east-1', zone: 'use1-c', source: 'orders-b', issuedAt: 90_000, ...(uncertain ? { uncertain: true } : {}) } });

  it('is sent again under the same id while the provider does not list it', () => {
    expect(plan({ memory: cluster({ pendingReplicas: pending(true), replicaSeq: 1 }) }).steps).toEqual([
      {
        operation: 'createReplica',
        key: 'createReplica:aws:orders-r1',
        provider: 'aws',
        region: 'us-east-1',
        zone: 'use1-c',
        cluster: 'orders',
        target: 'orders-r1',
        source: 'orders-b',
        home: 'us-east-1/use1-c',
        reason: 're-issued after restart (idempotent by id): the journal shows the create of orders-r1 started without a recorded end, and aws does not list it, so the call may never have reached it',
      },
    ]);
  });

  it('not while it is in flight, not when its end was recorded', () => {
    expect(plan({ memory: cluster({ pendingReplicas: pending(true), replicaSeq: 1 }), inFlight: ['createReplica:aws:orders-r1'] }).steps).toEqual([]);
    expect(plan({ memory: cluster({ pendingReplicas: pending(false), replicaSeq: 1 }) }).steps).toEqual([]);
  });

  it('one gone to a zone now impaired no longer counts: a replacement is made', () => {
    const p = plan({ zones: zones({ 'use1-c': 'impaired' }), memory: cluster({ pendingReplicas: pending(false), replicaSeq: 1 }) });
    expect(created(p).map((s) => [s.target, s.zone])).toEqual([['orders-r2', 'use1-d']]);
    expect(created(p)[0]!.reason).toBe('orders has 0 of 1 replicas following orders-b; create orders-r2 in use1-d in place of the replica in use1-c');
  });
});

describe('planReplicas: stranded replicas', () => {
  const stranded = (over: Partial<DatabaseInstance> = {}) => ({ instance: { ...db('orders-w', 'use1-d', 'us-east-1', 'replica', { upstream: 'orders', state: 'disconnected' }), ...over }, health: up });
  const streamingR1 = { instance: db('orders-r1', 'use1-c', 'us-east-1', 'replica', { upstream: 'orders-b' }), health: up };

  it('retired once replicas of the primary stream in full number, with the reason', () => {
    const p = plan({ databases: [fencedOld(), newPrimary(), stranded(), streamingR1], memory: cluster({ replicaSeq: 1 }) });
    expect(p.steps).toEqual([
      {
        operation: 'destroyDatabase',
        key: 'retire:aws:orders-w',
        provider: 'aws',
        region: 'us-east-1',
        zone: 'use1-d',
        cluster: 'orders',
        target: 'orders-w',
        reason: 'orders-w follows former primary orders and cannot be re-pointed; 1 replicas of orders-b stream (1 kept): retire it',
      },
    ]);
  });

  it('not by a provider that cannot delete it, not while others replicate from it, not within its settle window', () => {
    const p = plan({ databases: [fencedOld(), newPrimary(), stranded(), streamingR1], memory: cluster({ replicaSeq: 1 }), capabilities: { ...CLOUD_SQL, destroyDatabase: false } });
    expect(p.steps).toEqual([]);
    expect(p.notes).toContain('orders: orders-w follows orders and cannot be re-pointed, but aws cannot delete it');
    const cascaded = { instance: db('orders-x', 'use1-c', 'us-east-1', 'replica', { upstream: 'orders-w' }), health: up };
    const held = plan({ databases: [fencedOld(), newPrimary(), stranded(), streamingR1, cascaded], memory: cluster({ replicaSeq: 1 }) });
    expect(held.steps.filter((s) => s.operation === 'destroyDatabase').map((s) => 'target' in s && s.target)).toEqual(['orders-x']);
    expect(held.notes).toContain('orders: orders-w follows orders, but orders-x replicate from it; retiring them first');
    const settling = plan({ databases: [fencedOld(), newPrimary(), stranded(), streamingR1], memory: { ...cluster({ replicaSeq: 1 }), issued: { 'retire:aws:orders-w': 100_001 } } });
    expect(settling.steps).toEqual([]);
  });

  it('a replica that reports no upstream is never judged stranded', () => {
    const p = plan({ databases: [fencedOld(), newPrimary(), stranded({ replication: undefined }), streamingR1], memory: cluster({ replicaSeq: 1 }) });
    expect(p.steps).toEqual([]);
  });
});

describe('followsPrimary', () => {
  const r = (id: string, upstream: string | undefined): DatabaseView => ({ instance: db(id, 'use1-c', 'us-east-1', 'replica', upstream === undefined ? undefined : { upstream }), health: up });

  it('follows a chain of replicas to the primary, and stops at anything else', () => {
    const views = [r('a', 'b'), r('b', 'c'), r('c', 'orders')];
    expect(followsPrimary(views, views[0]!, 'orders')).toBe(true);
    expect(followsPrimary(views, views[0]!, 'other')).toBe(false);
    // Through an instance listed as a primary: not this cluster's chain.
    const viaPrimary = [r('a', 'p2'), { instance: db('p2', 'use1-c', 'us-east-1', 'primary'), health: up }];
    expect(followsPrimary(viaPrimary, viaPrimary[0]!, 'orders')).toBe(false);
    // A cycle ends.
    const cycle = [r('a', 'b'), r('b', 'a')];
    expect(followsPrimary(cycle, cycle[0]!, 'orders')).toBe(false);
    expect(followsPrimary([r('a', undefined)], r('a', undefined), 'orders')).toBe(false);
  });
});
