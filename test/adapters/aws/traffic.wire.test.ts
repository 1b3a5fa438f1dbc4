import { afterEach, describe, expect, it } from 'vitest';
import { AwsProvider } from '../../../adapters/aws/index.js';
import { ZonalShiftClient } from '../../../adapters/aws/ZonalShiftClient.js';
import { EMULATOR_HOSTED_ZONE_ID, loadBalancerArn, startAwsEmulator, type AwsEmulator } from '../../../adapters/emulators/index.js';
import { SimWorld } from '../../../adapters/sim/index.js';
import { awsTrafficTopology } from './awsTrafficTopology.js';
import { VirtualClock } from '../../../src/core/clock/VirtualClock.js';
import { isProviderError, type ProviderError } from '../../../src/core/contract/errors.js';
import type { AwsProviderOptions } from '../../../adapters/aws/AwsProviderOptions.js';

const NAME = 'orders.db.example.internal';
const ARN = loadBalancerArn('us-east-1', '000000000000', 'web-lb');
const call = () => ({ signal: new AbortController().signal });

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** The aws adapter over the wire to a world with one endpoint (60 s to propagate) and one load balancer over two zones. */
async function setUp(options: Partial<AwsProviderOptions> = {}): Promise<{ adapter: AwsProvider; emulator: AwsEmulator; clock: VirtualClock }> {
  const clock = new VirtualClock();
  const world = new SimWorld({
    clock,
    seed: 1,
    topology: awsTrafficTopology(NAME, { updateEndpoint: 60 }),
  });
  const emulator = await startAwsEmulator({ provider: world.provider('aws'), clock });
  const adapter = new AwsProvider({
    regions: ['us-east-1'],
    endpoint: emulator.endpoint,
    credentials: { accessKeyId: 'AKIAEXAMPLETRAFFIC', secretAccessKey: 'traffic-secret-key' },
    endpoints: [{ database: 'orders', hostedZoneId: EMULATOR_HOSTED_ZONE_ID, name: NAME }],
    loadBalancers: [{ id: 'web-lb', arn: ARN, region: 'us-east-1', group: 'web' }],
    clock,
    ...options,
  });
  cleanup = async () => {
    await adapter.close();
    await emulator.close();
  };
  return { adapter, emulator, clock };
}

async function rejection(pending: Promise<unknown>): Promise<ProviderError> {
  const error = await pending.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isProviderError(error)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  return error;
}

describe('aws endpoints on Route 53, over the wire', () => {
  it('a change still PENDING is reported as pendingTarget beside the instance still served; INSYNC makes it the target', async () => {
    const { adapter, emulator, clock } = await setUp();
    expect(await adapter.listEndpoints!({}, call())).toMatchObject([{ name: NAME, database: 'orders', target: 'orders', ttlSeconds: 30 }]);
    await adapter.updateEndpoint!(NAME, 'orders-b', call());
    expect(emulator.requestsFor('ChangeResourceRecordSets')).toBe(1);
    const [pending] = await adapter.listEndpoints!({ names: [NAME] }, call());
    expect(pending).toMatchObject({ target: 'orders', pendingTarget: 'orders-b' });
    expect(emulator.requestsFor('GetChange')).toBe(1);
    // Pointing it at its pending target again sends no change.
    await adapter.updateEndpoint!(NAME, 'orders-b', call());
    expect(emulator.requestsFor('ChangeResourceRecordSets')).toBe(1);
    await clock.runUntil(clock.now() + 61_000);
    const [served] = await adapter.listEndpoints!({ names: [NAME] }, call());
    expect(served).toMatchObject({ target: 'orders-b' });
    expect(served!.pendingTarget).toBeUndefined();
  });

  it('Route 53 throttling is throttled; a configured record missing from the zone and an unconfigured name are invalid-input', async () => {
    const { adapter, emulator } = await setUp({
      endpoints: [
        { database: 'orders', hostedZoneId: EMULATOR_HOSTED_ZONE_ID, name: NAME },
        { database: 'billing', hostedZoneId: EMULATOR_HOSTED_ZONE_ID, name: 'billing.db.example.internal' },
      ],
    });
    emulator.setFaultHook((request) =>
      request.action === 'ChangeResourceRecordSets' ? { kind: 'error', status: 400, code: 'Throttling', message: 'Rate exceeded' } : undefined,
    );
    const throttled = await rejection(adapter.updateEndpoint!(NAME, 'orders-b', call()));
    expect(throttled).toMatchObject({ kind: 'throttled', code: 'Throttling', operation: 'updateEndpoint' });
    const missing = await rejection(adapter.listEndpoints!({ database: 'billing' }, call()));
    expect(missing).toMatchObject({ kind: 'invalid-input', code: 'NoSuchRecord' });
    expect(missing.message).toContain('billing.db.example.internal');
    expect(await rejection(adapter.updateEndpoint!('nowhere.example.internal', 'orders-b', call()))).toMatchObject({ kind: 'invalid-input' });
    expect(await rejection(adapter.updateEndpoint!(NAME, 'no-such-instance', call()))).toMatchObject({ kind: 'invalid-input', code: 'DBInstanceNotFound' });
  });

  it('a hosted zone Route 53 does not know is invalid-input (NoSuchHostedZone)', async () => {
    const { adapter } = await setUp({ endpoints: [{ database: 'orders', hostedZoneId: 'Z0OTHERZONE', name: NAME }] });
    expect(await rejection(adapter.listEndpoints!({}, call()))).toMatchObject({ kind: 'invalid-input', code: 'NoSuchHostedZone' });
  });
});

