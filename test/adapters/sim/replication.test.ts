import { describe, expect, it } from 'vitest';
import { isTerminal } from '../../../src/core/contract/errors.js';
import { simFixture } from './simFixture.js';

const primaryZoneDown = { at: 100, kind: 'impair' as const, zone: 'us-east-1a', mode: 'unreachable' as const, errorRate: 0.5 };

describe('replication events', () => {
  it('changes an async replica lag at once, breaks it and repairs it', async () => {
    const { at, dbNow } = simFixture({
      events: [
        { at: 10, kind: 'replication', database: 'orders', replica: 'orders-b', lagSeconds: 30 },
        { at: 20, kind: 'replication', database: 'orders', replica: 'orders-b', broken: true },
        { at: 60, kind: 'replication', database: 'orders', replica: 'orders-b', broken: false },
      ],
    });
    await at(10);
    expect((await dbNow('orders-b')).replication).toMatchObject({ state: 'streaming', lagSeconds: 30, lastContactSeconds: 0 });
    await at(50);
    // Stopped advancing at 20, at position 20 - 30.
    expect((await dbNow('orders-b')).replication).toMatchObject({ state: 'broken', lagSeconds: 60, lastContactSeconds: 30 });
    await at(60);
    expect((await dbNow('orders-b')).replication).toMatchObject({ state: 'streaming', lagSeconds: 30, lastContactSeconds: 0 });
  });

  it('ignores a lag change for a sync replica', async () => {
    const { at, dbNow, timeline } = simFixture({
      events: [{ at: 10, kind: 'replication', database: 'orders', replica: 'orders-s', lagSeconds: 30 }],
    });
    await at(10);
    expect((await dbNow('orders-s')).replication).toMatchObject({ lagSeconds: 0 });
    expect(timeline[0]!.detail).toMatch(/ignored/);
  });

  it('refuses to promote a broken replica', async () => {
    const { at, aws, call } = simFixture({ events: [{ at: 0, kind: 'replication', database: 'orders', replica: 'orders-b', broken: true }] });
    await at(0);
    const error = await aws.promoteReplica('orders-b', call()).catch((e: unknown) => e);
    expect(isTerminal(error)).toBe(true);
  });
});

