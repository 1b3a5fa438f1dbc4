import { describe, expect, it } from 'vitest';
import { simFixture } from './simFixture.js';

const A1 = 'web-us-east-1a-1';
const A2 = 'web-us-east-1a-2';
const B1 = 'web-us-east-1b-1';

describe('impair unreachable', () => {
  const fixture = () => simFixture({ events: [{ at: 100, kind: 'impair', zone: 'us-east-1a', mode: 'unreachable', errorRate: 0.5 }] });

  it('makes probes of the zone time out while the provider still lists everything running', async () => {
    const { at, probe, node, db, nodeNow, dbNow, world, timeline } = fixture();
    await at(100);
    expect((await probe([node(A1), node(B1), db('orders')])).map((result) => result.failure ?? 'ok')).toEqual(['timeout', 'ok', 'timeout']);
    expect((await nodeNow(A1)).state).toBe('running');
    expect((await dbNow('orders')).state).toBe('available');
    expect(world.groupHealthyCount('web')).toBe(2);
    expect(world.writablePrimaries('orders')).toEqual([]);
    expect(timeline[0]).toEqual({ t: 100, kind: 'world.impair', zone: 'us-east-1a', region: 'us-east-1', detail: 'us-east-1a: unreachable' });
  });

  it('stops replication out of the zone: replicas fall behind as time passes', async () => {
    const { at, dbNow } = fixture();
    await at(160);
    expect((await dbNow('orders-b')).replication).toEqual({
      upstream: 'orders',
      mode: 'async',
      state: 'disconnected',
      lagSeconds: 62,
      lastContactSeconds: 60,
    });
    expect((await dbNow('orders-s')).replication).toMatchObject({ state: 'disconnected', lagSeconds: 60, lastContactSeconds: 60 });
  });

  it('stops replication into replicas in the zone too', async () => {
    const { at, dbNow } = simFixture({ events: [{ at: 100, kind: 'impair', zone: 'us-east-1b', mode: 'unreachable', errorRate: 0.5 }] });
    await at(130);
    expect((await dbNow('orders-b')).replication).toMatchObject({ state: 'disconnected', lagSeconds: 32, lastContactSeconds: 30 });
    expect((await dbNow('orders-s')).replication).toMatchObject({ state: 'streaming', lagSeconds: 0 });
  });

  it('holds every effect on the zone until it recovers, then applies it after its latency', async () => {
    const { at, aws, call, nodeNow, world } = simFixture({
      events: [
        { at: 100, kind: 'impair', zone: 'us-east-1a', mode: 'unreachable', errorRate: 0.5 },
        { at: 500, kind: 'recover', zone: 'us-east-1a' },
      ],
    });
    await at(110);
    await aws.stopNode(A1, call());
    const created = await aws.createNode({ name: 'x', region: 'us-east-1', zone: 'us-east-1a' }, call());
    await at(499);
    expect((await nodeNow(A1)).state).toBe('stopping');
    expect((await nodeNow(created.id)).state).toBe('pending');
    await at(529);
    expect((await nodeNow(A1)).state).toBe('stopping');
    await at(530);
    expect((await nodeNow(A1)).state).toBe('stopped');
    await at(559);
    expect((await nodeNow(created.id)).state).toBe('pending');
    await at(560);
    expect((await nodeNow(created.id)).state).toBe('running');
    expect(world.groupHealthyCount('web')).toBe(3);
  });

  it('restarts an effect caught in flight by the outage once the zone is back', async () => {
    const { at, aws, call, nodeNow } = simFixture({
      events: [
        { at: 20, kind: 'impair', zone: 'us-east-1a', mode: 'unreachable', errorRate: 0.5 },
        { at: 100, kind: 'recover', zone: 'us-east-1a' },
      ],
    });
    await aws.rebootNode(A1, call());
    await at(99);
    expect((await nodeNow(A1)).state).toBe('rebooting');
    await at(129);
    expect((await nodeNow(A1)).state).toBe('rebooting');
    await at(130);
    expect((await nodeNow(A1)).state).toBe('running');
  });
});

