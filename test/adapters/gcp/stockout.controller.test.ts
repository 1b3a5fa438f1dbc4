import { afterEach, describe, expect, it } from 'vitest';
import { parseNodeId } from '../../../adapters/gcp/index.js';
import type { Prober } from '../../../src/core/contract/Prober.js';
import { Controller } from '../../../src/core/controller/Controller.js';
import type { ControllerEvent } from '../../../src/core/controller/ControllerEvent.js';
import { DEFAULT_POLICY } from '../../../src/core/controller/Policy.js';
import { gcpTopology, gcpWire, type GcpWire } from './gcpFixture.js';

describe('a stockout over the wire: the controller places the replacement in another zone', () => {
  let wire: GcpWire;
  afterEach(async () => wire?.close());

  it('the create in the stocked-out zone fails (its zonal operation says ZONE_RESOURCE_POOL_EXHAUSTED), the next goes elsewhere and succeeds', async () => {
    const base = gcpTopology(2);
    const topology = { ...base, groups: [{ ...base.groups[0]!, nodes: { 'us-central1-a': 2, 'us-central1-b': 2 }, minHealthy: 5 }] };
    wire = await gcpWire({ strict: true, topology, emulator: { stockouts: () => ['us-central1-c'] } });
    const inner = wire.world.prober();
    // The world knows GCE nodes by instance name; the adapter's ids are <zone>/<name>.
    const prober: Prober = {
      probe: (targets, signal) =>
        inner.probe(
          targets.map((target) => (target.kind === 'node' ? { ...target, id: parseNodeId(target.id)?.name ?? target.id } : target)),
          signal,
        ),
    };
    const controller = new Controller({
      providers: [wire.track(wire.provider)],
      prober,
      clock: wire.clock,
      policy: DEFAULT_POLICY,
      groups: [{ id: 'web', provider: 'gcp', region: 'us-central1', minHealthy: 5 }],
      watch: [{ provider: 'gcp', region: 'us-central1' }],
      random: () => 0.5,
    });
    const creates: { zone: string | undefined; outcome: string | undefined }[] = [];
    controller.on('event', (event: ControllerEvent) => {
      if (event.kind === 'action' && event.step?.operation === 'createNode') creates.push({ zone: event.zone, outcome: event.result });
    });
    const stop = new AbortController();
    const running = controller.run(stop.signal);
    for (let i = 0; i < 60 && !creates.some((each) => each.outcome === 'ok'); i++) await wire.advance(10_000);
    stop.abort();
    await wire.advance(1_000);
    await running;

    expect(creates[0]).toEqual({ zone: 'us-central1-c', outcome: 'error' });
    const made = creates.find((each) => each.outcome === 'ok');
    expect(made?.zone).toMatch(/^us-central1-[ab]$/);
    expect(creates.filter((each) => each.zone === 'us-central1-c' && each.outcome === 'ok')).toEqual([]);
  });
});