describe('promotion and data loss', () => {
  it('loses nothing when promoting a healthy sync replica', async () => {
    const { at, aws, call, world, timeline } = simFixture({ events: [primaryZoneDown] });
    await at(120);
    await aws.promoteReplica('orders-s', call());
    await at(149);
    expect(world.writablePrimaries('orders')).toEqual([]);
    await at(150);
    expect(world.promotions).toEqual([
      {
        cluster: 'orders',
        replica: 'orders-s',
        provider: 'aws',
        region: 'us-east-1',
        zone: 'us-east-1c',
        from: 'orders',
        requestedAt: 120,
        writableAt: 150,
        dataLossSeconds: 0,
        dataLossWrites: 0,
      },
    ]);
    expect(world.writablePrimaries('orders')).toEqual(['orders-s']);
    expect(timeline.at(-1)).toMatchObject({ t: 150, kind: 'world.promoted', database: 'orders', zone: 'us-east-1c' });
  });

  it('loses the async replica lag at the moment replication stopped, not the outage time', async () => {
    const { at, aws, call, world, dbNow, probe, db } = simFixture({ events: [primaryZoneDown] });
    await at(120);
    expect((await dbNow('orders-b')).replication!.lagSeconds).toBe(22);
    await aws.promoteReplica('orders-b', call());
    expect((await dbNow('orders-b')).state).toBe('promoting');
    await at(150);
    expect(world.promotions[0]).toMatchObject({ replica: 'orders-b', dataLossSeconds: 2, dataLossWrites: 100, writableAt: 150 });
    const promoted = await dbNow('orders-b');
    expect(promoted).toMatchObject({ role: 'primary', state: 'available' });
    expect(promoted.replication).toBeUndefined();
    expect(await probe([db('orders-b')])).toEqual([{ ok: true, writable: true, role: 'primary' }]);
  });

  it('counts what a replica missed while it was itself cut off before the primary died', async () => {
    const { at, aws, call, world } = simFixture({
      events: [
        { at: 50, kind: 'impair', zone: 'us-east-1b', mode: 'unreachable', errorRate: 0.5 },
        primaryZoneDown,
        { at: 120, kind: 'recover', zone: 'us-east-1b' },
      ],
    });
    await at(130);
    await aws.promoteReplica('orders-b', call());
    await at(160);
    // The primary committed until 100; the replica had replayed up to 50 - 2.
    expect(world.promotions[0]!.dataLossSeconds).toBe(52);
  });

  it('loses nothing after a clean fence: a stopping primary ships its last writes', async () => {
    const { at, aws, call, world, dbNow, probe, db } = simFixture();
    await at(10);
    await aws.stopDatabase('orders', call());
    expect((await dbNow('orders')).state).toBe('stopping');
    expect(world.writablePrimaries('orders')).toEqual([]);
    expect(await probe([db('orders')])).toEqual([{ ok: false, failure: 'refused' }]);
    await at(15);
    expect((await dbNow('orders-b')).replication).toMatchObject({ state: 'streaming', lagSeconds: 0 });
    await at(40);
    expect((await dbNow('orders')).state).toBe('stopped');
    expect((await dbNow('orders-b')).replication).toMatchObject({ state: 'disconnected', lastContactSeconds: 0 });
    await at(50);
    await aws.promoteReplica('orders-b', call());
    await at(80);
    expect(world.promotions[0]).toMatchObject({ replica: 'orders-b', dataLossSeconds: 0, writableAt: 80 });
  });

  it('reports split brain when a promotion leaves the old primary writable, and its end when fenced', async () => {
    const { at, aws, call, world, timeline } = simFixture();
    await at(10);
    await aws.promoteReplica('orders-b', call());
    await at(40);
    expect(world.writablePrimaries('orders')).toEqual(['orders', 'orders-b']);
    expect(world.promotions[0]!.dataLossSeconds).toBe(2);
    await at(50);
    await aws.stopDatabase('orders', call());
    expect(world.writablePrimaries('orders')).toEqual(['orders-b']);
    expect(timeline.map((entry) => [entry.t, entry.kind])).toEqual([
      [40, 'world.promoted'],
      [40, 'world.splitBrain'],
      [50, 'world.splitBrainEnded'],
    ]);
  });

  it('reports split brain when an unfenced old primary comes back after a failover', async () => {
    const { at, aws, call, world, timeline } = simFixture({
      events: [primaryZoneDown, { at: 200, kind: 'recover', zone: 'us-east-1a' }],
    });
    await at(110);
    await aws.promoteReplica('orders-s', call());
    await at(199);
    expect(world.writablePrimaries('orders')).toEqual(['orders-s']);
    await at(200);
    expect(world.writablePrimaries('orders')).toEqual(['orders', 'orders-s']);
    expect(timeline.at(-1)).toMatchObject({ t: 200, kind: 'world.splitBrain', database: 'orders' });
  });

  it('makes a fence sent into a cut-off zone bite before the old primary can take writes again', async () => {
    const { at, aws, call, world, timeline } = simFixture({
      events: [primaryZoneDown, { at: 200, kind: 'recover', zone: 'us-east-1a' }],
    });
    await at(110);
    await aws.promoteReplica('orders-s', call());
    await aws.stopDatabase('orders', call());
    await at(300);
    expect(world.writablePrimaries('orders')).toEqual(['orders-s']);
    expect(timeline.some((entry) => entry.kind === 'world.splitBrain')).toBe(false);
  });

  it('waits for a zone cut off or with stalled storage before a promotion there takes effect', async () => {
    const { at, aws, call, world, dbNow } = simFixture({
      events: [
        { at: 0, kind: 'impair', zone: 'us-east-1b', mode: 'storage', errorRate: 0.5 },
        { at: 200, kind: 'recover', zone: 'us-east-1b' },
      ],
    });
    await at(10);
    await aws.promoteReplica('orders-b', call());
    await at(229);
    expect((await dbNow('orders-b')).state).toBe('promoting');
    await at(230);
    expect(world.promotions[0]).toMatchObject({ requestedAt: 10, writableAt: 230 });
  });

  it('is idempotent: promoting twice makes one promotion; promoting a primary is a no-op', async () => {
    const { at, aws, call, world } = simFixture();
    await aws.promoteReplica('orders-b', call());
    await at(10);
    await aws.promoteReplica('orders-b', call());
    await aws.promoteReplica('orders', call());
    await at(100);
    expect(world.promotions.map((promotion) => promotion.replica)).toEqual(['orders-b']);
    expect(world.promotions[0]!.writableAt).toBe(30);
  });

  it('refuses to promote a stopped replica', async () => {
    const { at, aws, call } = simFixture();
    await aws.stopDatabase('orders-b', call());
    await at(30);
    await expect(aws.promoteReplica('orders-b', call())).rejects.toMatchObject({ kind: 'terminal', code: 'InvalidDBInstanceState' });
  });
});

