import type { PolicyOverrides } from '../../../core/controller/Policy.js';
import type { GroupConfig } from '../../../core/controller/Snapshot.js';
import type { WatchedRegion } from '../../../core/controller/Controller.js';
import type { Topology } from '../../replay/scenario/Scenario.js';
import type { Scenario } from '../../replay/scenario/Scenario.js';
import type { AdapterConfig, SimConfig } from '../../../../adapters/registry.js';
import type { DaemonConfigFile } from './daemonConfigSchema.js';
import type { HooksConfig, NotificationsConfig } from '../hooks/hooksSchema.js';

/** A sim provider entry with its world read and validated. */
export type ResolvedSimProvider = SimConfig & {
  /** The world's topology (inline, or from the `world` scenario file); absent for a remote `url`. */
  readonly resolvedTopology?: Topology;
  /** The scenario the world came from, when `world` was given (its events are played in real time). */
  readonly scenario?: Scenario;
};

/** One provider entry, ready for its adapter's factory (`adapters/registry.ts`). */
export type ResolvedProvider = ResolvedSimProvider | Exclude<AdapterConfig, { type: 'sim' }>;

/**
 * A validated daemon config: every path absolute (relative ones are taken
 * from the config file's folder), durations in seconds, and the protected
 * resources in the controller's own shapes.
 */
export interface DaemonConfig {
  /** The config file, as named by the user. */
  readonly file: string;
  readonly id?: string;
  readonly providers: readonly ResolvedProvider[];
  /** Provider ids the config makes available (sim entries contribute their topology's). */
  readonly providerIds: readonly string[];
  readonly watch: readonly WatchedRegion[];
  readonly groups: readonly GroupConfig[];
  /** Protected clusters; empty means every listed database. */
  readonly databases: readonly { readonly cluster: string; readonly provider?: string }[];
  readonly probes: NonNullable<DaemonConfigFile['probes']>;
  readonly policy: PolicyOverrides;
  readonly api: {
    readonly listen: string;
    readonly token?: string;
    readonly tokenEnv?: string;
    readonly readToken?: string;
    readonly readTokenEnv?: string;
    readonly hosts?: readonly string[];
    /** Absolute paths. */
    readonly tls?: { readonly cert: string; readonly key: string };
    readonly requireTls?: boolean;
    readonly healthChecks?: { readonly withoutToken?: boolean; readonly maxPictureAgeSeconds?: number };
  };
  readonly journal: string;
  readonly audit: string;
  readonly reports: string;
  /** Leader election on etcd, with defaults applied; absent means a lock file keeps a single daemon. */
  readonly etcd?: { readonly endpoints: readonly string[]; readonly prefix: string; readonly ttlSeconds: number };
  /** Command hooks (reloaded on SIGHUP). */
  readonly hooks?: HooksConfig;
  /** Webhooks, `secretFile` paths absolute (reloaded on SIGHUP). */
  readonly notifications?: NotificationsConfig;
}
