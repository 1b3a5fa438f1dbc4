import { describe, expect, it } from 'vitest';
import type { Capabilities, DatabaseInstance, ReplicationStatus } from '../../../src/core/contract/types.js';
import { followsPrimary, planReplicas, replicasHolding } from '../../../src/core/controller/planReplicas.js';
import type { CreateReplicaStep, Step } from '../../../src/core/controller/Plan.js';
import { DEFAULT_POLICY, type Policy } from '../../../src/core/controller/Policy.js';
import type { DatabaseView, Snapshot } from '../../../src/core/controller/Snapshot.js';
import type { ZoneState } from '../../../src/core/health/types.js';
import { db, down, key, snapshot, up, upWritable, zone, type SnapshotInput } from './snapshotBuilder.js';

/**
 * Replica upkeep of `orders` after its failover from `orders` (use1-a,
 * fenced) to `orders-b` (use1-b), called on its own (decide's fencing and
 * re-pointing stay out of the way): who counts as a member, as streaming,
 * which home a member fills, and when a stranded replica holds a fence back.
 */
const CLOUD_SQL: Partial<Capabilities> = { repointReplica: false };
const RDS: Partial<Capabilities> = { repointReplica: false, stopRefusedWithReplicas: true };
const HOME_C = { provider: 'aws', region: 'us-east-1', zone: 'use1-c' };
const HOME_D = { provider: 'aws', region: 'us-east-1', zone: 'use1-d' };
const HOME_W = { provider: 'aws', region: 'us-west-2', zone: 'usw2-a' };

const zones = (states: Record<string, ZoneState> = {}) =>
  ['use1-a', 'use1-b', 'use1-c', 'use1-d'].map((z) => zone(z, 'us-east-1', states[z] ?? 'healthy'));
const westZones = (states: Record<string, ZoneState> = {}) => ['usw2-a', 'usw2-b'].map((z) => zone(z, 'us-west-2', states[z] ?? 'healthy'));

const fencedOld = (): DatabaseView => ({ instance: { ...db('orders', 'use1-a', 'us-east-1', 'primary'), state: 'stopped' }, health: down(0) });
const newPrimary = (): DatabaseView => ({ instance: db('orders-b', 'use1-b', 'us-east-1', 'primary'), health: upWritable });
/** A replica of the primary (or of `upstream`), streaming unless told otherwise. */
const replica = (id: string, z: string, over: Partial<DatabaseInstance> = {}, replication: Partial<ReplicationStatus> = {}, region = 'us-east-1'): DatabaseView => ({
  instance: { ...db(id, z, region, 'replica', { upstream: 'orders-b', ...replication }), ...over },
  health: up,
});
/** Left following the fenced old primary. */
const stranded = (id = 'orders-w', z = 'use1-d', upstream = 'orders'): DatabaseView => replica(id, z, {}, { upstream, state: 'disconnected' });

const memoryOf = (homes: readonly object[], extra: Record<string, unknown> = {}, top: Record<string, unknown> = {}) => ({
  clusters: { orders: { cluster: 'orders', primary: 'orders-b', provider: 'aws', failovers: 1, replicaHomes: homes, replicaSeq: 0, ...extra } },
  fenced: { [key('aws', 'orders')]: 50_000 },
  ...top,
});

interface Upkeep {
  readonly steps: Step[];
  readonly notes: string[];
}

/** Runs planReplicas for `orders` over `s` (the cluster's views are its instances of every provider, as decide groups them). */
function upkeepOf(s: Snapshot, policy: Policy = DEFAULT_POLICY): Upkeep {
  const memory = s.memory.clusters.get('orders')!;
  const views = s.databases.filter((v) => v.instance.cluster === 'orders');
  const primary = views.find((v) => v.instance.id === memory.primary && v.instance.provider === memory.provider)!;
  const steps: Step[] = [];
  const notes: string[] = [];
  planReplicas(s, policy, 'orders', memory, primary, views, steps, notes);
  return { steps, notes };
}

const upkeep = (input: Partial<SnapshotInput> = {}, policy?: Policy): Upkeep =>
  upkeepOf(snapshot({ zones: zones(), databases: [fencedOld(), newPrimary()], memory: memoryOf([HOME_C]), capabilities: CLOUD_SQL, ...input }), policy);
const created = (u: Upkeep) => u.steps.filter((s): s is CreateReplicaStep => s.operation === 'createReplica');
/** Each create as `home -> zone`. */
const placed = (u: Upkeep) => created(u).map((s) => `${s.home} -> ${s.zone}`);

