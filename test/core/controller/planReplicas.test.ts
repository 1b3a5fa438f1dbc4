import { describe, expect, it } from 'vitest';
import type { Capabilities } from '../../../src/core/contract/types.js';
import type { ClusterMemory, ControllerMemory } from '../../../src/core/controller/ControllerMemory.js';
import { decide } from '../../../src/core/controller/decide.js';
import type { CreateReplicaStep, RetireReplicaStep, Step } from '../../../src/core/controller/Plan.js';
import { DEFAULT_POLICY, resolvePolicy } from '../../../src/core/controller/Policy.js';
import { db, down, key, snapshot, up, upWritable, zone } from './snapshotBuilder.js';

const policy = DEFAULT_POLICY;
/** What RDS (and Cloud SQL) declare: no re-pointing; RDS also refuses to stop an instance that has replicas. */
const RDS: Partial<Capabilities> = { repointReplica: false, stopRefusedWithReplicas: true };
const CLOUD_SQL: Partial<Capabilities> = { repointReplica: false };

const zones = (impaired: readonly string[] = ['use1-a']) =>
  ['use1-a', 'use1-b', 'use1-c'].map((z) => zone(z, 'us-east-1', impaired.includes(z) ? 'impaired' : 'healthy')).concat([
    zone('usw2-a', 'us-west-2', impaired.includes('usw2-a') ? 'impaired' : 'healthy'),
    zone('usw2-b', 'us-west-2', impaired.includes('usw2-b') ? 'impaired' : 'healthy'),
  ]);

/** The cluster after `orders` (use1-a) failed over to `orders-b` (use1-b): it had replicas in use1-b and usw2-a. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- memory in its plain JSON form, changed in place by tests
function afterFailover(extra: Record<string, unknown> = {}): Record<string, any> {
  return {
    clusters: {
      orders: {
        cluster: 'orders',
        primary: 'orders-b',
        provider: 'aws',
        failovers: 1,
        lastFailoverAt: 90_000,
        replicaHomes: [
          { provider: 'aws', region: 'us-east-1', zone: 'use1-b' },
          { provider: 'aws', region: 'us-west-2', zone: 'usw2-a' },
        ],
        ...extra,
      },
    },
  };
}

const oldPrimary = () => ({ instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(0) });
const newPrimary = () => ({ instance: db('orders-b', 'use1-b', 'us-east-1', 'primary'), health: upWritable });
/** Left following the old primary, cut off from it. */
const stranded = () => ({
  instance: db('orders-w', 'usw2-a', 'us-west-2', 'replica', { state: 'disconnected', lagSeconds: 80, lastContactSeconds: 75 }),
  health: up,
});

const creates = (steps: readonly Step[]) => steps.filter((s): s is CreateReplicaStep => s.operation === 'createReplica');
const retires = (steps: readonly Step[]) => steps.filter((s): s is RetireReplicaStep => s.operation === 'destroyDatabase');

