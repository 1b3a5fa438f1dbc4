import type { Clock } from '../../src/core/clock/Clock.js';
import type { GcpAuth } from './GcpAuth.js';
import type { GcpEndpointConfig } from './GcpEndpointConfig.js';
import type { GcpLoadBalancerConfig } from './GcpLoadBalancerConfig.js';

/** Options for {@link GcpProvider}. Every field is optional; the defaults suit a real project with ADC. */
export interface GcpProviderOptions {
  /** Provider id used in nodes, errors and scenarios. Default `gcp`. */
  readonly id?: string;
  /** Project id. Default: the one Application Default Credentials name. */
  readonly project?: string;
  /** Regions the adapter manages. Default: every region the project sees. */
  readonly regions?: readonly string[];
  /**
   * Host for Compute Engine, Cloud SQL Admin and Cloud Monitoring instead of
   * Google's (`127.0.0.1` for the emulator); with `port` and `protocol`.
   */
  readonly apiEndpoint?: string;
  readonly port?: number;
  readonly protocol?: 'http' | 'https';
  /** Auth instead of `new GoogleAuth()` with ADC (for tests: {@link StaticTokenAuth}). */
  readonly auth?: GcpAuth;
  /**
   * A service-account key file for `new GoogleAuth()` instead of
   * Application Default Credentials' own lookup (`GOOGLE_APPLICATION_CREDENTIALS`).
   * Ignored when `auth` is given.
   */
  readonly keyFile?: string;
  /** Boot image for {@link GcpProvider.createNode} (`projects/debian-cloud/global/images/family/debian-12`), unless a template is set. */
  readonly sourceImage?: string;
  /** Instance template (`global/instanceTemplates/NAME`) for created nodes: its disks, network and metadata apply. */
  readonly instanceTemplate?: string;
  /** Network for created nodes without a template. Default `global/networks/default`. */
  readonly network?: string;
  /** Machine type when a create request names no size. Default `e2-small`, or the template's when one is set. */
  readonly defaultSize?: string;
  /** Port the controller probes nodes on; with it, nodes get `endpoint` = `internalIp:port`. */
  readonly probePort?: number;
  /**
   * How long a mutating call waits for its Cloud SQL, regional or global
   * long-running operation to finish before returning it as accepted.
   * Default 10,000 ms. Waiting surfaces asynchronous failures as errors; the
   * call's signal still bounds it, and a later read shows the outcome either
   * way. Zonal instance operations (create, start, stop, reset, delete) are
   * waited on to their end within the call's signal, whatever this says: a
   * stockout is only reported there.
   */
  readonly operationWaitMs?: number;
  /** Pause between two polls of a Cloud SQL operation. Default 1,000 ms. */
  readonly pollIntervalMs?: number;
  /**
   * Where replica lag and replication state come from. `monitoring`
   * (default): Cloud Monitoring's `cloudsql.googleapis.com/database/
   * replication/replica_lag` and `.../replication/state`, two
   * `timeSeries.list` reads per `listDatabases` with replicas in it (needs
   * `monitoring.timeSeries.list`, in `roles/monitoring.viewer`); the adapter
   * then declares `replicationStatus`. `none`: lag and state are unknown and
   * the capability is not declared.
   */
  readonly replicationMetrics?: 'monitoring' | 'none';
  /**
   * Writer endpoints as Cloud DNS record sets. With at least one, the
   * adapter declares `endpoints` (and has `listEndpoints` /
   * `updateEndpoint`); without, it does not.
   */
  readonly endpoints?: readonly GcpEndpointConfig[];
  /**
   * Zonal load balancers as backend services. With at least one, the adapter
   * declares `loadBalancers` (and has `listLoadBalancers` / `shiftTraffic`).
   */
  readonly loadBalancers?: readonly GcpLoadBalancerConfig[];
  /** Time source for operation waits, shift expiries and the Monitoring query window. Default: the system clock. */
  readonly clock?: Clock;
}
