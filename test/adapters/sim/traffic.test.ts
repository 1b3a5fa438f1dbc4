import { describe, expect, it } from 'vitest';
import { isInvalidInput, isProviderError, isTerminal, isTimeout } from '../../../src/core/contract/errors.js';
import type { Topology } from '../../../src/apps/replay/scenario/Scenario.js';
import { simFixture } from './simFixture.js';

/** us-east-1 a/b/c; `web` (2 nodes in a, 2 in b) behind `web-lb`; `orders` (primary in a, async `orders-b` 2 s behind in b) behind `orders.db`. */
function trafficTopology(options: { ttlSeconds?: number; writes?: number } = {}): Topology {
  return {
    providers: [{ id: 'aws', latency: {}, regions: [{ id: 'us-east-1', zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] }] }],
    groups: [{ id: 'web', provider: 'aws', region: 'us-east-1', nodes: { 'us-east-1a': 2, 'us-east-1b': 2 }, minHealthy: 4 }],
    databases: [
      {
        id: 'orders',
        primary: { provider: 'aws', region: 'us-east-1', zone: 'us-east-1a' },
        replicas: [{ id: 'orders-b', provider: 'aws', region: 'us-east-1', zone: 'us-east-1b', lagSeconds: 2, mode: 'async' }],
        writes: options.writes ?? 10,
        endpoint: { provider: 'aws', name: 'orders.db', ttlSeconds: options.ttlSeconds ?? 30 },
      },
    ],
    loadBalancers: [{ id: 'web-lb', provider: 'aws', region: 'us-east-1', group: 'web' }],
  };
}

const failure = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error);

describe('sim: writer endpoints', () => {
  it('resolve to the primary at first; updateEndpoint is listed as pending at once and served after 30 s; repeating it is a no-op', async () => {
    const { at, aws, call, world, timeline } = simFixture({ topology: trafficTopology() });
    await at(10);
    expect(await aws.listEndpoints!({}, call())).toEqual([
      { name: 'orders.db', provider: 'aws', database: 'orders', target: 'orders', ttlSeconds: 30, extra: {} },
    ]);
    await aws.updateEndpoint!('orders.db', 'orders-b', call());
    await at(20);
    await aws.updateEndpoint!('orders.db', 'orders-b', call());
    expect((await aws.listEndpoints!({ database: 'orders' }, call()))[0]).toMatchObject({ target: 'orders', pendingTarget: 'orders-b' });
    await at(40);
    const [endpoint] = await aws.listEndpoints!({ names: ['orders.db'] }, call());
    expect(endpoint).toMatchObject({ target: 'orders-b' });
    expect(endpoint!.pendingTarget).toBeUndefined();
    expect(timeline.filter((e) => e.kind === 'world.endpointServed').map((e) => e.t)).toEqual([40]);
    expect(world.calls.filter((c) => c.operation === 'updateEndpoint').map((c) => [c.target, c.zone, c.mutating, c.result])).toEqual([
      ['orders.db', 'us-east-1b', true, 'ok'],
      ['orders.db', 'us-east-1b', true, 'ok'],
    ]);
  });

  it('refuses an unknown endpoint, an unknown instance and an instance of another database (invalid-input)', async () => {
    const topology = trafficTopology();
    const { aws, call } = simFixture({
      topology: {
        ...topology,
        databases: [...topology.databases, { id: 'users', primary: { provider: 'aws', region: 'us-east-1', zone: 'us-east-1c' }, replicas: [], writes: 0 }],
      },
    });
    for (const attempt of [
      aws.updateEndpoint!('nope.db', 'orders-b', call()),
      aws.updateEndpoint!('orders.db', 'ghost', call()),
      aws.updateEndpoint!('orders.db', 'users', call()),
    ]) {
      expect(isInvalidInput(await failure(attempt))).toBe(true);
    }
  });

  it('measures what clients saw: unavailable while their answer cannot take writes, falling linearly over the TTL after the change is served', async () => {
    const { at, aws, call, world } = simFixture({
      topology: trafficTopology({ ttlSeconds: 30 }),
      events: [{ at: 100, kind: 'impair', zone: 'us-east-1a', mode: 'unreachable', errorRate: 0.5 }],
    });
    await at(110);
    await aws.promoteReplica('orders-b', call()); // writable at 140
    await at(140);
    await aws.updateEndpoint!('orders.db', 'orders-b', call()); // served at 170, every client follows by 200
    await at(400);
    const truth = world.clientTruth().databases.get('orders')!;
    // Nobody can write from 100 to 170 (70 s), then the share falls from 1 to 0 over 30 s (15 s).
    expect(truth.endpoint!.incidents).toEqual([{ from: 100, to: 200, seconds: 85 }]);
    expect(truth.endpoint!.answers).toEqual([
      { from: 0, target: 'orders' },
      { from: 170, target: 'orders-b' },
    ]);
    expect(truth.chosenPrimary).toBe('orders-b');
    // The primary was cut off at 100 while orders-b had replayed up to 98: 2 s of writes at 10/s never reached the new primary.
    expect(truth.divergedWrites).toBeCloseTo(20, 9);
  });

  it('counts writes the old primary acknowledged after its successor forked off as diverged, and an answer pointing at a fenced instance', async () => {
    const { at, aws, call, world } = simFixture({ topology: trafficTopology({ writes: 10 }) });
    await at(10);
    await aws.promoteReplica('orders-b', call()); // writable at 40, having replayed up to 38
    await at(100);
    await aws.stopDatabase('orders', call()); // the endpoint still answers orders: fenced while orders-b takes writes
    await at(130);
    const truth = world.clientTruth().databases.get('orders')!;
    expect(truth.splitBrains).toEqual([{ from: 40, to: 100 }]);
    // Clients wrote 1,000 writes to orders until it was fenced; orders-b holds those up to stamp 38.
    expect(truth.divergedWrites).toBeCloseTo(620, 9);
    expect(truth.endpoint!.fencedAnswers).toEqual([{ from: 100, to: 130, instance: 'orders' }]);
    expect(truth.endpoint!.incidents).toEqual([{ from: 100, to: 130, seconds: 30 }]);
  });
});

