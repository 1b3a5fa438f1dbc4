import type { LatencyMap } from '../../../adapters/sim/index.js';
import type { Topology } from '../../../src/apps/replay/scenario/Scenario.js';

/**
 * The aws world of the traffic wire tests: us-east-1 over two zones, a web
 * group with a node in each behind one load balancer, and `orders` with its
 * primary in us-east-1a, an async replica in us-east-1b and a writer
 * endpoint `name` (30 s TTL). `latency` overrides the spec's defaults (s).
 */
export function awsTrafficTopology(name: string, latency: LatencyMap = {}): Topology {
  return {
    providers: [{ id: 'aws', latency, regions: [{ id: 'us-east-1', zones: ['us-east-1a', 'us-east-1b'] }] }],
    groups: [{ id: 'web', provider: 'aws', region: 'us-east-1', size: 'm5.large', nodes: { 'us-east-1a': 1, 'us-east-1b': 1 }, minHealthy: 2 }],
    databases: [
      {
        id: 'orders',
        engine: 'postgres',
        primary: { provider: 'aws', region: 'us-east-1', zone: 'us-east-1a' },
        replicas: [{ id: 'orders-b', provider: 'aws', region: 'us-east-1', zone: 'us-east-1b', lagSeconds: 1, mode: 'async' }],
        writes: 10,
        endpoint: { provider: 'aws', name, ttlSeconds: 30 },
      },
    ],
    loadBalancers: [{ id: 'web-lb', provider: 'aws', region: 'us-east-1', group: 'web' }],
  };
}