describe('repointReplica and createReplica', () => {
  it('keeps other replicas on the old primary until repointed, then streams from the new one', async () => {
    const { at, aws, call, dbNow } = simFixture({ events: [primaryZoneDown] });
    await at(110);
    await aws.promoteReplica('orders-s', call());
    await at(150);
    expect((await dbNow('orders-w')).replication).toMatchObject({ upstream: 'orders', state: 'disconnected', lastContactSeconds: 50 });
    await aws.repointReplica('orders-w', 'orders-s', call());
    await at(179);
    expect((await dbNow('orders-w')).replication).toMatchObject({ upstream: 'orders-s', state: 'disconnected', lastContactSeconds: 79 });
    await at(180);
    expect((await dbNow('orders-w')).replication).toMatchObject({ upstream: 'orders-s', state: 'streaming', lagSeconds: 8, lastContactSeconds: 0 });
    await aws.repointReplica('orders-w', 'orders-s', call());
  });

  it('refuses repoints across clusters or into a cycle, and repointing a primary', async () => {
    const { aws, call } = simFixture();
    await expect(aws.repointReplica('orders-b', 'orders-b', call())).rejects.toMatchObject({ kind: 'invalid-input' });
    await expect(aws.repointReplica('orders-b', 'nope', call())).rejects.toMatchObject({ kind: 'invalid-input' });
    await expect(aws.repointReplica('orders', 'orders-b', call())).rejects.toMatchObject({ kind: 'invalid-input' });
    await aws.repointReplica('orders-w', 'orders-b', call());
    await expect(aws.repointReplica('orders-b', 'orders-w', call())).rejects.toMatchObject({ kind: 'invalid-input' });
  });

  it('creates a replica that streams after the createReplica latency', async () => {
    const { at, aws, call, dbNow } = simFixture();
    const created = await aws.createReplica({ source: 'orders', id: 'orders-x', region: 'us-west-2', zone: 'us-west-2b' }, call());
    expect(created).toMatchObject({ id: 'orders-x', cluster: 'orders', role: 'replica', state: 'creating', zone: 'us-west-2b' });
    expect(created.replication).toEqual({ upstream: 'orders', mode: 'async', state: 'disconnected', lagSeconds: null, lastContactSeconds: null });
    await at(599);
    expect((await dbNow('orders-x')).state).toBe('creating');
    await at(600);
    expect(await dbNow('orders-x')).toMatchObject({ state: 'available', replication: { state: 'streaming', lagSeconds: 1 } });
    const again = await aws.createReplica({ source: 'orders', id: 'orders-x', region: 'us-west-2' }, call());
    expect(again.id).toBe('orders-x');
    await expect(aws.createReplica({ source: 'orders-b', id: 'orders-x', region: 'us-west-2' }, call())).rejects.toMatchObject({
      kind: 'invalid-input',
      code: 'DBInstanceAlreadyExists',
    });
  });

  it('reboots a replica: it stops streaming while down', async () => {
    const { at, aws, call, dbNow } = simFixture();
    await aws.rebootDatabase('orders-b', call());
    await at(10);
    expect(await dbNow('orders-b')).toMatchObject({ state: 'rebooting', replication: { state: 'disconnected', lastContactSeconds: 10 } });
    await at(30);
    expect(await dbNow('orders-b')).toMatchObject({ state: 'available', replication: { state: 'streaming', lagSeconds: 2 } });
  });
});

describe('latency overrides', () => {
  it('follows the provider latency map for effects and reads', async () => {
    const { at, aws, call, world, nodeNow } = simFixture({ latency: { promoteReplica: 120, createNode: 5, listSizes: 2 } });
    await aws.promoteReplica('orders-s', call());
    const node = await aws.createNode({ name: 'n', region: 'us-east-1', zone: 'us-east-1c' }, call());
    let sized = false;
    const sizes = aws.listSizes({}, call()).then(() => (sized = true));
    await at(1);
    expect(sized).toBe(false);
    await at(2);
    await sizes;
    expect(world.calls.find((record) => record.operation === 'listSizes')).toMatchObject({ t: 0, doneAt: 2, result: 'ok' });
    await at(5);
    expect((await nodeNow(node.id)).state).toBe('running');
    await at(119);
    expect(world.promotions).toEqual([]);
    await at(120);
    expect(world.promotions[0]!.writableAt).toBe(120);
  });
});
