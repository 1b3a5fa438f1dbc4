import { describe, expect, it } from 'vitest';
import type { Capabilities, DatabaseInstance } from '../../../src/core/contract/types.js';
import { decide } from '../../../src/core/controller/decide.js';
import type { Plan } from '../../../src/core/controller/Plan.js';
import { DEFAULT_POLICY, resolvePolicy, type Policy } from '../../../src/core/controller/Policy.js';
import type { TargetHealth, ZoneState } from '../../../src/core/health/types.js';
import { db, down, snapshot, up, upWritable, zone } from './snapshotBuilder.js';

/**
 * The split-brain guard and the re-pointing of replicas, after a failover
 * from `orders` (use1-a) to `orders-b` (use1-b): memory names orders-b the
 * primary, and orders is still listed.
 */
const afterFailover = { cluster: 'orders', primary: 'orders-b', provider: 'aws', failovers: 1, lastFailoverAt: 0 };
const summary = (plan: Plan) => plan.steps.map((st) => `${st.operation} ${'target' in st ? st.target : ''}`);

function world(input: {
  old?: Partial<DatabaseInstance>;
  oldHealth?: TargetHealth;
  oldZone?: ZoneState;
  replicas?: { instance: DatabaseInstance; health: TargetHealth }[];
  capabilities?: Partial<Capabilities>;
  memory?: Record<string, unknown>;
  inFlight?: string[];
  policy?: Policy;
}): Plan {
  return decide(
    snapshot({
      zones: [zone('use1-a', 'us-east-1', input.oldZone ?? 'healthy'), zone('use1-b', 'us-east-1'), zone('use1-c', 'us-east-1'), zone('use1-d', 'us-east-1', 'impaired')],
      databases: [
        { instance: { ...db('orders', 'use1-a', 'us-east-1', 'primary'), ...input.old }, health: input.oldHealth ?? down(0) },
        { instance: db('orders-b', 'use1-b', 'us-east-1', 'primary'), health: upWritable },
        ...(input.replicas ?? []),
      ],
      memory: { clusters: { orders: afterFailover }, ...input.memory },
      ...(input.capabilities ? { capabilities: input.capabilities } : {}),
      ...(input.inFlight ? { inFlight: input.inFlight } : {}),
    }),
    input.policy ?? DEFAULT_POLICY,
  );
}

describe('decide: fencing an old primary that is still listed', () => {
  it('fences a former primary listed available in a zone that answers, though it does not answer us, with the key and reason', () => {
    const plan = world({});
    expect(plan.steps).toEqual([
      {
        operation: 'stopDatabase',
        key: 'fence:aws:orders',
        provider: 'aws',
        region: 'us-east-1',
        zone: 'use1-a',
        cluster: 'orders',
        target: 'orders',
        reason: 'orders is a former primary of orders: fence it so it can never take writes again',
      },
    ]);
  });

  it('fences one listed in state unknown too, but not one listed stopped, nor a replica that takes no writes', () => {
    expect(summary(world({ old: { state: 'unknown' } }))).toEqual(['stopDatabase orders']);
    expect(world({ old: { state: 'stopped' } }).steps).toEqual([]);
    expect(world({ old: { state: 'stopping' } }).steps).toEqual([]);
    expect(world({ old: { role: 'replica', replication: { upstream: 'orders-b', mode: 'async', state: 'streaming', lagSeconds: 0, lastContactSeconds: 0 } }, oldHealth: up }).steps).toEqual([]);
  });

  it('a replica that answers and takes writes is a second primary: fenced at once, as split-brain', () => {
    const plan = world({ old: { role: 'replica', state: 'available' }, oldHealth: upWritable });
    expect(plan.steps).toEqual([expect.objectContaining({ operation: 'stopDatabase', target: 'orders', reason: 'orders accepts writes but orders-b is the primary of orders: fence it (split-brain guard)' })]);
  });

  it('one that does not answer in an impaired zone is fenced once it is reachable: a note, no call into the zone', () => {
    const plan = world({ oldZone: 'impaired' });
    expect(plan.steps).toEqual([]);
    expect(plan.notes).toContain('orders: orders is an old primary in impaired zone use1-a; fencing it as soon as it is reachable');
  });

  it('not without the capability, not with fenceOldPrimary off, not while its settle window runs', () => {
    expect(world({ capabilities: { stopDatabase: false } }).steps).toEqual([]);
    expect(world({ policy: resolvePolicy({ fenceOldPrimary: false }) }).steps).toEqual([]);
    expect(world({ memory: { issued: { 'fence:aws:orders': 100_001 } } }).steps).toEqual([]);
    expect(summary(world({ memory: { issued: { 'fence:aws:orders': 100_000 } } }))).toEqual(['stopDatabase orders']);
  });

  it('a provider that refuses to stop it while replicas follow it gets the replicas retired first, with a note', () => {
    const follower = { instance: db('orders-c', 'use1-c', 'us-east-1', 'replica', { upstream: 'orders' }), health: up };
    const plan = world({ replicas: [follower], capabilities: { stopRefusedWithReplicas: true, repointReplica: false } });
    expect(summary(plan)).not.toContain('stopDatabase orders');
    expect(plan.notes).toContain('orders: orders must be fenced, but aws will not stop it while orders-c replicate from it; retiring them first');
    // The same provider without the refusal: the stop goes out.
    expect(summary(world({ replicas: [follower], capabilities: { repointReplica: false } }))).toContain('stopDatabase orders');
  });

  it('never fences the replica being promoted, though it takes writes already', () => {
    const promoting = { ...afterFailover, primary: 'orders', promotion: { target: 'orders-b', provider: 'aws', region: 'us-east-1', zone: 'use1-b', from: 'orders', fromProvider: 'aws', detectedAt: 99_000, startedAt: 99_000 } };
    const plan = world({ old: { state: 'stopped' }, memory: { clusters: { orders: promoting } } });
    expect(plan.steps).toEqual([]);
  });
});

