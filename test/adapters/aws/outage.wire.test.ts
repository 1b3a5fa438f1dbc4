import { afterEach, describe, expect, it } from 'vitest';
import { isProviderError, type ProviderError } from '../../../src/core/contract/errors.js';
import { awsWire, type AwsWire } from './awsFixture.js';
import { rejectionOf } from './captureOutput.js';

/**
 * What EC2 documents for an outage, over the wire against the strict
 * emulator: a region-wide `DescribeInstances` fails while a zone of the
 * region is disrupted (ids in other zones still answer), and an instance
 * just launched may not be visible yet.
 */
const opts = () => ({ signal: AbortSignal.timeout(20_000) });

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await rejectionOf(promise);
  if (!isProviderError(error)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  return error;
}

describe('aws adapter over the wire: a zone in a service disruption', () => {
  let wire: AwsWire;
  afterEach(async () => wire?.close());

  const describeCalls = () => wire.world.calls.filter((call) => call.operation === 'listNodes').length;

  it('lists by instance id, zone by zone, when the region-wide listing fails; the disrupted zone keeps its instances as last seen', async () => {
    wire = await awsWire();
    const before = await wire.provider.listNodes({ region: 'us-east-1' }, opts());
    expect(before.map((node) => node.zone).sort()).toEqual(['us-east-1a', 'us-east-1a', 'us-east-1a', 'us-east-1b', 'us-east-1b']);
    await wire.apply([{ kind: 'providerStatus', provider: 'aws', zone: 'us-east-1a', status: 'impaired' }]);
    const calls = describeCalls();
    const during = await wire.provider.listNodes({ region: 'us-east-1' }, opts());
    expect(during.map((node) => node.id).sort()).toEqual(before.map((node) => node.id).sort());
    for (const node of during) {
      if (node.zone === 'us-east-1b') expect(node.extra['listing']).toBeUndefined();
      // As last seen, marked: never dropped (gone) nor unknown (replaced).
      else expect(node).toMatchObject({ state: 'running', extra: expect.objectContaining({ listing: expect.stringMatching(/as last seen: zone us-east-1a could not be read/) }) });
    }
    // The failed region-wide request, then one by-id request per zone (the world saw each listing and zone status read).
    expect(describeCalls() - calls).toBeGreaterThanOrEqual(3);
    await wire.apply([{ kind: 'providerStatus', provider: 'aws', zone: 'us-east-1a', status: 'available' }]);
    expect((await wire.provider.listNodes({ region: 'us-east-1' }, opts())).every((node) => node.extra['listing'] === undefined)).toBe(true);
  });

  it('when no zone can be read by id either, the listing fails as it did (nothing made up)', async () => {
    wire = await awsWire();
    await wire.provider.listNodes({ region: 'us-east-1' }, opts());
    wire.emulator.setFaultHook((request) => (request.action === 'DescribeInstances' ? { kind: 'error', status: 503, code: 'Unavailable', message: 'down' } : undefined));
    expect(await providerError(wire.provider.listNodes({ region: 'us-east-1' }, opts()))).toMatchObject({ kind: 'retryable' });
  });

  it('an adapter that knows no instance of the region cannot work around it: the listing fails retryable', async () => {
    wire = await awsWire();
    await wire.apply([{ kind: 'providerStatus', provider: 'aws', zone: 'us-east-1a', status: 'impaired' }]);
    expect(await providerError(wire.provider.listNodes({ region: 'us-east-1' }, opts()))).toMatchObject({ kind: 'retryable', code: 'Unavailable' });
  });

  it('a node launched in a healthy zone during the disruption is seen through its id', async () => {
    wire = await awsWire();
    await wire.provider.listNodes({ region: 'us-east-1' }, opts());
    await wire.apply([{ kind: 'providerStatus', provider: 'aws', zone: 'us-east-1a', status: 'impaired' }]);
    const launched = await wire.provider.createNode({ name: 'web-new', region: 'us-east-1', zone: 'us-east-1c', group: 'web' }, opts());
    const listed = await wire.provider.listNodes({ region: 'us-east-1', group: 'web' }, opts());
    expect(listed.find((node) => node.id === launched.id)).toMatchObject({ zone: 'us-east-1c' });
    expect(listed.find((node) => node.id === launched.id)!.state).not.toBe('unknown');
  });
});

