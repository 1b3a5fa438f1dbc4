/**
 * A parsed, validated outage scenario (`../shared/spec/scenarios.md`, the
 * public contract). All durations are converted to seconds. Defaults from the
 * spec are already applied, so consumers never re-implement them.
 */
import type { OperationName } from '../../contract/types.js';
import type { PolicyOverrides } from '../../controller/Policy.js';

export interface Scenario {
  /** File the scenario was read from (for messages). */
  readonly file: string;
  readonly name: string;
  readonly description?: string;
  readonly source?: string;
  /** Virtual seconds to replay. */
  readonly durationSeconds: number;
  readonly seed: number;
  readonly topology: Topology;
  /** Overrides of the controller policy, already validated. */
  readonly policy: PolicyOverrides;
  /** In application order: sorted by `at`, file order kept for equal `at`. */
  readonly events: readonly ScenarioEvent[];
  readonly expect: readonly Expectation[];
}

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

export type ImpairMode = 'unreachable' | 'degraded' | 'power' | 'storage';

/** One event; `at` is seconds from the start. `index` is its position in the file's `events` list. */
export type ScenarioEvent =
  | { readonly at: number; readonly index: number; readonly kind: 'impair'; readonly zone: string; readonly mode: ImpairMode; readonly errorRate: number }
  | { readonly at: number; readonly index: number; readonly kind: 'impairRegion'; readonly region: string; readonly mode: ImpairMode; readonly errorRate: number }
  | { readonly at: number; readonly index: number; readonly kind: 'recover'; readonly zone?: string; readonly region?: string }
  | {
      readonly at: number;
      readonly index: number;
      readonly kind: 'apiFault';
      readonly provider: string;
      readonly region?: string;
      readonly zone?: string;
      /** Operation names, or `*` for all. */
      readonly operations: readonly string[];
      readonly fault: 'error' | 'throttle' | 'hang';
      readonly rate: number;
      /** Absolute seconds; `undefined` means until the end of the scenario. */
      readonly until?: number;
    }
  | { readonly at: number; readonly index: number; readonly kind: 'providerStatus'; readonly provider: string; readonly zone: string; readonly status: 'available' | 'impaired' | 'unavailable' }
  | { readonly at: number; readonly index: number; readonly kind: 'replication'; readonly database: string; readonly replica: string; readonly lagSeconds?: number; readonly broken?: boolean }
  | { readonly at: number; readonly index: number; readonly kind: 'nodeFailure'; readonly group: string; readonly count: number; readonly zone?: string }
  | { readonly at: number; readonly index: number; readonly kind: 'observerPartition'; readonly zone: string; readonly until?: number }
  | { readonly at: number; readonly index: number; readonly kind: 'flap'; readonly zone: string; readonly mode: 'unreachable' | 'degraded'; readonly periodSeconds: number; readonly until: number };

export type ScenarioEventKind = ScenarioEvent['kind'];

/** One expectation; `index` is its position in the file's `expect` list; `spec` is the item as written. */
export type Expectation =
  | { readonly kind: 'failover'; readonly index: number; readonly spec: unknown; readonly database: string; readonly to?: { readonly region?: string; readonly zone?: string; readonly replica?: string }; readonly withinSeconds?: number }
  | { readonly kind: 'noFailover'; readonly index: number; readonly spec: unknown; readonly database?: string }
  | { readonly kind: 'never'; readonly index: number; readonly spec: unknown; readonly action: string; readonly zone?: string; readonly region?: string }
  | { readonly kind: 'capacity'; readonly index: number; readonly spec: unknown; readonly group: string; readonly min?: number; readonly withinSeconds: number }
  | { readonly kind: 'maxDataLoss'; readonly index: number; readonly spec: unknown; readonly database: string; readonly seconds: number }
  | { readonly kind: 'maxFailovers'; readonly index: number; readonly spec: unknown; readonly database?: string; readonly count: number }
  | { readonly kind: 'maxCalls'; readonly index: number; readonly spec: unknown; readonly provider: string; readonly operation?: string; readonly count: number; readonly perSeconds?: number };

export type ExpectationKind = Expectation['kind'];
