import { afterEach, describe, expect, it } from 'vitest';
import { RDS_STOPPED_FOR_AT_MOST_MS } from '../../../adapters/emulators/StoppedDatabaseRestarts.js';
import { Controller } from '../../../src/core/controller/Controller.js';
import type { ControllerEvent } from '../../../src/core/controller/ControllerEvent.js';
import type { ControllerMemory } from '../../../src/core/controller/ControllerMemory.js';
import { DEFAULT_POLICY } from '../../../src/core/controller/Policy.js';
import { awsWire, type AwsWire } from './awsFixture.js';

/**
 * RDS starts an instance that has been stopped for seven days by itself
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_StopInstance.html),
 * so the fence on an old primary undoes itself. Over the wire, on the strict
 * emulator: the controller fails over, fences the old primary, and when RDS
 * starts it again a week later, fences it again within a cycle or two.
 */
describe('a fence that undoes itself: RDS restarts the stopped old primary after seven days', () => {
  let wire: AwsWire;
  afterEach(async () => wire?.close());

  function controllerOver(memory: ControllerMemory | undefined, stops: string[], remember: (memory: ControllerMemory) => void): Controller {
    const controller = new Controller({
      providers: [wire.track(wire.provider)],
      prober: wire.world.prober(),
      clock: wire.clock,
      policy: DEFAULT_POLICY,
      groups: [],
      watch: [{ provider: 'aws', region: 'us-east-1' }],
      random: () => 0.5,
      ...(memory === undefined ? {} : { memory }),
      onMemoryChange: (changed) => remember(changed),
    });
    controller.on('event', (event: ControllerEvent) => {
      if (event.kind === 'action' && event.step?.operation === 'stopDatabase' && event.result === 'ok') stops.push(event.step.target ?? '');
    });
    return controller;
  }

  /** Runs `controller` (once) until `done` or `maxSeconds` of virtual time, then stops it. */
  async function runUntil(controller: Controller, done: () => boolean, maxSeconds: number): Promise<void> {
    const stop = new AbortController();
    const running = controller.run(stop.signal);
    for (let t = 0; t < maxSeconds && !done(); t += 5) await wire.advance(5_000);
    stop.abort();
    await wire.advance(1_000);
    await running;
  }

  async function states(): Promise<Record<string, string>> {
    const listing = await wire.provider.listDatabases({}, { signal: new AbortController().signal });
    return Object.fromEntries(listing.map((db) => [db.id, db.state]));
  }

  async function primaries(): Promise<string[]> {
    const listing = await wire.provider.listDatabases({}, { signal: new AbortController().signal });
    return listing.filter((db) => db.role === 'primary' && db.state === 'available').map((db) => db.id).sort();
  }

  it('the old primary, stopped as a fence, comes back available a week later and is stopped again', async () => {
    wire = await awsWire();
    let memory: ControllerMemory | undefined;
    const stops: string[] = [];

    // The primary's zone is cut off (the instance keeps running): the controller promotes orders-b, then fences orders once the zone is back.
    await wire.apply([
      { kind: 'impair', zone: 'us-east-1a', mode: 'unreachable', errorRate: 1 },
      { kind: 'providerStatus', provider: 'aws', zone: 'us-east-1a', status: 'impaired' },
    ]);
    const first = controllerOver(undefined, stops, (changed) => (memory = changed));
    await runUntil(first, () => memory?.clusters.get('orders')?.primary === 'orders-b', 600);
    expect(memory?.clusters.get('orders')?.primary).toBe('orders-b');
    await wire.apply([
      { kind: 'recover', zone: 'us-east-1a' },
      { kind: 'providerStatus', provider: 'aws', zone: 'us-east-1a', status: 'available' },
    ]);
    // A run that was stopped is not run again: the next one carries the memory over (as a daemon's restart does).
    await runUntil(controllerOver(memory, stops, (changed) => (memory = changed)), () => stops.includes('orders'), 600);
    expect(stops).toEqual(['orders']);
    expect(await primaries()).toEqual(['orders-b']);

    // An hour short of seven days it is still stopped; at seven days RDS starts it.
    await wire.advance(RDS_STOPPED_FOR_AT_MOST_MS - 3_600_000);
    expect(await primaries()).toEqual(['orders-b']);
    await wire.advance(3_600_000);
    // The first RDS answer after the seven days shows it starting, the next ones available: two writable primaries.
    expect(await states()).toMatchObject({ orders: 'rebooting', 'orders-b': 'available' });
    await wire.advance(600_000);
    expect(await primaries()).toEqual(['orders', 'orders-b']);

    // The controller (its memory carried over, as the daemon's is) sees it and fences it again within its first cycles.
    const startedAt = wire.clock.now();
    const second = controllerOver(memory, stops, (changed) => (memory = changed));
    await runUntil(second, () => stops.length === 2, 120);
    expect(stops).toEqual(['orders', 'orders']);
    expect(memory?.clusters.get('orders')?.primary).toBe('orders-b');
    expect(wire.clock.now() - startedAt).toBeLessThanOrEqual(2 * DEFAULT_POLICY.probeInterval * 1000 + 10_000);
    expect(await primaries()).toEqual(['orders-b']);
  }, 60_000);
});
