import { afterEach, describe, expect, it } from 'vitest';
import { isInvalidInput, isTerminal, isThrottled } from '../../../src/core/contract/errors.js';
import type { Topology } from '../../../src/apps/replay/scenario/Scenario.js';
import { readShiftMarker, withShiftMarker } from '../../../adapters/gcp/shiftMarker.js';
import { rejectionOf } from '../aws/captureOutput.js';
import { gcpTopology, gcpWire, type GcpWire } from './gcpFixture.js';

const opts = () => ({ signal: AbortSignal.timeout(20_000) });
const ENDPOINT = 'orders.db.internal.example.com';

/** The fixture's world with a writer endpoint (DNS answers after `propagation` s) and a load balancer over zones a and b. */
function trafficTopology(propagation: number): Topology {
  const base = gcpTopology();
  return {
    ...base,
    providers: base.providers.map((provider) => ({ ...provider, latency: { updateEndpoint: propagation } })),
    databases: base.databases.map((db) => ({ ...db, endpoint: { provider: 'gcp', name: ENDPOINT, ttlSeconds: 30 } })),
    loadBalancers: [{ id: 'web-lb', provider: 'gcp', region: 'us-central1', group: 'web' }],
  };
}

async function trafficWire(options: { propagation?: number; region?: string; operationPolls?: number } = {}): Promise<GcpWire> {
  const wire = await gcpWire({
    adapterOnWorldClock: true,
    topology: trafficTopology(options.propagation ?? 0),
    emulator: { operationPolls: options.operationPolls ?? 0 },
    adapter: {
      endpoints: [{ database: 'orders', managedZone: 'internal', name: `${ENDPOINT}.` }],
      loadBalancers: [{ id: 'web-lb', backendService: 'web-lb', group: 'web', ...(options.region === undefined ? { region: 'us-central1' } : {}) }],
    },
  });
  return wire;
}

