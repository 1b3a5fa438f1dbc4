import { afterEach, describe, expect, it } from 'vitest';
import { isPartialListing, type PartialListingError } from '../../../src/core/contract/PartialListingError.js';
import type { DatabaseInstance, Node } from '../../../src/core/contract/types.js';
import type { Topology } from '../../../src/apps/replay/scenario/Scenario.js';
import { parseNodeId } from '../../../adapters/gcp/gceNames.js';
import { CANARY_TOKEN, gcpTopology, gcpWire, PROJECT, type GcpWire } from './gcpFixture.js';

const opts = () => ({ signal: AbortSignal.timeout(20_000) });

/** gcpTopology plus a cross-region replica of `orders`, so that a region's loss leaves something listed. */
function twoRegionTopology(): Topology {
  const base = gcpTopology();
  const [orders] = base.databases;
  return {
    ...base,
    databases: [
      {
        ...orders!,
        replicas: [...orders!.replicas, { id: 'orders-e', provider: 'gcp', region: 'europe-west1', zone: 'europe-west1-b', lagSeconds: 4, mode: 'async' }],
      },
    ],
  };
}

async function rejection(pending: Promise<unknown>): Promise<unknown> {
  return pending.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** Runs `call` while virtual time moves in steps of `stepMs`, up to `maxMs`; resolves with its outcome. */
async function whileTimeMoves<T>(wire: GcpWire, call: Promise<T>, maxMs: number, stepMs = 1_000): Promise<{ value?: T; error?: unknown; elapsedMs: number }> {
  const start = wire.clock.now();
  let settled: { value?: T; error?: unknown } | undefined;
  call.then(
    (value) => (settled = { value }),
    (error: unknown) => (settled = { error }),
  );
  while (settled === undefined && wire.clock.now() - start < maxMs) await wire.advance(stepMs);
  for (let i = 0; i < 100 && settled === undefined; i++) await new Promise((resolve) => setImmediate(resolve));
  return { ...settled, elapsedMs: wire.clock.now() - start };
}

describe('gcp adapter against the strict emulator: what an outage looks like', () => {
  let wire: GcpWire;
  afterEach(async () => wire?.close());

  describe('partial listings', () => {
    it('a zone Compute cannot reach: listNodes rejects with a PartialListingError carrying the rest and the zone', async () => {
      wire = await gcpWire({ strict: true });
      const before = await wire.provider.listNodes({ region: 'us-central1' }, opts());
      expect(before.filter((node) => node.zone === 'us-central1-a')).toHaveLength(3);
      await wire.apply([{ kind: 'impair', zone: 'us-central1-a', mode: 'unreachable', errorRate: 0 }]);

      const error = await rejection(wire.provider.listNodes({ region: 'us-central1' }, opts()));
      expect(isPartialListing(error)).toBe(true);
      const partial = error as PartialListingError<Node>;
      expect(partial).toMatchObject({ kind: 'retryable', provider: 'gcp', operation: 'listNodes', unreachable: { zones: ['us-central1-a'], regions: [] } });
      expect(partial.listed.map((node) => node.zone).sort()).toEqual(['us-central1-b', 'us-central1-b']);
      // A listing that does not cover the unreachable zone is complete.
      expect(await wire.provider.listNodes({ region: 'us-central1', zone: 'us-central1-b' }, opts())).toHaveLength(2);
      expect(await wire.provider.listNodes({ region: 'europe-west1' }, opts())).toEqual([]);
      // A zone listed on its own fails outright, as the zone's API cannot answer.
      expect(await rejection(wire.provider.listNodes({ zone: 'us-central1-a' }, opts()))).toMatchObject({ kind: 'retryable', status: 503 });
    });

    it('a region Cloud SQL cannot reach: listDatabases rejects with what it listed and the region (REGION_UNREACHABLE)', async () => {
      wire = await gcpWire({ strict: true, topology: twoRegionTopology() });
      await wire.apply([{ kind: 'impairRegion', region: 'us-central1', mode: 'power', errorRate: 0 }]);
      const error = await rejection(wire.provider.listDatabases({}, opts()));
      expect(isPartialListing(error)).toBe(true);
      const partial = error as PartialListingError<DatabaseInstance>;
      expect(partial.unreachable).toEqual({ zones: [], regions: ['us-central1'] });
      expect(partial.listed.map((db) => db.id)).toEqual(['orders-e']);
      // The region that answered is complete on its own.
      expect((await wire.provider.listDatabases({ region: 'europe-west1' }, opts())).map((db) => db.id)).toEqual(['orders-e']);
      // Compute cannot reach any zone of a lost region either.
      expect(await rejection(wire.provider.listNodes({ region: 'us-central1' }, opts()))).toMatchObject({ unreachable: { zones: ['us-central1-a', 'us-central1-b', 'us-central1-c'] } });
    });

    it('a get about an unreachable zone (Compute) or region (Cloud SQL) fails 503 as the listing does, before the world is asked', async () => {
      wire = await gcpWire({ strict: true, topology: twoRegionTopology() });
      const [node] = await wire.provider.listNodes({ zone: 'us-central1-a' }, opts());
      const get = (path: string) => fetch(`http://${wire.emulator.host}:${wire.emulator.port}${path}`, { headers: { authorization: `Bearer ${CANARY_TOKEN}` } });
      const computeGet = `/compute/v1/projects/${PROJECT}/zones/us-central1-a/instances/${parseNodeId(node!.id)!.name}`;
      expect((await get(computeGet)).status).toBe(200);
      expect((await get(`/v1/projects/${PROJECT}/instances/orders`)).status).toBe(200);
      await wire.apply([{ kind: 'impairRegion', region: 'us-central1', mode: 'unreachable', errorRate: 0 }]);
      const reads = wire.world.calls.length;
      expect((await get(computeGet)).status).toBe(503);
      expect((await get(`/v1/projects/${PROJECT}/instances/orders`)).status).toBe(503);
      expect(wire.world.calls.length).toBe(reads);
      // Another region's instance still answers.
      expect((await get(`/v1/projects/${PROJECT}/instances/orders-e`)).status).toBe(200);
    });

    it('a zone without power is still listed by Compute (its instances stopped): only a network cut hides it', async () => {
      wire = await gcpWire({ strict: true });
      await wire.apply([{ kind: 'impair', zone: 'us-central1-a', mode: 'power', errorRate: 0 }]);
      const nodes = await wire.provider.listNodes({ region: 'us-central1' }, opts());
      expect(nodes.filter((node) => node.zone === 'us-central1-a').map((node) => node.state)).toEqual(['stopped', 'stopped', 'stopped']);
    });
  });

  describe('operations take time (virtual)', () => {
    it('a create waits for its zonal operation to be DONE, 20 s of the world\'s clock later', async () => {
      wire = await gcpWire({ strict: true });
      const provider = wire.track(wire.provider);
      const outcome = await whileTimeMoves(wire, provider.createNode({ name: 'late', region: 'us-central1', zone: 'us-central1-c', clientToken: 'late-1' }, opts()), 60_000);
      expect(outcome.error).toBeUndefined();
      expect(outcome.value?.extra).toMatchObject({ operationStatus: 'DONE' });
      expect(outcome.elapsedMs).toBeGreaterThanOrEqual(20_000);
      expect(outcome.elapsedMs).toBeLessThan(30_000);
    });

    it('a stockout is an error of the zonal operation, not of the insert: the create fails retryable with ZONE_RESOURCE_POOL_EXHAUSTED', async () => {
      wire = await gcpWire({ strict: true, emulator: { stockouts: () => ['us-central1-c'] } });
      const provider = wire.track(wire.provider);
      const outcome = await whileTimeMoves(wire, provider.createNode({ name: 'nope', region: 'us-central1', zone: 'us-central1-c', clientToken: 'nope-1' }, opts()), 60_000);
      expect(outcome.error).toMatchObject({ kind: 'retryable', code: 'ZONE_RESOURCE_POOL_EXHAUSTED', operation: 'createNode' });
      expect(wire.emulator.requestsFor('instances.insert')).toBe(1);
      expect(wire.emulator.requestsFor('zoneOperations.wait')).toBeGreaterThanOrEqual(1);
      // Nothing was made.
      expect((await provider.listNodes({ zone: 'us-central1-c' }, opts())).length).toBe(0);
    });

    it('Cloud SQL operations run for minutes: a promotion is accepted (RUNNING) once operationWaitMs is spent, and DONE later', async () => {
      wire = await gcpWire({ strict: true });
      const provider = wire.track(wire.provider);
      const outcome = await whileTimeMoves(wire, provider.promoteReplica('orders-b', opts()), 60_000);
      expect(outcome.error).toBeUndefined();
      expect(outcome.elapsedMs).toBeGreaterThanOrEqual(10_000);
      expect(outcome.elapsedMs).toBeLessThan(20_000);
      expect(wire.emulator.requestsFor('sql.operations.get')).toBeGreaterThanOrEqual(5);
    });
  });

  describe('refusals the service makes', () => {
    it('stopping a Cloud SQL read replica (activation policy NEVER) is refused, and the world is never asked', async () => {
      wire = await gcpWire({ strict: true });
      const error = await rejection(wire.provider.stopDatabase('orders-b', opts()));
      expect(error).toMatchObject({ kind: 'invalid-input', status: 400, code: 'invalidFlagValue' });
      expect(wire.world.calls.some((call) => call.operation === 'stopDatabase')).toBe(false);
    });

    it('a PostgreSQL 16 replica that names no edition gets Enterprise Plus, where its custom tier is refused; the adapter copies the edition', async () => {
      wire = await gcpWire({ strict: true });
      const body = { name: 'orders-x', masterInstanceName: 'p:orders', region: 'us-central1', databaseVersion: 'POSTGRES_16', settings: { tier: 'db-custom-2-7680' } };
      const refused = await fetch(`${wire.emulator.endpoint}/v1/projects/p/instances`, {
        method: 'POST',
        headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain('ENTERPRISE_PLUS');
      const provider = wire.track(wire.provider);
      const outcome = await whileTimeMoves(wire, provider.createReplica({ source: 'orders', id: 'orders-y', region: 'us-central1', zone: 'us-central1-c' }, opts()), 60_000);
      expect(outcome.error).toBeUndefined();
      expect(outcome.value).toMatchObject({ id: 'orders-y', state: 'creating' });
    });

    it('a request without a bearer token, or with a malformed one, is refused 401 before any API sees it', async () => {
      wire = await gcpWire({ strict: true });
      const url = `${wire.emulator.endpoint}/v1/projects/p/instances`;
      const none = await fetch(url);
      expect(none.status).toBe(401);
      expect(await none.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
      expect((await fetch(url, { headers: { authorization: 'Basic dXNlcjpwYXNz' } })).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: 'Bearer two words' } })).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: 'Bearer ya29.a0AfH6SMB-token_value' } })).status).toBe(200);
      expect(wire.world.calls.filter((call) => call.operation === 'listDatabases')).toHaveLength(1);
    });
  });
});

describe('Cloud Monitoring as strict as the service: sampled once a minute, visible two minutes later', () => {
  let wire: GcpWire;
  afterEach(async () => wire?.close());

  it('a replica cut off shows the lag of before for the visibility delay, then replica_lag -1: disconnected, lag unknown', async () => {
    wire = await gcpWire({ strict: true });
    const provider = wire.track(wire.provider);
    const replica = async () => (await provider.listDatabases({ ids: ['orders-b'] }, opts()))[0]!.replication;
    // The replicas there at the start have a history (the world starts in a steady state): streaming, lag 2 s.
    expect(await replica()).toMatchObject({ state: 'streaming', lagSeconds: 2 });
    await wire.apply([{ kind: 'impair', zone: 'us-central1-a', mode: 'unreachable', errorRate: 0 }]);
    await wire.advance(60_000);
    // Sampled after the cut, not visible yet: the last visible sample still streams.
    expect(await replica()).toMatchObject({ state: 'streaming', lagSeconds: 2 });
    for (let i = 0; i < 3; i++) {
      await wire.advance(60_000);
      await replica();
    }
    expect(await replica()).toMatchObject({ state: 'disconnected', lagSeconds: null });
  });
});
