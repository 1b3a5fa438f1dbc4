import { describe, expect, it } from 'vitest';
import { emptyMemory, type ControllerMemory } from '../../../src/core/controller/ControllerMemory.js';
import type { StepResult } from '../../../src/core/controller/Executor.js';
import { rememberObservation, rememberRestart, rememberStepResult, rememberStepStart } from '../../../src/core/controller/memoryReducers.js';
import type { CreateReplicaStep, PromoteStep, RetireReplicaStep, Step } from '../../../src/core/controller/Plan.js';
import { DEFAULT_POLICY } from '../../../src/core/controller/Policy.js';
import type { DatabaseView } from '../../../src/core/controller/Snapshot.js';
import { db, key, snapshot, up, upWritable, zone } from './snapshotBuilder.js';

const zones = [zone('use1-a', 'us-east-1'), zone('use1-b', 'us-east-1'), zone('use1-c', 'us-east-1')];
const create: CreateReplicaStep = {
  operation: 'createReplica',
  key: 'createReplica:aws:orders-r1',
  provider: 'aws',
  region: 'us-east-1',
  zone: 'use1-c',
  cluster: 'orders',
  target: 'orders-r1',
  source: 'orders',
  home: 'us-east-1/use1-b',
  reason: 'test',
};
const retire: RetireReplicaStep = {
  operation: 'destroyDatabase',
  key: 'retire:aws:orders-w',
  provider: 'aws',
  region: 'us-east-1',
  zone: 'use1-b',
  cluster: 'orders',
  target: 'orders-w',
  reason: 'test',
};

const primaryView = { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: upWritable };

/** Memory after one observation of `databases` (default: primary `orders`, a replica and a cascaded one). */
function observed(databases: readonly DatabaseView[], memory: ControllerMemory = emptyMemory(), now = 100_000): ControllerMemory {
  return rememberObservation(memory, snapshot({ now, zones, databases, memory }), DEFAULT_POLICY).memory;
}