describe('aws load balancers on ARC zonal shift, over the wire', () => {
  it('starts, renews and cancels one shift by AZ id; a second zone is terminal before any request', async () => {
    const { adapter, emulator } = await setUp();
    await adapter.shiftTraffic!({ loadBalancer: 'web-lb', zone: 'us-east-1a', away: true, expiresInSeconds: 1800 }, call());
    expect(emulator.requestsFor('StartZonalShift')).toBe(1);
    const [lb] = await adapter.listLoadBalancers!({}, call());
    expect(lb!.zones.find((zone) => zone.zone === 'us-east-1a')!.shift).toBeDefined();
    await adapter.shiftTraffic!({ loadBalancer: 'web-lb', zone: 'us-east-1a', away: true, expiresInSeconds: 3600 }, call());
    expect(emulator.requestsFor('UpdateZonalShift')).toBe(1);
    const second = await rejection(adapter.shiftTraffic!({ loadBalancer: 'web-lb', zone: 'us-east-1b', away: true, expiresInSeconds: 600 }, call()));
    expect(second).toMatchObject({ kind: 'terminal' });
    expect(emulator.requestsFor('StartZonalShift')).toBe(1);
    await adapter.shiftTraffic!({ loadBalancer: 'web-lb', zone: 'us-east-1a', away: false }, call());
    expect(emulator.requestsFor('CancelZonalShift')).toBe(1);
  });

  it('the emulator refuses a second shift of the same resource as ARC does (409 ConflictException), whoever asks', async () => {
    const { adapter, emulator } = await setUp();
    await adapter.shiftTraffic!({ loadBalancer: 'web-lb', zone: 'us-east-1a', away: true, expiresInSeconds: 1800 }, call());
    // Straight to the API, past the adapter's own check (another tool, an operator's script).
    const client = new ZonalShiftClient({
      region: 'us-east-1',
      endpoint: emulator.endpoint,
      credentials: () => Promise.resolve({ accessKeyId: 'AKIAEXAMPLETRAFFIC', secretAccessKey: 'traffic-secret-key' }),
    });
    const arn = loadBalancerArn('us-east-1', '000000000000', 'web-lb');
    const resource = await client.getManagedResource(arn, call().signal);
    const [active] = resource.zonalShifts ?? [];
    const other = Object.keys(resource.appliedWeights ?? {}).find((zoneId) => zoneId !== active!.awayFrom)!;
    const refused: unknown = await client.startZonalShift({ resourceIdentifier: arn, awayFrom: other, expiresIn: '10m', comment: 'second' }, call().signal).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(refused).toMatchObject({ name: 'ConflictException', $metadata: { httpStatusCode: 409 }, message: expect.stringMatching(/already active/) });
    expect(emulator.requestsFor('StartZonalShift')).toBe(2);
    const listed = await client.listZonalShifts({ resourceIdentifier: arn, status: 'ACTIVE' }, call().signal);
    expect(listed.items?.map((shift) => shift.awayFrom)).toEqual([active!.awayFrom]);
  });

  it('ARC throttling (429 ThrottlingException) is throttled, a conflict is terminal, an unknown resource invalid-input', async () => {
    const { adapter, emulator } = await setUp();
    emulator.setFaultHook((request) =>
      request.action === 'StartZonalShift' ? { kind: 'error', status: 429, code: 'ThrottlingException', message: 'Rate exceeded' } : undefined,
    );
    const request = { loadBalancer: 'web-lb', zone: 'us-east-1a', away: true, expiresInSeconds: 600 } as const;
    expect(await rejection(adapter.shiftTraffic!(request, call()))).toMatchObject({ kind: 'throttled', code: 'ThrottlingException' });
    emulator.setFaultHook((r) => (r.action === 'StartZonalShift' ? { kind: 'error', status: 409, code: 'ConflictException', message: 'conflict' } : undefined));
    expect(await rejection(adapter.shiftTraffic!(request, call()))).toMatchObject({ kind: 'terminal', code: 'ConflictException' });
    emulator.setFaultHook(undefined);
    const { adapter: other } = await setUpOther(emulator.endpoint);
    expect(await rejection(other.listLoadBalancers!({}, call()))).toMatchObject({ kind: 'invalid-input', code: 'ResourceNotFoundException' });
    await other.close();
  });

  it('declares endpoints and loadBalancers only when configured, and then has the methods', async () => {
    const { adapter } = await setUp({ endpoints: [], loadBalancers: [] });
    expect(adapter.capabilities.endpoints).toBe(false);
    expect(adapter.capabilities.loadBalancers).toBe(false);
    expect(adapter.listEndpoints).toBeUndefined();
    expect(adapter.shiftTraffic).toBeUndefined();
  });
});

/** An adapter naming a load balancer ARC does not manage, against the same emulator. */
function setUpOther(endpoint: string): Promise<{ adapter: AwsProvider }> {
  return Promise.resolve({
    adapter: new AwsProvider({
      regions: ['us-east-1'],
      endpoint,
      credentials: { accessKeyId: 'AKIAEXAMPLETRAFFIC', secretAccessKey: 'traffic-secret-key' },
      loadBalancers: [{ id: 'other', arn: loadBalancerArn('us-east-1', '000000000000', 'other'), region: 'us-east-1', group: 'web' }],
    }),
  });
}