describe('impair degraded', () => {
  it('fails each probe with the error rate, drawn per probe; replication and capacity go on', async () => {
    const { at, probe, node, dbNow, world } = simFixture({
      events: [{ at: 0, kind: 'impair', zone: 'us-east-1a', mode: 'degraded', errorRate: 0.3 }],
    });
    await at(0);
    let failed = 0;
    const rounds = 500;
    for (let i = 0; i < rounds; i++) {
      const [result] = await probe([node(A1)]);
      if (!result!.ok) {
        expect(result!.failure).toBe('error');
        failed++;
      }
    }
    expect(failed / rounds).toBeGreaterThan(0.22);
    expect(failed / rounds).toBeLessThan(0.38);
    expect((await probe([node(B1)]))[0]!.ok).toBe(true);
    expect((await dbNow('orders-b')).replication).toMatchObject({ state: 'streaming', lagSeconds: 2 });
    expect(world.groupHealthyCount('web')).toBe(4);
    expect(world.writablePrimaries('orders')).toEqual(['orders']);
  });

  it('fails every probe at error rate 1 and none at 0', async () => {
    const { at, probe, node, db } = simFixture({
      events: [
        { at: 0, kind: 'impair', zone: 'us-east-1a', mode: 'degraded', errorRate: 1 },
        { at: 10, kind: 'impair', zone: 'us-east-1a', mode: 'degraded', errorRate: 0 },
      ],
    });
    await at(0);
    expect((await probe([node(A1), node(A2), db('orders')])).every((result) => result.failure === 'error')).toBe(true);
    await at(10);
    expect((await probe([node(A1), node(A2), db('orders')])).every((result) => result.ok)).toBe(true);
  });
});

describe('impair power', () => {
  it('stops every node and database in the zone, as the provider lists them', async () => {
    const { at, probe, node, db, nodeNow, dbNow, world } = simFixture({
      events: [{ at: 50, kind: 'impair', zone: 'us-east-1a', mode: 'power', errorRate: 0.5 }],
    });
    await at(50);
    expect((await nodeNow(A1)).state).toBe('stopped');
    expect((await dbNow('orders')).state).toBe('stopped');
    expect((await probe([node(A1), db('orders')])).map((result) => result.failure)).toEqual(['timeout', 'timeout']);
    expect(world.groupHealthyCount('web')).toBe(2);
    expect(world.writablePrimaries('orders')).toEqual([]);
    await at(70);
    expect((await dbNow('orders-b')).replication).toMatchObject({ state: 'disconnected', lagSeconds: 22, lastContactSeconds: 20 });
  });

  it('leaves things stopped after recovery, until something starts them', async () => {
    const { at, aws, call, probe, node, db, nodeNow, dbNow, world } = simFixture({
      events: [
        { at: 50, kind: 'impair', zone: 'us-east-1a', mode: 'power', errorRate: 0.5 },
        { at: 100, kind: 'recover', zone: 'us-east-1a' },
      ],
    });
    await at(100);
    expect((await nodeNow(A1)).state).toBe('stopped');
    expect((await probe([node(A1), db('orders')])).map((result) => result.failure)).toEqual(['refused', 'refused']);
    await aws.startNode(A1, call());
    await aws.rebootDatabase('orders', call());
    await at(130);
    expect((await nodeNow(A1)).state).toBe('running');
    expect((await dbNow('orders')).state).toBe('available');
    expect(world.groupHealthyCount('web')).toBe(3);
    expect(world.writablePrimaries('orders')).toEqual(['orders']);
    expect((await dbNow('orders-b')).replication).toMatchObject({ state: 'streaming', lagSeconds: 2, lastContactSeconds: 0 });
  });

  it('completes a destroy that was in flight when the power went, once it is back', async () => {
    const { at, aws, call, nodeNow } = simFixture({
      events: [
        { at: 5, kind: 'impair', zone: 'us-east-1a', mode: 'power', errorRate: 0.5 },
        { at: 100, kind: 'recover', zone: 'us-east-1a' },
      ],
    });
    await aws.destroyNode(A1, call());
    await at(99);
    expect((await nodeNow(A1)).extra['rawState']).toBe('shutting-down');
    await at(110);
    expect((await nodeNow(A1)).state).toBe('terminated');
  });
});

