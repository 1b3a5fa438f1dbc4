import { describe, expect, it } from 'vitest';
import type { Capabilities, DatabaseInstance, ReplicationStatus } from '../../../src/core/contract/types.js';
import { decide } from '../../../src/core/controller/decide.js';
import type { Plan } from '../../../src/core/controller/Plan.js';
import { checkSwitchover } from '../../../src/core/controller/planSwitchover.js';
import { DEFAULT_POLICY } from '../../../src/core/controller/Policy.js';
import type { TargetHealth, ZoneState } from '../../../src/core/health/types.js';
import { db, down, key, snapshot, up, upWritable, zone, type SnapshotInput } from './snapshotBuilder.js';

/**
 * A planned switchover's exact refusals, steps and verdicts, from the
 * request to the promotion or the give-up: `orders` (use1-a) hands over to
 * `orders-b` (use1-b, sync) or `orders-c` (use1-c, async); the request
 * (alice's) runs until 390 s, now is 100 s.
 */
const policy = DEFAULT_POLICY;
const cluster = { orders: { cluster: 'orders', primary: 'orders', provider: 'aws', failovers: 0 } };
const zones = (states: Record<string, ZoneState> = {}) => ['use1-a', 'use1-b', 'use1-c'].map((z) => zone(z, 'us-east-1', states[z] ?? 'healthy'));
const primary = (health: TargetHealth = upWritable, over: Partial<DatabaseInstance> = {}) => ({ instance: { ...db('orders', 'use1-a', 'us-east-1', 'primary'), ...over }, health });
const syncB = (replication: Partial<ReplicationStatus> = {}, health: TargetHealth = up) => ({ instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { mode: 'sync', lagSeconds: 0, ...replication }), health });
const asyncC = (replication: Partial<ReplicationStatus> = {}, health: TargetHealth = up) => ({ instance: db('orders-c', 'use1-c', 'us-east-1', 'replica', { lagSeconds: 2, ...replication }), health });
const intent = (extra: Record<string, unknown> = {}) => ({ orders: { kind: 'switchover', cluster: 'orders', requestedBy: 'alice', requestedAt: 90_000, deadline: 390_000, ...extra } });

function refusal(input: Partial<SnapshotInput> & { target?: string; cluster?: string }): string | undefined {
  const s = snapshot({ zones: zones(), databases: [primary(), syncB(), asyncC()], memory: { clusters: cluster }, ...input });
  const check = checkSwitchover(s, policy, { cluster: input.cluster ?? 'orders', ...(input.target ? { target: input.target } : {}) });
  return 'refused' in check ? check.refused : undefined;
}

describe('checkSwitchover: refusals', () => {
  it('an unknown database, or one nothing lists', () => {
    expect(refusal({ cluster: 'billing' })).toBe('unknown database billing');
    expect(refusal({ databases: [] })).toBe('unknown database orders');
  });

  it('a promotion already under way', () => {
    const promotion = { target: 'orders-b', provider: 'aws', region: 'us-east-1', zone: 'use1-b', from: 'orders', fromProvider: 'aws', detectedAt: 90_000, startedAt: 90_000 };
    expect(refusal({ memory: { clusters: { orders: { ...cluster.orders, promotion } } } })).toBe('orders: a promotion of orders-b is under way');
  });

  it('a primary that does not answer, or answers without taking writes', () => {
    const why = 'orders: the primary orders is not a healthy writable primary; a switchover needs one (failover is automatic)';
    expect(refusal({ databases: [primary(up), syncB()] })).toBe(why);
    expect(refusal({ databases: [primary(down(50_000)), syncB()] })).toBe(why);
    expect(refusal({ databases: [syncB()] })).toBe(why);
  });

  it('a provider that cannot stop the primary, or will not while replicas follow it', () => {
    expect(refusal({ capabilities: { stopDatabase: false } })).toBe('orders: aws cannot stop orders, and a switchover without losing writes fences it first');
    expect(refusal({ capabilities: { stopRefusedWithReplicas: true } })).toBe('orders: aws will not stop orders while replicas follow it, and a switchover without losing writes fences it first');
  });

  it('a named target that is not there, is rejected by the failover rules, or is not a replica of the primary', () => {
    expect(refusal({ target: 'orders-x' })).toBe('orders has no instance orders-x');
    expect(refusal({ target: 'orders-c', databases: [primary(), asyncC({}, down(90_000))] })).toBe('orders: not promoting orders-c: it does not answer our probes (down)');
    // The primary itself is never a candidate.
    expect(refusal({ target: 'orders' })).toBe('orders: orders is not a replica of orders');
  });

  it('a named target streaming in a degraded zone cannot be relied on to catch up', () => {
    expect(refusal({ target: 'orders-c', zones: zones({ 'use1-c': 'degraded' }) })).toBe('orders: orders-c is not streaming from orders in a healthy zone; it cannot catch up');
  });

  it('unnamed: the best streaming one in a healthy zone; none listed is said so', () => {
    expect(refusal({ zones: zones({ 'use1-b': 'degraded' }) })).toBeUndefined();
    const s = snapshot({ zones: zones({ 'use1-b': 'degraded' }), databases: [primary(), syncB(), asyncC()], memory: { clusters: cluster } });
    expect(checkSwitchover(s, policy, { cluster: 'orders' })).toMatchObject({ target: { instance: { id: 'orders-c' } } });
    expect(refusal({ databases: [primary()] })).toBe('orders: no replica streaming from orders in a healthy zone can be promoted (none listed)');
  });
});

