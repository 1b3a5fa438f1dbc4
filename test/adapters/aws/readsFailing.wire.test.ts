import { afterEach, describe, expect, it } from 'vitest';
import { AwsProvider } from '../../../adapters/aws/index.js';
import { EMULATOR_HOSTED_ZONE_ID, loadBalancerArn, startAwsEmulator, type AwsEmulator } from '../../../adapters/emulators/index.js';
import { SimWorld } from '../../../adapters/sim/index.js';
import { awsTrafficTopology } from './awsTrafficTopology.js';
import { VirtualClock } from '../../../src/core/clock/VirtualClock.js';
import { isProviderError } from '../../../src/core/contract/errors.js';
import { rejectionOf } from './captureOutput.js';

/**
 * A region whose read API fails while its mutations still go through (as
 * us-east-1's did in December 2021): every change a failover needs goes out
 * without a read, from what the adapter saw before (an instance's address,
 * ARN and tags, zone ids, the shift it started), because the provider's API
 * needs nothing more. Only a delete, whose safety depends on the instance's
 * state now, still needs its read. A refusal is read to tell "already done"
 * from "cannot" only where its code leaves that open, and stays a refusal
 * when that read fails.
 */
const NAME = 'orders.db.example.internal';
const ARN = loadBalancerArn('us-east-1', '000000000000', 'web-lb');
const opts = () => ({ signal: AbortSignal.timeout(20_000) });

/** The read actions of EC2, RDS, Route 53 and ARC that the adapter's mutations used to make first. */
const READS = new Set(['DescribeDBInstances', 'DescribeAvailabilityZones', 'DescribeInstances', 'ListResourceRecordSets', 'GetManagedResource', 'ListZonalShifts']);

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function setUp(): Promise<{ adapter: AwsProvider; emulator: AwsEmulator; world: SimWorld }> {
  const clock = new VirtualClock();
  const world = new SimWorld({
    clock,
    seed: 3,
    topology: awsTrafficTopology(NAME),
  });
  const emulator = await startAwsEmulator({ provider: world.provider('aws'), records: world.records('aws'), clock });
  const adapter = new AwsProvider({
    regions: ['us-east-1'],
    endpoint: emulator.endpoint,
    credentials: { accessKeyId: 'AKIAEXAMPLEREADSFAIL', secretAccessKey: 'reads-fail-secret-key' },
    endpoints: [{ database: 'orders', hostedZoneId: EMULATOR_HOSTED_ZONE_ID, name: NAME }],
    loadBalancers: [{ id: 'web-lb', arn: ARN, region: 'us-east-1', group: 'web' }],
    replicaLag: 'none',
    clock,
  });
  cleanup = async () => {
    await adapter.close();
    await emulator.close();
  };
  return { adapter, emulator, world };
}

/** From now on every read of the region fails as an overloaded front end does (500). */
function failReads(emulator: AwsEmulator): void {
  emulator.setFaultHook((request) => (READS.has(request.action) ? { kind: 'error', status: 500, code: 'InternalFailure', message: 'reads are failing' } : undefined));
}