describe('sim: load balancers', () => {
  it('fail the share of requests sent to a zone whose nodes do not answer, until the zone is shifted away (after 60 s) and again once the shift expires', async () => {
    const { at, aws, call, world, timeline } = simFixture({
      topology: trafficTopology(),
      events: [
        { at: 100, kind: 'impair', zone: 'us-east-1a', mode: 'unreachable', errorRate: 0.5 },
        { at: 100, kind: 'observerPartition', zone: 'us-east-1b' },
      ],
    });
    await at(110);
    const zonesNow = async () => (await aws.listLoadBalancers!({ region: 'us-east-1' }, call()))[0]!.zones;
    // The load balancer's own health checks: the cut-off zone answers nothing; the observer's partition does not matter to it.
    expect(await zonesNow()).toEqual([
      { zone: 'us-east-1a', inRotation: true, healthyTargets: 0, targets: 2 },
      { zone: 'us-east-1b', inRotation: true, healthyTargets: 2, targets: 2 },
    ]);
    await aws.shiftTraffic!({ loadBalancer: 'web-lb', zone: 'us-east-1a', away: true, expiresInSeconds: 600 }, call());
    expect((await zonesNow())[0]).toEqual({ zone: 'us-east-1a', inRotation: true, shift: { expiresAt: 710_000 }, healthyTargets: 0, targets: 2 });
    await at(170);
    expect((await zonesNow())[0]!.inRotation).toBe(false);
    await at(800);
    expect((await zonesNow())[0]).toEqual({ zone: 'us-east-1a', inRotation: true, healthyTargets: 0, targets: 2 });
    // Half the requests fail from 100 to 170 (35 s) and again from the expiry at 710 to 800 (45 s).
    expect(world.clientTruth().requestErrorSeconds.get('web-lb')).toBeCloseTo(80, 9);
    expect(timeline.filter((e) => e.kind.startsWith('world.traffic')).map((e) => [e.t, e.kind])).toEqual([
      [170, 'world.trafficShifted'],
      [710, 'world.trafficShiftExpired'],
    ]);
  });

  it('renews a shift by shifting again, puts a zone back after the latency, and refuses to take the last zone out of rotation', async () => {
    const { at, aws, call, world } = simFixture({ topology: trafficTopology() });
    const shift = (zone: string, away: boolean, expiresInSeconds?: number) =>
      aws.shiftTraffic!({ loadBalancer: 'web-lb', zone, away, ...(expiresInSeconds === undefined ? {} : { expiresInSeconds }) }, call());
    await at(10);
    await shift('us-east-1a', true, 100);
    await at(50);
    await shift('us-east-1a', true, 300); // renewal: expires at 350 now
    const refused = await failure(shift('us-east-1b', true, 100));
    expect(isTerminal(refused)).toBe(true);
    expect(String(refused)).toMatch(/no zone of web-lb in rotation/);
    expect(isInvalidInput(await failure(shift('us-east-1a', true)))).toBe(true);
    expect(isInvalidInput(await failure(shift('us-east-1c', true, 60)))).toBe(true);
    expect(isInvalidInput(await failure(shift('us-east-1a', true, 73 * 3600)))).toBe(true);
    await at(200);
    const lb = async () => (await aws.listLoadBalancers!({ ids: ['web-lb'] }, call()))[0]!;
    expect((await lb()).zones[0]).toMatchObject({ inRotation: false, shift: { expiresAt: 350_000 } });
    await shift('us-east-1a', false);
    await shift('us-east-1a', false);
    expect((await lb()).zones[0]!.shift).toBeUndefined();
    await at(259);
    expect((await lb()).zones[0]!.inRotation).toBe(false);
    await at(260);
    expect((await lb()).zones[0]!.inRotation).toBe(true);
    expect(world.clientTruth().requestErrorSeconds.get('web-lb')).toBe(0);
  });

  it('are listed as the same object while nothing about them changed, as nodes and databases are (the controller caches on identity)', async () => {
    const { at, aws, call } = simFixture({
      topology: trafficTopology(),
      events: [{ at: 100, kind: 'impair', zone: 'us-east-1a', mode: 'unreachable', errorRate: 0 }],
    });
    const lb = async () => (await aws.listLoadBalancers!({ ids: ['web-lb'] }, call()))[0]!;
    await at(10);
    const calm = await lb();
    await at(90);
    expect(await lb()).toBe(calm);
    await at(110);
    const impaired = await lb();
    expect(impaired).not.toBe(calm);
    expect(impaired.zones[0]).toEqual({ zone: 'us-east-1a', inRotation: true, healthyTargets: 0, targets: 2 });
    await aws.shiftTraffic!({ loadBalancer: 'web-lb', zone: 'us-east-1a', away: true, expiresInSeconds: 600 }, call());
    const shifted = await lb();
    expect(shifted).not.toBe(impaired);
    expect(shifted.zones[0]!.shift).toEqual({ expiresAt: 710_000 });
    expect(await lb()).toBe(shifted);
  });
});

