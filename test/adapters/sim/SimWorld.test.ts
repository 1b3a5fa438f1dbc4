import { describe, expect, it } from 'vitest';
import { SimWorld } from '../../../adapters/sim/index.js';
import { VirtualClock } from '../../../src/core/clock/VirtualClock.js';
import type { ScenarioEvent } from '../../../src/apps/replay/scenario/Scenario.js';
import { simFixture } from './simFixture.js';

describe('SimWorld: the world at t = 0', () => {
  it('runs each group with deterministic node ids, tagged with group and size', async () => {
    const { aws, call } = simFixture();
    const nodes = await aws.listNodes({ group: 'web' }, call());
    expect(nodes.map((node) => node.id)).toEqual(['web-us-east-1a-1', 'web-us-east-1a-2', 'web-us-east-1b-1', 'web-us-east-1b-2']);
    for (const node of nodes) {
      expect(node).toMatchObject({ state: 'running', group: 'web', size: 'm5.large', provider: 'aws', region: 'us-east-1' });
      expect(node.endpoint).toBe(`sim://${node.id}`);
    }
  });

  it('has each database as a primary named after it, with replicas streaming at their base lag', async () => {
    const { aws, call } = simFixture();
    const instances = await aws.listDatabases({ cluster: 'orders' }, call());
    const byId = new Map(instances.map((db) => [db.id, db]));
    expect(byId.get('orders')).toMatchObject({ cluster: 'orders', role: 'primary', state: 'available', zone: 'us-east-1a', engine: 'postgres' });
    expect(byId.get('orders')!.replication).toBeUndefined();
    expect(byId.get('orders-s')!.replication).toEqual({ upstream: 'orders', mode: 'sync', state: 'streaming', lagSeconds: 0, lastContactSeconds: 0 });
    expect(byId.get('orders-b')!.replication).toEqual({ upstream: 'orders', mode: 'async', state: 'streaming', lagSeconds: 2, lastContactSeconds: 0 });
    expect(byId.get('orders-w')!.replication).toMatchObject({ lagSeconds: 8, state: 'streaming' });
    for (const db of instances) expect(db.state).toBe('available');
  });

  it('reports every zone available, and lists regions with their zones', async () => {
    const { aws, call } = simFixture();
    const zones = await aws.zoneStatus({}, call());
    expect(zones.map((zone) => [zone.id, zone.status])).toEqual([
      ['us-east-1a', 'available'],
      ['us-east-1b', 'available'],
      ['us-east-1c', 'available'],
      ['us-west-2a', 'available'],
      ['us-west-2b', 'available'],
    ]);
    const regions = await aws.listLocations(call());
    expect(regions.map((region) => [region.id, region.zones.length])).toEqual([
      ['us-east-1', 3],
      ['us-west-2', 2],
    ]);
  });

  it('offers generic sizes and the sizes its groups use, with illustrative prices', async () => {
    const { aws, call } = simFixture();
    const sizes = await aws.listSizes({ region: 'us-east-1' }, call());
    expect(sizes.map((size) => size.id)).toEqual(['sim.small', 'sim.medium', 'sim.large', 'm5.large']);
    for (const size of sizes) {
      expect(typeof size.pricePerHour).toBe('number');
      expect(size.priceSource).toMatch(/illustrative/);
    }
  });

  it('gives ground truth: healthy group members and writable primaries', () => {
    const { world } = simFixture();
    expect(world.groupHealthyCount('web')).toBe(4);
    expect(world.groupHealthyCount('nope')).toBe(0);
    expect(world.writablePrimaries('orders')).toEqual(['orders']);
    expect(world.calls).toEqual([]);
    expect(world.promotions).toEqual([]);
  });

  it('hands out one adapter per provider and refuses unknown ones', () => {
    const { world } = simFixture();
    expect(world.provider('aws')).toBe(world.provider('aws'));
    expect(world.providers().map((provider) => provider.id)).toEqual(['aws', 'gcp']);
    expect(() => world.provider('azure')).toThrow(/no provider azure/);
    expect(Object.values(world.provider('aws').capabilities).every(Boolean)).toBe(true);
  });

  it('refuses a topology naming a zone outside the group region', () => {
    expect(
      () =>
        new SimWorld({
          clock: new VirtualClock(),
          topology: {
            providers: [{ id: 'aws', latency: {}, regions: [{ id: 'r', zones: ['z1'] }, { id: 'q', zones: ['z2'] }] }],
            groups: [{ id: 'web', provider: 'aws', region: 'r', nodes: { z2: 1 }, minHealthy: 1 }],
            databases: [],
          },
        }),
    ).toThrow(/z2 is not a zone of aws r/);
  });

  it('refuses events naming unknown zones, before scheduling any', () => {
    const { world, clock } = simFixture();
    const events: ScenarioEvent[] = [
      { at: 1, index: 0, kind: 'impair', zone: 'us-east-1a', mode: 'unreachable', errorRate: 0.5 },
      { at: 2, index: 1, kind: 'impair', zone: 'mars-1a', mode: 'unreachable', errorRate: 0.5 },
    ];
    expect(() => world.scheduleEvents(events)).toThrow(/events\[1\].*unknown zone mars-1a/);
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('drops events after the scenario duration', async () => {
    const clock = new VirtualClock();
    const world = new SimWorld({
      clock,
      durationSeconds: 100,
      topology: {
        providers: [{ id: 'aws', latency: {}, regions: [{ id: 'r', zones: ['z1'] }] }],
        groups: [{ id: 'web', provider: 'aws', region: 'r', nodes: { z1: 1 }, minHealthy: 1 }],
        databases: [],
      },
    });
    world.scheduleEvents([
      { at: 50, index: 0, kind: 'nodeFailure', group: 'web', count: 1 },
      { at: 150, index: 1, kind: 'impair', zone: 'z1', mode: 'power', errorRate: 0.5 },
    ]);
    await clock.runUntil(200_000);
    expect(world.groupHealthyCount('web')).toBe(0);
    const node = (await world.provider('aws').listNodes({}, { signal: new AbortController().signal }))[0]!;
    expect(node.state).toBe('terminated');
  });

  it('applies events with equal `at` in the given order', async () => {
    const { at, world, timeline } = simFixture({
      events: [
        { at: 10, kind: 'impair', zone: 'us-east-1a', mode: 'unreachable', errorRate: 0.5 },
        { at: 10, kind: 'recover', zone: 'us-east-1a' },
      ],
    });
    await at(10);
    expect(timeline.map((entry) => entry.kind)).toEqual(['world.impair', 'world.recover']);
    expect(world.groupHealthyCount('web')).toBe(4);
  });
});

describe('SimWorld: determinism', () => {
  const scenario = async (seed: number) => {
    const fixture = simFixture({
      seed,
      events: [
        { at: 5, kind: 'impair', zone: 'us-east-1b', mode: 'degraded', errorRate: 0.5 },
        { at: 10, kind: 'nodeFailure', group: 'web', count: 2 },
        { at: 12, kind: 'apiFault', provider: 'aws', operations: ['createNode'], fault: 'error', rate: 0.5 },
      ],
    });
    const { aws, call, at, probe, node } = fixture;
    const outcomes: string[] = [];
    for (let t = 0; t < 60; t += 3) {
      await at(t);
      const round = await probe(['web-us-east-1b-1', 'web-us-east-1b-2'].map(node));
      outcomes.push(round.map((result) => result.failure ?? 'ok').join(','));
      await aws.createNode({ name: 'extra', region: 'us-east-1' }, call()).then(
        (created) => outcomes.push(created.zone),
        (error: Error) => outcomes.push(error.message),
      );
    }
    const states = (await aws.listNodes({}, call())).map((each) => `${each.id}:${each.state}:${each.zone}`);
    return { outcomes, states, calls: JSON.stringify(fixture.world.calls), timeline: JSON.stringify(fixture.timeline) };
  };

  it('gives the same world for the same seed and calls', async () => {
    expect(await scenario(3)).toEqual(await scenario(3));
  });

  it('draws differently with another seed', async () => {
    const [a, b] = [await scenario(3), await scenario(4)];
    expect(a.outcomes).not.toEqual(b.outcomes);
  });
});
