import { z } from 'zod';
import { VirtualClock } from '../../src/core/clock/VirtualClock.js';
import type { AdapterFactory } from '../AdapterFactory.js';
import { RealtimeSimDriver } from './RealtimeSimDriver.js';
import { RemoteSimProber } from './RemoteSimProber.js';
import { RemoteSimProvider } from './RemoteSimProvider.js';
import type { ScenarioEvent } from './ScenarioEvent.js';
import { SimWorld } from './SimWorld.js';
import type { Topology } from './Topology.js';

/** A simulated world (no cloud needed): inline topology, a scenario file, or a remote `lifeboat sim-serve`. */
export const simConfigSchema = z
  .strictObject({
    type: z.literal('sim'),
    topology: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('the world, in the scenario topology format (providers, groups, databases)'),
    world: z.string().min(1).optional().describe('a scenario file whose topology and events make the world'),
    url: z.string().url().optional().describe('a world served by `lifeboat sim-serve` (http://127.0.0.1:PORT)'),
    seed: z.number().int().min(0).optional(),
    timeScale: z.number().positive().max(1000).optional().describe('world seconds per wall second (default 1)'),
  })
  .refine((v) => [v.topology, v.world, v.url].filter((x) => x !== undefined).length === 1, {
    message: 'a sim provider needs exactly one of topology, world or url',
  });

/**
 * A `sim` config entry with its world read. The scenario format belongs to
 * the application that reads it (`topology` inline or the `world` file), so
 * the application resolves it and hands the result here.
 */
export type SimConfig = z.output<typeof simConfigSchema> & {
  /** The world's topology (from `topology` or the `world` file); absent for a remote `url`. */
  readonly resolvedTopology?: Topology;
  /** The scenario the world came from, when `world` was given: its events are played in real time. */
  readonly scenario?: { readonly seed: number; readonly durationSeconds: number; readonly events: readonly ScenarioEvent[] };
};

/**
 * The `sim` adapter's factory. In-process, it builds a {@link SimWorld} on
 * its own virtual clock and returns a `run` that moves that clock with real
 * time ({@link RealtimeSimDriver}, `timeScale` world seconds per second);
 * with `url`, the providers and prober of a world another process serves
 * ({@link RemoteSimProvider}), which outlives this one.
 */
export const simFactory: AdapterFactory<'sim', typeof simConfigSchema, SimConfig> = {
  kind: 'sim',
  configSchema: simConfigSchema,
  async create(config, { clock, signal }) {
    if (config.url !== undefined) {
      const providers = await RemoteSimProvider.connect(config.url, signal);
      return { providers, prober: new RemoteSimProber(config.url), close: async () => undefined };
    }
    if (config.resolvedTopology === undefined) throw new Error('sim: the world was not read (topology or world) before create');
    const worldClock = new VirtualClock();
    const scenario = config.scenario;
    const world = new SimWorld({
      topology: config.resolvedTopology,
      clock: worldClock,
      seed: config.seed ?? scenario?.seed ?? 0,
      ...(scenario ? { durationSeconds: scenario.durationSeconds } : {}),
    });
    if (scenario) world.scheduleEvents(scenario.events);
    const driver = new RealtimeSimDriver(worldClock, clock, { timeScale: config.timeScale ?? 1 });
    return {
      providers: world.providers(),
      prober: world.prober(),
      run: (s) => driver.run(s),
      close: async () => undefined,
    };
  },
};