describe('planSwitchover: steps', () => {
  const plan = (input: Partial<SnapshotInput>): Plan => decide(snapshot({ zones: zones(), databases: [primary(), syncB(), asyncC()], memory: { clusters: cluster, intents: intent() }, ...input }), policy);

  it('the fence: key, zone, who asked, the replica taking over, and the reason', () => {
    expect(plan({}).steps).toEqual([
      {
        operation: 'stopDatabase',
        key: 'fence:aws:orders',
        provider: 'aws',
        region: 'us-east-1',
        zone: 'use1-a',
        cluster: 'orders',
        target: 'orders',
        requestedBy: 'alice',
        handoverTo: { target: 'orders-b', provider: 'aws' },
        reason: 'planned switchover of orders requested by alice: fence orders so that orders-b can catch up with every committed write, then promote orders-b',
      },
    ]);
  });

  it('no fence while its settle window runs; abandoned if it could not start before the deadline', () => {
    const settling = plan({ memory: { clusters: cluster, intents: intent(), issued: { 'fence:aws:orders': 100_001 } } });
    expect(settling.steps).toEqual([]);
    expect(settling.verdicts).toEqual([]);
    const late = plan({ memory: { clusters: cluster, intents: intent({ deadline: 100_000 }) } });
    expect(late.verdicts).toEqual([{ cluster: 'orders', kind: 'switchover', outcome: 'abandoned', reason: 'orders: the switchover could not start before its deadline' }]);
    expect(late.steps).toEqual([]);
  });

  describe('once the primary is fenced', () => {
    const fencedTo = (target: 'orders-b' | 'orders-c', extra: Record<string, unknown> = {}) => ({
      clusters: cluster,
      intents: intent({ fenced: { primary: 'orders', provider: 'aws', target, targetProvider: 'aws' }, ...extra }),
      fenced: { [key('aws', 'orders')]: 95_000 },
    });
    const stopped = primary(up, { state: 'stopped' });

    it('promotes a caught-up target: key, zone, no loss, who asked, the reason', () => {
      expect(plan({ databases: [stopped, asyncC({ lagSeconds: 0 })], memory: fencedTo('orders-c') }).steps).toEqual([
        {
          operation: 'promoteReplica',
          key: 'promote:orders:aws:orders-c',
          provider: 'aws',
          region: 'us-east-1',
          zone: 'use1-c',
          cluster: 'orders',
          target: 'orders-c',
          from: 'orders',
          estimatedLossSeconds: 0,
          requestedBy: 'alice',
          reason: 'planned switchover of orders requested by alice: orders-c has replayed everything orders committed before its fence; promote it',
        },
      ]);
    });

    it('not caught up: bytes still to replay, or not streaming; a sync standby only of this primary, once it is stopped', () => {
      const waits = (databases: SnapshotInput['databases'], target: 'orders-b' | 'orders-c') => plan({ databases, memory: fencedTo(target) }).steps;
      expect(waits([stopped, asyncC({ lagSeconds: 0, lagBytes: 4096 })], 'orders-c')).toEqual([]);
      expect(waits([stopped, asyncC({ lagSeconds: 0, lagBytes: null })], 'orders-c').map((s) => s.operation)).toEqual(['promoteReplica']);
      expect(waits([stopped, asyncC({ lagSeconds: 0, lagBytes: 0 })], 'orders-c').map((s) => s.operation)).toEqual(['promoteReplica']);
      expect(waits([stopped, asyncC({ lagSeconds: 0, state: 'disconnected' })], 'orders-c')).toEqual([]);
      expect(waits([stopped, syncB({ state: 'disconnected', lagSeconds: 3, upstream: 'orders-old' })], 'orders-b').map((s) => s.operation)).not.toContain('promoteReplica');
      expect(waits([primary(up, { state: 'stopping' }), syncB({ state: 'disconnected', lagSeconds: 3 })], 'orders-b').map((s) => s.operation)).toEqual(['promoteReplica']);
      // A sync standby of a primary that is not stopped yet (its fence not shown) waits.
      expect(waits([primary(up), syncB({ state: 'disconnected', lagSeconds: 3 })], 'orders-b')).toEqual([]);
    });

    it('a caught-up target not answering yet (after a restart, unprobed) is waited for, not given up', () => {
      const unprobed: TargetHealth = { status: 'unprobed', failedRounds: 0, failingSince: undefined, upSince: undefined, writable: false };
      const p = plan({ databases: [stopped, asyncC({ lagSeconds: 0 }, unprobed)], memory: fencedTo('orders-c') });
      expect(p.steps).toEqual([]);
      expect(p.verdicts).toEqual([]);
      expect(p.notes).toContain(`orders: switchover waiting for orders-c to catch up (lag 0s) until ${new Date(390_000).toISOString()}`);
    });

    it('the old primary still taking writes gets its fence again, and the note says so', () => {
      const p = plan({ databases: [primary(upWritable), asyncC({ lagSeconds: 2 })], memory: fencedTo('orders-c') });
      expect(p.steps).toEqual([
        expect.objectContaining({
          operation: 'stopDatabase',
          key: 'fence:aws:orders',
          target: 'orders',
          requestedBy: 'alice',
          handoverTo: { target: 'orders-c', provider: 'aws' },
          reason: 'planned switchover of orders requested by alice: orders still takes writes; fence it (again) so that orders-c can catch up',
        }),
      ]);
      expect(p.notes).toContain(`orders: switchover waiting for orders-c to catch up (lag 2s; orders still takes writes) until ${new Date(390_000).toISOString()}`);
      const settling = plan({ databases: [primary(upWritable), asyncC({ lagSeconds: 2 })], memory: { ...fencedTo('orders-c'), issued: { 'fence:aws:orders': 100_001 } } });
      expect(settling.steps).toEqual([]);
    });

    it('a target lost (down, broken, impaired zone, gone) ends it at once: the old primary is started again, saying why', () => {
      const reboot = (databases: SnapshotInput['databases'], states: Record<string, ZoneState> = {}) => plan({ zones: zones(states), databases, memory: fencedTo('orders-c') }).steps;
      const why = (detail: string) => `planned switchover of orders requested by alice abandoned: orders-c can no longer take over (${detail}); start orders again so it serves on`;
      expect(reboot([stopped, asyncC({}, down(90_000))])).toEqual([
        {
          operation: 'rebootDatabase',
          key: 'unfence:aws:orders',
          provider: 'aws',
          region: 'us-east-1',
          zone: 'use1-a',
          cluster: 'orders',
          target: 'orders',
          requestedBy: 'alice',
          reason: why('down, zone healthy'),
        },
      ]);
      expect(reboot([stopped, asyncC({ state: 'broken' })])[0]?.reason).toBe(why('up, zone healthy'));
      expect(reboot([stopped, asyncC({ lagSeconds: 0 })], { 'use1-c': 'impaired' })[0]?.reason).toBe(why('up, zone impaired'));
      expect(reboot([stopped])[0]?.reason).toBe(why('not listed'));
      expect(reboot([stopped, { ...asyncC({ lagSeconds: 0 }), instance: { ...asyncC().instance, zone: 'use1-x' } }])).toEqual([]);
      // Its restart settling: nothing sent meanwhile.
      expect(plan({ databases: [stopped, asyncC({}, down(90_000))], memory: { ...fencedTo('orders-c'), issued: { 'unfence:aws:orders': 100_001 } } }).steps).toEqual([]);
    });

    it('a fenced primary that cannot be started again here hands the cluster back to the failover rules, with the reason', () => {
      const verdict = (input: Partial<SnapshotInput>) => plan({ databases: [stopped, asyncC({}, down(90_000))], memory: fencedTo('orders-c'), ...input }).verdicts;
      const handedBack = [{ cluster: 'orders', kind: 'switchover', outcome: 'abandoned', reason: 'orders: switchover abandoned: orders-c can no longer take over (down, zone healthy); orders cannot be started again here, so the cluster is failed over by the usual rules' }];
      expect(verdict({ capabilities: { rebootDatabase: false } as Partial<Capabilities> })).toEqual(handedBack);
      expect(verdict({ zones: zones({ 'use1-a': 'impaired' }) })).toEqual(handedBack);
      // Stopped, but not by this controller's fence.
      expect(verdict({ memory: { ...fencedTo('orders-c'), fenced: {} } })).toEqual(handedBack);
    });

    it('the old primary never stopped: nothing to undo, the fence is forgotten', () => {
      const p = plan({ databases: [primary(up), asyncC({}, down(90_000))], memory: fencedTo('orders-c') });
      expect(p.verdicts).toEqual([
        {
          cluster: 'orders',
          kind: 'switchover',
          outcome: 'abandoned',
          reason: 'orders: switchover abandoned: orders-c can no longer take over (down, zone healthy); orders was never stopped and serves on',
          forgetFence: { provider: 'aws', target: 'orders' },
        },
      ]);
    });
  });
});