describe('planReplicas: which replicas count toward the replica count', () => {
  const withReplica = (r: DatabaseView, states?: Record<string, ZoneState>) =>
    upkeep({ databases: [fencedOld(), newPrimary(), r], ...(states ? { zones: zones(states) } : {}) });

  it('one that is available, being created or rebooting counts: nothing is created, nothing noted', () => {
    for (const state of ['available', 'creating', 'rebooting'] as const) {
      expect(withReplica(replica('orders-r1', 'use1-c', { state })), state).toEqual({ steps: [], notes: [] });
    }
  });

  it('one that has failed, whose replication is broken, or whose zone is impaired does not: it is replaced', () => {
    const replaced = (u: Upkeep) => created(u).map((s) => [s.target, s.zone, s.reason]);
    // The failed one still sits in its home zone, so the replacement goes to the emptiest other zone.
    expect(replaced(withReplica(replica('orders-r1', 'use1-c', { state: 'failed' })))).toEqual([
      ['orders-r2', 'use1-d', 'orders has 0 of 1 replicas following orders-b; create orders-r2 in use1-d in place of the replica in use1-c'],
    ]);
    expect(replaced(withReplica(replica('orders-r1', 'use1-c', {}, { state: 'broken' })))).toEqual([
      ['orders-r2', 'use1-d', 'orders has 0 of 1 replicas following orders-b; create orders-r2 in use1-d in place of the replica in use1-c'],
    ]);
    expect(replaced(withReplica(replica('orders-r1', 'use1-d'), { 'use1-d': 'impaired' }))).toEqual([
      ['orders-r2', 'use1-c', 'orders has 0 of 1 replicas following orders-b; create orders-r2 in use1-c in place of the replica in use1-c'],
    ]);
  });

  it('the old primary, back and listed as a primary, is not a replica: the missing one is still created', () => {
    const back = { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: up };
    expect(placed(upkeep({ databases: [back, newPrimary()] }))).toEqual(['us-east-1/use1-c -> use1-c']);
  });

  it('the primary still listed as a replica of its old primary (the listing lags the promotion) is neither a member nor stranded', () => {
    const lagging = { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { upstream: 'orders' }), health: upWritable };
    const u = upkeep({ databases: [fencedOld(), lagging, replica('orders-r1', 'use1-c')] });
    expect(u).toEqual({ steps: [], notes: [] });
  });

  it('one in a zone the health tracker has no record of counts (not known to be impaired)', () => {
    const s = snapshot({ zones: zones(), databases: [fencedOld(), newPrimary(), replica('orders-r1', 'use1-e')], memory: memoryOf([HOME_C]), capabilities: CLOUD_SQL });
    expect(upkeepOf(s)).toEqual({ steps: [], notes: [] });
  });

  it('one being created that the memory also holds as pending counts once, not twice', () => {
    const pendingR1 = { 'orders-r1': { provider: 'aws', region: 'us-east-1', zone: 'use1-c', source: 'orders-b', issuedAt: 90_000, uncertain: true } };
    const u = upkeep({
      databases: [fencedOld(), newPrimary(), replica('orders-r1', 'use1-c', { state: 'creating' }, { state: 'unknown' })],
      memory: memoryOf([HOME_C, HOME_D], { pendingReplicas: pendingR1, replicaSeq: 1 }),
    });
    // Listed, so not re-issued after a restart; one of two: one more is created, for the other home.
    expect(u.steps).toEqual([
      {
        operation: 'createReplica',
        key: 'createReplica:aws:orders-r2',
        provider: 'aws',
        region: 'us-east-1',
        zone: 'use1-d',
        cluster: 'orders',
        target: 'orders-r2',
        source: 'orders-b',
        home: 'us-east-1/use1-d',
        reason: 'orders has 1 of 2 replicas following orders-b; create orders-r2 in use1-d in place of the replica in use1-d',
      },
    ]);
    expect(u.notes).toEqual([]);
  });

  it('a pending create counts until its own provider lists it: an instance of the same id on another provider is not it', () => {
    const pendingR1 = { 'orders-r1': { provider: 'aws', region: 'us-east-1', zone: 'use1-c', source: 'orders-b', issuedAt: 90_000 } };
    const elsewhere = { instance: { ...db('orders-r1', 'x-1', 'x', 'primary', undefined, 'gcp'), cluster: 'billing' }, health: up };
    const u = upkeep({
      databases: [fencedOld(), newPrimary(), replica('orders-r9', 'use1-d'), elsewhere],
      memory: memoryOf([HOME_C, HOME_D, HOME_W], { pendingReplicas: pendingR1, replicaSeq: 1 }),
      zones: [...zones(), ...westZones()],
    });
    // 1 member and 1 pending of 3: one create, with the pending one in its reason; gcp's orders-r1 does not take aws's next id.
    expect(created(u).map((s) => [s.target, s.home, s.zone, s.reason])).toEqual([
      ['orders-r2', 'us-west-2/usw2-a', 'usw2-a', 'orders has 2 of 3 replicas following orders-b (1 on the way); create orders-r2 in usw2-a in place of the replica in usw2-a'],
    ]);
  });

  it("ids are per provider: another provider's instance of the next id does not take it", () => {
    const elsewhere = { instance: { ...db('orders-r1', 'x-1', 'x', 'primary', undefined, 'gcp'), cluster: 'billing' }, health: up };
    expect(created(upkeep({ databases: [fencedOld(), newPrimary(), elsewhere] })).map((s) => s.target)).toEqual(['orders-r1']);
  });

  it('at full count, nothing is said about capacity even when the provider could not create one', () => {
    const u = upkeep({ databases: [fencedOld(), newPrimary(), replica('orders-r1', 'use1-c')], capabilities: { ...CLOUD_SQL, createReplica: false } });
    expect(u).toEqual({ steps: [], notes: [] });
  });

  it('a shortfall is counted against the members there are', () => {
    const u = upkeep({ databases: [fencedOld(), newPrimary(), replica('orders-r1', 'use1-c')], memory: memoryOf([HOME_C, HOME_D]), capabilities: { ...CLOUD_SQL, createReplica: false } });
    expect(u).toEqual({ steps: [], notes: ['orders: 1 replica(s) short, but aws cannot create replicas'] });
  });

  it('no replica homes recorded (the cluster was first seen without replicas): no upkeep at all', () => {
    const u = upkeep({ databases: [fencedOld(), newPrimary(), stranded()], memory: memoryOf([]) });
    expect(u).toEqual({ steps: [], notes: [] });
  });
});