describe('decide: replicas after a failover', () => {
  it('creates a replica of the new primary for each one missing, where the old ones lived, with a reason', () => {
    const plan = decide(snapshot({ zones: zones(), databases: [oldPrimary(), newPrimary(), stranded()], memory: afterFailover(), capabilities: CLOUD_SQL }), policy);
    const made = creates(plan.steps);
    expect(made.map((s) => [s.target, s.source, s.region, s.zone, s.home])).toEqual([
      // In place of orders-b (now the primary): its region, not its zone (the primary is there), not the impaired one.
      ['orders-r1', 'orders-b', 'us-east-1', 'use1-c', 'us-east-1/use1-b'],
      // In place of orders-w, which cannot be re-pointed: same region, and the zone it left is taken by it.
      ['orders-r2', 'orders-b', 'us-west-2', 'usw2-b', 'us-west-2/usw2-a'],
    ]);
    expect(made[0]!.reason).toContain('orders has 0 of 2 replicas following orders-b');
    expect(made[0]!.reason).toContain('orders-w cannot follow it');
    expect(made[0]!.key).toBe('createReplica:aws:orders-r1');
  });

  it('never creates one twice: not while the call is in flight, not while it is pending, not once it is listed', () => {
    const base = { zones: zones(), capabilities: CLOUD_SQL };
    const databases = [oldPrimary(), newPrimary(), stranded()];
    const inFlight = decide(snapshot({ ...base, databases, memory: afterFailover(), inFlight: ['createReplica:aws:orders-r1'] }), policy);
    expect(creates(inFlight.steps).map((s) => s.target)).toEqual(['orders-r2']);

    const pendingReplicas = {
      'orders-r1': { provider: 'aws', region: 'us-east-1', zone: 'use1-c', source: 'orders-b', issuedAt: 95_000 },
      'orders-r2': { provider: 'aws', region: 'us-west-2', zone: 'usw2-b', source: 'orders-b', issuedAt: 95_000 },
    };
    const pending = decide(snapshot({ ...base, databases, memory: afterFailover({ pendingReplicas, replicaSeq: 2 }) }), policy);
    expect(creates(pending.steps)).toEqual([]);

    // Listed (being created), the memory record gone (a restart from an old journal): the listing counts.
    const creating = (id: string, z: string, region: string) => ({
      instance: { ...db(id, z, region, 'replica', { upstream: 'orders-b', state: 'unknown', lagSeconds: null, lastContactSeconds: null }), state: 'creating' as const },
      health: { ...up, status: 'unprobed' as const },
    });
    const listed = decide(
      snapshot({ ...base, databases: [...databases, creating('orders-r1', 'use1-c', 'us-east-1'), creating('orders-r2', 'usw2-b', 'us-west-2')], memory: afterFailover({ replicaSeq: 2 }) }),
      policy,
    );
    expect(creates(listed.steps)).toEqual([]);
  });

  it('never puts one in an impaired zone, nor in a zone where a create just failed; goes to another region when its own has none', () => {
    const memory = afterFailover({
      replicaHomes: [{ provider: 'aws', region: 'us-east-1', zone: 'use1-c' }],
    });
    const impaired = decide(snapshot({ zones: zones(['use1-a', 'use1-c']), databases: [oldPrimary(), newPrimary()], memory, capabilities: CLOUD_SQL }), policy);
    // use1-a and use1-c impaired, use1-b holds the primary: no zone left in us-east-1.
    expect(creates(impaired.steps).map((s) => `${s.region}/${s.zone}`)).toEqual(['us-west-2/usw2-a']);
    expect(impaired.steps.some((s) => s.zone === 'use1-a' || s.zone === 'use1-c')).toBe(false);

    const penalised = decide(
      snapshot({
        zones: zones(['use1-a']),
        databases: [oldPrimary(), newPrimary()],
        memory: { ...memory, zonePenalty: { 'aws:use1-c': 200_000 } },
        capabilities: CLOUD_SQL,
      }),
      policy,
    );
    expect(creates(penalised.steps).map((s) => s.zone)).toEqual(['usw2-a']);
  });

  it('re-points rather than replaces when the provider can re-point: only the promoted replica is missing', () => {
    const plan = decide(snapshot({ zones: zones(), databases: [oldPrimary(), newPrimary(), stranded()], memory: afterFailover() }), policy);
    expect(plan.steps.filter((s) => s.operation === 'repointReplica').map((s) => 'target' in s && s.target)).toEqual(['orders-w']);
    expect(creates(plan.steps).map((s) => s.home)).toEqual(['us-east-1/use1-b']);
    expect(retires(plan.steps)).toEqual([]);
  });

  it('respects the runaway guard: never more than maxNodesFactor x (replicas + 1) instances', () => {
    const dead = (id: string, z: string) => ({ instance: { ...db(id, z, 'us-east-1', 'replica', { upstream: 'gone' }), state: 'failed' as const }, health: down(0) });
    const databases = [oldPrimary(), newPrimary(), stranded(), dead('old-1', 'use1-c'), dead('old-2', 'use1-c')];
    // 5 instances listed, limit 2 x (2 + 1) = 6: room for one of the two.
    const plan = decide(snapshot({ zones: zones(), databases, memory: afterFailover(), capabilities: CLOUD_SQL }), policy);
    expect(creates(plan.steps)).toHaveLength(1);
    expect(plan.notes.join('\n')).toMatch(/2 replica\(s\) short, but it already has 5 instances \(limit 2x 3\)/);
    const tight = decide(snapshot({ zones: zones(), databases, memory: afterFailover(), capabilities: CLOUD_SQL }), resolvePolicy({ maxNodesFactor: 1 }));
    expect(creates(tight.steps)).toEqual([]);
  });

  it('does nothing before any failover, and nothing while the primary is not there to copy from', () => {
    const before = afterFailover();
    before.clusters!['orders']!.failovers = 0;
    expect(creates(decide(snapshot({ zones: zones(), databases: [oldPrimary(), newPrimary(), stranded()], memory: before, capabilities: CLOUD_SQL }), policy).steps)).toEqual([]);

    const rebooting = { instance: { ...db('orders-b', 'use1-b', 'us-east-1', 'primary'), state: 'rebooting' as const }, health: down(95_000) };
    const plan = decide(snapshot({ zones: zones(), databases: [oldPrimary(), rebooting, stranded()], memory: afterFailover(), capabilities: CLOUD_SQL }), policy);
    expect(creates(plan.steps)).toEqual([]);
  });

  it('replaces a replica dead in all but name (silent for nodeDeadAfter, not listed streaming), never in its zone; not one briefly silent or listed streaming', () => {
    const following = (state: 'disconnected' | 'streaming', since: number) => ({
      instance: db('orders-w', 'usw2-a', 'us-west-2', 'replica', { upstream: 'orders-b', state, lagSeconds: null, lastContactSeconds: null }),
      health: down(since),
    });
    const plan = (replica: ReturnType<typeof following>) =>
      decide(snapshot({ zones: zones(), databases: [oldPrimary(), newPrimary(), replica], memory: afterFailover(), capabilities: CLOUD_SQL }), policy);
    // Silent since 0 s, now 100 s: past nodeDeadAfter (60 s), and its provider lists it cut off.
    const dead = creates(plan(following('disconnected', 0)).steps);
    expect(dead.map((s) => s.home)).toEqual(['us-east-1/use1-b', 'us-west-2/usw2-a']);
    expect(dead.some((s) => s.zone === 'usw2-a')).toBe(false);
    // Silent for 50 s only, or listed streaming (our probes may be the ones cut off): it still counts.
    expect(creates(plan(following('disconnected', 50_000)).steps).map((s) => s.home)).toEqual(['us-east-1/use1-b']);
    expect(creates(plan(following('streaming', 0)).steps).map((s) => s.home)).toEqual(['us-east-1/use1-b']);
  });

  it('does not count a replica it created and gave up on (replicaCreateTimeout) until it streams', () => {
    const stuck = { instance: { ...db('orders-r1', 'usw2-a', 'us-west-2', 'replica', { upstream: 'orders-b', state: 'unknown', lagSeconds: null, lastContactSeconds: null }), state: 'creating' as const }, health: { ...up, status: 'unprobed' as const } };
    const pending = (givenUpAt?: number) => ({ 'orders-r1': { provider: 'aws', region: 'us-west-2', zone: 'usw2-a', source: 'orders-b', issuedAt: 0, ...(givenUpAt !== undefined ? { givenUpAt } : {}) } });
    const plan = (givenUpAt?: number) =>
      decide(snapshot({ zones: zones(), databases: [oldPrimary(), newPrimary(), stuck], memory: { ...afterFailover({ pendingReplicas: pending(givenUpAt), replicaSeq: 1, replicaHomes: [{ provider: 'aws', region: 'us-west-2', zone: 'usw2-a' }] }), zonePenalty: { 'aws:usw2-a': 400_000 } }, capabilities: CLOUD_SQL }), policy);
    // Still being created, within its time: it counts.
    expect(creates(plan().steps)).toEqual([]);
    // Given up on: another is made, not in its (penalised) zone.
    expect(creates(plan(90_000).steps).map((s) => [s.target, s.zone])).toEqual([['orders-r2', 'usw2-b']]);
  });

  it('may place a replica beside an old primary its provider lists stopped (a zone whose power came back), not beside one that fails', () => {
    const memory = afterFailover({ replicaHomes: [{ provider: 'aws', region: 'us-east-1', zone: 'use1-a' }] });
    const only = zones(['use1-c', 'usw2-a', 'usw2-b']).map((z) => (z.zone === 'use1-a' ? { ...z, state: 'healthy' as const } : z));
    const old = (state: 'stopped' | 'available') => ({ instance: { ...db('orders', 'use1-a', 'us-east-1', 'primary'), state }, health: down(0) });
    const stopped = decide(snapshot({ zones: only, databases: [old('stopped'), newPrimary()], memory, capabilities: CLOUD_SQL }), policy);
    expect(creates(stopped.steps).map((s) => s.zone)).toEqual(['use1-a']);
    const failing = decide(snapshot({ zones: only, databases: [old('available'), newPrimary()], memory, capabilities: CLOUD_SQL }), policy);
    expect(creates(failing.steps)).toEqual([]);
  });

  it('without maintainCapacity, creates nothing', () => {
    const plan = decide(
      snapshot({ zones: zones(), databases: [oldPrimary(), newPrimary(), stranded()], memory: afterFailover(), capabilities: CLOUD_SQL }),
      resolvePolicy({ maintainCapacity: false }),
    );
    expect(creates(plan.steps)).toEqual([]);
  });
});