describe('checkSwitchover: further edges', () => {
  it('a named target that qualifies is chosen, though another replica is rejected, whatever order they are listed in', () => {
    const s = snapshot({ zones: zones(), databases: [asyncC(), syncB({}, down(90_000)), primary()], memory: { clusters: cluster } });
    expect(checkSwitchover(s, policy, { cluster: 'orders', target: 'orders-c' })).toMatchObject({ target: { instance: { id: 'orders-c' } }, primary: { instance: { id: 'orders' } } });
  });

  it('only the cluster\'s own instances count, and every rejection is named', () => {
    const billing = { instance: { ...db('billing-b', 'use1-b', 'us-east-1', 'replica', { upstream: 'billing', lagSeconds: 0 }), cluster: 'billing' }, health: up };
    expect(refusal({ databases: [primary(), billing] })).toBe('orders: no replica streaming from orders in a healthy zone can be promoted (none listed)');
    expect(refusal({ databases: [primary(), syncB({}, down(90_000)), asyncC({ state: 'broken' })] })).toBe(
      'orders: no replica streaming from orders in a healthy zone can be promoted (not promoting orders-b: it does not answer our probes (down); not promoting orders-c: its replication is broken)',
    );
  });

  it('a provider refusing stops with replicas, when none follows the primary, is not the reason', () => {
    expect(refusal({ databases: [primary()], capabilities: { stopRefusedWithReplicas: true } })).toBe('orders: no replica streaming from orders in a healthy zone can be promoted (none listed)');
  });

  it('a database of a provider the snapshot does not know cannot be stopped', () => {
    const azure = { instance: db('orders', 'az-1', 'eastus', 'primary', undefined, 'azure'), health: upWritable };
    const s = snapshot({ zones: zones(), databases: [azure], memory: { clusters: { orders: { ...cluster.orders, provider: 'azure' } } } });
    expect(checkSwitchover(s, policy, { cluster: 'orders' })).toEqual({ refused: 'orders: azure cannot stop orders, and a switchover without losing writes fences it first' });
  });

  it('a candidate in a zone with no health picture is not in a healthy zone', () => {
    const elsewhere = { ...asyncC(), instance: { ...asyncC().instance, zone: 'use1-x' } };
    expect(refusal({ databases: [primary(), elsewhere], target: 'orders-c' })).toBe('orders: orders-c is not streaming from orders in a healthy zone; it cannot catch up');
  });
});

