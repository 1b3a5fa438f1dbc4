import { GcpProvider, StaticTokenAuth } from '../../adapters/gcp/index.js';
import { startGcpEmulator, WireQuiescence } from '../../adapters/emulators/index.js';
import { SimWorld } from '../../adapters/sim/index.js';
import { VirtualClock } from '../../src/core/clock/VirtualClock.js';
import { runConformance } from './conformance.js';

/**
 * The `gcp` adapter on `@google-cloud/compute` and the Cloud SQL Admin REST
 * API, over HTTP to the GCP emulator on loopback, which serves a simulated
 * world: Cloud DNS for the writer endpoint, a regional backend service for
 * the load balancer.
 */
runConformance('gcp (Google Cloud clients over the wire to the emulator)', async () => {
  const clock = new VirtualClock();
  const world = new SimWorld({
    clock,
    seed: 7,
    topology: {
      providers: [
        {
          id: 'gcp',
          latency: {},
          regions: [
            { id: 'us-central1', zones: ['us-central1-a', 'us-central1-b', 'us-central1-c'] },
            { id: 'europe-west1', zones: ['europe-west1-b'] },
          ],
        },
      ],
      groups: [{ id: 'web', provider: 'gcp', region: 'us-central1', size: 'e2-small', nodes: { 'us-central1-a': 2, 'us-central1-b': 2 }, minHealthy: 4 }],
      databases: [
        {
          id: 'orders',
          engine: 'postgres',
          primary: { provider: 'gcp', region: 'us-central1', zone: 'us-central1-a' },
          replicas: [{ id: 'orders-b', provider: 'gcp', region: 'us-central1', zone: 'us-central1-b', lagSeconds: 1, mode: 'async' }],
          writes: 50,
          endpoint: { provider: 'gcp', name: 'orders.db.internal.example.com', ttlSeconds: 30 },
        },
      ],
      loadBalancers: [{ id: 'web-lb', provider: 'gcp', region: 'us-central1', group: 'web' }],
    },
  });
  const emulator = await startGcpEmulator({ provider: world.provider('gcp') });
  const wire = new WireQuiescence([emulator]);
  const adapter = new GcpProvider({
    project: 'lifeboat-conformance',
    apiEndpoint: emulator.host,
    port: emulator.port,
    protocol: 'http',
    auth: new StaticTokenAuth('conformance-token', 'lifeboat-conformance'),
    sourceImage: 'projects/debian-cloud/global/images/family/debian-12',
    endpoints: [{ database: 'orders', managedZone: 'internal-example-com', name: 'orders.db.internal.example.com.' }],
    loadBalancers: [{ id: 'web-lb', backendService: 'web-lb', region: 'us-central1', group: 'web' }],
    // Shift expiries are read on the world's clock, as the conformance suite compares them with it.
    clock,
  });
  return {
    provider: wire.track(adapter),
    clock,
    region: 'us-central1',
    zones: ['us-central1-a', 'us-central1-b', 'us-central1-c'],
    database: { cluster: 'orders', primary: 'orders', replica: 'orders-b' },
    endpoint: { name: 'orders.db.internal.example.com' },
    loadBalancer: { id: 'web-lb', zones: ['us-central1-a', 'us-central1-b'] },
    advance: (ms) => wire.runUntil(clock, clock.now() + ms),
    close: async () => {
      await adapter.close();
      await emulator.close();
    },
  };
});
