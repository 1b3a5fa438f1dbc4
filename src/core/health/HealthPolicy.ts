/**
 * The policy figures health assessment reads (a subset of the controller's
 * `Policy`, declared here so that health does not depend on the controller).
 * Durations in seconds.
 */
export interface HealthPolicy {
  /** Consecutive failed rounds before a target is down. */
  readonly failedRounds: number;
  /** Minimum bad time before a zone is impaired. */
  readonly impairedAfter: number;
  /** Clean rounds before an impaired zone counts as recovered. */
  readonly recoveredRounds: number;
  /** Minimum clean time before an impaired zone counts as recovered. */
  readonly recoveredAfter: number;
  /** Share of a zone's probed (or listed) targets down for that vantage point to say "impaired". */
  readonly impairedFraction: number;
  /** A replica that has not heard its upstream this long says the upstream is cut off. */
  readonly replicationStaleAfter: number;
}