describe('decide: stranded replicas and fencing on RDS', () => {
  /** The old primary is back and takes writes; its replica orders-w still follows it. */
  const returned = () => [
    { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: upWritable },
    newPrimary(),
    // Streaming from the old primary again.
    { instance: db('orders-w', 'usw2-a', 'us-west-2', 'replica', {}), health: up },
  ];

  it('retires a stranded replica at once when it keeps RDS from stopping its old primary, and holds back the doomed stop', () => {
    const plan = decide(snapshot({ zones: zones([]), databases: returned(), memory: afterFailover(), capabilities: RDS }), policy);
    expect(retires(plan.steps).map((s) => [s.target, s.key])).toEqual([['orders-w', 'retire:aws:orders-w']]);
    expect(retires(plan.steps)[0]!.reason).toContain('will not stop while it has replicas');
    expect(plan.steps.some((s) => s.operation === 'stopDatabase')).toBe(false);
    expect(plan.notes.join('\n')).toMatch(/orders must be fenced, but aws will not stop it while orders-w replicate from it/);
    // The retire comes before anything else but fences and promotions.
    expect(plan.steps[0]!.operation).toBe('destroyDatabase');
  });

  it('fences the old primary in the cycle after the retire call returned, not while it is in flight', () => {
    const retired = { ...afterFailover(), retired: { [key('aws', 'orders-w')]: 100_000 }, fenced: { [key('aws', 'orders-w')]: 100_000 }, issued: { 'retire:aws:orders-w': 160_000 } };
    const inFlight = decide(snapshot({ zones: zones([]), databases: returned(), memory: retired, inFlight: ['retire:aws:orders-w'], capabilities: RDS }), policy);
    expect(inFlight.steps.some((s) => s.operation === 'stopDatabase')).toBe(false);
    const after = decide(snapshot({ now: 102_000, zones: zones([]), databases: returned(), memory: retired, capabilities: RDS }), policy);
    expect(after.steps.filter((s) => s.operation === 'stopDatabase').map((s) => 'target' in s && s.target)).toEqual(['orders']);
    expect(retires(after.steps)).toEqual([]);
  });

  it('keeps a stranded replica whose old primary is fenced until its replacements stream (Cloud SQL), then retires it', () => {
    const fencedOld = { instance: { ...db('orders', 'use1-a', 'us-east-1', 'primary'), state: 'stopped' as const }, health: down(0) };
    const early = decide(snapshot({ zones: zones(), databases: [fencedOld, newPrimary(), stranded()], memory: afterFailover(), capabilities: CLOUD_SQL }), policy);
    expect(retires(early.steps)).toEqual([]);
    expect(early.notes.join('\n')).toMatch(/orders-w follows orders, not the primary orders-b, and cannot be re-pointed; kept until 2 replicas of orders-b stream \(0 do\)/);

    const streaming = (id: string, z: string, region: string) => ({ instance: db(id, z, region, 'replica', { upstream: 'orders-b' }), health: up });
    const replaced = decide(
      snapshot({
        zones: zones(),
        databases: [fencedOld, newPrimary(), stranded(), streaming('orders-r1', 'use1-c', 'us-east-1'), streaming('orders-r2', 'usw2-b', 'us-west-2')],
        memory: afterFailover({ replicaSeq: 2 }),
        capabilities: CLOUD_SQL,
      }),
      policy,
    );
    expect(retires(replaced.steps).map((s) => s.target)).toEqual(['orders-w']);
    expect(creates(replaced.steps)).toEqual([]);
  });

  it('never retires a stranded replica in an impaired zone', () => {
    const plan = decide(snapshot({ zones: zones(['use1-a', 'usw2-a']), databases: [oldPrimary(), newPrimary(), stranded()], memory: afterFailover(), capabilities: RDS }), policy);
    expect(retires(plan.steps)).toEqual([]);
    expect(plan.notes.join('\n')).toMatch(/orders-w follows orders; retiring it once its zone usw2-a is no longer impaired/);
  });

  it('does not hold the promotion-time fence back on a provider that can stop an instance with replicas', () => {
    const s = snapshot({
      zones: [zone('use1-a', 'us-east-1', 'degraded'), zone('use1-b', 'us-east-1')],
      databases: [
        { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(80_000) },
        { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { mode: 'sync', lagSeconds: 20, lastContactSeconds: 20, state: 'disconnected' }), health: up },
      ],
      replicationFrom: [[key('aws', 'orders'), 'cut']],
    });
    expect(decide(s, policy).steps.map((st) => st.operation)).toEqual(['stopDatabase', 'promoteReplica']);
    const rds = decide({ ...s, providers: snapshot({ zones: [zone('use1-a', 'us-east-1'), zone('use1-b', 'us-east-1')], capabilities: RDS }).providers }, policy);
    expect(rds.steps.map((st) => st.operation)).toEqual(['promoteReplica']);
  });
});

describe('decide: candidates', () => {
  it('never promotes a replica left following a former primary, however small its lag looks', () => {
    const s = snapshot({
      zones: zones(['use1-a', 'use1-b']),
      databases: [
        oldPrimary(),
        { instance: db('orders-b', 'use1-b', 'us-east-1', 'primary'), health: down(0) },
        // Still follows orders (the primary before orders-b): it lacks everything written to orders-b.
        { instance: db('orders-w', 'usw2-a', 'us-west-2', 'replica', { state: 'disconnected', lagSeconds: 8000, lastContactSeconds: 7995 }), health: up },
        { instance: db('orders-r2', 'usw2-b', 'us-west-2', 'replica', { upstream: 'orders-b', state: 'disconnected', lagSeconds: 12, lastContactSeconds: 10 }), health: up },
      ],
      memory: afterFailover({ lastFailoverAt: 0 }),
      capabilities: CLOUD_SQL,
    });
    const plan = decide(s, policy);
    expect(plan.steps.find((st) => st.operation === 'promoteReplica')).toMatchObject({ target: 'orders-r2' });
    expect(plan.notes.join('\n')).toMatch(/not promoting orders-w: it follows orders, not the primary orders-b/);
  });
});
