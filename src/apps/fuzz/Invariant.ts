/**
 * The invariants `lifeboat fuzz` checks on the simulated world's ground
 * truth (README, "lifeboat fuzz"). Each is true of correct behaviour in
 * every scenario it is applied to; where a scenario leaves the controller
 * no way to keep it (every zone impaired, reads failing to the end), it is
 * not applied.
 */
export type InvariantName =
  /** Never two writable primaries beyond one cycle after a fence is possible. */
  | 'splitBrain'
  /** No promotion loses more than the policy's `maxDataLoss`. */
  | 'dataLoss'
  /** No reboot, stop, start or create into a zone that is impaired and that the controller has declared impaired. */
  | 'impairedZoneCall'
  /** Mutating calls bounded per window (the rate limit the policy sets). */
  | 'callsPerWindow'
  /** Node groups back at `minHealthy` once things have settled with a healthy zone left. */
  | 'capacity'
  /** Each database's endpoint follows its primary. */
  | 'endpoint'
  /** A failed-over database back at its replica count once things have settled with a healthy zone left. */
  | 'replicas';

/** One invariant that did not hold in a replay. */
export interface Violation {
  readonly invariant: InvariantName;
  /** What the judge saw (the failing expectation's detail). */
  readonly detail: string;
  /**
   * The spec-5 expectation that fails when the scenario file is replayed;
   * none for an invariant no expectation kind states (`replicas`): `lifeboat
   * fuzz --check FILE` reports those.
   */
  readonly expectation?: Record<string, unknown>;
}