describe('planSwitchover: further edges once fenced', () => {
  const fencedTo = { clusters: cluster, intents: intent({ fenced: { primary: 'orders', provider: 'aws', target: 'orders-c', targetProvider: 'aws' } }), fenced: { [key('aws', 'orders')]: 95_000 } };
  const run = (databases: SnapshotInput['databases'], input: Partial<SnapshotInput> = {}) => decide(snapshot({ zones: zones(), databases, memory: fencedTo, ...input }), policy);

  it('listed before the old primary, the target is still the target, and the old primary still the one whose stop counts', () => {
    expect(run([asyncC({ lagSeconds: 0 }), primary(up, { state: 'stopped' })]).steps.map((s) => s.operation)).toEqual(['promoteReplica']);
    // A sync standby is caught up only once the old primary is stopped: that is read from the old primary, not the first listed.
    const toB = { ...fencedTo, intents: intent({ fenced: { primary: 'orders', provider: 'aws', target: 'orders-b', targetProvider: 'aws' } }) };
    expect(run([syncB({ state: 'disconnected', lagSeconds: 3 }), primary(up, { state: 'stopped' })], { memory: toB }).steps.map((s) => s.operation)).toEqual(['promoteReplica']);
  });

  it('a target reporting no replication waits, its lag unknown', () => {
    const bare = { ...asyncC(), instance: { ...asyncC().instance, replication: undefined } };
    const p = run([primary(up, { state: 'stopped' }), bare]);
    expect(p.steps).toEqual([]);
    expect(p.notes).toContain(`orders: switchover waiting for orders-c to catch up (lag unknowns) until ${new Date(390_000).toISOString()}`);
  });

  it('caught up exactly at the deadline is too late: the old primary is started again', () => {
    const p = run([primary(up, { state: 'stopped' }), asyncC({ lagSeconds: 0 })], { now: 390_000 });
    expect(p.steps.map((s) => s.operation)).toEqual(['rebootDatabase']);
  });

  it('a lost target in a zone with no health picture says so', () => {
    const lost = { ...asyncC({}, down(90_000)), instance: { ...asyncC().instance, zone: 'use1-x' } };
    expect(run([primary(up, { state: 'stopped' }), lost]).steps[0]?.reason).toMatch(/orders-c can no longer take over \(down, zone unknown\)/);
  });
});