describe('impair storage', () => {
  it('stalls databases (no writes, probes time out, no replication) while nodes keep answering', async () => {
    const { at, probe, node, db, dbNow, world } = simFixture({
      events: [{ at: 100, kind: 'impair', zone: 'us-east-1a', mode: 'storage', errorRate: 0.5 }],
    });
    await at(130);
    expect((await probe([node(A1), db('orders')])).map((result) => result.failure ?? 'ok')).toEqual(['ok', 'timeout']);
    expect((await dbNow('orders')).state).toBe('available');
    expect(world.writablePrimaries('orders')).toEqual([]);
    expect(world.groupHealthyCount('web')).toBe(4);
    expect((await dbNow('orders-b')).replication).toMatchObject({ state: 'disconnected', lagSeconds: 32, lastContactSeconds: 30 });
  });
});

describe('impairRegion and recover', () => {
  it('impairs every zone of the region and recovers them by region', async () => {
    const { at, world, probe, node, timeline } = simFixture({
      events: [
        { at: 10, kind: 'impairRegion', region: 'us-east-1', mode: 'unreachable', errorRate: 0.5 },
        { at: 20, kind: 'recover', region: 'us-east-1' },
      ],
    });
    await at(10);
    expect(world.groupHealthyCount('web')).toBe(0);
    await at(20);
    expect(world.groupHealthyCount('web')).toBe(4);
    expect((await probe([node(A1), node(B1)])).every((result) => result.ok)).toBe(true);
    expect(timeline.map((entry) => [entry.kind, entry.region])).toEqual([
      ['world.impairRegion', 'us-east-1'],
      ['world.recover', 'us-east-1'],
    ]);
  });
});

describe('flap', () => {
  it('alternates impaired and healthy every period from `at`, and is healthy from `until`', async () => {
    const { at, world, timeline } = simFixture({
      events: [{ at: 100, kind: 'flap', zone: 'us-east-1a', mode: 'unreachable', periodSeconds: 30, until: 200 }],
    });
    const healthyAt = async (t: number) => {
      await at(t);
      return world.groupHealthyCount('web');
    };
    expect(await healthyAt(99)).toBe(4);
    expect(await healthyAt(100)).toBe(2);
    expect(await healthyAt(129)).toBe(2);
    expect(await healthyAt(130)).toBe(4);
    expect(await healthyAt(159)).toBe(4);
    expect(await healthyAt(160)).toBe(2);
    expect(await healthyAt(190)).toBe(4);
    expect(await healthyAt(200)).toBe(4);
    expect(await healthyAt(1000)).toBe(4);
    expect(timeline.map((entry) => [entry.t, entry.kind])).toEqual([
      [100, 'world.flap'],
      [200, 'world.flapEnded'],
    ]);
  });

  it('ends early on recover', async () => {
    const { at, world } = simFixture({
      events: [
        { at: 0, kind: 'flap', zone: 'us-east-1a', mode: 'unreachable', periodSeconds: 10, until: 100 },
        { at: 15, kind: 'recover', zone: 'us-east-1a' },
      ],
    });
    await at(25);
    expect(world.groupHealthyCount('web')).toBe(4);
  });
});

describe('observerPartition', () => {
  it('fails only the observer probes of the zone, until `until`', async () => {
    const { at, probe, node, db, dbNow, world, aws, call, timeline } = simFixture({
      events: [{ at: 10, kind: 'observerPartition', zone: 'us-east-1a', until: 60 }],
    });
    await at(30);
    expect((await probe([node(A1), db('orders'), node(B1)])).map((result) => result.failure ?? 'ok')).toEqual(['timeout', 'timeout', 'ok']);
    expect(world.groupHealthyCount('web')).toBe(4);
    expect(world.writablePrimaries('orders')).toEqual(['orders']);
    expect((await dbNow('orders-b')).replication).toMatchObject({ state: 'streaming', lagSeconds: 2, lastContactSeconds: 0 });
    expect((await aws.zoneStatus({ region: 'us-east-1' }, call()))[0]!.status).toBe('available');
    await at(60);
    expect((await probe([node(A1), db('orders')])).every((result) => result.ok)).toBe(true);
    expect(timeline.map((entry) => entry.kind)).toEqual(['world.observerPartition', 'world.observerPartitionEnded']);
  });

  it('lasts forever without `until`', async () => {
    const { at, probe, node } = simFixture({ events: [{ at: 0, kind: 'observerPartition', zone: 'us-east-1a' }] });
    await at(86_400);
    expect((await probe([node(A1)]))[0]!.failure).toBe('timeout');
  });
});

