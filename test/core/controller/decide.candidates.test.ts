import { describe, expect, it } from 'vitest';
import type { ReplicationStatus } from '../../../src/core/contract/types.js';
import { decide } from '../../../src/core/controller/decide.js';
import type { CreateNodeStep, PromoteStep } from '../../../src/core/controller/Plan.js';
import { DEFAULT_POLICY, resolvePolicy } from '../../../src/core/controller/Policy.js';
import type { ZoneState } from '../../../src/core/health/types.js';
import { db, down, node, snapshot, up, zone } from './snapshotBuilder.js';

/**
 * Candidate ordering among eligible replicas. The primary's zone is impaired; two replicas are eligible.
 * In each case one criterion decides and every criterion ranked after it (down to the id tie-break,
 * which prefers `orders-a`) points the other way, so the case fails if that criterion is dropped or
 * moved below the others.
 */
interface Replica {
  id: 'orders-a' | 'orders-z';
  provider?: 'aws' | 'gcp';
  zone: 'use1-b' | 'use1-c' | 'usw2-a' | 'gcp-a';
  mode?: ReplicationStatus['mode'];
  lag: number;
}

const zoneStates = (degraded: string[]) => {
  const state = (id: string): ZoneState => (degraded.includes(id) ? 'degraded' : 'healthy');
  return [
    zone('use1-a', 'us-east-1', 'impaired'),
    zone('use1-b', 'us-east-1', state('use1-b')),
    zone('use1-c', 'us-east-1', state('use1-c')),
    zone('usw2-a', 'us-west-2', state('usw2-a')),
    { ...zone('gcp-a', 'us-central1', state('gcp-a')), provider: 'gcp' },
  ];
};
const regionOf = { 'use1-b': 'us-east-1', 'use1-c': 'us-east-1', 'usw2-a': 'us-west-2', 'gcp-a': 'us-central1' } as const;

function promoted(replicas: Replica[], degraded: string[] = []): PromoteStep {
  const s = snapshot({
    zones: zoneStates(degraded),
    databases: [
      { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(0) },
      ...replicas.map((r) => ({
        instance: db(r.id, r.zone, regionOf[r.zone], 'replica', { mode: r.mode ?? 'async', lagSeconds: r.lag, lastContactSeconds: 0 }, r.provider ?? 'aws'),
        health: up,
      })),
    ],
  });
  const plan = decide(s, DEFAULT_POLICY);
  const steps = plan.steps.filter((st): st is PromoteStep => st.operation === 'promoteReplica');
  expect(steps, plan.notes.join('\n')).toHaveLength(1);
  return steps[0]!;
}

describe('decide: which eligible replica is promoted', () => {
  it('a replica in a healthy zone before one in a degraded zone (even a sync one of the same region with less loss)', () => {
    const step = promoted(
      [
        { id: 'orders-a', zone: 'use1-b', mode: 'sync', lag: 0 },
        { id: 'orders-z', zone: 'usw2-a', lag: 5 },
      ],
      ['use1-b'],
    );
    expect(step.target).toBe('orders-z');
    expect(step.reason).toContain('zone usw2-a healthy');
  });

  it('a sync replica before an async one (even one of the same region with less loss)', () => {
    const step = promoted([
      { id: 'orders-a', zone: 'use1-b', lag: 0 },
      { id: 'orders-z', zone: 'usw2-a', mode: 'sync', lag: 5 },
    ]);
    expect(step.target).toBe('orders-z');
    expect(step.reason).toMatch(/\(sync, region us-west-2/);
  });

  it("a replica in the primary's region before one elsewhere (even one with less loss)", () => {
    const step = promoted([
      { id: 'orders-a', zone: 'usw2-a', lag: 0 },
      { id: 'orders-z', zone: 'use1-c', lag: 5 },
    ]);
    expect(step.target).toBe('orders-z');
    expect(step.reason).toContain('same region');
  });

  it("a replica on the primary's provider before one on another provider (even one with less loss)", () => {
    const step = promoted([
      { id: 'orders-a', provider: 'gcp', zone: 'gcp-a', lag: 0 },
      { id: 'orders-z', zone: 'usw2-a', lag: 5 },
    ]);
    expect(step).toMatchObject({ target: 'orders-z', provider: 'aws' });
  });

  it('the least estimated loss among otherwise equal replicas', () => {
    const step = promoted([
      { id: 'orders-a', zone: 'use1-b', lag: 5 },
      { id: 'orders-z', zone: 'use1-c', lag: 1 },
    ]);
    expect(step).toMatchObject({ target: 'orders-z', estimatedLossSeconds: 1 });
  });

  it('the id breaks a complete tie, whatever order the provider listed them in', () => {
    const a = { id: 'orders-a', zone: 'use1-b', lag: 2 } as const;
    const z = { id: 'orders-z', zone: 'use1-c', lag: 2 } as const;
    expect(promoted([z, a]).target).toBe('orders-a');
    expect(promoted([a, z]).target).toBe('orders-a');
  });
});

describe('decide: runaway guard for node groups', () => {
  const group = { id: 'web', provider: 'aws', region: 'us-east-1', minHealthy: 4 };
  const zones = [zone('use1-b', 'us-east-1'), zone('use1-c', 'us-east-1')];
  /** 2 healthy nodes, and `dead` nodes silent for longer than nodeDeadAfter in a zone that is not impaired. */
  const nodes = (dead: number) => [
    { node: node('web-u1', 'use1-b', 'us-east-1'), health: up },
    { node: node('web-u2', 'use1-b', 'us-east-1'), health: up },
    ...Array.from({ length: dead }, (_, i) => ({ node: node(`web-d${i}`, 'use1-c', 'us-east-1'), health: down(0) })),
  ];
  const creates = (dead: number, policy = DEFAULT_POLICY) => {
    const plan = decide(snapshot({ zones, nodes: nodes(dead), groups: [group] }), policy);
    return { creates: plan.steps.filter((st): st is CreateNodeStep => st.operation === 'createNode'), notes: plan.notes };
  };

  it('creates the whole deficit while the group is well under maxNodesFactor x minHealthy', () => {
    const c = creates(2); expect(c.creates, c.notes.join("\n")).toHaveLength(2);
  });

  it('creates only up to maxNodesFactor x minHealthy nodes, dead ones included, and says why', () => {
    // 2 healthy + 5 dead = 7 of the 8 allowed (2 x 4): one create, though two are missing.
    const partial = creates(5);
    expect(partial.creates).toHaveLength(1);
    expect(partial.notes.join('\n')).toContain('web: 2 nodes short, but it already has 7 nodes (limit 2x 4)');
    // 2 + 6 = 8: nothing more, however many probes fail.
    const full = creates(6);
    expect(full.creates).toEqual([]);
    expect(full.notes.join('\n')).toContain('already has 8 nodes (limit 2x 4)');
    // A higher factor leaves room again.
    expect(creates(6, resolvePolicy({ maxNodesFactor: 3 })).creates).toHaveLength(2);
  });
});
