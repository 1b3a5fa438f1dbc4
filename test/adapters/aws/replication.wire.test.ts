import { afterEach, describe, expect, it } from 'vitest';
import type { FrontEndRefusal } from '../../../adapters/emulators/index.js';
import { isProviderError, type ProviderError } from '../../../src/core/contract/errors.js';
import type { Topology } from '../../../src/apps/replay/scenario/Scenario.js';
import { awsTopology, awsWire, type AwsWire } from './awsFixture.js';
import { rejectionOf } from './captureOutput.js';

const opts = () => ({ signal: AbortSignal.timeout(20_000) });

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await rejectionOf(promise);
  if (!isProviderError(error)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  return error;
}

describe('aws adapter over the wire: replication evidence', () => {
  let wire: AwsWire;
  afterEach(async () => wire?.close());

  const replica = async (id = 'orders-b') => (await wire.provider.listDatabases({ ids: [id] }, opts()))[0]!;
  const advance = (seconds: number) => wire.clock.runUntil(wire.clock.now() + seconds * 1000);

  it('a streaming replica is `replicating` in StatusInfos, with its CloudWatch lag and how old that datapoint is', async () => {
    wire = await awsWire();
    const db = await replica();
    expect(db.replication).toMatchObject({ upstream: 'orders', mode: 'async', state: 'streaming', lagSeconds: 2, lastContactSeconds: null, lagBytes: null });
    // Published a minute after its one-minute period ended: at least two minutes old.
    expect(db.replication!.lagAgeSeconds).toBeGreaterThanOrEqual(120);
    expect(db.replication!.lagAgeSeconds).toBeLessThan(180);
    expect(db.extra).toMatchObject({ replicationStatus: 'replicating' });
  });

  it("CloudWatch serves a period's maximum lag a minute after the period ends, not the lag now", async () => {
    wire = await awsWire();
    await replica();
    await advance(120);
    await wire.apply([{ kind: 'replication', database: 'orders', replica: 'orders-b', lagSeconds: 40 }]);
    await replica(); // sampled by RDS now, not served yet
    expect((await replica()).replication!.lagSeconds).toBe(2);
    await advance(30);
    await wire.apply([{ kind: 'replication', database: 'orders', replica: 'orders-b', lagSeconds: 3 }]);
    await replica();
    // The minute [120 s, 180 s) held 40 s and 3 s: its maximum, served from 240 s.
    await advance(60);
    expect((await replica()).replication!.lagSeconds).toBe(2);
    await advance(30);
    expect((await replica()).replication!.lagSeconds).toBe(40);
    await advance(60);
    expect((await replica()).replication!.lagSeconds).toBe(3);
  });

  it('MySQL: ReplicaLag -1 once replication stops -> lag unknown and disconnected, even while StatusInfos still says replicating', async () => {
    const topology = awsTopology();
    wire = await awsWire({ topology: { ...topology, databases: topology.databases.map((db) => ({ ...db, engine: 'mysql' })) } });
    await replica(); // seen streaming
    await advance(60);
    await wire.apply([{ kind: 'impair', zone: 'us-east-1a', mode: 'unreachable', errorRate: 0.5 }]);
    await replica();
    await advance(60);
    await replica();
    // The minute that saw the stop still holds a positive sample (its maximum): -1 shows from the next one on.
    await advance(120);
    const stopped = await replica();
    expect(stopped.replication).toMatchObject({ state: 'disconnected', lagSeconds: null });
    expect(stopped.replication!.lastContactSeconds).toBeGreaterThan(0);
    expect(stopped.extra['replicaLag']).toBe(-1);
  });

  it('cut off from its source: StatusInfos `error` -> disconnected, lag grows, contact counted from the first listing that saw it stop', async () => {
    wire = await awsWire({ emulator: { replicaLag: { mode: 'live' } } });
    await replica(); // seen streaming
    await advance(20);
    await wire.apply([{ kind: 'impair', zone: 'us-east-1a', mode: 'unreachable', errorRate: 0.5 }]);
    await advance(10);
    const first = await replica();
    expect(first.replication).toMatchObject({ state: 'disconnected', lagSeconds: 12, lastContactSeconds: 0 });
    expect(first.extra).toMatchObject({ replicationStatus: 'error' });
    expect(String(first.extra['replicationMessage'])).toMatch(/stopped/);
    await advance(15);
    expect((await replica()).replication).toMatchObject({ state: 'disconnected', lagSeconds: 27, lastContactSeconds: 15 });
    await wire.apply([{ kind: 'recover', zone: 'us-east-1a' }]);
    expect((await replica()).replication).toMatchObject({ state: 'streaming', lagSeconds: 2, lastContactSeconds: null });
  });

  it('an adapter that never saw the replica streaming does not guess when it stopped', async () => {
    wire = await awsWire({ emulator: { replicaLag: { mode: 'live' } } });
    await wire.apply([{ kind: 'impair', zone: 'us-east-1a', mode: 'power', errorRate: 0.5 }]);
    await advance(30);
    expect((await replica()).replication).toMatchObject({ state: 'disconnected', lagSeconds: 32, lastContactSeconds: null });
  });

  it('broken replication is `terminated` -> broken; with replicationContact none, contact stays null', async () => {
    wire = await awsWire({ adapter: { replicationContact: 'none' } });
    await replica();
    await wire.apply([{ kind: 'replication', database: 'orders', replica: 'orders-b', broken: true }]);
    await advance(5);
    const db = await replica();
    expect(db.replication).toMatchObject({ state: 'broken', lastContactSeconds: null });
    expect(db.extra).toMatchObject({ replicationStatus: 'terminated' });
  });

  describe('RDS stop rules (fencing)', () => {
    it('with rdsRules, an instance with read replicas and a read replica cannot be stopped; the refusal is reported, the world never sees it', async () => {
      const refusals: FrontEndRefusal[] = [];
      wire = await awsWire({ emulator: { rdsRules: true, onRefusal: (refusal) => refusals.push(refusal) } });
      const primary = await providerError(wire.provider.stopDatabase('orders', opts()));
      expect(primary).toMatchObject({ kind: 'terminal', code: 'InvalidDBInstanceState', operation: 'stopDatabase' });
      expect(primary.message).toMatch(/read replicas \(1\)/);
      const ofReplica = await providerError(wire.provider.stopDatabase('orders-b', opts()));
      expect(ofReplica.message).toMatch(/cannot stop a read replica/);
      expect(refusals).toEqual([
        expect.objectContaining({ operation: 'stopDatabase', target: 'orders', region: 'us-east-1', zone: 'us-east-1a', code: 'InvalidDBInstanceState' }),
        expect.objectContaining({ operation: 'stopDatabase', target: 'orders-b', region: 'us-east-1', zone: 'us-east-1b' }),
      ]);
      expect(wire.world.calls.filter((call) => call.operation === 'stopDatabase')).toEqual([]);
      // Once the replica is promoted away, the old primary has none left and can be fenced.
      await wire.world.provider('aws').promoteReplica('orders-b', opts());
      await advance(60);
      await wire.provider.stopDatabase('orders', opts());
      expect(wire.world.calls.filter((call) => call.operation === 'stopDatabase').map((call) => [call.target, call.result])).toEqual([['orders', 'ok']]);
    });

    it('with rdsRules, a replica being deleted no longer keeps its source from being stopped', async () => {
      const refusals: FrontEndRefusal[] = [];
      wire = await awsWire({ emulator: { rdsRules: true, onRefusal: (refusal) => refusals.push(refusal) } });
      expect(wire.provider.capabilities.stopRefusedWithReplicas).toBe(true);
      await wire.provider.destroyDatabase('orders-b', opts());
      expect((await replica()).extra).toMatchObject({ rawStatus: 'deleting' });
      await wire.provider.stopDatabase('orders', opts());
      expect(refusals).toEqual([]);
      expect(wire.world.calls.filter((call) => call.mutating).map((call) => [call.operation, call.target, call.result])).toEqual([
        ['destroyDatabase', 'orders-b', 'ok'],
        ['stopDatabase', 'orders', 'ok'],
      ]);
    });

    it('rdsRules are on by default; with rdsRules false, the world decides and stopping a primary with replicas is allowed', async () => {
      wire = await awsWire();
      expect(await providerError(wire.provider.stopDatabase('orders', opts()))).toMatchObject({ kind: 'terminal', code: 'InvalidDBInstanceState' });
      await wire.close();
      wire = await awsWire({ emulator: { rdsRules: false } });
      await wire.provider.stopDatabase('orders', opts());
      expect(wire.world.calls.filter((call) => call.operation === 'stopDatabase').map((call) => call.result)).toEqual(['ok']);
    });
  });

  describe('deleting instances (destroyDatabase)', () => {
    it('deletes a read replica without a final snapshot: `deleting` at once, gone later; deleting it again is success', async () => {
      wire = await awsWire();
      await wire.provider.destroyDatabase('orders-b', opts());
      expect(await replica()).toMatchObject({ state: 'stopping', extra: expect.objectContaining({ rawStatus: 'deleting' }) });
      // Already deleting: no second DeleteDBInstance.
      await wire.provider.destroyDatabase('orders-b', opts());
      expect(wire.emulator.requestsFor('DeleteDBInstance')).toBe(1);
      await advance(121);
      expect(await wire.provider.listDatabases({ ids: ['orders-b'] }, opts())).toEqual([]);
      await wire.provider.destroyDatabase('orders-b', opts());
      expect(wire.emulator.requestsFor('DeleteDBInstance')).toBe(1);
      expect(wire.world.calls.filter((call) => call.operation === 'destroyDatabase').map((call) => [call.target, call.result])).toEqual([['orders-b', 'ok']]);
    });

    it('refuses an instance that has read replicas before asking (RDS would promote them to standalone primaries)', async () => {
      wire = await awsWire();
      const error = await providerError(wire.provider.destroyDatabase('orders', opts()));
      expect(error).toMatchObject({ kind: 'terminal', code: 'InvalidDBInstanceState', operation: 'destroyDatabase' });
      expect(error.message).toMatch(/has read replicas \(orders-b\)/);
      expect(wire.emulator.requestsFor('DeleteDBInstance')).toBe(0);
    });

    it('deletes a standalone instance with a final snapshot (the emulator refuses a delete with neither a snapshot nor a skip)', async () => {
      wire = await awsWire();
      await wire.world.provider('aws').promoteReplica('orders-b', opts());
      await advance(60);
      await wire.provider.destroyDatabase('orders-b', opts());
      expect((await replica()).state).toBe('stopping');
      expect(wire.emulator.requestsFor('DeleteDBInstance')).toBe(1);
    });
  });

  describe('zones not named after their region', () => {
    const topology: Topology = {
      providers: [{ id: 'aws', latency: {}, regions: [{ id: 'ap-northeast-1', zones: ['apne1-az1', 'apne1-az4'] }, { id: 'ap-northeast-3', zones: ['apne3-az1'] }] }],
      groups: [{ id: 'web', provider: 'aws', region: 'ap-northeast-1', size: 'm5.large', nodes: { 'apne1-az1': 1 }, minHealthy: 1 }],
      databases: [],
    };

    it('learns which region a zone is in from DescribeAvailabilityZones (once), and refuses a zone of another region', async () => {
      wire = await awsWire({ topology, adapter: { regions: ['ap-northeast-1', 'ap-northeast-3'], images: { 'ap-northeast-1': 'ami-1', 'ap-northeast-3': 'ami-3' } } });
      const node = await wire.provider.createNode({ name: 'web-2', region: 'ap-northeast-1', zone: 'apne1-az4', group: 'web' }, opts());
      expect(node).toMatchObject({ zone: 'apne1-az4', region: 'ap-northeast-1' });
      expect(wire.emulator.requestsFor('DescribeAvailabilityZones')).toBe(1);
      await wire.provider.createNode({ name: 'web-3', region: 'ap-northeast-1', zone: 'apne1-az1', group: 'web' }, opts());
      expect(wire.emulator.requestsFor('DescribeAvailabilityZones')).toBe(1);
      const wrong = await providerError(wire.provider.createNode({ name: 'web-4', region: 'ap-northeast-1', zone: 'apne3-az1' }, opts()));
      expect(wrong).toMatchObject({ kind: 'invalid-input', code: 'InvalidAvailabilityZone' });
      expect((await wire.provider.listNodes({ zone: 'apne3-az1' }, opts())).map((n) => n.region)).toEqual([]);
    });
  });
});