describe('providerStatus', () => {
  it('changes what zoneStatus and listLocations report, and where untargeted creates land', async () => {
    const { at, aws, call } = simFixture({
      events: [
        { at: 5, kind: 'providerStatus', provider: 'aws', zone: 'us-east-1a', status: 'impaired' },
        { at: 5, kind: 'providerStatus', provider: 'aws', zone: 'us-east-1b', status: 'unavailable' },
      ],
    });
    await at(5);
    const zones = await aws.zoneStatus({ region: 'us-east-1' }, call());
    expect(zones.map((zone) => zone.status)).toEqual(['impaired', 'unavailable', 'available']);
    const regions = await aws.listLocations(call());
    expect(regions[0]!.zones.map((zone) => zone.status)).toEqual(['impaired', 'unavailable', 'available']);
    for (let i = 0; i < 20; i++) {
      expect((await aws.createNode({ name: `n${i}`, region: 'us-east-1' }, call())).zone).toBe('us-east-1c');
    }
  });

  it('may be stale: an untargeted create can land in a dead zone the provider calls available', async () => {
    const { at, aws, call, nodeNow } = simFixture({
      events: [{ at: 0, kind: 'impair', zone: 'us-west-2a', mode: 'unreachable', errorRate: 0.5 }],
    });
    await at(0);
    const zones = new Set<string>();
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const created = await aws.createNode({ name: `n${i}`, region: 'us-west-2' }, call());
      zones.add(created.zone);
      ids.push(created.id);
    }
    expect([...zones].sort()).toEqual(['us-west-2a', 'us-west-2b']);
    await at(120);
    for (const id of ids) {
      const created = await nodeNow(id);
      expect(created.state).toBe(created.zone === 'us-west-2a' ? 'pending' : 'running');
    }
  });

  it('refuses an untargeted create when no zone of the region is available', async () => {
    const { at, aws, call } = simFixture({
      events: [
        { at: 0, kind: 'providerStatus', provider: 'aws', zone: 'us-west-2a', status: 'unavailable' },
        { at: 0, kind: 'providerStatus', provider: 'aws', zone: 'us-west-2b', status: 'impaired' },
      ],
    });
    await at(0);
    await expect(aws.createNode({ name: 'n', region: 'us-west-2' }, call())).rejects.toMatchObject({
      kind: 'retryable',
      code: 'InsufficientInstanceCapacity',
    });
  });
});

describe('nodeFailure', () => {
  it('terminates `count` running nodes of the group in the zone, chosen with the seed', async () => {
    const { at, aws, call, world, timeline } = simFixture({
      events: [{ at: 10, kind: 'nodeFailure', group: 'web', count: 1, zone: 'us-east-1b' }],
    });
    await at(10);
    const nodes = await aws.listNodes({ group: 'web' }, call());
    const dead = nodes.filter((node) => node.state === 'terminated');
    expect(dead).toHaveLength(1);
    expect(dead[0]!.zone).toBe('us-east-1b');
    expect(world.groupHealthyCount('web')).toBe(3);
    expect(timeline[0]).toMatchObject({ kind: 'world.nodeFailure', zone: 'us-east-1b', detail: `1 node(s) of web died: ${dead[0]!.id}` });
  });

  it('kills at most the running nodes there are, and skips dead ones', async () => {
    const { at, world } = simFixture({
      events: [
        { at: 10, kind: 'nodeFailure', group: 'web', count: 3 },
        { at: 20, kind: 'nodeFailure', group: 'web', count: 3 },
      ],
    });
    await at(10);
    expect(world.groupHealthyCount('web')).toBe(1);
    await at(20);
    expect(world.groupHealthyCount('web')).toBe(0);
  });

  it('picks the same victims for the same seed and others for another', async () => {
    const victims = async (seed: number) => {
      const { at, aws, call } = simFixture({ seed, events: [{ at: 1, kind: 'nodeFailure', group: 'web', count: 2 }] });
      await at(1);
      return (await aws.listNodes({ group: 'web', states: ['terminated'] }, call())).map((node) => node.id).join();
    };
    expect(await victims(1)).toBe(await victims(1));
    const seen = new Set<string>();
    for (let seed = 0; seed < 8; seed++) seen.add(await victims(seed));
    expect(seen.size).toBeGreaterThan(1);
  });
});