describe('sim: r2 faults and replication', () => {
  it('lostReply: the call takes effect, but the caller only ever sees a timeout', async () => {
    const { at, aws, dbNow, world } = simFixture({
      topology: trafficTopology(),
      events: [{ at: 1, kind: 'apiFault', provider: 'aws', operations: ['promoteReplica'], fault: 'lostReply', rate: 1 }],
    });
    await at(5);
    const controller = new AbortController();
    const promotion = failure(aws.promoteReplica('orders-b', { signal: controller.signal }));
    await at(20);
    controller.abort();
    const error = await promotion;
    expect(isProviderError(error) && isTimeout(error)).toBe(true);
    await at(40);
    expect(await dbNow('orders-b')).toMatchObject({ role: 'primary', state: 'available' });
    expect(world.promotions.map((p) => [p.replica, p.writableAt])).toEqual([['orders-b', 35]]);
    expect(world.calls.find((c) => c.operation === 'promoteReplica')?.result).toBe('timeout');
  });

  it('*mutating and *read fault every mutating or every read operation and nothing else', async () => {
    const { at, aws, call } = simFixture({
      topology: trafficTopology(),
      events: [
        { at: 1, kind: 'apiFault', provider: 'aws', operations: ['*mutating'], fault: 'error', rate: 1, until: 10 },
        { at: 20, kind: 'apiFault', provider: 'aws', operations: ['*read'], fault: 'throttle', rate: 1 },
      ],
    });
    await at(5);
    expect(await aws.listNodes({}, call())).toHaveLength(4);
    for (const attempt of [
      aws.updateEndpoint!('orders.db', 'orders-b', call()),
      aws.shiftTraffic!({ loadBalancer: 'web-lb', zone: 'us-east-1a', away: true, expiresInSeconds: 60 }, call()),
      aws.stopNode('web-us-east-1a-1', call()),
    ]) {
      expect(await failure(attempt)).toMatchObject({ kind: 'retryable' });
    }
    await at(25);
    await aws.stopNode('web-us-east-1a-1', call());
    for (const attempt of [aws.listEndpoints!({}, call()), aws.listLoadBalancers!({}, call()), aws.listNodes({}, call())]) {
      expect(await failure(attempt)).toMatchObject({ kind: 'throttled' });
    }
  });

  it('broken: false resumes replication: the replica catches up to its lag at once', async () => {
    const { at, dbNow } = simFixture({
      topology: trafficTopology(),
      events: [
        { at: 10, kind: 'replication', database: 'orders', replica: 'orders-b', broken: true },
        { at: 100, kind: 'replication', database: 'orders', replica: 'orders-b', broken: false },
        { at: 200, kind: 'replication', database: 'orders', replica: 'orders-b', broken: false, lagSeconds: 5 },
      ],
    });
    await at(99);
    expect((await dbNow('orders-b')).replication).toMatchObject({ state: 'broken', lagSeconds: 91 });
    await at(100);
    expect((await dbNow('orders-b')).replication).toMatchObject({ state: 'streaming', lagSeconds: 2 });
    await at(200);
    expect((await dbNow('orders-b')).replication).toMatchObject({ state: 'streaming', lagSeconds: 5 });
  });
});