describe('planReplicas: which replicas count as streaming before a stranded one is retired', () => {
  const kept = (streaming: number) => `orders: orders-w follows orders, not the primary orders-b, and cannot be re-pointed; kept until 1 replicas of orders-b stream (${streaming} do)`;

  it('a member that is disconnected or rebooting does not stream yet: the stranded replica is kept', () => {
    for (const r of [replica('orders-r1', 'use1-c', {}, { state: 'disconnected' }), replica('orders-r1', 'use1-c', { state: 'rebooting' })]) {
      expect(upkeep({ databases: [fencedOld(), newPrimary(), stranded(), r] })).toEqual({ steps: [], notes: [kept(0)] });
    }
  });

  it('one streaming from the primary through another replica streams', () => {
    const u = upkeep({ databases: [fencedOld(), newPrimary(), stranded(), replica('orders-r1', 'use1-c', {}, { upstream: 'orders-r0' }), replica('orders-r0', 'use1-c')], memory: memoryOf([HOME_C, HOME_D]) });
    expect(u.steps.map((s) => [s.operation, 'target' in s && s.target])).toEqual([['destroyDatabase', 'orders-w']]);
  });
});

describe('planReplicas: a stranded replica and the fence of its old primary (RDS)', () => {
  const returned = (over: Partial<DatabaseInstance> = {}): DatabaseView => ({ instance: { ...db('orders', 'use1-a', 'us-east-1', 'primary'), ...over }, health: upWritable });
  const retireForFence = {
    operation: 'destroyDatabase',
    key: 'retire:aws:orders-w',
    provider: 'aws',
    region: 'us-east-1',
    zone: 'use1-d',
    cluster: 'orders',
    target: 'orders-w',
    reason: 'orders-w still replicates from former primary orders, which aws will not stop while it has replicas, and it cannot follow orders-b: retire it so orders can be fenced',
  };
  const keptNote = 'orders: orders-w follows orders, not the primary orders-b, and cannot be re-pointed; kept until 1 replicas of orders-b stream (0 do)';
  // Creates are off: only the stranded replica's fate is looked at.
  const noCreates: Policy = { ...DEFAULT_POLICY, maintainCapacity: false };

  it('is retired at once, whatever order the instances are listed in', () => {
    const u = upkeep({ databases: [stranded(), newPrimary(), returned()], capabilities: RDS }, noCreates);
    expect(u).toEqual({ steps: [retireForFence], notes: [] });
  });

  it('is kept while its old primary is stopped or stopping: nothing left to unblock', () => {
    for (const state of ['stopped', 'stopping'] as const) {
      expect(upkeep({ databases: [stranded(), newPrimary(), returned({ state })], capabilities: RDS }, noCreates), state).toEqual({ steps: [], notes: [keptNote] });
    }
  });

  it('is kept when the provider stops an instance with replicas (Cloud SQL)', () => {
    expect(upkeep({ databases: [stranded(), newPrimary(), returned()], capabilities: CLOUD_SQL }, noCreates)).toEqual({ steps: [], notes: [keptNote] });
  });

  it('a replica following a stranded replica does not itself hold the fence back: it waits for its replacements', () => {
    const u = upkeep({ databases: [stranded('orders-x', 'use1-c', 'orders-w'), stranded(), newPrimary(), returned()], capabilities: RDS }, noCreates);
    expect(u).toEqual({
      steps: [],
      notes: [
        'orders: orders-x follows orders-w, not the primary orders-b, and cannot be re-pointed; kept until 1 replicas of orders-b stream (0 do)',
        'orders: orders-w follows orders, but orders-x replicate from it; retiring them first',
      ],
    });
  });

  it('names every replica that follows it', () => {
    const u = upkeep({ databases: [stranded('orders-x', 'use1-c', 'orders-w'), stranded('orders-y', 'use1-c', 'orders-w'), stranded(), newPrimary(), returned()], capabilities: RDS }, noCreates);
    expect(u.notes).toContain('orders: orders-w follows orders, but orders-x, orders-y replicate from it; retiring them first');
  });

  it('the reason of a create names every replica that cannot follow the primary', () => {
    // Two homes, so that the runaway guard (2 x 3 instances) leaves room.
    const u = upkeep({ databases: [fencedOld(), newPrimary(), stranded('orders-x', 'use1-d'), stranded('orders-y', 'use1-d')], memory: memoryOf([HOME_C, HOME_D]) });
    expect(created(u)[0]!.reason).toBe('orders has 0 of 2 replicas following orders-b; orders-x, orders-y cannot follow it; create orders-r1 in use1-c in place of the replica in use1-c');
  });
});

