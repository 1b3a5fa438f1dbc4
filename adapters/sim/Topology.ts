import type { OperationName } from '../../src/core/contract/types.js';

/**
 * The world a scenario sets up (spec section 2): providers with their regions
 * and zones, node groups, replicated databases (with their writer endpoints)
 * and load balancers. The simulated world is built from it; the replay
 * loader produces it from a scenario file.
 */
export interface Topology {
  readonly providers: readonly ProviderSpec[];
  readonly groups: readonly GroupSpec[];
  readonly databases: readonly DatabaseSpec[];
  /** Zonal front ends of node groups (spec 2.2, r2). Default: none. */
  readonly loadBalancers?: readonly LoadBalancerSpec[];
}

/** Operation latency overrides in seconds, by operation name (spec 2.1). */
export type LatencyMap = Partial<Record<OperationName, number>>;

export interface ProviderSpec {
  readonly id: string;
  readonly latency: LatencyMap;
  readonly regions: readonly RegionSpec[];
}

export interface RegionSpec {
  readonly id: string;
  readonly zones: readonly string[];
}

export interface GroupSpec {
  readonly id: string;
  readonly provider: string;
  readonly region: string;
  readonly size?: string;
  /**
   * Initial running nodes per zone, read with `Object.entries`. Build it
   * with own properties (`Object.fromEntries`, never `obj[zone] = n`), so
   * that a zone named `__proto__` is a key like any other.
   */
  readonly nodes: Readonly<Record<string, number>>;
  /** Default: the initial total. */
  readonly minHealthy: number;
}

export interface DatabaseSpec {
  readonly id: string;
  readonly engine?: string;
  readonly primary: { readonly provider: string; readonly region: string; readonly zone: string };
  readonly replicas: readonly ReplicaSpec[];
  /** Committed writes per second on the primary; 0 when not given. */
  readonly writes: number;
  /** The writer endpoint its clients use (spec 2.2, r2); none when absent. */
  readonly endpoint?: EndpointSpec;
}

/** A database's writer endpoint (spec 2.2). At t = 0 it resolves to the primary. */
export interface EndpointSpec {
  /** Provider serving the name (it may differ from the database's). */
  readonly provider: string;
  readonly name: string;
  /** How long clients keep an old answer, in seconds (default 60). */
  readonly ttlSeconds: number;
}

/** A zonal load balancer in front of a node group (spec 2.2). */
export interface LoadBalancerSpec {
  readonly id: string;
  readonly provider: string;
  /** The group's home region. */
  readonly region: string;
  readonly group: string;
}

export interface ReplicaSpec {
  readonly id: string;
  readonly provider: string;
  readonly region: string;
  readonly zone: string;
  /** Seconds; 0 for sync replicas (the key is ignored for them). */
  readonly lagSeconds: number;
  readonly mode: 'sync' | 'async';
}
