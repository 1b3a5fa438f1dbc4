/**
 * What the controller remembers between cycles: its own decisions, never a
 * copy of the world (that is re-read every cycle). Plain JSON, so the daemon
 * can journal it.
 */
export interface ControllerMemory {
  /** Per protected database cluster. */
  clusters: Record<string, ClusterMemory>;
  /** Nodes we asked for that are not yet running, by node name. */
  pendingCreates: Record<string, PendingCreate>;
  /** Instances we stopped on purpose (fenced), by resource key, with the time of the last stop call. */
  fenced: Record<string, number>;
  /** Replicas not to try again before the given time, by resource key (a promotion of them failed). */
  failedCandidates: Record<string, number>;
  /** Zones where a create failed: avoided for placement until the given time, by zone key. */
  zonePenalty: Record<string, number>;
  /** Step keys with the time their call was last issued (ms): a step is not re-issued while its effect may still be on the way. */
  issued: Record<string, number>;
  /** Sequence for node names. */
  nodeSeq: number;
}

/** The controller's view of one cluster's leadership. */
export interface ClusterMemory {
  readonly cluster: string;
  /** Instance the controller considers the primary. */
  primary: string;
  /** Provider of {@link ClusterMemory.primary}. */
  provider: string;
  failovers: number;
  /** Time the last failover completed (ms). */
  lastFailoverAt?: number;
  /** A promotion under way. */
  promotion?: PromotionInFlight;
}

/** A promotion the controller started and is watching. */
export interface PromotionInFlight {
  readonly target: string;
  readonly provider: string;
  readonly region: string;
  readonly zone: string;
  readonly from: string;
  readonly fromProvider: string;
  /** When failure of the old primary was declared (ms). */
  readonly detectedAt: number;
  /** When the promote call was issued (ms). */
  readonly startedAt: number;
  /** Set when the call's outcome is unknown (it timed out). */
  uncertain?: boolean;
}

/** A create the controller issued and is waiting to see running. */
export interface PendingCreate {
  readonly group: string;
  readonly provider: string;
  readonly region: string;
  readonly zone?: string;
  readonly issuedAt: number;
  readonly replaces?: string;
}

/** Empty memory for a controller's first start. */
export function emptyMemory(): ControllerMemory {
  return { clusters: {}, pendingCreates: {}, fenced: {}, failedCandidates: {}, zonePenalty: {}, issued: {}, nodeSeq: 0 };
}