describe('planReplicas: instances on a provider without an adapter', () => {
  it('a replica left following a former primary there is noted, never deleted, and never counted as holding a fence back', () => {
    const azure = (id: string, role: 'primary' | 'replica', replication?: Partial<ReplicationStatus>): DatabaseView => ({
      instance: db(id, 'eastus-1', 'eastus', role, replication, 'azure'),
      health: up,
    });
    const u = upkeep({
      databases: [fencedOld(), newPrimary(), replica('orders-r1', 'use1-c'), azure('orders-az', 'primary'), azure('orders-azr', 'replica', { upstream: 'orders-az' })],
      capabilities: RDS,
    });
    expect(u).toEqual({ steps: [], notes: ['orders: orders-azr follows orders-az and cannot be re-pointed, but azure cannot delete it'] });
  });

  it('a primary there gets no replica: noted, not created', () => {
    const primary = { instance: db('orders-az', 'eastus-1', 'eastus', 'primary', undefined, 'azure'), health: upWritable };
    const u = upkeep({ databases: [fencedOld(), primary], memory: memoryOf([HOME_C], { primary: 'orders-az', provider: 'azure' }) });
    expect(u).toEqual({ steps: [], notes: ['orders: 1 replica(s) short, but azure cannot create replicas'] });
  });
});

describe('replicasHolding', () => {
  it('lists the replicas streaming straight from an instance, not a primary reporting it as upstream, not one without replication', () => {
    const s = snapshot({ zones: zones() });
    const views = [
      { instance: db('orders-b', 'use1-b', 'us-east-1', 'primary', { upstream: 'orders' }), health: up },
      replica('orders-w', 'use1-d', {}, { upstream: 'orders' }),
      { instance: db('orders-n', 'use1-c', 'us-east-1', 'replica'), health: up },
    ];
    expect(replicasHolding(s, views, 'orders')).toEqual(['orders-w']);
  });
});

