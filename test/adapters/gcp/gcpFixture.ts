import { SimWorld } from '../../../adapters/sim/index.js';
import { GcpProvider, StaticTokenAuth, type GcpProviderOptions } from '../../../adapters/gcp/index.js';
import { reachOfCutOffZones, startGcpEmulator, WireQuiescence, type GcpEmulator, type GcpEmulatorOptions } from '../../../adapters/emulators/index.js';
import { VirtualClock } from '../../../src/core/clock/VirtualClock.js';
import type { ScenarioEvent, Topology } from '../../../src/apps/replay/scenario/Scenario.js';

/** A recognizable fake access token: tests search every output for it. */
export const CANARY_TOKEN = 'ya29.LifeboatCanaryAccessToken0123456789abcdefXYZ';
export const PROJECT = 'lifeboat-test';

/** A world with a `gcp` provider in two regions, a web group and a replicated database. */
export function gcpTopology(nodesInA = 3): Topology {
  return {
    providers: [
      {
        id: 'gcp',
        latency: {},
        regions: [
          { id: 'us-central1', zones: ['us-central1-a', 'us-central1-b', 'us-central1-c'] },
          { id: 'europe-west1', zones: ['europe-west1-b', 'europe-west1-c'] },
        ],
      },
    ],
    groups: [{ id: 'web', provider: 'gcp', region: 'us-central1', size: 'e2-standard-2', nodes: { 'us-central1-a': nodesInA, 'us-central1-b': 2 }, minHealthy: nodesInA + 2 }],
    databases: [
      {
        id: 'orders',
        engine: 'postgres',
        primary: { provider: 'gcp', region: 'us-central1', zone: 'us-central1-a' },
        replicas: [{ id: 'orders-b', provider: 'gcp', region: 'us-central1', zone: 'us-central1-b', lagSeconds: 2, mode: 'async' }],
        writes: 10,
      },
    ],
  };
}

/** A scenario event without its time and position: {@link apply} stamps them. */
export type EventSpec = ScenarioEvent extends infer E ? (E extends ScenarioEvent ? Omit<E, 'at' | 'index'> : never) : never;

export interface GcpWire {
  readonly world: SimWorld;
  readonly clock: VirtualClock;
  readonly emulator: GcpEmulator;
  readonly provider: GcpProvider;
  apply(events: EventSpec[]): Promise<void>;
  /** The adapter with its calls counted, so that {@link advance} lets them settle between timers. */
  track(adapter: GcpProvider): GcpProvider;
  /** Moves virtual time by `ms`, letting HTTP requests of tracked calls settle between timers. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** The world, its GCP emulator on loopback, and the real adapter pointed at it. */
export async function gcpWire(
  options: {
    topology?: Topology;
    adapter?: GcpProviderOptions;
    emulator?: Omit<GcpEmulatorOptions, 'provider'>;
    /** Give the adapter the world's virtual clock (shift expiries then follow it). Default: the system clock. */
    adapterOnWorldClock?: boolean;
    /**
     * The emulator as strict as in a wire replay: on the world's clock (operations take their time, metrics are
     * sampled), unable to list or read what the world has cut off, its own lookups no API reads. Implies `adapterOnWorldClock`; move time with
     * {@link GcpWire.advance}.
     */
    strict?: boolean;
  } = {},
): Promise<GcpWire> {
  const clock = new VirtualClock();
  const topology = options.topology ?? gcpTopology();
  const world = new SimWorld({ clock, seed: 11, topology });
  const regions = topology.providers.find((each) => each.id === 'gcp')!.regions;
  const strict = options.strict === true ? { clock, reach: () => reachOfCutOffZones(world.zonesCutOff('gcp'), regions), records: world.records('gcp') } : {};
  const emulator = await startGcpEmulator({ provider: world.provider('gcp'), ...strict, ...options.emulator });
  const quiescence = new WireQuiescence([emulator]);
  const adapterClock = options.strict === true ? quiescence.adapterClock(clock) : clock;
  const provider = new GcpProvider({
    project: PROJECT,
    apiEndpoint: emulator.host,
    port: emulator.port,
    protocol: 'http',
    auth: new StaticTokenAuth(CANARY_TOKEN, PROJECT),
    sourceImage: 'projects/debian-cloud/global/images/family/debian-12',
    defaultSize: 'e2-standard-2',
    ...options.adapter,
    ...(options.adapterOnWorldClock === true || options.strict === true ? { clock: adapterClock } : {}),
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
