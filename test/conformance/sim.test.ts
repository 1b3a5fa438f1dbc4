import { SimWorld } from '../../adapters/sim/index.js';
import { VirtualClock } from '../../src/core/clock/VirtualClock.js';
import { runConformance } from './conformance.js';

runConformance('sim', async () => {
  const clock = new VirtualClock();
  const world = new SimWorld({
    clock,
    seed: 7,
    topology: {
      providers: [
        {
          id: 'sim',
          latency: {},
          regions: [
            { id: 'sim-1', zones: ['sim-1a', 'sim-1b', 'sim-1c'] },
            { id: 'sim-2', zones: ['sim-2a'] },
          ],
        },
      ],
      groups: [{ id: 'web', provider: 'sim', region: 'sim-1', nodes: { 'sim-1a': 2, 'sim-1b': 2 }, minHealthy: 4 }],
      databases: [
        {
          id: 'orders',
          primary: { provider: 'sim', region: 'sim-1', zone: 'sim-1a' },
          replicas: [{ id: 'orders-b', provider: 'sim', region: 'sim-1', zone: 'sim-1b', lagSeconds: 1, mode: 'async' }],
          writes: 50,
          endpoint: { provider: 'sim', name: 'orders.db.sim.internal', ttlSeconds: 30 },
        },
      ],
      loadBalancers: [{ id: 'web-lb', provider: 'sim', region: 'sim-1', group: 'web' }],
    },
  });
  return {
    provider: world.provider('sim'),
    clock,
    region: 'sim-1',
    zones: ['sim-1a', 'sim-1b', 'sim-1c'],
    database: { cluster: 'orders', primary: 'orders', replica: 'orders-b' },
    endpoint: { name: 'orders.db.sim.internal' },
    loadBalancer: { id: 'web-lb', zones: ['sim-1a', 'sim-1b'] },
    advance: (ms) => clock.runUntil(clock.now() + ms),
    close: async () => {},
  };
});
