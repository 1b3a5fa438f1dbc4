import { describe, expect, it } from 'vitest';
import { PartialListingError } from '../../../src/core/contract/PartialListingError.js';
import type { Provider } from '../../../src/core/contract/Provider.js';
import { CallGate } from '../../../src/core/controller/CallGate.js';
import { ControlPlaneReader } from '../../../src/core/controller/ControlPlaneReader.js';
import { DEFAULT_POLICY } from '../../../src/core/controller/Policy.js';
import { simFixture } from '../../adapters/sim/simFixture.js';

/**
 * The sim world's `aws` provider, whose listings of us-east-1 answer
 * partially while `unreachable` names a zone: the zone's resources are left
 * out and the listing says so, as Compute's `unreachables` and Cloud SQL's
 * `REGION_UNREACHABLE` do. Everything else is the world's own answer.
 */
function partialProvider(inner: Provider, unreachable: { zone?: string }): Provider {
  const partial = async <T extends { zone: string }>(all: Promise<T[]>): Promise<T[]> => {
    const items = await all;
    const zone = unreachable.zone;
    if (zone === undefined) return items;
    throw new PartialListingError(`zone ${zone} unreachable`, items.filter((each) => each.zone !== zone), { zones: [zone], regions: [] });
  };
  return Object.assign(Object.create(inner) as Provider, {
    listNodes: (filter: Parameters<Provider['listNodes']>[0], options: Parameters<Provider['listNodes']>[1]) => partial(inner.listNodes(filter, options)),
    listDatabases: (filter: Parameters<Provider['listDatabases']>[0], options: Parameters<Provider['listDatabases']>[1]) =>
      partial(inner.listDatabases(filter, options)),
  });
}

async function setup() {
  const { world, clock } = simFixture();
  const unreachable: { zone?: string } = {};
  const providers = new Map<string, Provider>([['aws', partialProvider(world.provider('aws'), unreachable)]]);
  const gate = new CallGate(DEFAULT_POLICY, () => 0.5);
  const reader = new ControlPlaneReader(providers, [{ provider: 'aws', region: 'us-east-1' }], clock, DEFAULT_POLICY, gate);
  const signal = new AbortController().signal;
  const read = async () => {
    await reader.startReadsIfDue(signal, clock.now(), true);
    await reader.settled();
    // The next read is due after suspectObserveInterval.
    await clock.runUntil(clock.now() + DEFAULT_POLICY.suspectObserveInterval * 1000);
  };
  return { world, clock, reader, unreachable, read, gate, signal };
}

describe('ControlPlaneReader with partial listings', () => {
  it('keeps the last picture of an unreachable zone as unknown, and takes the rest of the listing in', async () => {
    const { reader, unreachable, read, world, signal, clock } = await setup();
    await read();
    const full = reader.listings();
    expect(full.allDatabases.find((db) => db.id === 'orders')).toMatchObject({ role: 'primary', state: 'available', zone: 'us-east-1a' });
    expect(full.allNodes.filter((n) => n.zone === 'us-east-1a')).toHaveLength(2);

    // A node stopped in a zone that still answers: the partial listing must bring that news in.
    const inB = full.allNodes.find((n) => n.zone === 'us-east-1b')!;
    await world.provider('aws').stopNode(inB.id, { signal });
    await clock.runUntil(clock.now() + 60_000);

    unreachable.zone = 'us-east-1a';
    await read();
    const partial = reader.listings();
    // Not gone: the primary stays, as unknown, with its role; the replica's stale stream is not evidence any more.
    const primary = partial.allDatabases.find((db) => db.id === 'orders');
    expect(primary).toMatchObject({ role: 'primary', state: 'unknown', zone: 'us-east-1a', extra: { listing: 'unreachable' } });
    const nodesInA = partial.allNodes.filter((n) => n.zone === 'us-east-1a');
    expect(nodesInA).toHaveLength(2);
    for (const node of nodesInA) expect(node).toMatchObject({ state: 'unknown', extra: { listing: 'unreachable' } });
    // What was listed is fresh.
    expect(partial.allNodes.find((n) => n.id === inB.id)?.state).toBe('stopped');
    expect(partial.allDatabases.find((db) => db.id === 'orders-b')?.state).toBe('available');

    // A second partial read keeps the same objects: nothing downstream sees a change.
    await read();
    expect(reader.listings()).toBe(partial);

    // Reachable again: the world's own answer replaces the kept picture.
    delete unreachable.zone;
    await read();
    expect(reader.listings().allDatabases.find((db) => db.id === 'orders')?.state).toBe('available');
  });

  it('forgets what is missing from a zone that answered (absence there is news)', async () => {
    const { reader, unreachable, read, world, signal, clock } = await setup();
    await read();
    const inB = reader.listings().allNodes.find((n) => n.zone === 'us-east-1b')!;
    await world.provider('aws').destroyNode(inB.id, { signal });
    await clock.runUntil(clock.now() + 60_000);
    unreachable.zone = 'us-east-1a';
    await read();
    expect(reader.listings().allNodes.some((n) => n.id === inB.id && n.state !== 'terminated')).toBe(false);
  });

  it('counts a partial listing as answered: the region is not backed off', async () => {
    const { reader, unreachable, read, gate, clock } = await setup();
    unreachable.zone = 'us-east-1a';
    await read();
    expect(gate.admit(CallGate.scope('aws', 'us-east-1', false), clock.now())).toBeUndefined();
    expect(reader.listings().allDatabases.map((db) => db.id)).not.toContain('orders');
  });
});

describe('ControlPlaneReader locations', () => {
  it('tries a locations read that failed again after suspectObserveInterval, not in every round, and refreshes a full one after ten minutes', async () => {
    const { world, clock } = simFixture();
    const inner = world.provider('aws');
    const failing = { now: true };
    const provider = Object.assign(Object.create(inner) as Provider, {
      listLocations: (options: Parameters<Provider['listLocations']>[0]) => (failing.now ? Promise.reject(new Error('control plane down')) : inner.listLocations(options)),
    });
    const reader = new ControlPlaneReader(new Map([['aws', provider]]), [{ provider: 'aws', region: 'us-east-1' }], clock, DEFAULT_POLICY, new CallGate(DEFAULT_POLICY, () => 0.5));
    const signal = new AbortController().signal;
    const retryMs = DEFAULT_POLICY.suspectObserveInterval * 1000;
    expect(reader.locationsDue(clock.now())).toBe(true);
    await reader.readLocations(signal);
    const failedAt = clock.now();
    expect(reader.regionsByProvider.get('aws')).toBeUndefined();
    // The next probe rounds come well within the retry interval: none of them reads again.
    expect(reader.locationsDue(failedAt + 500)).toBe(false);
    expect(reader.locationsDue(failedAt + retryMs - 1)).toBe(false);
    expect(reader.locationsDue(failedAt + retryMs)).toBe(true);

    failing.now = false;
    await clock.runUntil(failedAt + retryMs);
    await reader.readLocations(signal);
    const readAt = clock.now();
    expect(reader.regionsByProvider.get('aws')?.map((r) => r.id)).toEqual(['us-east-1']);
    expect(reader.locationsDue(readAt + retryMs)).toBe(false);
    expect(reader.locationsDue(readAt + 600_000)).toBe(true);
  });
});
