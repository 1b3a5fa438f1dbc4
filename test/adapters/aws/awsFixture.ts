import { SimWorld } from '../../../adapters/sim/index.js';
import { AwsProvider, type AwsProviderOptions } from '../../../adapters/aws/index.js';
import { startAwsEmulator, WireQuiescence, type AwsEmulator, type AwsEmulatorOptions } from '../../../adapters/emulators/index.js';
import { VirtualClock } from '../../../src/core/clock/VirtualClock.js';
import type { ScenarioEvent, Topology } from '../../../src/apps/replay/scenario/Scenario.js';

/** Recognizable fake credentials: tests search every output for them. */
export const CANARY_ACCESS_KEY = 'AKIALIFEBOATCANARY01';
export const CANARY_SECRET = 'LifeboatCanarySecret/0123456789abcdefghijKLMN';
export const CANARY_TOKEN = 'LifeboatCanarySessionToken0123456789ABCDEFghijklmnopqrstuvwxyz';

/** A world with an `aws` provider in two regions, a web group and a replicated database. */
export function awsTopology(nodesInA = 3): Topology {
  return {
    providers: [
      {
        id: 'aws',
        latency: {},
        regions: [
          { id: 'us-east-1', zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] },
          { id: 'us-west-2', zones: ['us-west-2a', 'us-west-2b'] },
        ],
      },
    ],
    groups: [{ id: 'web', provider: 'aws', region: 'us-east-1', size: 'm5.large', nodes: { 'us-east-1a': nodesInA, 'us-east-1b': 2 }, minHealthy: nodesInA + 2 }],
    databases: [
      {
        id: 'orders',
        engine: 'postgres',
        primary: { provider: 'aws', region: 'us-east-1', zone: 'us-east-1a' },
        replicas: [{ id: 'orders-b', provider: 'aws', region: 'us-east-1', zone: 'us-east-1b', lagSeconds: 2, mode: 'async' }],
        writes: 10,
      },
    ],
  };
}

/** A scenario event without its time and position: {@link apply} stamps them. */
export type EventSpec = ScenarioEvent extends infer E ? (E extends ScenarioEvent ? Omit<E, 'at' | 'index'> : never) : never;

export interface AwsWire {
  readonly world: SimWorld;
  readonly clock: VirtualClock;
  readonly emulator: AwsEmulator;
  readonly provider: AwsProvider;
  /** Applies scenario events at the current virtual time. */
  apply(events: EventSpec[]): Promise<void>;
  /** The adapter with its calls counted, so that {@link advance} lets them settle between timers. */
  track(adapter: AwsProvider): AwsProvider;
  /** Moves virtual time by `ms`, letting HTTP requests of tracked calls settle between timers. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** The world, its AWS emulator on loopback, and the real adapter pointed at it. */
export async function awsWire(
  options: { topology?: Topology; adapter?: AwsProviderOptions; emulator?: Omit<AwsEmulatorOptions, 'provider'> } = {},
): Promise<AwsWire> {
  const clock = new VirtualClock();
  const world = new SimWorld({ clock, seed: 11, topology: options.topology ?? awsTopology() });
  const emulator = await startAwsEmulator({ provider: world.provider('aws'), clock, ...options.emulator });
  const quiescence = new WireQuiescence([emulator]);
  const provider = new AwsProvider({
    regions: ['us-east-1'],
    endpoint: emulator.endpoint,
    credentials: { accessKeyId: CANARY_ACCESS_KEY, secretAccessKey: CANARY_SECRET, sessionToken: CANARY_TOKEN },
    images: { 'us-east-1': 'ami-0123456789abcdef0', 'us-west-2': 'ami-0123456789abcdef1' },
    // Its sleeps (backoff between retries) count as parked for {@link AwsWire.advance}.
    clock: quiescence.adapterClock(clock),
    ...options.adapter,
  });
  return {
    world,
    clock,
    emulator,
    provider,
    track: (adapter) => quiescence.track(adapter),
    advance: (ms) => quiescence.runUntil(clock, clock.now() + ms),
    async apply(events) {
      const at = clock.now() / 1000;
      world.scheduleEvents(events.map((event, index) => ({ ...event, at, index }) as ScenarioEvent));
      await clock.runUntil(clock.now());
    },
    async close() {
      await provider.close();
      await emulator.close();
    },
  };
}