describe('decide: re-pointing replicas at the new primary', () => {
  const straggler = (instance: Partial<DatabaseInstance> = {}) => ({ instance: { ...db('orders-c', 'use1-c', 'us-east-1', 'replica', { upstream: 'orders' }), ...instance }, health: up });
  const fenced = { old: { state: 'stopped' as const } };

  it('re-points a replica still following the old primary, with key, upstream and reason', () => {
    const plan = world({ ...fenced, replicas: [straggler()] });
    expect(plan.steps).toEqual([
      {
        operation: 'repointReplica',
        key: 'repoint:aws:orders-c:orders-b',
        provider: 'aws',
        region: 'us-east-1',
        zone: 'use1-c',
        cluster: 'orders',
        target: 'orders-c',
        upstream: 'orders-b',
        reason: 'orders-c still follows orders; orders-b is the primary of orders',
      },
    ]);
  });

  it('not one already following the primary, nor one that reports no upstream', () => {
    expect(world({ ...fenced, replicas: [straggler({ replication: { upstream: 'orders-b', mode: 'async', state: 'streaming', lagSeconds: 0, lastContactSeconds: 0 } })] }).steps).toEqual([]);
    expect(world({ ...fenced, replicas: [straggler({ replication: undefined })] }).steps).toEqual([]);
  });

  it('not when disabled, not without the capability, not while it is not available, not within its settle window', () => {
    expect(world({ ...fenced, replicas: [straggler()], policy: resolvePolicy({ repointReplicas: false }) }).steps).toEqual([]);
    expect(world({ ...fenced, replicas: [straggler()], capabilities: { repointReplica: false } }).steps).toEqual([]);
    expect(world({ ...fenced, replicas: [straggler({ state: 'rebooting' })] }).steps).toEqual([]);
    expect(world({ ...fenced, replicas: [straggler()], memory: { issued: { 'repoint:aws:orders-c:orders-b': 100_001 } } }).steps).toEqual([]);
  });

  it('is planned without a listed primary in memory only while none is missing: an unlisted primary stops everything, with a note', () => {
    const plan = decide(
      snapshot({
        zones: [zone('use1-a', 'us-east-1'), zone('use1-c', 'us-east-1')],
        databases: [{ instance: db('orders-c', 'use1-c', 'us-east-1', 'replica', { upstream: 'orders' }), health: up }],
        memory: { clusters: { orders: afterFailover } },
      }),
      DEFAULT_POLICY,
    );
    expect(plan.steps).toEqual([]);
    expect(plan.notes).toContain('orders: primary orders-b is not listed by aws; not acting on a missing listing');
  });
});

