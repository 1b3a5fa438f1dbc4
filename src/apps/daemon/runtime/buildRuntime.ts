import { createAdapter, type AdapterInstance } from '../../../../adapters/registry.js';
import type { Clock } from '../../../core/clock/Clock.js';
import type { Prober } from '../../../core/contract/Prober.js';
import type { Provider } from '../../../core/contract/Provider.js';
import type { DaemonConfig } from '../config/DaemonConfig.js';
import { EndpointProber } from './EndpointProber.js';
import { ProviderFailureLog, type ProviderFailure } from './ProviderFailureLog.js';
import { RoutingProber } from './RoutingProber.js';

/** Providers and probes built from a config, with what must run beside them. */
export interface Runtime {
  readonly providers: readonly Provider[];
  /**
   * The same providers as their adapters built them, before the runtime's
   * wrappers: for an embedding program's provider-only `ex_` operations
   * (fault injection in tests), never for the controller.
   */
  readonly adapterProviders: readonly Provider[];
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
 * Builds the providers a config names, each through its adapter's factory in
 * the registry. Credentials are read by the factories from the environment
 * variables or profiles the config names, and are never logged. Providers
 * without a prober of their own (real clouds) are probed over the network as
 * the config's `probes` say.
 */
export async function buildRuntime(config: DaemonConfig, clock: Clock, signal: AbortSignal, options: RuntimeOptions = {}): Promise<Runtime> {
  const adapters: AdapterInstance[] = [];
  const close = async () => {
    await Promise.allSettled(adapters.map((adapter) => adapter.close()));
  };
  try {
    for (const entry of config.providers) adapters.push(await createAdapter(entry, { clock, signal, env: process.env }));
  } catch (error) {
    await close();
    throw error;
  }

  const networkProber = new EndpointProber(config.probes.node ?? { type: 'tcp' });
  const probers = new Map<string, Prober>();
  for (const adapter of adapters) {
    for (const provider of adapter.providers) probers.set(provider.id, adapter.prober ?? networkProber);
  }
  const failureLog = new ProviderFailureLog(options.log ?? (() => {}));
  return {
    providers: adapters.flatMap((adapter) => adapter.providers).map((p) => failureLog.wrap(p)),
    adapterProviders: adapters.flatMap((adapter) => adapter.providers),
    prober: new RoutingProber(probers),
    providerFailures: () => failureLog.failing(),
    run: async (s) => {
      await Promise.all(adapters.map((adapter) => adapter.run?.(s)));
    },
    close,
  };
}
