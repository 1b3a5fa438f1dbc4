import type { OperationName } from '../../src/core/contract/types.js';

/**
 * The world a scenario sets up (spec section 2): providers with their regions
 * and zones, node groups and replicated databases. The simulated world is
 * built from it; the replay loader produces it from a scenario file.
 */
export interface Topology {
  readonly providers: readonly ProviderSpec[];
  readonly groups: readonly GroupSpec[];
  readonly databases: readonly DatabaseSpec[];
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
  /** Initial running nodes per zone. */
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
