import { describe, expect, it } from 'vitest';
import { emptyMemory, noteReplicaStepResult, noteReplicaStepStart, type ControllerMemory } from '../../../src/core/controller/ControllerMemory.js';
import type { CreateReplicaStep, RetireReplicaStep } from '../../../src/core/controller/Plan.js';
import { DEFAULT_POLICY } from '../../../src/core/controller/Policy.js';
import { reconcileMemory } from '../../../src/core/controller/reconcileMemory.js';
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

function adopted(): ControllerMemory {
  const memory = emptyMemory();
  reconcileMemory(
    memory,
    snapshot({
      zones,
      databases: [
        { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: upWritable },
        { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', {}), health: up },
        { instance: db('orders-c', 'use1-c', 'us-east-1', 'replica', { upstream: 'orders-b' }), health: up },
      ],
      memory,
    }),
    DEFAULT_POLICY,
  );
  return memory;
}

describe('reconcileMemory: replica upkeep', () => {
  it('records where the replicas of the adopted primary live (cascaded ones too)', () => {
    expect(adopted().clusters['orders']!.replicaHomes).toEqual([
      { provider: 'aws', region: 'us-east-1', zone: 'use1-b' },
      { provider: 'aws', region: 'us-east-1', zone: 'use1-c' },
    ]);
  });

  it('counts a create from the moment it is issued, until the replica streams', () => {
    const memory = adopted();
    noteReplicaStepStart(memory, create, 1_000);
    expect(memory.clusters['orders']!.replicaSeq).toBe(1);
    expect(memory.clusters['orders']!.pendingReplicas).toEqual({ 'orders-r1': { provider: 'aws', region: 'us-east-1', zone: 'use1-c', source: 'orders', issuedAt: 1_000 } });
    const creating = { instance: { ...db('orders-r1', 'use1-c', 'us-east-1', 'replica', { state: 'unknown', lagSeconds: null }), state: 'creating' as const }, health: up };
    const primary = { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: upWritable };
    reconcileMemory(memory, snapshot({ now: 900_000, zones, databases: [primary, creating], memory }), DEFAULT_POLICY);
    expect(Object.keys(memory.clusters['orders']!.pendingReplicas!)).toEqual(['orders-r1']);
    const streaming = { instance: db('orders-r1', 'use1-c', 'us-east-1', 'replica', {}), health: up };
    reconcileMemory(memory, snapshot({ now: 901_000, zones, databases: [primary, streaming], memory }), DEFAULT_POLICY);
    expect(memory.clusters['orders']!.pendingReplicas).toEqual({});
  });

  it('gives up on a create the provider never listed, and avoids its zone for a while', () => {
    const memory = adopted();
    noteReplicaStepStart(memory, create, 1_000);
    const primary = { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: upWritable };
    const now = 1_000 + DEFAULT_POLICY.nodeStartTimeout * 1000;
    reconcileMemory(memory, snapshot({ now, zones, databases: [primary], memory }), DEFAULT_POLICY);
    expect(memory.clusters['orders']!.pendingReplicas).toEqual({});
    expect(memory.zonePenalty['aws:use1-c']).toBe(now + DEFAULT_POLICY.backoffMax * 1000);
  });

  it('forgets a failed create (not a timed-out one) and penalises its zone unless the provider only throttled', () => {
    const memory = adopted();
    noteReplicaStepStart(memory, create, 1_000);
    noteReplicaStepResult(memory, create, 'timeout', false, 31_000, DEFAULT_POLICY);
    expect(memory.clusters['orders']!.pendingReplicas!['orders-r1']).toBeDefined();
    noteReplicaStepResult(memory, create, 'throttled', false, 31_000, DEFAULT_POLICY);
    expect(memory.clusters['orders']!.pendingReplicas!['orders-r1']).toBeUndefined();
    expect(memory.zonePenalty['aws:use1-c']).toBeUndefined();
    noteReplicaStepStart(memory, create, 40_000);
    noteReplicaStepResult(memory, create, 'error', true, 41_000, DEFAULT_POLICY);
    expect(memory.zonePenalty['aws:use1-c']).toBe(41_000 + DEFAULT_POLICY.backoffMax * 1000);
  });

  it('treats a replica being deleted as stopped on purpose, and forgets it once it is no longer listed', () => {
    const memory = adopted();
    noteReplicaStepStart(memory, retire, 5_000);
    expect(memory.fenced[key('aws', 'orders-w')]).toBe(5_000);
    expect(memory.retired![key('aws', 'orders-w')]).toBe(5_000);
    const primary = { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: upWritable };
    const deleting = { instance: { ...db('orders-w', 'use1-b', 'us-east-1', 'replica', {}), state: 'stopping' as const }, health: up };
    reconcileMemory(memory, snapshot({ zones, databases: [primary, deleting], memory }), DEFAULT_POLICY);
    expect(memory.retired![key('aws', 'orders-w')]).toBe(5_000);
    reconcileMemory(memory, snapshot({ zones, databases: [primary], memory }), DEFAULT_POLICY);
    expect(memory.retired).toEqual({});
    expect(memory.fenced[key('aws', 'orders-w')]).toBeUndefined();
  });

  it('a refused delete is not asked again before backoffMax', () => {
    const memory = adopted();
    noteReplicaStepStart(memory, retire, 5_000);
    noteReplicaStepResult(memory, retire, 'error', true, 6_000, DEFAULT_POLICY);
    expect(memory.fenced[key('aws', 'orders-w')]).toBeUndefined();
    expect(memory.issued[retire.key]).toBe(6_000 + DEFAULT_POLICY.backoffMax * 1000);
  });
});