describe('gcp adapter traffic over the wire', () => {
  let wire: GcpWire;
  afterEach(async () => wire?.close());

  describe('Cloud DNS endpoints', () => {
    it('a change still pending is the pendingTarget, the served answer the target; done, the new instance is the target', async () => {
      wire = await trafficWire({ propagation: 40 });
      const [before] = await wire.provider.listEndpoints!({ database: 'orders' }, opts());
      expect(before).toMatchObject({ name: ENDPOINT, database: 'orders', target: 'orders', ttlSeconds: 30 });
      expect(before!.pendingTarget).toBeUndefined();
      await wire.provider.updateEndpoint!(ENDPOINT, 'orders-b', opts());
      expect(wire.emulator.requestsFor('dns.changes.create')).toBe(1);
      const [pending] = await wire.provider.listEndpoints!({ names: [ENDPOINT] }, opts());
      expect(pending).toMatchObject({ target: 'orders', pendingTarget: 'orders-b', extra: { change: '1' } });
      // Repeating it while pending changes nothing.
      await wire.provider.updateEndpoint!(ENDPOINT, 'orders-b', opts());
      expect(wire.emulator.requestsFor('dns.changes.create')).toBe(1);
      await wire.clock.runUntil(wire.clock.now() + 41_000);
      const [served] = await wire.provider.listEndpoints!({ names: [ENDPOINT] }, opts());
      expect(served).toMatchObject({ target: 'orders-b' });
      expect(served!.pendingTarget).toBeUndefined();
      expect((await wire.world.provider('gcp').listEndpoints!({}, opts()))[0]).toMatchObject({ target: 'orders-b' });
    });

    it('an instance of another database, or an unknown name, is invalid-input before any change', async () => {
      wire = await trafficWire();
      expect(isInvalidInput(await rejectionOf(wire.provider.updateEndpoint!('payments.db.internal.example.com', 'orders-b', opts())))).toBe(true);
      expect(isInvalidInput(await rejectionOf(wire.provider.updateEndpoint!(ENDPOINT, 'no-such-instance', opts())))).toBe(true);
      expect(wire.emulator.requestsFor('dns.changes.create')).toBe(0);
    });

    it('a refused deletion (412 conditionNotMet: the record changed meanwhile) is terminal; a rate limit is throttled', async () => {
      wire = await trafficWire();
      wire.emulator.setFaultHook((request) =>
        request.action === 'dns.changes.create' ? { kind: 'error', status: 412, code: 'conditionNotMet', message: 'Precondition not met' } : undefined,
      );
      expect(isTerminal(await rejectionOf(wire.provider.updateEndpoint!(ENDPOINT, 'orders-b', opts())))).toBe(true);
      wire.emulator.setFaultHook((request) =>
        request.action === 'dns.resourceRecordSets.list' ? { kind: 'error', status: 429, code: 'rateLimitExceeded', message: 'Rate Limit Exceeded' } : undefined,
      );
      expect(isThrottled(await rejectionOf(wire.provider.listEndpoints!({}, opts())))).toBe(true);
      expect(isThrottled(await rejectionOf(wire.provider.updateEndpoint!(ENDPOINT, 'orders-b', opts())))).toBe(true);
      expect((await wire.world.provider('gcp').listEndpoints!({}, opts()))[0]).toMatchObject({ target: 'orders' });
    });

    it('a world throttle on updateEndpoint arrives as 429 and is throttled', async () => {
      wire = await trafficWire();
      await wire.apply([{ kind: 'apiFault', provider: 'gcp', operations: ['updateEndpoint'], fault: 'throttle', rate: 1 }]);
      expect(isThrottled(await rejectionOf(wire.provider.updateEndpoint!(ENDPOINT, 'orders-b', opts())))).toBe(true);
    });
  });

  describe('backend services', () => {
    const zoneOf = async (wire: GcpWire, zone: string) => (await wire.provider.listLoadBalancers!({ ids: ['web-lb'] }, opts()))[0]!.zones.find((z) => z.zone === zone)!;
    const worldZoneOf = async (wire: GcpWire, zone: string) => (await wire.world.provider('gcp').listLoadBalancers!({}, opts()))[0]!.zones.find((z) => z.zone === zone)!;
    /** Waits (real time, bounded) for the adapter's background restore to reach the world. */
    const until = async (what: string, check: () => Promise<boolean>) => {
      for (let tries = 0; tries < 100; tries++) {
        if (await check()) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`timed out waiting for ${what}`);
    };

    it('a shift ends at its expiry as ARC\'s do: the adapter restores the zone by itself (Google has no expiry; the world keeps it drained until then)', async () => {
      wire = await trafficWire();
      await wire.provider.shiftTraffic!({ loadBalancer: 'web-lb', zone: 'us-central1-a', away: true, expiresInSeconds: 60 }, opts());
      expect(await zoneOf(wire, 'us-central1-a')).toMatchObject({ inRotation: false, shift: { expiresAt: wire.clock.now() + 60_000 } });
      await wire.clock.runUntil(wire.clock.now() + 30_000);
      expect((await worldZoneOf(wire, 'us-central1-a')).shift).toBeDefined();
      // No listing in between: the expiry itself brings the zone back.
      await wire.clock.runUntil(wire.clock.now() + 31_000);
      await until('the world to have us-central1-a back', async () => (await worldZoneOf(wire, 'us-central1-a')).shift === undefined);
      const back = await zoneOf(wire, 'us-central1-a');
      expect(back.inRotation).toBe(true);
      expect(back.shift).toBeUndefined();
      expect(wire.emulator.requestsFor('regionBackendServices.patch')).toBe(2);
    });

    it('a renewal moves the expiry: the zone stays out until the new one', async () => {
      wire = await trafficWire();
      await wire.provider.shiftTraffic!({ loadBalancer: 'web-lb', zone: 'us-central1-a', away: true, expiresInSeconds: 60 }, opts());
      await wire.clock.runUntil(wire.clock.now() + 50_000);
      await wire.provider.shiftTraffic!({ loadBalancer: 'web-lb', zone: 'us-central1-a', away: true, expiresInSeconds: 60 }, opts());
      await wire.clock.runUntil(wire.clock.now() + 20_000);
      expect(await zoneOf(wire, 'us-central1-a')).toMatchObject({ inRotation: false });
      expect(wire.emulator.requestsFor('regionBackendServices.patch')).toBe(2);
    });

    it('a listing never patches: an expired shift not yet restored reads as drained, with its past expiry; the next shift restores it', async () => {
      wire = await trafficWire();
      await wire.provider.shiftTraffic!({ loadBalancer: 'web-lb', zone: 'us-central1-a', away: true, expiresInSeconds: 60 }, opts());
      // The adapter's restore fails (rate limit), so the zone is still drained past its expiry.
      wire.emulator.setFaultHook((request) =>
        request.action === 'regionBackendServices.patch' ? { kind: 'error', status: 429, code: 'rateLimitExceeded', message: 'Rate Limit Exceeded' } : undefined,
      );
      const expiresAt = wire.clock.now() + 60_000;
      await wire.clock.runUntil(expiresAt + 1_000);
      await until('the restore to be tried', async () => wire.emulator.requestsFor('regionBackendServices.patch') >= 2);
      const patches = wire.emulator.requestsFor('regionBackendServices.patch');
      const drained = await zoneOf(wire, 'us-central1-a');
      expect(drained).toMatchObject({ inRotation: false, shift: { expiresAt } });
      expect(drained.shift!.expiresAt).toBeLessThan(wire.clock.now());
      expect(wire.emulator.requestsFor('regionBackendServices.patch')).toBe(patches);
      wire.emulator.setFaultHook(undefined);
      // A shift of another zone restores the expired one first: zone a back, zone b out (never both out).
      await wire.provider.shiftTraffic!({ loadBalancer: 'web-lb', zone: 'us-central1-b', away: true, expiresInSeconds: 600 }, opts());
      expect((await worldZoneOf(wire, 'us-central1-a')).shift).toBeUndefined();
      expect((await zoneOf(wire, 'us-central1-a')).inRotation).toBe(true);
      expect((await zoneOf(wire, 'us-central1-b')).inRotation).toBe(false);
    });

    it('the last zone in rotation is refused (terminal) before any patch; a zone not behind it is invalid-input', async () => {
      wire = await trafficWire();
      await wire.provider.shiftTraffic!({ loadBalancer: 'web-lb', zone: 'us-central1-a', away: true, expiresInSeconds: 600 }, opts());
      expect(isTerminal(await rejectionOf(wire.provider.shiftTraffic!({ loadBalancer: 'web-lb', zone: 'us-central1-b', away: true, expiresInSeconds: 600 }, opts())))).toBe(true);
      expect(isInvalidInput(await rejectionOf(wire.provider.shiftTraffic!({ loadBalancer: 'web-lb', zone: 'us-central1-c', away: true, expiresInSeconds: 600 }, opts())))).toBe(true);
      expect(wire.emulator.requestsFor('regionBackendServices.patch')).toBe(1);
    });

    it('a global backend service: its operation is waited on through globalOperations.wait; a throttled patch is throttled', async () => {
      wire = await trafficWire({ region: 'global', operationPolls: 2 });
      await wire.provider.shiftTraffic!({ loadBalancer: 'web-lb', zone: 'us-central1-b', away: true, expiresInSeconds: 600 }, opts());
      expect(wire.emulator.requestsFor('backendServices.patch')).toBe(1);
      expect(wire.emulator.requestsFor('globalOperations.wait')).toBeGreaterThan(0);
      const [lb] = await wire.provider.listLoadBalancers!({}, opts());
      expect(lb).toMatchObject({ id: 'web-lb', region: 'us-central1', group: 'web', extra: { scope: 'global' } });
      wire.emulator.setFaultHook((request) =>
        request.action === 'backendServices.patch' ? { kind: 'error', status: 429, code: 'rateLimitExceeded', message: 'Rate Limit Exceeded' } : undefined,
      );
      expect(isThrottled(await rejectionOf(wire.provider.shiftTraffic!({ loadBalancer: 'web-lb', zone: 'us-central1-b', away: false }, opts())))).toBe(true);
    });
  });

  it('neither capability, nor its methods, without config', async () => {
    wire = await gcpWire();
    expect(wire.provider.capabilities.endpoints).toBeUndefined();
    expect(wire.provider.capabilities.loadBalancers).toBeUndefined();
    expect('listEndpoints' in wire.provider).toBe(false);
    expect('shiftTraffic' in wire.provider).toBe(false);
  });

  it('the shift marker keeps the operator\'s description and round-trips', () => {
    const text = withShiftMarker('zone a web tier', { expiresAt: Date.UTC(2026, 0, 1), restore: 0.5 });
    expect(readShiftMarker(text)).toEqual({ expiresAt: Date.UTC(2026, 0, 1), restore: 0.5 });
    expect(withShiftMarker(text, undefined)).toBe('zone a web tier');
    expect(readShiftMarker('zone a web tier')).toBeUndefined();
  });
});
