/**
 * The replay report (spec section 7). Keys may be added over time; none of
 * the spec's keys may be renamed or dropped.
 */
export interface ReplayReport {
  readonly scenario: string;
  readonly file: string;
  readonly passed: boolean;
  /** Wall clock when the report was made (ISO 8601); set by the caller that measures wall time. */
  generatedAt?: string;
  /** Wall milliseconds the replay took; set by the caller that measures wall time. */
  wallMs?: number;
  readonly virtualSeconds: number;
  readonly seed: number;
  /**
   * Present (true) when the replay ran with `--wire`: the `aws`/`gcp`
   * providers were the real adapters over HTTP to loopback emulators, so
   * `metrics.calls` counts HTTP requests (one per page, CloudWatch and
   * Cloud Monitoring reads as `listDatabases`).
   */
  readonly wire?: boolean;
  readonly metrics: ReplayMetrics;
  readonly expectations: readonly ExpectationResult[];
  readonly timeline: readonly TimelineEntry[];
  readonly actions: readonly ActionEntry[];
  /**
   * Steps the controller wanted and held back, each the first time it was
   * held (policy `mode: observe`: what it would have run; `approveFailovers`:
   * a failover waiting for an approval nobody gives in a replay). Present
   * only when there is one.
   */
  readonly held?: readonly HeldEntry[];
}

/** A step the controller held back rather than run (see {@link ReplayReport.held}). */
export interface HeldEntry {
  /** Virtual seconds from the start. */
  readonly t: number;
  readonly why: 'paused' | 'observe' | 'approval';
  readonly provider: string;
  readonly operation: string;
  readonly target: string;
  readonly zone?: string;
  readonly database?: string;
  /** Why the controller wanted it. */
  readonly reason: string;
}

export interface ReplayMetrics {
  /** First impairment to first zone declared impaired; null if either never happened. */
  readonly detectionSeconds: number | null;
  /** First impairment to first promoted replica accepting writes; null if either never happened. */
  readonly failoverSeconds: number | null;
  /** Largest data loss over all promotions (replica lag when replication stopped); null if no promotion. */
  readonly dataLossSeconds: number | null;
  /** Largest data loss in writes (dataLoss seconds x the database's `writes` per second); null if no promotion. */
  readonly dataLossWrites: number | null;
  readonly failovers: number;
  /** Every adapter call the controller made, reads included, by provider and operation. */
  readonly calls: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly mutatingCalls: number;
  /** Longest time two or more instances of one database accepted writes at once (seconds, exact; spec 5 `maxSplitBrain`). */
  readonly splitBrainSeconds: number;
  /** Worst write-unavailability incident over databases with an endpoint (spec 5 `maxWriteUnavailable`); null if none has one. */
  readonly writeUnavailableSeconds: number | null;
  /** Failed share of requests integrated over the run, summed over load balancers (spec 5 `maxRequestErrors`); null if none. */
  readonly requestErrorSeconds: number | null;
  /** Writes acknowledged by an instance outside the chosen primary's lineage at the end, over every database (they count as lost). */
  readonly divergedWrites: number;
}

export interface ExpectationResult {
  readonly kind: string;
  /** The expectation as written in the scenario. */
  readonly spec: unknown;
  readonly passed: boolean;
  readonly detail: string;
}

export interface TimelineEntry {
  /** Virtual seconds from the start. */
  readonly t: number;
  readonly kind: string;
  readonly provider?: string;
  readonly region?: string;
  readonly zone?: string;
  readonly database?: string;
  readonly group?: string;
  readonly detail: string;
}

export interface ActionEntry {
  readonly t: number;
  readonly provider: string;
  readonly operation: string;
  readonly target?: string;
  readonly region?: string;
  readonly zone?: string;
  readonly result: 'ok' | 'error' | 'throttled' | 'timeout';
  /** Why the controller did it (the plan step's reason). */
  readonly reason?: string;
}