describe('aws adapter over the wire: mutations while the region reads fail', () => {
  it('promoteReplica sends PromoteReadReplica and nothing else, even for an instance it never listed', async () => {
    const { adapter, emulator, world } = await setUp();
    failReads(emulator);
    await adapter.promoteReplica('orders-b', opts());
    expect(emulator.requestsFor('PromoteReadReplica')).toBe(1);
    expect(emulator.requestsFor('DescribeDBInstances')).toBe(0);
    expect(world.calls.filter((call) => call.operation === 'promoteReplica').map((call) => [call.target, call.result])).toEqual([['orders-b', 'ok']]);
  });

  it('promoting what is already a standalone primary is still success (RDS refuses it; only then is it read)', async () => {
    const { adapter, emulator } = await setUp();
    emulator.setFaultHook((request) =>
      request.action === 'PromoteReadReplica' ? { kind: 'error', status: 400, code: 'InvalidDBInstanceState', message: 'DB Instance is not a read replica.' } : undefined,
    );
    await adapter.promoteReplica('orders', opts());
    expect(emulator.requestsFor('DescribeDBInstances')).toBe(1);
    // A replica RDS refuses for another reason stays refused.
    const refused = await rejectionOf(adapter.promoteReplica('orders-b', opts()));
    expect(isProviderError(refused) && refused.code).toBe('InvalidDBInstanceState');
  });

  it('moves the endpoint, shifts and renews the shift, and creates a replica from what it listed before the reads failed', async () => {
    const { adapter, emulator, world } = await setUp();
    await adapter.listDatabases({}, opts());
    await adapter.listEndpoints!({}, opts());
    await adapter.listLoadBalancers!({}, opts());
    failReads(emulator);
    await adapter.updateEndpoint!(NAME, 'orders-b', opts());
    await adapter.shiftTraffic!({ loadBalancer: 'web-lb', zone: 'us-east-1a', away: true, expiresInSeconds: 1800 }, opts());
    // The renewal needs the shift's id: the one ARC gave when it started.
    await adapter.shiftTraffic!({ loadBalancer: 'web-lb', zone: 'us-east-1a', away: true, expiresInSeconds: 1800 }, opts());
    await adapter.createReplica({ source: 'orders', id: 'orders-c', region: 'us-east-1', zone: 'us-east-1b' }, opts());
    expect(['ChangeResourceRecordSets', 'StartZonalShift', 'UpdateZonalShift', 'CreateDBInstanceReadReplica'].map((action) => emulator.requestsFor(action))).toEqual([1, 1, 1, 1]);
    expect(world.calls.filter((call) => call.mutating).map((call) => [call.operation, call.target, call.result])).toEqual([
      ['updateEndpoint', NAME, 'ok'],
      ['shiftTraffic', 'web-lb', 'ok'],
      ['shiftTraffic', 'web-lb', 'ok'],
      ['createReplica', 'orders-c', 'ok'],
    ]);
  });

  it('a stop RDS refuses is reported as the refusal it is (terminal), not as the read that fails after it', async () => {
    // us-east-1, December 2021: the stop goes through to RDS, which refuses it (orders has a read replica,
    // orders-b is one); the read that would say why fails. Retrying cannot help, and a retryable answer would
    // count against the region's control plane (backing off the failover's other changes) and be sent again.
    const { adapter, emulator, world } = await setUp();
    failReads(emulator);
    for (const id of ['orders', 'orders-b']) {
      const refused = await rejectionOf(adapter.stopDatabase(id, opts()));
      expect(isProviderError(refused) && [refused.kind, refused.code, refused.status]).toEqual(['terminal', 'InvalidDBInstanceState', 400]);
      expect(isProviderError(refused) && refused.message).toMatch(/could not be read/);
    }
    expect(emulator.requestsFor('StopDBInstance')).toBe(2);
    // Each refusal was read to tell "already stopping" from "cannot": the read failed, the refusal stands.
    expect(emulator.requestsFor('DescribeDBInstances')).toBe(2);
    expect(world.calls.filter((call) => call.operation === 'stopDatabase')).toEqual([]);
  });

  it('a stop refused with a code that says enough is classified without a read', async () => {
    const { adapter, emulator } = await setUp();
    emulator.setFaultHook((request) =>
      READS.has(request.action)
        ? { kind: 'error', status: 500, code: 'InternalFailure', message: 'reads are failing' }
        : request.action === 'StopDBInstance'
          ? { kind: 'error', status: 400, code: 'InvalidDBClusterStateFault', message: 'The requested operation cannot be performed while the cluster is in this state.' }
          : undefined,
    );
    const inCluster = await rejectionOf(adapter.stopDatabase('orders', opts()));
    expect(isProviderError(inCluster) && [inCluster.kind, inCluster.code, inCluster.status]).toEqual(['terminal', 'InvalidDBClusterStateFault', 400]);
    failReads(emulator);
    const unknown = await rejectionOf(adapter.stopDatabase('no-such-db', opts()));
    expect(isProviderError(unknown) && [unknown.kind, unknown.code, unknown.status]).toEqual(['invalid-input', 'DBInstanceNotFound', 404]);
    expect(emulator.requestsFor('StopDBInstance')).toBe(2);
    expect(emulator.requestsFor('DescribeDBInstances')).toBe(0);
  });

  it('a refused stop whose read is cut off by the call\'s own signal is a timeout', async () => {
    const { adapter, emulator } = await setUp();
    emulator.setFaultHook((request) => (READS.has(request.action) ? { kind: 'hang' } : undefined));
    const cut = await rejectionOf(adapter.stopDatabase('orders', { signal: AbortSignal.timeout(300) }));
    expect(isProviderError(cut) && cut.kind).toBe('timeout');
    expect(emulator.requestsFor('StopDBInstance')).toBe(1);
  });

  it('promote, reboot, create and delete refusals stay refusals when the read after them fails', async () => {
    const { adapter, emulator } = await setUp();
    await adapter.listDatabases({}, opts());
    let readsLeft = 1;
    const refusal = (code: string) => ({ kind: 'error' as const, status: 400, code, message: 'refused' });
    emulator.setFaultHook((request) => {
      if (READS.has(request.action)) return readsLeft-- > 0 ? undefined : { kind: 'error', status: 500, code: 'InternalFailure', message: 'reads are failing' };
      if (request.action === 'PromoteReadReplica' || request.action === 'RebootDBInstance' || request.action === 'DeleteDBInstance') return refusal('InvalidDBInstanceState');
      if (request.action === 'CreateDBInstanceReadReplica') return refusal('DBInstanceAlreadyExists');
      return undefined;
    });
    // The delete reads first (allowed once), is refused, and the read after the refusal fails.
    const deleted = await rejectionOf(adapter.destroyDatabase('orders-b', opts()));
    expect(isProviderError(deleted) && [deleted.kind, deleted.code]).toEqual(['terminal', 'InvalidDBInstanceState']);
    const promoted = await rejectionOf(adapter.promoteReplica('orders-b', opts()));
    expect(isProviderError(promoted) && [promoted.kind, promoted.code]).toEqual(['terminal', 'InvalidDBInstanceState']);
    const rebooted = await rejectionOf(adapter.rebootDatabase('orders', opts()));
    expect(isProviderError(rebooted) && [rebooted.kind, rebooted.code]).toEqual(['terminal', 'InvalidDBInstanceState']);
    const created = await rejectionOf(adapter.createReplica({ source: 'orders', id: 'orders-b', region: 'us-east-1', zone: 'us-east-1b' }, opts()));
    expect(isProviderError(created) && [created.kind, created.code]).toEqual(['invalid-input', 'DBInstanceAlreadyExists']);
    expect(['DeleteDBInstance', 'PromoteReadReplica', 'RebootDBInstance', 'CreateDBInstanceReadReplica'].map((action) => emulator.requestsFor(action))).toEqual([1, 1, 1, 1]);
  });

  it('a delete still reads the instance first (whether it has replicas decides whether it is safe) and fails while it cannot', async () => {
    const { adapter, emulator } = await setUp();
    await adapter.listDatabases({}, opts());
    failReads(emulator);
    const error = await rejectionOf(adapter.destroyDatabase('orders-b', opts()));
    expect(isProviderError(error) && error.kind).toBe('retryable');
    expect(emulator.requestsFor('DeleteDBInstance')).toBe(0);
  });
});