describe('planReplicas: which home a member fills (its zone, then its region, then any)', () => {
  /** The home each create stands in for. */
  const homesOf = (u: Upkeep) => created(u).map((s) => s.home);
  const east = (homes: readonly object[], members: readonly DatabaseView[]) =>
    upkeep({ zones: [...zones(), ...westZones()], databases: [fencedOld(), newPrimary(), ...members], memory: memoryOf(homes) });

  it('a member fills the home in its own zone, whichever comes first', () => {
    expect(east([HOME_C, HOME_D], [replica('orders-r1', 'use1-d')]).steps).toEqual([
      {
        operation: 'createReplica',
        key: 'createReplica:aws:orders-r2',
        provider: 'aws',
        region: 'us-east-1',
        zone: 'use1-c',
        cluster: 'orders',
        target: 'orders-r2',
        source: 'orders-b',
        home: 'us-east-1/use1-c',
        reason: 'orders has 1 of 2 replicas following orders-b; create orders-r2 in use1-c in place of the replica in use1-c',
      },
    ]);
    expect(homesOf(east([HOME_C, HOME_D], [replica('orders-r1', 'use1-c')]))).toEqual(['us-east-1/use1-d']);
  });

  it('a member in no home zone fills a home in its region', () => {
    const member = replica('orders-r1', 'usw2-b', {}, {}, 'us-west-2');
    expect(homesOf(east([HOME_C, HOME_W], [member]))).toEqual(['us-east-1/use1-c']);
  });

  it('a member in no home zone nor region fills the first home left', () => {
    const member = replica('orders-r1', 'usw2-b', {}, {}, 'us-west-2');
    expect(homesOf(east([HOME_C, HOME_D], [member]))).toEqual(['us-east-1/use1-d']);
  });

  it('a member of another provider matches no home by zone or region name: it fills the first home left', () => {
    const gcp = (z: string, region: string): DatabaseView => ({ instance: db('orders-g', z, region, 'replica', { upstream: 'orders-b' }, 'gcp'), health: up });
    expect(homesOf(east([HOME_C, HOME_D], [gcp('use1-d', 'us-east-1')]))).toEqual(['us-east-1/use1-d']);
    expect(homesOf(east([HOME_C, HOME_W], [gcp('usw2-b', 'us-west-2')]))).toEqual(['us-west-2/usw2-a']);
  });

  it('a create on the way fills the home in its zone', () => {
    const pending = { 'orders-r1': { provider: 'aws', region: 'us-east-1', zone: 'use1-d', source: 'orders-b', issuedAt: 90_000 } };
    const u = upkeep({ memory: memoryOf([HOME_C, HOME_D], { pendingReplicas: pending, replicaSeq: 1 }) });
    expect(created(u).map((s) => [s.target, s.home, s.zone])).toEqual([['orders-r2', 'us-east-1/use1-c', 'use1-c']]);
  });
});

