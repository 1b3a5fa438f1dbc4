import { afterEach, describe, expect, it } from 'vitest';
import type { Topology } from '../../../src/apps/replay/scenario/Scenario.js';
import { isProviderError } from '../../../src/core/contract/errors.js';
import { rejectionOf } from '../aws/captureOutput.js';
import { gcpTopology, gcpWire, type GcpWire } from './gcpFixture.js';

/**
 * A region whose read API fails while its changes still go through: every
 * change a failover needs goes out without a read, from what the adapter
 * read before (an instance's version, tier and address, the record set and
 * backend service it last saw, whose exact match Google checks so nothing
 * stale is overwritten), because the API needs nothing more.
 */
const opts = () => ({ signal: AbortSignal.timeout(20_000) });
const ENDPOINT = 'orders.db.internal.example.com';
/** The reads that the adapter's changes used to make first (operation polls are not among them). */
const READS = new Set(['sql.instances.get', 'sql.instances.list', 'dns.resourceRecordSets.list', 'regionBackendServices.get', 'backendServices.get']);

function topology(): Topology {
  const base = gcpTopology();
  return {
    ...base,
    databases: base.databases.map((db) => ({ ...db, endpoint: { provider: 'gcp', name: ENDPOINT, ttlSeconds: 30 } })),
    loadBalancers: [{ id: 'web-lb', provider: 'gcp', region: 'us-central1', group: 'web' }],
  };
}

describe('gcp adapter over the wire: changes while the region reads fail', () => {
  let wire: GcpWire;
  afterEach(async () => wire?.close());

  async function setUp(): Promise<GcpWire> {
    return gcpWire({
      adapterOnWorldClock: true,
      topology: topology(),
      adapter: {
        endpoints: [{ database: 'orders', managedZone: 'internal', name: `${ENDPOINT}.` }],
        loadBalancers: [{ id: 'web-lb', backendService: 'web-lb', group: 'web', region: 'us-central1' }],
        replicationMetrics: 'none',
      },
    });
  }

  function failReads(): void {
    wire.emulator.setFaultHook((request) => (READS.has(request.action) ? { kind: 'error', status: 503, code: 'backendError', message: 'reads are failing' } : undefined));
  }

  it('promoteReplica posts promoteReplica and reads nothing, even for an instance it never listed', async () => {
    wire = await setUp();
    failReads();
    await wire.provider.promoteReplica('orders-b', opts());
    expect(wire.emulator.requestsFor('sql.instances.promoteReplica')).toBe(1);
    expect(wire.emulator.requestsFor('sql.instances.get')).toBe(0);
    expect(wire.world.calls.filter((call) => call.mutating).map((call) => [call.operation, call.target, call.result])).toEqual([['promoteReplica', 'orders-b', 'ok']]);
  });

  it('a primary Cloud SQL refuses to promote (400) is already promoted: success, after one read to tell; a refused replica stays refused', async () => {
    wire = await setUp();
    wire.emulator.setFaultHook((request) =>
      request.action === 'sql.instances.promoteReplica' ? { kind: 'error', status: 400, code: 'invalidOperation', message: 'The instance is not a read replica.' } : undefined,
    );
    await wire.provider.promoteReplica('orders', opts());
    expect(wire.emulator.requestsFor('sql.instances.get')).toBe(1);
    const refused = await rejectionOf(wire.provider.promoteReplica('orders-b', opts()));
    expect(isProviderError(refused) && refused.status).toBe(400);
  });

  it('moves the endpoint, shifts a zone away and creates a replica from what it read before the reads failed', async () => {
    wire = await setUp();
    await wire.provider.listDatabases({}, opts());
    await wire.provider.listEndpoints!({}, opts());
    await wire.provider.listLoadBalancers!({}, opts());
    failReads();
    await wire.provider.updateEndpoint!(ENDPOINT, 'orders-b', opts());
    await wire.provider.shiftTraffic!({ loadBalancer: 'web-lb', zone: 'us-central1-a', away: true, expiresInSeconds: 1800 }, opts());
    await wire.provider.createReplica({ source: 'orders', id: 'orders-c', region: 'us-central1', zone: 'us-central1-c' }, opts());
    expect(['dns.changes.create', 'regionBackendServices.patch', 'sql.instances.insert'].map((action) => wire.emulator.requestsFor(action))).toEqual([1, 1, 1]);
    expect(wire.world.calls.filter((call) => call.mutating).map((call) => [call.operation, call.result])).toEqual([
      ['updateEndpoint', 'ok'],
      ['shiftTraffic', 'ok'],
      ['createReplica', 'ok'],
    ]);
  });

  it('a stale record set is refused by Cloud DNS (the deletion must match), never overwritten', async () => {
    wire = await setUp();
    await wire.provider.listEndpoints!({}, opts());
    // Someone else moves the endpoint after the adapter last read it; then the reads fail.
    await wire.world.provider('gcp').updateEndpoint!(ENDPOINT, 'orders-b', opts());
    failReads();
    const error = await rejectionOf(wire.provider.updateEndpoint!(ENDPOINT, 'orders', opts()));
    expect(isProviderError(error) && error.status).toBe(412);
    expect(wire.world.calls.filter((call) => call.mutating).map((call) => call.operation)).toEqual(['updateEndpoint']);
  });
});
