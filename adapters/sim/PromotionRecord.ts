/** A promotion that took effect in the simulated world (ground truth for the replay harness). */
export interface PromotionRecord {
  /** The logical database (cluster id). */
  readonly cluster: string;
  /** The promoted instance. */
  readonly replica: string;
  readonly provider: string;
  readonly region: string;
  readonly zone: string;
  /** The primary the replica was following (at the end of its upstream chain) when promoted. */
  readonly from: string;
  /** Virtual seconds when `promoteReplica` was accepted. */
  readonly requestedAt: number;
  /**
   * Virtual seconds when the promotion took effect and the new primary
   * accepted writes (a promotion waits for its zone to be reachable and its
   * storage to work, so the two are the same instant).
   */
  readonly writableAt: number;
  /**
   * Seconds of committed writes lost: the old primary's committed position
   * minus the replica's replayed position when the promotion took effect,
   * floored at 0. Equals the replica's lag at the moment replication from the
   * old primary stopped; 0 for a healthy sync replica.
   */
  readonly dataLossSeconds: number;
  /** `dataLossSeconds` times the cluster's `writes` per second. */
  readonly dataLossWrites: number;
}
