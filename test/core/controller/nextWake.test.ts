import { describe, expect, it } from 'vitest';
import { nextWake } from '../../../src/core/controller/nextWake.js';
import { DEFAULT_POLICY } from '../../../src/core/controller/Policy.js';
import type { TargetHealth } from '../../../src/core/health/types.js';
import { db, down, node, snapshot, zone, type SnapshotInput } from './snapshotBuilder.js';

/**
 * When the controller must look again with nothing new observed: each timer
 * on its own, at now = 100 s, then the earliest of several.
 */
const policy = DEFAULT_POLICY;
const NOW = 100_000;
const wake = (input: Omit<SnapshotInput, 'zones'>) => nextWake(snapshot({ now: NOW, zones: [zone('use1-a', 'us-east-1')], ...input }), policy);
const cluster = (extra: Record<string, unknown>) => ({ clusters: { orders: { cluster: 'orders', primary: 'orders', provider: 'aws', failovers: 1, ...extra } } });

describe('nextWake', () => {
  it('is Infinity with nothing pending', () => {
    expect(wake({})).toBe(Infinity);
  });

  it('a down target: when it reaches impairedAfter, then nodeDeadAfter', () => {
    expect(wake({ nodes: [{ node: node('a1', 'use1-a', 'us-east-1'), health: down(NOW - 1_000) }] })).toBe(NOW - 1_000 + policy.impairedAfter * 1000);
    expect(wake({ nodes: [{ node: node('a1', 'use1-a', 'us-east-1'), health: down(NOW - 10_000) }] })).toBe(NOW - 10_000 + policy.nodeDeadAfter * 1000);
    expect(wake({ databases: [{ instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(NOW - 10_000) }] })).toBe(NOW - 10_000 + policy.nodeDeadAfter * 1000);
  });

  it('a target only suspect, or down with no time of failure, sets no timer', () => {
    const suspect: TargetHealth = { ...down(NOW - 1_000), status: 'suspect' };
    expect(wake({ nodes: [{ node: node('a1', 'use1-a', 'us-east-1'), health: suspect }] })).toBe(Infinity);
    expect(wake({ nodes: [{ node: node('a1', 'use1-a', 'us-east-1'), health: { ...down(0), failingSince: undefined } }] })).toBe(Infinity);
  });

  it('the end of a failed candidate\'s block, a zone penalty, a settle window', () => {
    expect(wake({ memory: { failedCandidates: { 'aws:orders-b': 150_000 } } })).toBe(150_000);
    expect(wake({ memory: { zonePenalty: { 'aws:use1-a': 160_000 } } })).toBe(160_000);
    expect(wake({ memory: { issued: { 'fence:aws:orders': 110_000 } } })).toBe(110_000);
  });

  it('a timer already past, or due now, is no reason to wake', () => {
    expect(wake({ memory: { issued: { 'fence:aws:orders': NOW } } })).toBe(Infinity);
    expect(wake({ memory: { issued: { 'fence:aws:orders': NOW - 1 } } })).toBe(Infinity);
    expect(wake({ memory: { issued: { 'fence:aws:orders': NOW + 1 } } })).toBe(NOW + 1);
  });

  it('the oldest try leaving the retry window; no tries, no timer', () => {
    expect(wake({ memory: { tries: { 'fence:aws:orders': [90_000, 95_000] } } })).toBe(90_000 + policy.stepRetryWindow * 1000);
    expect(wake({ memory: { tries: { 'fence:aws:orders': [] } } })).toBe(Infinity);
  });

  it('a node create, a replica create and a promotion reaching their deadlines; a switchover request its own', () => {
    expect(wake({ memory: { pendingCreates: { 'web-1': { group: 'web', provider: 'aws', region: 'us-east-1', issuedAt: 90_000 } } } })).toBe(90_000 + policy.nodeStartTimeout * 1000);
    const pendingReplica = { provider: 'aws', region: 'us-east-1', zone: 'use1-a', source: 'orders', issuedAt: 80_000 };
    expect(wake({ memory: cluster({ pendingReplicas: { 'orders-r1': pendingReplica } }) })).toBe(80_000 + policy.nodeStartTimeout * 1000);
    const promotion = { target: 'orders-b', provider: 'aws', region: 'us-east-1', zone: 'use1-b', from: 'orders', fromProvider: 'aws', detectedAt: 95_000, startedAt: 95_000 };
    expect(wake({ memory: cluster({ promotion }) })).toBe(95_000 + policy.promoteTimeout * 1000);
    expect(wake({ memory: { intents: { orders: { kind: 'switchover', cluster: 'orders', requestedBy: 'alice', requestedAt: 90_000, deadline: 130_000 } } } })).toBe(130_000);
  });

  it('the end of a failover cooldown', () => {
    expect(wake({ memory: cluster({ lastFailoverAt: 90_000 }) })).toBe(90_000 + policy.failoverCooldown * 1000);
    expect(wake({ memory: cluster({}) })).toBe(Infinity);
  });

  it('a traffic shift falling due for renewal, not one being put back', () => {
    const shift = (returning: boolean) => ({ shifts: { 'aws:web-lb:use1-a': { provider: 'aws', loadBalancer: 'web-lb', region: 'us-east-1', group: 'web', zone: 'use1-a', issuedAt: 90_000, expiresAt: 1_890_000, confirmed: true, returning } } });
    expect(wake({ memory: shift(false) })).toBe(1_890_000 - (policy.trafficShiftExpiry * 1000) / 2);
    expect(wake({ memory: shift(true) })).toBe(Infinity);
  });

  it('is the earliest of them, whatever the order they are found in', () => {
    expect(wake({ memory: { failedCandidates: { 'aws:orders-b': 150_000 }, zonePenalty: { 'aws:use1-a': 120_000 }, issued: { x: 170_000, y: 130_000 } } })).toBe(120_000);
    expect(wake({ memory: { failedCandidates: { 'aws:orders-b': 120_000 }, zonePenalty: { 'aws:use1-a': 150_000 } } })).toBe(120_000);
  });
});