describe('planReplicas: where a create goes, the less common cases', () => {
  const zoneOf = (u: Upkeep) => created(u).map((s) => `${s.region}/${s.zone}`);

  it('a replica being retired does not occupy its zone', () => {
    const leaving = replica('orders-old', 'use1-c', { state: 'failed' });
    expect(zoneOf(upkeep({ databases: [fencedOld(), newPrimary(), leaving], memory: memoryOf([HOME_C], {}, { retired: { [key('aws', 'orders-old')]: 99_000 } }) }))).toEqual([
      'us-east-1/use1-c',
    ]);
  });

  it('a zone whose penalty ends now is used again', () => {
    expect(zoneOf(upkeep({ memory: memoryOf([HOME_C], {}, { zonePenalty: { 'aws:use1-c': 100_000 } }) }))).toEqual(['us-east-1/use1-c']);
    expect(zoneOf(upkeep({ memory: memoryOf([HOME_C], {}, { zonePenalty: { 'aws:use1-c': 100_001 } }) }))).toEqual(['us-east-1/use1-d']);
  });

  it('a degraded zone with no probes to judge by counts as answering', () => {
    const u = upkeep({ zones: [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1'), zone('use1-c', 'us-east-1', 'degraded', 0), zone('use1-d', 'us-east-1', 'impaired')] });
    expect(zoneOf(u)).toEqual(['us-east-1/use1-c']);
  });

  it('only a database of the same provider that is down keeps a create out of its zone', () => {
    const billing = { instance: { ...db('billing', 'use1-c', 'us-east-1', 'primary'), cluster: 'billing' }, health: up };
    const gcpDown = { instance: { ...db('ledger', 'use1-c', 'us-east-1', 'primary', undefined, 'gcp'), cluster: 'ledger' }, health: down(90_000) };
    expect(zoneOf(upkeep({ databases: [fencedOld(), newPrimary(), billing, gcpDown] }))).toEqual(['us-east-1/use1-c']);
  });

  it("then the provider's other regions, in the order of their ids", () => {
    const u = upkeep({
      zones: [...zones({ 'use1-a': 'impaired', 'use1-c': 'impaired', 'use1-d': 'impaired' }), ...westZones(), zone('euc1-a', 'eu-central-1')],
    });
    expect(zoneOf(u)).toEqual(['eu-central-1/euc1-a']);
  });

  it('a home of another provider gives neither its region nor its zone a preference', () => {
    const all = [...zones(), ...westZones()];
    expect(zoneOf(upkeep({ zones: all, memory: memoryOf([{ provider: 'gcp', region: 'us-west-2', zone: 'usw2-b' }]) }))).toEqual(['us-east-1/use1-c']);
    expect(zoneOf(upkeep({ zones: all, memory: memoryOf([{ provider: 'gcp', region: 'us-east-1', zone: 'use1-d' }]) }))).toEqual(['us-east-1/use1-c']);
  });

  it('a home in a region the provider no longer lists: the primary region instead', () => {
    expect(zoneOf(upkeep({ memory: memoryOf([{ provider: 'aws', region: 'eu-west-9', zone: 'euw9-a' }]) }))).toEqual(['us-east-1/use1-c']);
  });

  it('never a zone the health tracker has no record of', () => {
    const unrecorded = (states: Record<string, ZoneState>) => {
      const s = snapshot({ zones: zones(states), databases: [fencedOld(), newPrimary()], memory: memoryOf([HOME_C]), capabilities: CLOUD_SQL });
      return upkeepOf({ ...s, zones: new Map([...s.zones].filter(([k]) => k !== 'aws:use1-c')) });
    };
    expect(zoneOf(unrecorded({}))).toEqual(['us-east-1/use1-d']);
    expect(zoneOf(unrecorded({ 'use1-a': 'impaired', 'use1-d': 'degraded' }))).toEqual(['us-east-1/use1-d']);
  });

  it('the runaway guard counts creates on the way', () => {
    const pending = { 'orders-r1': { provider: 'aws', region: 'us-east-1', zone: 'use1-c', source: 'orders-b', issuedAt: 90_000 } };
    const dead = (id: string) => replica(id, 'use1-d', { state: 'failed' }, { upstream: 'gone' });
    const u = upkeep({ databases: [fencedOld(), newPrimary(), stranded(), dead('old-1'), dead('old-2')], memory: memoryOf([HOME_C, HOME_D], { pendingReplicas: pending, replicaSeq: 1 }) });
    expect(u.steps).toEqual([]);
    expect(u.notes).toContain('orders: 1 replica(s) short, but it already has 6 instances (limit 2x 3)');
  });

  it('waits for a primary whose probes have not answered yet', () => {
    const unprobed = { instance: db('orders-b', 'use1-b', 'us-east-1', 'primary'), health: { ...up, status: 'unprobed' as const } };
    expect(upkeep({ databases: [fencedOld(), unprobed] })).toEqual({ steps: [], notes: ['orders: 1 replica(s) short; waiting for orders-b to be available (available, unprobed)'] });
  });
});

describe('followsPrimary: the chain walk', () => {
  const r = (id: string, upstream: string): DatabaseView => replica(id, 'use1-c', {}, { upstream });

  it('a chain longer than 16 hops is called broken (chains are short; the bound only stops cycles)', () => {
    const chain = (length: number) => Array.from({ length }, (_, n) => r(`r${n}`, n === length - 1 ? 'orders' : `r${n + 1}`));
    const sixteen = chain(16);
    expect(followsPrimary(sixteen, sixteen[0]!, 'orders')).toBe(true);
    const seventeen = chain(17);
    expect(followsPrimary(seventeen, seventeen[0]!, 'orders')).toBe(false);
  });

  it('stops at a primary even one that reports an upstream, and at a replica that reports none', () => {
    const viaPrimary = [r('a', 'p2'), { instance: db('p2', 'use1-c', 'us-east-1', 'primary', { upstream: 'orders' }), health: up }];
    expect(followsPrimary(viaPrimary, viaPrimary[0]!, 'orders')).toBe(false);
    const viaSilent = [r('a', 'b'), { instance: db('b', 'use1-c', 'us-east-1', 'replica'), health: up }];
    expect(followsPrimary(viaSilent, viaSilent[0]!, 'orders')).toBe(false);
  });
});