const adoptedViews: readonly DatabaseView[] = [
  primaryView,
  { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', {}), health: up },
  { instance: db('orders-c', 'use1-c', 'us-east-1', 'replica', { upstream: 'orders-b' }), health: up },
];

function adopted(): ControllerMemory {
  return observed(adoptedViews);
}

function result(step: Step, outcome: StepResult['outcome'], rejected: boolean, finishedAt: number): StepResult {
  return { step, outcome, rejected, startedAt: finishedAt - 1_000, finishedAt };
}

const started = (memory: ControllerMemory, step: Step, now: number) => rememberStepStart(memory, step, now).memory;
const ended = (memory: ControllerMemory, step: Step, outcome: StepResult['outcome'], rejected: boolean, now: number) =>
  rememberStepResult(memory, result(step, outcome, rejected, now), DEFAULT_POLICY).memory;

describe('memory reducers are pure', () => {
  it('never change the memory they are given, and give back the same memory when nothing changes', () => {
    const memory = adopted();
    const before = JSON.stringify([...memory.clusters]);
    const after = started(memory, create, 1_000);
    expect(after).not.toBe(memory);
    expect(JSON.stringify([...memory.clusters])).toBe(before);
    expect(memory.issued.size).toBe(0);
    const again = rememberObservation(memory, snapshot({ zones, databases: adoptedViews, memory }), DEFAULT_POLICY);
    expect(again.memory).toBe(memory);
    expect(again.events).toEqual([]);
  });
});

describe('memory reducers: replica upkeep', () => {
  it('records where the replicas of the adopted primary live (cascaded ones too)', () => {
    expect(adopted().clusters.get('orders')!.replicaHomes).toEqual([
      { provider: 'aws', region: 'us-east-1', zone: 'use1-b' },
      { provider: 'aws', region: 'us-east-1', zone: 'use1-c' },
    ]);
  });

  it('counts a create from the moment it is issued, until the replica streams', () => {
    let memory = started(adopted(), create, 1_000);
    expect(memory.clusters.get('orders')!.replicaSeq).toBe(1);
    expect([...memory.clusters.get('orders')!.pendingReplicas]).toEqual([['orders-r1', { provider: 'aws', region: 'us-east-1', zone: 'use1-c', source: 'orders', issuedAt: 1_000 }]]);
    const creating = { instance: { ...db('orders-r1', 'use1-c', 'us-east-1', 'replica', { state: 'unknown', lagSeconds: null }), state: 'creating' as const }, health: up };
    memory = observed([primaryView, creating], memory, 900_000);
    expect([...memory.clusters.get('orders')!.pendingReplicas.keys()]).toEqual(['orders-r1']);
    const streaming = { instance: db('orders-r1', 'use1-c', 'us-east-1', 'replica', {}), health: up };
    memory = observed([primaryView, streaming], memory, 901_000);
    expect(memory.clusters.get('orders')!.pendingReplicas.size).toBe(0);
  });

  it('gives up on a create the provider never listed, and avoids its zone for a while', () => {
    const now = 1_000 + DEFAULT_POLICY.nodeStartTimeout * 1000;
    const memory = observed([primaryView], started(adopted(), create, 1_000), now);
    expect(memory.clusters.get('orders')!.pendingReplicas.size).toBe(0);
    expect(memory.zonePenalty.get('aws:use1-c')).toBe(now + DEFAULT_POLICY.backoffMax * 1000);
  });

  it('forgets a failed create (not a timed-out one) and penalises its zone unless the provider only throttled', () => {
    let memory = started(adopted(), create, 1_000);
    memory = ended(memory, create, 'timeout', false, 31_000);
    expect(memory.clusters.get('orders')!.pendingReplicas.get('orders-r1')).toBeDefined();
    memory = ended(memory, create, 'throttled', false, 31_000);
    expect(memory.clusters.get('orders')!.pendingReplicas.get('orders-r1')).toBeUndefined();
    expect(memory.zonePenalty.get('aws:use1-c')).toBeUndefined();
    memory = ended(started(memory, create, 40_000), create, 'error', true, 41_000);
    expect(memory.zonePenalty.get('aws:use1-c')).toBe(41_000 + DEFAULT_POLICY.backoffMax * 1000);
  });

  it('treats a replica being deleted as stopped on purpose, and forgets it once it is no longer listed', () => {
    let memory = started(adopted(), retire, 5_000);
    expect(memory.fenced.get(key('aws', 'orders-w'))).toBe(5_000);
    expect(memory.retired.get(key('aws', 'orders-w'))).toBe(5_000);
    const deleting = { instance: { ...db('orders-w', 'use1-b', 'us-east-1', 'replica', {}), state: 'stopping' as const }, health: up };
    memory = observed([primaryView, deleting], memory);
    expect(memory.retired.get(key('aws', 'orders-w'))).toBe(5_000);
    memory = observed([primaryView], memory);
    expect(memory.retired.size).toBe(0);
    expect(memory.fenced.has(key('aws', 'orders-w'))).toBe(false);
  });

  it('a refused delete is not asked again before backoffMax (plus its settle window)', () => {
    const memory = ended(started(adopted(), retire, 5_000), retire, 'error', true, 6_000);
    expect(memory.fenced.has(key('aws', 'orders-w'))).toBe(false);
    expect(memory.issued.get(retire.key)).toBe(6_000 + DEFAULT_POLICY.backoffMax * 1000 + 60_000);
  });
});

describe('memory reducers: the world wins over memory', () => {
  const replicaB = (upstream: string) => ({ instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { upstream }), health: up });
  const writableB = { instance: db('orders-b', 'use1-b', 'us-east-1', 'primary'), health: upWritable };

  it('a primary memory names that the provider does not list gives way to the listed writable primary', () => {
    const memory = observed([{ instance: db('orders-c', 'use1-c', 'us-east-1', 'primary'), health: upWritable }, replicaB('orders-c')]);
    expect(memory.clusters.get('orders')!.primary).toBe('orders-c');
    const change = rememberObservation(memory, snapshot({ zones, databases: [writableB, { instance: db('orders-a', 'use1-a', 'us-east-1', 'replica', { upstream: 'orders-b' }), health: up }], memory }), DEFAULT_POLICY);
    expect(change.memory.clusters.get('orders')!.primary).toBe('orders-b');
    expect(change.events.map((e) => e.kind)).toEqual(['memory.corrected']);
    expect(change.events[0]!.detail).toMatch(/does not list it/);
  });

  it('a primary memory names that is listed demoted gives way to the writable primary; never while a promotion is watched', () => {
    const memory = observed([primaryView, replicaB('orders')]);
    const demoted = { instance: db('orders', 'use1-a', 'us-east-1', 'replica', { upstream: 'orders-b' }), health: up };
    const corrected = rememberObservation(memory, snapshot({ zones, databases: [demoted, writableB], memory }), DEFAULT_POLICY);
    expect(corrected.memory.clusters.get('orders')!.primary).toBe('orders-b');
    expect(corrected.events[0]!.detail).toMatch(/lists it as a replica of orders-b/);
    // No writable instance listed as primary: memory is kept (nothing to adopt).
    const nobody = rememberObservation(memory, snapshot({ zones, databases: [demoted, { ...writableB, health: up }], memory }), DEFAULT_POLICY);
    expect(nobody.memory.clusters.get('orders')!.primary).toBe('orders');
  });

  it('a listing read before the last failover completed does not undo it: the new primary, listed as the replica it was, stays the primary', () => {
    // orders-b was promoted; the failover completed at 60 s. The listing in hand was read at 50 s: orders-b still a
    // replica of orders, orders still primary and (this round) taking writes; orders-b missed its probe.
    const memory = { clusters: { orders: { cluster: 'orders', primary: 'orders-b', provider: 'aws', failovers: 1, lastFailoverAt: 60_000 } } };
    const missed = { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { upstream: 'orders' }), health: { ...up, status: 'suspect' as const, failedRounds: 1, writable: false } };
    const stale = rememberObservation(snapshot({ zones, databases: [primaryView, missed], memory }).memory, snapshot({ now: 61_000, zones, databases: [primaryView, missed], memory, listedAt: { aws: 50_000 } }), DEFAULT_POLICY);
    expect(stale.memory.clusters.get('orders')!.primary).toBe('orders-b');
    expect(stale.events).toEqual([]);
    // A listing read after the failover that still shows it so is the world: memory gives way.
    const fresh = rememberObservation(stale.memory, snapshot({ now: 75_000, zones, databases: [primaryView, missed], memory, listedAt: { aws: 70_000 } }), DEFAULT_POLICY);
    expect(fresh.memory.clusters.get('orders')!.primary).toBe('orders');
    expect(fresh.events.map((e) => e.kind)).toEqual(['memory.corrected']);
  });

  it('after a restart, a promotion the journal shows unfinished is dropped (not sent again) when its target is still a replica and the old primary takes writes', () => {
    const promote: PromoteStep = { operation: 'promoteReplica', key: 'promote:orders:aws:orders-b', provider: 'aws', region: 'us-east-1', zone: 'use1-b', cluster: 'orders', target: 'orders-b', from: 'orders', estimatedLossSeconds: 0, reason: 'test' };
    const memory = started(adopted(), promote, 1_000);
    const restarted = rememberRestart(memory, [{ step: promote, startedAt: 1_000 }], 50_000);
    expect(restarted.memory.clusters.get('orders')!.promotion).toMatchObject({ target: 'orders-b', startedAt: 50_000, reissue: true });
    expect(restarted.memory.issued.has(promote.key)).toBe(false);
    expect(restarted.events.map((e) => e.kind)).toEqual(['memory.restored']);
    const change = rememberObservation(restarted.memory, snapshot({ now: 51_000, zones, databases: [primaryView, replicaB('orders')], memory: restarted.memory }), DEFAULT_POLICY);
    expect(change.memory.clusters.get('orders')!.promotion).toBeUndefined();
    expect(change.memory.clusters.get('orders')!.primary).toBe('orders');
    expect(change.events.map((e) => e.kind)).toEqual(['memory.corrected']);
  });

  it('gives up on a replica it created that does not stream replicaCreateTimeout after, avoids its zone, and forgets it once it streams', () => {
    const memory = started(adopted(), create, 1_000);
    const creating = (state: 'creating' | 'available', stream: 'disconnected' | 'streaming') => ({
      instance: { ...db('orders-r1', create.zone!, create.region, 'replica', { upstream: 'orders', state: stream, lagSeconds: null, lastContactSeconds: null }), state },
      health: up,
    });
    const at = (now: number, view: ReturnType<typeof creating>, from: ControllerMemory) => rememberObservation(from, snapshot({ now, zones, databases: [primaryView, view], memory: from }), DEFAULT_POLICY);
    const deadline = 1_000 + DEFAULT_POLICY.replicaCreateTimeout * 1000;
    expect(at(deadline - 1, creating('creating', 'disconnected'), memory).memory.clusters.get('orders')!.pendingReplicas.get('orders-r1')!.givenUpAt).toBeUndefined();
    const given = at(deadline, creating('creating', 'disconnected'), memory);
    expect(given.memory.clusters.get('orders')!.pendingReplicas.get('orders-r1')!.givenUpAt).toBe(deadline);
    expect(given.memory.zonePenalty.get(`aws:${create.zone}`)).toBe(deadline + DEFAULT_POLICY.backoffMax * 1000);
    expect(given.events.map((e) => e.kind)).toEqual(['memory.corrected']);
    // Kept while it still does not stream (no second penalty), forgotten once it does: it counts again, as listed.
    expect(at(deadline + 60_000, creating('creating', 'disconnected'), given.memory).memory.clusters.get('orders')!.pendingReplicas.has('orders-r1')).toBe(true);
    expect(at(deadline + 60_000, creating('available', 'streaming'), given.memory).memory.clusters.get('orders')!.pendingReplicas.has('orders-r1')).toBe(false);
  });

  it('after a restart, a replica create the journal shows unfinished stays counted and is marked for sending again', () => {
    const memory = rememberRestart(started(adopted(), create, 1_000), [{ step: create, startedAt: 1_000 }], 50_000).memory;
    expect(memory.clusters.get('orders')!.pendingReplicas.get('orders-r1')).toMatchObject({ uncertain: true });
  });
});