describe('aws adapter over the wire: InvalidInstanceID.NotFound right after a launch', () => {
  let wire: AwsWire;
  afterEach(async () => wire?.close());

  const notFound = () =>
    wire.emulator.setFaultHook((request) =>
      request.action === 'TerminateInstances' ? { kind: 'error', status: 400, code: 'InvalidInstanceID.NotFound', message: "The instance ID 'i-x' does not exist" } : undefined,
    );

  it('is eventual consistency for an instance the adapter just launched (retryable), not "gone"', async () => {
    wire = await awsWire();
    const node = await wire.provider.createNode({ name: 'web-new', region: 'us-east-1', zone: 'us-east-1b', group: 'web' }, opts());
    notFound();
    expect(await providerError(wire.provider.destroyNode(node.id, opts()))).toMatchObject({ kind: 'retryable', code: 'InvalidInstanceID.NotFound' });
    // Five minutes on, EC2 would show it: NotFound then means what it says.
    await wire.clock.runUntil(wire.clock.now() + 6 * 60_000);
    expect(await providerError(wire.provider.destroyNode(node.id, opts()))).toMatchObject({ kind: 'invalid-input' });
  });

  it('for an instance the adapter did not launch, NotFound is what it says', async () => {
    wire = await awsWire();
    const [node] = await wire.provider.listNodes({ region: 'us-east-1' }, opts());
    notFound();
    expect(await providerError(wire.provider.destroyNode(node!.id, opts()))).toMatchObject({ kind: 'invalid-input' });
  });
});


describe('aws adapter over the wire: RDS reboots only an available instance', () => {
  let wire: AwsWire;
  afterEach(async () => wire?.close());

  it('the emulator refuses RebootDBInstance on a stopped instance; the adapter brings a fence back with StartDBInstance', async () => {
    const refusals: string[] = [];
    wire = await awsWire({ emulator: { onRefusal: (refusal) => refusals.push(refusal.message) } });
    const later = (seconds: number) => wire.clock.runUntil(wire.clock.now() + seconds * 1000);
    const state = async () => (await wire.provider.listDatabases({ ids: ['orders'] }, opts()))[0]!.state;
    // RDS stops only an instance no replica follows.
    await wire.provider.destroyDatabase('orders-b', opts());
    await later(120);
    await wire.provider.stopDatabase('orders', opts());
    await later(60);
    expect(await state()).toBe('stopped');
    await wire.provider.rebootDatabase('orders', opts());
    expect(refusals).toEqual([expect.stringMatching(/RebootDBInstance refused for DB instance orders: it is stopped/)]);
    await later(60);
    expect(await state()).toBe('available');
  });
});

describe('aws adapter over the wire: what a create needs on a real account', () => {
  let wire: AwsWire;
  afterEach(async () => wire?.close());

  it('a launch template with network interfaces gets the subnet in the primary interface, never as SubnetId (which EC2 refuses)', async () => {
    const account = { launchTemplatesWithNetworkInterfaces: ['web-template'] };
    const adapter = { images: {}, launchTemplates: { 'us-east-1': 'web-template' }, subnets: { 'us-east-1b': 'subnet-0b' } };
    wire = await awsWire({ emulator: { account }, adapter });
    const refused = await providerError(wire.provider.createNode({ name: 'web-x', region: 'us-east-1', zone: 'us-east-1b', group: 'web' }, opts()));
    expect(refused).toMatchObject({ kind: 'invalid-input', code: 'InvalidParameterCombination' });
    await wire.close();
    wire = await awsWire({ emulator: { account }, adapter: { ...adapter, launchTemplateNetworkInterfaces: true } });
    const node = await wire.provider.createNode({ name: 'web-x', region: 'us-east-1', zone: 'us-east-1b', group: 'web' }, opts());
    expect(node.name).toBe('web-x');
  });

  it("a cross-region replica of an encrypted source gets its region's KMS key, subnet group and security groups", async () => {
    const account = { encryptedDatabases: true };
    const regions = ['us-east-1', 'us-west-2'];
    wire = await awsWire({ emulator: { account }, adapter: { regions } });
    const request = { id: 'orders-w2', source: 'orders', region: 'us-west-2', zone: 'us-west-2a' };
    expect(await providerError(wire.provider.createReplica(request, opts()))).toMatchObject({ kind: 'invalid-input', code: 'InvalidParameterCombination' });
    await wire.close();
    const replicaOptions = { 'us-west-2': { kmsKeyId: 'arn:aws:kms:us-west-2:000000000000:key/west', dbSubnetGroupName: 'db-west', vpcSecurityGroupIds: ['sg-0a1b'] } };
    wire = await awsWire({ emulator: { account }, adapter: { regions, replicaOptions } });
    const created = await wire.provider.createReplica(request, opts());
    expect(created.extra).toMatchObject({ kmsKeyId: 'arn:aws:kms:us-west-2:000000000000:key/west', dbSubnetGroup: 'db-west', vpcSecurityGroups: ['sg-0a1b'] });
  });
});