describe('decide: a promotion in memory', () => {
  const promotion = { target: 'orders-b', provider: 'aws', region: 'us-east-1', zone: 'use1-b', from: 'orders', fromProvider: 'aws', detectedAt: 90_000, startedAt: 90_000 };
  const watching = (extra: Record<string, unknown>, targetRole: 'replica' | 'primary' = 'replica', memory: Record<string, unknown> = {}) =>
    decide(
      snapshot({
        zones: [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1')],
        databases: [
          { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(0) },
          { instance: targetRole === 'replica' ? db('orders-b', 'use1-b', 'us-east-1', 'replica', { upstream: 'orders' }) : db('orders-b', 'use1-b', 'us-east-1', 'primary'), health: up },
        ],
        memory: { clusters: { orders: { ...afterFailover, primary: 'orders', promotion: { ...promotion, ...extra } } }, ...memory },
      }),
      DEFAULT_POLICY,
    );

  it('is only watched: nothing else is promoted or fenced meanwhile', () => {
    expect(watching({}).steps).toEqual([]);
  });

  it('after a restart, is sent again while its target is still a plain replica, naming who asked for a planned one', () => {
    const plan = watching({ reissue: true, planned: { requestedBy: 'alice' } });
    expect(plan.steps).toEqual([
      {
        operation: 'promoteReplica',
        key: 'promote:orders:aws:orders-b',
        provider: 'aws',
        region: 'us-east-1',
        zone: 'use1-b',
        cluster: 'orders',
        target: 'orders-b',
        from: 'orders',
        estimatedLossSeconds: 0,
        requestedBy: 'alice',
        reason: expect.stringMatching(/^re-issued after restart \(idempotent\)/),
      },
    ]);
    expect(watching({ reissue: true }).steps[0]).not.toHaveProperty('requestedBy');
  });

  it('is not sent again once its target is listed a primary, nor within its settle window', () => {
    expect(watching({ reissue: true }, 'primary').steps.filter((st) => st.operation === 'promoteReplica')).toEqual([]);
    expect(watching({ reissue: true }, 'replica', { issued: { 'promote:orders:aws:orders-b': 100_001 } }).steps).toEqual([]);
  });
});

describe('decide: an abandoned promotion', () => {
  const abandoned = { target: 'orders-b', provider: 'aws', region: 'us-east-1', zone: 'use1-b', from: 'orders', fromProvider: 'aws', detectedAt: 0, startedAt: 0, givenUpAt: 90_000 };
  const after = (input: { extra?: Record<string, unknown>; target?: Partial<DatabaseInstance> | null; targetZone?: ZoneState; capabilities?: Partial<Capabilities>; memory?: Record<string, unknown> }) =>
    decide(
      snapshot({
        zones: [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1', input.targetZone ?? 'healthy'), zone('use1-c', 'us-east-1')],
        databases: [
          { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(0) },
          ...(input.target === null ? [] : [{ instance: { ...db('orders-b', 'use1-b', 'us-east-1', 'replica', { upstream: 'orders' }), ...input.target }, health: up }]),
          { instance: db('orders-c', 'use1-c', 'us-east-1', 'replica', { upstream: 'orders', lagSeconds: 0 }), health: up },
        ],
        memory: { clusters: { orders: { ...afterFailover, primary: 'orders', abandonedPromotion: { ...abandoned, ...input.extra } } }, ...input.memory },
        ...(input.capabilities ? { capabilities: input.capabilities } : {}),
      }),
      DEFAULT_POLICY,
    );
  const wait = 'orders: the promotion of orders-b was given up on but may still complete';

  it('fences its target before anything else is promoted', () => {
    const plan = after({});
    expect(plan.steps).toEqual([
      {
        operation: 'stopDatabase',
        key: 'fence:aws:orders-b',
        provider: 'aws',
        region: 'us-east-1',
        zone: 'use1-b',
        cluster: 'orders',
        target: 'orders-b',
        reason: `${wait}: fence it before another replica is promoted, so orders never has two writable primaries (if the provider refuses because it is being promoted, it is watched again instead)`,
      },
    ]);
  });

  it('waits, with the reason, when it cannot be fenced, when the fence was refused, while it is stopping or gone, in an impaired zone, or while its fence settles', () => {
    const only = (plan: Plan) => {
      expect(plan.steps).toEqual([]);
      return plan.notes.filter((n) => n.startsWith(wait));
    };
    expect(only(after({ capabilities: { stopDatabase: false } }))).toEqual([`${wait}; it cannot be fenced, so nothing else is promoted until a listing shows whether it is being promoted`]);
    expect(only(after({ extra: { fenceRefused: true } }))).toEqual([`${wait}; it cannot be fenced (aws refused the stop), so nothing else is promoted until a listing shows whether it is being promoted`]);
    expect(only(after({ target: { state: 'stopping' } }))).toEqual([`${wait}; waiting for a listing to show it stopping`]);
    expect(only(after({ target: { state: 'stopped' } }))).toEqual([`${wait}; waiting for a listing to show it stopped`]);
    expect(only(after({ target: null }))).toEqual([`${wait}; waiting for a listing to show it gone`]);
    expect(only(after({ targetZone: 'impaired' }))).toEqual([`${wait}; its zone use1-b is impaired, so it is fenced once the zone answers (or a listing shows it cannot complete)`]);
    expect(only(after({ memory: { issued: { 'fence:aws:orders-b': 100_001 } } }))).toEqual([`${wait}; its fence was sent, waiting for it to show`]);
  });

  it('waits too with fenceOldPrimary off', () => {
    const plan = decide(
      snapshot({
        zones: [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1')],
        databases: [
          { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(0) },
          { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { upstream: 'orders' }), health: up },
        ],
        memory: { clusters: { orders: { ...afterFailover, primary: 'orders', abandonedPromotion: abandoned } } },
      }),
      resolvePolicy({ fenceOldPrimary: false }),
    );
    expect(plan.steps).toEqual([]);
    expect(plan.notes.join('\n')).toMatch(/it cannot be fenced, so nothing else is promoted/);
  });
});

describe('decide: a primary in memory the listing does not bear out', () => {
  it('listed as a replica that takes no writes: not acting, with a note', () => {
    const plan = decide(
      snapshot({
        zones: [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1')],
        databases: [
          { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { upstream: 'orders' }), health: up },
          { instance: db('orders', 'use1-a', 'us-east-1', 'replica', { upstream: 'orders-b' }), health: down(0) },
        ],
        memory: { clusters: { orders: { ...afterFailover, primary: 'orders' } } },
      }),
      DEFAULT_POLICY,
    );
    expect(plan.steps).toEqual([]);
    expect(plan.notes).toContain('orders: orders is listed as a replica and takes no writes; not acting until observation shows which instance is the primary');
  });

  it('a cluster with no memory yet: not acting, with a note', () => {
    const plan = decide(
      snapshot({ zones: [zone('use1-a', 'us-east-1', 'impaired')], databases: [{ instance: db('orders-r', 'use1-a', 'us-east-1', 'replica', { upstream: 'x' }), health: up }] }),
      DEFAULT_POLICY,
    );
    expect(plan.notes).toEqual(['orders: no primary known yet; not acting']);
  });
});

describe('decide: instances of a provider or zone the snapshot does not know', () => {
  it('an old primary of a provider without an adapter here is left alone; one in a zone with no health picture is fenced', () => {
    const azure = { instance: { ...db('orders-az', 'az-1', 'eastus', 'primary', undefined, 'azure') }, health: down(0) };
    expect(summary(world({ old: { state: 'stopped' }, replicas: [azure] }))).toEqual([]);
    expect(summary(world({ old: { zone: 'use1-x' } }))).toEqual(['stopDatabase orders']);
  });

  it('a straggling replica of such a provider is not re-pointed; one in a zone with no health picture is', () => {
    const azure = { instance: db('orders-az', 'az-1', 'eastus', 'replica', { upstream: 'orders' }, 'azure'), health: up };
    expect(summary(world({ old: { state: 'stopped' }, replicas: [azure] }))).toEqual([]);
    const unknownZone = { instance: db('orders-x', 'use1-x', 'us-east-1', 'replica', { upstream: 'orders' }), health: up };
    expect(summary(world({ old: { state: 'stopped' }, replicas: [unknownZone] }))).toEqual(['repointReplica orders-x']);
  });

  it('an instance of another provider with the primary\'s id is not the primary', () => {
    // orders failed in impaired use1-a; gcp lists an instance also named orders (a replica), first.
    const plan = decide(
      snapshot({
        zones: [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1')],
        databases: [
          { instance: db('orders', 'use1-b', 'us-east-1', 'replica', { upstream: 'elsewhere' }, 'gcp'), health: up },
          { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(0) },
          { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { mode: 'sync', lagSeconds: 0 }), health: up },
        ],
        memory: { clusters: { orders: { cluster: 'orders', primary: 'orders', provider: 'aws', failovers: 0 } } },
      }),
      DEFAULT_POLICY,
    );
    expect(summary(plan)).toContain('promoteReplica orders-b');
  });

  it('the holders of a stop the provider refuses are all named', () => {
    const follower = (id: string) => ({ instance: db(id, 'use1-c', 'us-east-1', 'replica', { upstream: 'orders' }), health: up });
    const plan = world({ replicas: [follower('orders-c'), follower('orders-e')], capabilities: { stopRefusedWithReplicas: true, repointReplica: false } });
    expect(plan.notes).toContain('orders: orders must be fenced, but aws will not stop it while orders-c, orders-e replicate from it; retiring them first');
  });

  it('a primary we fenced that is still listed available and not answering is fenced again, not counted as stopped', () => {
    // Our stop was accepted but has not shown; its zone is degraded, nothing confirms a failure: no promotion.
    const plan = decide(
      snapshot({
        zones: [zone('use1-a', 'us-east-1', 'degraded'), zone('use1-b', 'us-east-1')],
        databases: [
          { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(0) },
          { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { mode: 'sync', lagSeconds: 0 }), health: up },
        ],
        memory: { clusters: { orders: { cluster: 'orders', primary: 'orders', provider: 'aws', failovers: 0 } }, fenced: { 'aws:orders': 90_000 } },
      }),
      DEFAULT_POLICY,
    );
    expect(plan.steps.filter((st) => st.operation === 'promoteReplica')).toEqual([]);
  });
});

describe('decide: a promotion in memory, its target or old primary not as expected', () => {
  const promotion = { target: 'orders-b', provider: 'aws', region: 'us-east-1', zone: 'use1-b', from: 'orders', fromProvider: 'aws', detectedAt: 90_000, startedAt: 90_000, reissue: true };
  const watching = (databases: { instance: DatabaseInstance; health: TargetHealth }[]) =>
    decide(snapshot({ zones: [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1')], databases, memory: { clusters: { orders: { ...afterFailover, primary: 'orders', promotion } } } }), DEFAULT_POLICY);
  const target = (over: Partial<DatabaseInstance> = {}, provider = 'aws') => ({ instance: { ...db('orders-b', 'use1-b', 'us-east-1', 'replica', { upstream: 'orders' }, provider), ...over }, health: up });

  it('the old primary no longer listed: the promotion is still re-sent', () => {
    expect(summary(watching([target()]))).toEqual(['promoteReplica orders-b']);
  });

  it('its target not listed, listed rebooting, or listed only on another provider: nothing is sent', () => {
    const old = { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(0) };
    expect(watching([old]).steps).toEqual([]);
    expect(watching([old, target({ state: 'rebooting' })]).steps).toEqual([]);
    expect(watching([old, target({}, 'gcp')]).steps).toEqual([]);
  });
});

describe('decide: a promotion in memory while the old primary is listed demoted', () => {
  it('is still watched, and re-sent after a restart', () => {
    const promotion = { target: 'orders-b', provider: 'aws', region: 'us-east-1', zone: 'use1-b', from: 'orders', fromProvider: 'aws', detectedAt: 90_000, startedAt: 90_000, reissue: true };
    const plan = decide(
      snapshot({
        zones: [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1')],
        databases: [
          { instance: db('orders', 'use1-a', 'us-east-1', 'replica', { upstream: 'orders-b' }), health: down(0) },
          { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { upstream: 'orders' }), health: up },
        ],
        memory: { clusters: { orders: { ...afterFailover, primary: 'orders', promotion } } },
      }),
      DEFAULT_POLICY,
    );
    expect(summary(plan)).toEqual(['promoteReplica orders-b']);
  });
});
