/**
 * A parsed, validated outage scenario (`../shared/spec/scenarios.md`, the
 * public contract). All durations are converted to seconds. Defaults from the
 * spec are already applied, so consumers never re-implement them.
 */
import type { Topology } from '../../../../adapters/sim/index.js';
import type { ScenarioEvent } from '../../../../adapters/sim/index.js';
import type { PolicyOverrides } from '../../../core/controller/Policy.js';

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

export type { DatabaseSpec, EndpointSpec, GroupSpec, LatencyMap, LoadBalancerSpec, ProviderSpec, RegionSpec, ReplicaSpec, Topology } from '../../../../adapters/sim/index.js';
export type { ApiFaultKind, ImpairMode, ScenarioEvent, ScenarioEventKind } from '../../../../adapters/sim/index.js';

/** One expectation; `index` is its position in the file's `expect` list; `spec` is the item as written. */
export type Expectation =
  | { readonly kind: 'failover'; readonly index: number; readonly spec: unknown; readonly database: string; readonly to?: { readonly region?: string; readonly zone?: string; readonly replica?: string }; readonly withinSeconds?: number }
  | { readonly kind: 'noFailover'; readonly index: number; readonly spec: unknown; readonly database?: string }
  | { readonly kind: 'never'; readonly index: number; readonly spec: unknown; readonly action: string; readonly zone?: string; readonly region?: string }
  | { readonly kind: 'capacity'; readonly index: number; readonly spec: unknown; readonly group: string; readonly min?: number; readonly withinSeconds: number }
  | { readonly kind: 'maxDataLoss'; readonly index: number; readonly spec: unknown; readonly database: string; readonly seconds: number }
  | { readonly kind: 'maxFailovers'; readonly index: number; readonly spec: unknown; readonly database?: string; readonly count: number }
  | { readonly kind: 'maxCalls'; readonly index: number; readonly spec: unknown; readonly provider: string; readonly operation?: string; readonly count: number; readonly perSeconds?: number }
  | { readonly kind: 'endpoint'; readonly index: number; readonly spec: unknown; readonly database: string; readonly withinSeconds: number }
  | { readonly kind: 'maxWriteUnavailable'; readonly index: number; readonly spec: unknown; readonly database: string; readonly seconds: number }
  | { readonly kind: 'maxRequestErrors'; readonly index: number; readonly spec: unknown; readonly loadBalancer: string; readonly seconds: number }
  | { readonly kind: 'maxSplitBrain'; readonly index: number; readonly spec: unknown; readonly database?: string; readonly seconds: number };

export type ExpectationKind = Expectation['kind'];
