import { afterEach, describe, expect, it } from 'vitest';
import { AwsProvider } from '../../../adapters/aws/index.js';
import { EMULATOR_HOSTED_ZONE_ID, loadBalancerArn, startAwsEmulator, type FrontEndRefusal, type ServiceRecords } from '../../../adapters/emulators/index.js';
import { SimWorld } from '../../../adapters/sim/index.js';
import { awsTrafficTopology } from '../aws/awsTrafficTopology.js';
import type { Topology, ScenarioEvent } from '../../../src/apps/replay/scenario/Scenario.js';
import { VirtualClock } from '../../../src/core/clock/VirtualClock.js';
import { isProviderError, type ProviderError } from '../../../src/core/contract/errors.js';
import { rejectionOf } from '../aws/captureOutput.js';
import { gcpTopology, gcpWire, type GcpWire } from '../gcp/gcpFixture.js';

/**
 * What an emulated service looks up while it serves a change (Route 53 the
 * record a change names, ARC the load balancer, RDS and Cloud SQL the
 * instance a stop is refused for) is its own records, not an API read: with
 * the world's records view, a fault on the region's reads does not fail the
 * change, and the lookup is no call in the world's record.
 */
const opts = () => ({ signal: AbortSignal.timeout(20_000) });
const READ_FAULT = { kind: 'apiFault', operations: ['*read'], fault: 'error', rate: 1 } as const;

function isRead(call: { mutating: boolean }): boolean {
  return !call.mutating;
}

describe('AWS emulator: the services read their own records inside a change', () => {
  const NAME = 'orders.db.example.internal';
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  async function setUp(records: 'world records' | 'through the API') {
    const clock = new VirtualClock();
    const topology: Topology = awsTrafficTopology(NAME);
    const world = new SimWorld({ clock, seed: 5, topology });
    const view: ServiceRecords | undefined = records === 'world records' ? world.records('aws') : undefined;
    const refusals: FrontEndRefusal[] = [];
    const emulator = await startAwsEmulator({ provider: world.provider('aws'), ...(view === undefined ? {} : { records: view }), clock, onRefusal: (each) => refusals.push(each) });
    const adapter = new AwsProvider({
      regions: ['us-east-1'],
      endpoint: emulator.endpoint,
      credentials: { accessKeyId: 'AKIAEXAMPLERECORDS01', secretAccessKey: 'records-secret-key' },
      endpoints: [{ database: 'orders', hostedZoneId: EMULATOR_HOSTED_ZONE_ID, name: NAME }],
      loadBalancers: [{ id: 'web-lb', arn: loadBalancerArn('us-east-1', '000000000000', 'web-lb'), region: 'us-east-1', group: 'web' }],
      replicaLag: 'none',
      clock,
    });
    close = async () => {
      await adapter.close();
      await emulator.close();
    };
    // The adapter sees everything once, then the region's reads start failing.
    await adapter.listDatabases({}, opts());
    await adapter.listEndpoints!({}, opts());
    await adapter.listLoadBalancers!({}, opts());
    world.scheduleEvents([{ ...READ_FAULT, provider: 'aws', at: 0, index: 0 } as ScenarioEvent]);
    await clock.runUntil(clock.now());
    return { world, adapter, refusals };
  }

  it('Route 53 changes, ARC shifts and RDS stop refusals go through while the reads fail, with no read in the world record', async () => {
    const { world, adapter, refusals } = await setUp('world records');
    const readsBefore = world.calls.filter(isRead).length;
    await adapter.updateEndpoint!(NAME, 'orders-b', opts());
    await adapter.shiftTraffic!({ loadBalancer: 'web-lb', zone: 'us-east-1a', away: true, expiresInSeconds: 1800 }, opts());
    // RDS's rule (no stopping an instance that has read replicas) is still applied, from its own records.
    expect(isProviderError(await rejectionOf(adapter.stopDatabase('orders', opts())))).toBe(true);
    expect(refusals).toEqual([expect.objectContaining({ operation: 'stopDatabase', target: 'orders', code: 'InvalidDBInstanceState' })]);
    expect(world.calls.filter((call) => call.mutating).map((call) => [call.operation, call.result])).toEqual([
      ['updateEndpoint', 'ok'],
      ['shiftTraffic', 'ok'],
    ]);
    // Only the adapter's own attempts to read (which fail, and which it does without) reached the world as reads.
    expect(world.calls.filter(isRead).slice(readsBefore).every((call) => call.result === 'error')).toBe(true);
  });

  it('without a records view the lookups are world reads, and the read fault fails the change (the default outside a replay)', async () => {
    const { world, adapter } = await setUp('through the API');
    const error = (await rejectionOf(adapter.updateEndpoint!(NAME, 'orders-b', opts()))) as ProviderError;
    expect(error.kind).toBe('retryable');
    expect(world.calls.filter((call) => call.mutating)).toEqual([]);
  });
});

describe('GCP emulator: the services read their own records inside a change', () => {
  const ENDPOINT = 'orders.db.internal.example.com';
  let wire: GcpWire;
  afterEach(async () => wire?.close());

  it('Cloud DNS changes, backend service patches and the Cloud SQL refusal to stop a replica go through while the reads fail', async () => {
    const base = gcpTopology();
    const topology: Topology = {
      ...base,
      databases: base.databases.map((db) => ({ ...db, endpoint: { provider: 'gcp', name: ENDPOINT, ttlSeconds: 30 } })),
      loadBalancers: [{ id: 'web-lb', provider: 'gcp', region: 'us-central1', group: 'web' }],
    };
    // The fixture's world is built inside gcpWire: its records view is handed over through a late-bound forwarder.
    let view: ServiceRecords | undefined;
    const forward: ServiceRecords = {
      listNodes: (filter, options) => view!.listNodes(filter, options),
      listDatabases: (filter, options) => view!.listDatabases(filter, options),
      zoneStatus: (query, options) => view!.zoneStatus(query, options),
      listEndpoints: (filter, options) => view!.listEndpoints!(filter, options),
      listLoadBalancers: (filter, options) => view!.listLoadBalancers!(filter, options),
    };
    wire = await gcpWire({
      adapterOnWorldClock: true,
      topology,
      emulator: { records: forward },
      adapter: {
        endpoints: [{ database: 'orders', managedZone: 'internal', name: `${ENDPOINT}.` }],
        loadBalancers: [{ id: 'web-lb', backendService: 'web-lb', group: 'web', region: 'us-central1' }],
        replicationMetrics: 'none',
      },
    });
    view = wire.world.records('gcp');
    await wire.provider.listDatabases({}, opts());
    await wire.provider.listEndpoints!({}, opts());
    await wire.provider.listLoadBalancers!({}, opts());
    await wire.apply([{ ...READ_FAULT, provider: 'gcp' }]);
    await wire.provider.updateEndpoint!(ENDPOINT, 'orders-b', opts());
    await wire.provider.shiftTraffic!({ loadBalancer: 'web-lb', zone: 'us-central1-a', away: true, expiresInSeconds: 1800 }, opts());
    const refused = await rejectionOf(wire.provider.stopDatabase('orders-b', opts()));
    expect(isProviderError(refused) && refused.status).toBe(400);
    expect(wire.world.calls.filter((call) => call.mutating).map((call) => [call.operation, call.result])).toEqual([
      ['updateEndpoint', 'ok'],
      ['shiftTraffic', 'ok'],
    ]);
  });
});
