import { AwsProvider } from '../../adapters/aws/index.js';
import { EMULATOR_HOSTED_ZONE_ID, loadBalancerArn, startAwsEmulator, WireQuiescence } from '../../adapters/emulators/index.js';
import { SimWorld } from '../../adapters/sim/index.js';
import { VirtualClock } from '../../src/core/clock/VirtualClock.js';
import { runConformance } from './conformance.js';

/**
 * The `aws` adapter on its real SDK clients, over HTTP to the AWS emulator on
 * loopback, which serves a simulated world: the same contract tests as every
 * other adapter, with the SDK's serialization, parsing and error handling in
 * the path.
 */
runConformance('aws (AWS SDK over the wire to the emulator)', async () => {
  const clock = new VirtualClock();
  const world = new SimWorld({
    clock,
    seed: 7,
    topology: {
      providers: [
        {
          id: 'aws',
          latency: {},
          regions: [
            { id: 'us-east-1', zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] },
            { id: 'us-west-2', zones: ['us-west-2a'] },
          ],
        },
      ],
      groups: [{ id: 'web', provider: 'aws', region: 'us-east-1', size: 'm5.large', nodes: { 'us-east-1a': 2, 'us-east-1b': 2 }, minHealthy: 4 }],
      databases: [
        {
          id: 'orders',
          engine: 'postgres',
          primary: { provider: 'aws', region: 'us-east-1', zone: 'us-east-1a' },
          replicas: [{ id: 'orders-b', provider: 'aws', region: 'us-east-1', zone: 'us-east-1b', lagSeconds: 1, mode: 'async' }],
          writes: 50,
          endpoint: { provider: 'aws', name: 'orders.db.example.internal', ttlSeconds: 30 },
        },
      ],
      loadBalancers: [{ id: 'web-lb', provider: 'aws', region: 'us-east-1', group: 'web' }],
    },
  });
  const emulator = await startAwsEmulator({ provider: world.provider('aws'), clock });
  const wire = new WireQuiescence([emulator]);
  const adapter = new AwsProvider({
    regions: ['us-east-1', 'us-west-2'],
    endpoint: emulator.endpoint,
    credentials: { accessKeyId: 'AKIAEXAMPLECONFORMANCE', secretAccessKey: 'conformance-secret-key' },
    images: { 'us-east-1': 'ami-0123456789abcdef0', 'us-west-2': 'ami-0123456789abcdef1' },
    endpoints: [{ database: 'orders', hostedZoneId: EMULATOR_HOSTED_ZONE_ID, name: 'orders.db.example.internal' }],
    loadBalancers: [{ id: 'web-lb', arn: loadBalancerArn('us-east-1', '000000000000', 'web-lb'), region: 'us-east-1', group: 'web' }],
    clock,
  });
  return {
    provider: wire.track(adapter),
    clock,
    region: 'us-east-1',
    zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    database: { cluster: 'orders', primary: 'orders', replica: 'orders-b' },
    endpoint: { name: 'orders.db.example.internal' },
    loadBalancer: { id: 'web-lb', zones: ['us-east-1a', 'us-east-1b'] },
    advance: (ms) => wire.runUntil(clock, clock.now() + ms),
    close: async () => {
      await adapter.close();
      await emulator.close();
    },
  };
});
