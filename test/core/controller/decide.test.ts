import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/core/controller/decide.js';
import { DEFAULT_POLICY, resolvePolicy } from '../../../src/core/controller/Policy.js';
import type { CreateNodeStep, PromoteStep } from '../../../src/core/controller/Plan.js';
import { db, down, key, node, snapshot, up, upWritable, zone } from './snapshotBuilder.js';

const policy = DEFAULT_POLICY;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

const region3 = () => [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1'), zone('use1-c', 'us-east-1'), zone('usw2-a', 'us-west-2')];

describe('decide: failover', () => {
  it('promotes the sync replica in a healthy zone of the same region when the primary zone is impaired', () => {
    const s = snapshot({
      zones: region3(),
      databases: [
        { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(0) },
        { instance: db('orders-c', 'use1-c', 'us-east-1', 'replica', { lagSeconds: 12, lastContactSeconds: 11 }), health: up },
        { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { mode: 'sync', lagSeconds: 10, lastContactSeconds: 10, state: 'disconnected' }), health: up },
        { instance: db('orders-w', 'usw2-a', 'us-west-2', 'replica', { lagSeconds: 18, lastContactSeconds: 10 }), health: up },
      ],
    });
    const plan = decide(deepFreeze(s), policy);
    const promote = plan.steps.find((st) => st.operation === 'promoteReplica') as PromoteStep;
    expect(promote).toMatchObject({ target: 'orders-b', from: 'orders', zone: 'use1-b', estimatedLossSeconds: 0 });
    expect(promote.reason).toContain('impaired zone use1-a');
    // The old primary in the impaired zone is not reachable: no call into that zone.
    expect(plan.steps.filter((st) => st.zone === 'use1-a')).toEqual([]);
  });

  it('does not fail over on its own probes alone when replication from the zone goes on (observer partition)', () => {
    const zones = [zone('use1-a', 'us-east-1', 'degraded'), zone('use1-b', 'us-east-1')];
    const s = snapshot({
      zones,
      databases: [
        { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(0) },
        { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { mode: 'sync', lagSeconds: 0 }), health: up },
      ],
      replicationFrom: [[key('aws', 'orders'), 'alive']],
    });
    const plan = decide(s, policy);
    expect(plan.steps).toEqual([]);
  });

  it('fails over a primary that is down and whose replicas lost contact, even with its zone not impaired (storage stall)', () => {
    const s = snapshot({
      zones: [zone('use1-a', 'us-east-1', 'degraded'), zone('use1-b', 'us-east-1')],
      databases: [
        { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(80_000) },
        { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { mode: 'sync', lagSeconds: 20, lastContactSeconds: 20, state: 'disconnected' }), health: up },
      ],
      replicationFrom: [[key('aws', 'orders'), 'cut']],
    });
    const plan = decide(s, policy);
    expect(plan.steps.map((st) => `${st.operation} ${'target' in st ? st.target : ''}`)).toEqual([
      'stopDatabase orders',
      'promoteReplica orders-b',
    ]);
  });

  it('never promotes a replica beyond the data-loss guard, and says why', () => {
    const s = snapshot({
      zones: region3(),
      databases: [
        { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(0) },
        { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { lagSeconds: 330, lastContactSeconds: 20 }), health: up },
        { instance: db('orders-w', 'usw2-a', 'us-west-2', 'replica', { lagSeconds: 28, lastContactSeconds: 20 }), health: up },
      ],
    });
    const plan = decide(s, policy);
    expect(plan.steps.find((st) => st.operation === 'promoteReplica')).toMatchObject({ target: 'orders-w', region: 'us-west-2' });
    expect(plan.notes.join('\n')).toMatch(/not promoting orders-b: it would lose about 310s/);

    const strict = decide(s, resolvePolicy({ maxDataLoss: 5 }));
    expect(strict.steps.filter((st) => st.operation === 'promoteReplica')).toEqual([]);
    expect(strict.notes.join('\n')).toMatch(/no replica can be promoted safely/);
  });

  it('counts as loss the lag a replica gathered while cut off on its own, as long as the primary still answered', () => {
    // orders stopped answering 60 s ago (now is 100 s); orders-w lost contact 1800 s ago, when it was 10 s behind.
    const after = (lagSeconds: number, lastContactSeconds: number) =>
      decide(
        snapshot({
          zones: region3(),
          databases: [
            { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(40_000) },
            { instance: db('orders-w', 'usw2-a', 'us-west-2', 'replica', { lagSeconds, lastContactSeconds, state: 'disconnected' }), health: up },
          ],
        }),
        policy,
      );
    // Cut off with the primary: only the 10 s it was behind are lost.
    expect(after(70, 60).steps.find((st) => st.operation === 'promoteReplica')).toMatchObject({ target: 'orders-w', estimatedLossSeconds: 10 });
    // Cut off long before: everything the primary took until it stopped answering is lost (1810 s less 60 s of outage).
    const stale = after(1810, 1800);
    expect(stale.steps.filter((st) => st.operation === 'promoteReplica')).toEqual([]);
    expect(stale.notes.join('\n')).toMatch(/not promoting orders-w: it would lose about 1750s/);
  });

  it('goes to another region only when no candidate is left in the primary region, and not when disabled', () => {
    const zones = [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1', 'impaired'), zone('usw2-a', 'us-west-2')];
    const s = snapshot({
      zones,
      databases: [
        { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(0) },
        { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { mode: 'sync' }), health: down(0) },
        { instance: db('orders-w', 'usw2-a', 'us-west-2', 'replica', { lagSeconds: 8, lastContactSeconds: 3, state: 'disconnected' }), health: up },
      ],
    });
    expect(decide(s, policy).steps[0]).toMatchObject({ operation: 'promoteReplica', target: 'orders-w', estimatedLossSeconds: 5 });
    expect(decide(s, resolvePolicy({ crossRegionFailover: false })).steps).toEqual([]);
  });

  it('within the cooldown, fails a confirmed failure over again, but never back where the last failover came from', () => {
    // orders failed over from orders (use1-a) to orders-b (use1-b) 10 s ago; now orders-b's storage stalls: it answers
    // nothing writable and its replicas lost contact (confirmed), while its zone is not impaired (its nodes answer).
    const memory = { clusters: { orders: { cluster: 'orders', primary: 'orders-b', provider: 'aws', failovers: 1, lastFailoverAt: 90_000, previousPrimary: { provider: 'aws', id: 'orders', zone: 'use1-a' } } } };
    const stalled = (replicas: { instance: ReturnType<typeof db>; health: typeof up }[]) =>
      snapshot({
        zones: [zone('use1-a', 'us-east-1'), zone('use1-b', 'us-east-1', 'degraded'), zone('use1-c', 'us-east-1')],
        databases: [{ instance: db('orders-b', 'use1-b', 'us-east-1', 'primary'), health: down(0) }, ...replicas],
        replicationFrom: [[key('aws', 'orders-b'), 'cut']],
        memory,
      });
    const toC = decide(stalled([{ instance: db('orders-c', 'use1-c', 'us-east-1', 'replica', { upstream: 'orders-b' }), health: up }]), policy);
    expect(toC.steps.find((st) => st.operation === 'promoteReplica')).toMatchObject({ target: 'orders-c' });
    // The old primary, rebuilt as a replica in use1-a, ranks first by id; within the cooldown it is passed over.
    const both = decide(
      stalled([
        { instance: db('orders', 'use1-a', 'us-east-1', 'replica', { upstream: 'orders-b', mode: 'sync' }), health: up },
        { instance: db('orders-c', 'use1-c', 'us-east-1', 'replica', { upstream: 'orders-b' }), health: up },
      ]),
      policy,
    );
    expect(both.steps.find((st) => st.operation === 'promoteReplica')).toMatchObject({ target: 'orders-c' });
    // Only a way back: ping-pong, so it waits out the cooldown, and says so.
    const back = decide(stalled([{ instance: db('orders-a2', 'use1-a', 'us-east-1', 'replica', { upstream: 'orders-b' }), health: up }]), policy);
    expect(back.steps.filter((st) => st.operation === 'promoteReplica')).toEqual([]);
    expect(back.notes.join('\n')).toMatch(/where the failover 10s ago came from \(orders, zone use1-a\); waiting out the cooldown/);
    // After the cooldown the way back is open again.
    const later = decide({ ...stalled([{ instance: db('orders-a2', 'use1-a', 'us-east-1', 'replica', { upstream: 'orders-b' }), health: up }]), now: 90_000 + policy.failoverCooldown * 1000 }, policy);
    expect(later.steps.find((st) => st.operation === 'promoteReplica')).toMatchObject({ target: 'orders-a2' });
  });

  it('fences a second writable primary at once, even in a zone still marked impaired', () => {
    const s = snapshot({
      zones: [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1')],
      databases: [
        { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: upWritable },
        { instance: db('orders-b', 'use1-b', 'us-east-1', 'primary'), health: upWritable },
      ],
      memory: { clusters: { orders: { cluster: 'orders', primary: 'orders-b', provider: 'aws', failovers: 1, lastFailoverAt: 0 } } },
    });
    const plan = decide(s, policy);
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]).toMatchObject({ operation: 'stopDatabase', target: 'orders', zone: 'use1-a' });
    expect(plan.steps[0]!.reason).toMatch(/split-brain/);
    // Idempotent: while the stop is in flight it is not planned again.
    expect(decide(snapshot({ ...s, zones: [...s.zones.values()], databases: [...s.databases], memory: s.memory, inFlight: [plan.steps[0]!.key] }), policy).steps).toEqual([]);
  });

  it('re-points remaining replicas to the new primary, skipping ones in an impaired zone', () => {
    const s = snapshot({
      zones: [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1'), zone('use1-c', 'us-east-1'), zone('use1-d', 'us-east-1', 'impaired')],
      databases: [
        { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(0) },
        { instance: db('orders-b', 'use1-b', 'us-east-1', 'primary'), health: upWritable },
        { instance: db('orders-c', 'use1-c', 'us-east-1', 'replica', { upstream: 'orders' }), health: up },
        { instance: db('orders-d', 'use1-d', 'us-east-1', 'replica', { upstream: 'orders' }), health: down(0) },
      ],
      memory: { clusters: { orders: { cluster: 'orders', primary: 'orders-b', provider: 'aws', failovers: 1, lastFailoverAt: 0 } } },
    });
    const plan = decide(s, policy);
    expect(plan.steps.map((st) => `${st.operation} ${'target' in st ? st.target : ''}`)).toEqual(['repointReplica orders-c']);
  });

  it('promotes in place of a primary it fenced itself with nothing promoted (a switchover cut short), even in the cooldown', () => {
    const unprobed = { status: 'unprobed', failedRounds: 0, failingSince: undefined, upSince: undefined, writable: false } as const;
    const views = (fenced: boolean) =>
      snapshot({
        now: 100_000,
        zones: [zone('use1-a', 'us-east-1'), zone('use1-b', 'us-east-1'), zone('use1-c', 'us-east-1')],
        databases: [
          { instance: { ...db('orders', 'use1-a', 'us-east-1', 'primary'), state: 'stopped' }, health: unprobed },
          { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { upstream: 'orders', mode: 'sync', state: 'disconnected' }), health: up },
          { instance: db('orders-c', 'use1-c', 'us-east-1', 'replica', { upstream: 'orders', state: 'disconnected' }), health: up },
        ],
        memory: {
          clusters: { orders: { cluster: 'orders', primary: 'orders', provider: 'aws', failovers: 1, lastFailoverAt: 90_000 } },
          fenced: fenced ? { [key('aws', 'orders')]: 95_000 } : {},
        },
      });
    const promotes = decide(views(true), policy).steps.filter((st): st is PromoteStep => st.operation === 'promoteReplica');
    expect(promotes.map((st) => st.target)).toEqual(['orders-b']);
    expect(promotes[0]!.reason).toContain('fenced by this controller');
    // Stopped by someone else (not fenced by us) and in the cooldown: not our call.
    expect(decide(views(false), policy).steps.filter((st) => st.operation === 'promoteReplica')).toEqual([]);
  });

  it('never re-points the new primary while a stale listing still shows it as a replica of the old one', () => {
    const s = snapshot({
      zones: [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1'), zone('use1-c', 'us-east-1')],
      databases: [
        { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(0) },
        { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { upstream: 'orders' }), health: upWritable },
        { instance: db('orders-c', 'use1-c', 'us-east-1', 'replica', { upstream: 'orders' }), health: up },
      ],
      memory: { clusters: { orders: { cluster: 'orders', primary: 'orders-b', provider: 'aws', failovers: 1, lastFailoverAt: 0 } } },
    });
    const repoints = decide(s, policy).steps.filter((st) => st.operation === 'repointReplica');
    expect(repoints.map((st) => ('target' in st ? st.target : ''))).toEqual(['orders-c']);
  });
});

