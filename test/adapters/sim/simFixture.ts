import { SimWorld, type WorldTimelineEntry } from '../../../adapters/sim/index.js';
import { VirtualClock } from '../../../src/core/clock/VirtualClock.js';
import type { ProbeResult, ProbeTarget } from '../../../src/core/contract/Prober.js';
import type { CallOptions } from '../../../src/core/contract/Provider.js';
import type { DatabaseInstance, Node } from '../../../src/core/contract/types.js';
import type { LatencyMap, ScenarioEvent, Topology } from '../../../src/apps/replay/scenario/Scenario.js';

type WithoutIndex<T> = T extends unknown ? Omit<T, 'index'> : never;
/** A scenario event as a test writes it (its `index` is its position). */
type EventInput = WithoutIndex<ScenarioEvent>;

/**
 * A small world for the sim's unit tests:
 * - provider `aws`: us-east-1 (a, b, c) and us-west-2 (a, b); provider `gcp`: us-central1 (a).
 * - group `web` (m5.large): 2 nodes in us-east-1a, 2 in us-east-1b.
 * - database `orders`: primary in us-east-1a, replicas `orders-s` (sync, us-east-1c),
 *   `orders-b` (async, 2 s, us-east-1b), `orders-w` (async, 8 s, us-west-2a); 50 writes/s.
 */
export function simFixture(options: { events?: EventInput[]; seed?: number; latency?: LatencyMap; topology?: Topology } = {}) {
  const clock = new VirtualClock();
  const topology: Topology = options.topology ?? {
    providers: [
      {
        id: 'aws',
        latency: options.latency ?? {},
        regions: [
          { id: 'us-east-1', zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] },
          { id: 'us-west-2', zones: ['us-west-2a', 'us-west-2b'] },
        ],
      },
      { id: 'gcp', latency: {}, regions: [{ id: 'us-central1', zones: ['us-central1-a'] }] },
    ],
    groups: [
      { id: 'web', provider: 'aws', region: 'us-east-1', size: 'm5.large', nodes: { 'us-east-1a': 2, 'us-east-1b': 2 }, minHealthy: 4 },
    ],
    databases: [
      {
        id: 'orders',
        engine: 'postgres',
        primary: { provider: 'aws', region: 'us-east-1', zone: 'us-east-1a' },
        replicas: [
          { id: 'orders-s', provider: 'aws', region: 'us-east-1', zone: 'us-east-1c', lagSeconds: 0, mode: 'sync' },
          { id: 'orders-b', provider: 'aws', region: 'us-east-1', zone: 'us-east-1b', lagSeconds: 2, mode: 'async' },
          { id: 'orders-w', provider: 'aws', region: 'us-west-2', zone: 'us-west-2a', lagSeconds: 8, mode: 'async' },
        ],
        writes: 50,
      },
    ],
  };
  const world = new SimWorld({ topology, clock, seed: options.seed ?? 42 });
  const timeline: WorldTimelineEntry[] = [];
  world.onTimeline((entry) => timeline.push(entry));
  if (options.events) world.scheduleEvents(options.events.map((event, index) => ({ ...event, index }) as ScenarioEvent));
  const aws = world.provider('aws');
  const prober = world.prober();
  const call = (): CallOptions => ({ signal: new AbortController().signal });

  return {
    clock,
    world,
    aws,
    prober,
    timeline,
    call,
    /** Runs the world until virtual second `seconds`. */
    at: (seconds: number) => clock.runUntil(seconds * 1000),
    /** Probes and cuts the round off at once (timed-out targets report `timeout`). */
    probe: async (targets: ProbeTarget[]): Promise<ProbeResult[]> => {
      const controller = new AbortController();
      const round = prober.probe(targets, controller.signal);
      controller.abort();
      return round;
    },
    node: (id: string): ProbeTarget => ({ kind: 'node', provider: 'aws', id, zone: '' }),
    db: (id: string): ProbeTarget => ({ kind: 'database', provider: 'aws', id, zone: '' }),
    nodeNow: async (id: string): Promise<Node> => (await aws.listNodes({ ids: [id] }, call()))[0]!,
    dbNow: async (id: string): Promise<DatabaseInstance> => (await aws.listDatabases({ ids: [id] }, call()))[0]!,
  };
}