describe('decide: capacity', () => {
  const groups = [{ id: 'web', provider: 'aws', region: 'us-east-1', minHealthy: 6 }];

  it('creates replacements in the healthy zones with the fewest nodes, never in the impaired one', () => {
    const s = snapshot({
      zones: [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1'), zone('use1-c', 'us-east-1')],
      nodes: [
        ...['a1', 'a2', 'a3'].map((id) => ({ node: node(id, 'use1-a', 'us-east-1'), health: down(0) })),
        ...['b1', 'b2', 'b3'].map((id) => ({ node: node(id, 'use1-b', 'us-east-1'), health: up })),
      ],
      groups,
    });
    const creates = decide(s, policy).steps as CreateNodeStep[];
    expect(creates.map((c) => c.zone)).toEqual(['use1-c', 'use1-c', 'use1-c']);
    expect(new Set(creates.map((c) => c.name)).size).toBe(3);
    expect(decide(s, policy).steps.some((st) => st.zone === 'use1-a')).toBe(false);
  });

  it('a node kept from a partial listing (its zone could not be listed) counts while our probes hear it: no replacement on an absence', () => {
    const unlisted = (id: string) => ({ ...node(id, 'use1-a', 'us-east-1'), state: 'unknown' as const, extra: { listing: 'unreachable' } });
    const zones = [zone('use1-a', 'us-east-1'), zone('use1-b', 'us-east-1')];
    const nodes = [
      ...['a1', 'a2', 'a3'].map((id) => ({ node: unlisted(id), health: up })),
      ...['b1', 'b2', 'b3'].map((id) => ({ node: node(id, 'use1-b', 'us-east-1'), health: up })),
    ];
    expect(decide(snapshot({ zones, nodes, groups }), policy).steps).toEqual([]);
    // Kept but silent: written off like any other node whose zone is impaired.
    const dark = nodes.map((n) => (n.node.zone === 'use1-a' ? { ...n, health: down(0) } : n));
    const creates = decide(snapshot({ zones: [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1')], nodes: dark, groups }), policy).steps;
    expect(creates.map((c) => c.operation)).toEqual(['createNode', 'createNode', 'createNode']);
  });

  it('nodes the provider lists stopped (a power loss: nobody here stopped them) do not use up the runaway guard: replacements are made', () => {
    // minHealthy 6, factor 2: room for 12. Ten machines listed stopped after a power loss, two running.
    const stopped = (id: string, z: string) => ({ node: { ...node(id, z, 'us-east-1'), state: 'stopped' as const }, health: down(0) });
    const nodes = [
      ...['a1', 'a2', 'a3', 'a4', 'a5'].map((id) => stopped(id, 'use1-a')),
      ...['b1', 'b2', 'b3', 'b4', 'b5'].map((id) => stopped(id, 'use1-b')),
      ...['b6', 'b7'].map((id) => ({ node: node(id, 'use1-b', 'us-east-1'), health: up })),
    ];
    const plan = decide(snapshot({ now: 600_000, zones: [zone('use1-a', 'us-east-1'), zone('use1-b', 'us-east-1')], nodes, groups }), policy);
    expect(plan.steps.filter((st) => st.operation === 'createNode')).toHaveLength(4);
    // Running machines still count: with ten of them running but silent, the guard holds at twelve.
    const silent = nodes.map((n) => (n.node.state === 'stopped' ? { node: { ...n.node, state: 'running' as const }, health: down(0) } : n));
    const guarded = decide(snapshot({ now: 600_000, zones: [zone('use1-a', 'us-east-1'), zone('use1-b', 'us-east-1')], nodes: silent, groups }), policy);
    expect(guarded.steps.filter((st) => st.operation === 'createNode')).toEqual([]);
    expect(guarded.notes.join('\n')).toMatch(/already has 12 nodes \(limit 2x 6\)/);
  });

  it('falls back to a degraded zone that answers only when no zone of the region is healthy, penalised or not', () => {
    // use1-a is degraded and nothing in it is probed (its machines are listed stopped); use1-b is healthy but penalised.
    const at = (bState: 'healthy' | 'degraded') =>
      decide(
        snapshot({
          zones: [zone('use1-a', 'us-east-1', 'degraded', 0), zone('use1-b', 'us-east-1', bState)],
          nodes: ['b1', 'b2', 'b3', 'b4', 'b5'].map((id) => ({ node: node(id, 'use1-b', 'us-east-1'), health: up })),
          groups,
          memory: { zonePenalty: { 'aws:use1-b': 200_000 } },
        }),
        policy,
      );
    const waiting = at('healthy');
    expect(waiting.steps.filter((st) => st.operation === 'createNode')).toEqual([]);
    expect(waiting.notes.join('\n')).toMatch(/no zone of us-east-1 is healthy and answering/);
    expect(at('degraded').steps).toEqual([expect.objectContaining({ operation: 'createNode', zone: 'use1-a' })]);
  });

  it('counts creates on the way and does not create them twice', () => {
    const s = snapshot({
      zones: [zone('use1-b', 'us-east-1'), zone('use1-c', 'us-east-1')],
      nodes: ['b1', 'b2', 'b3', 'b4', 'b5'].map((id) => ({ node: node(id, 'use1-b', 'us-east-1'), health: up })),
      groups,
      memory: { pendingCreates: { 'web-1': { group: 'web', provider: 'aws', region: 'us-east-1', zone: 'use1-c', issuedAt: 0 } }, nodeSeq: 1 },
    });
    expect(decide(s, policy).steps).toEqual([]);
  });

  it('replaces a single dead node in a healthy zone, and destroys it only once the group is whole and the zone answers', () => {
    const nodes = [
      { node: node('b1', 'use1-b', 'us-east-1'), health: down(0) },
      ...['b2', 'b3', 'c1', 'c2', 'c3'].map((id) => ({ node: node(id, id.startsWith('b') ? 'use1-b' : 'use1-c', 'us-east-1'), health: up })),
    ];
    const zones = [zone('use1-b', 'us-east-1', 'degraded'), zone('use1-c', 'us-east-1')];
    const first = decide(snapshot({ zones, nodes, groups }), policy);
    expect(first.steps).toHaveLength(1);
    expect(first.steps[0]).toMatchObject({ operation: 'createNode', replaces: 'b1' });

    const whole = [...nodes, { node: node('web-1', 'use1-c', 'us-east-1'), health: up }];
    const second = decide(snapshot({ zones, nodes: whole, groups, now: 200_000 }), policy);
    expect(second.steps).toEqual([expect.objectContaining({ operation: 'destroyNode', target: 'b1' })]);

    // Observer partition: nothing in the zone answers, so nothing there is destroyed.
    const partitioned = whole.map((v) => (v.node.zone === 'use1-b' ? { ...v, health: down(0) } : v));
    const silent = [zone('use1-b', 'us-east-1', 'degraded', 0), zone('use1-c', 'us-east-1')];
    const third = decide(snapshot({ zones: silent, nodes: partitioned, groups, now: 200_000 }), policy);
    expect(third.steps.some((st) => st.operation === 'destroyNode')).toBe(false);
  });
});
