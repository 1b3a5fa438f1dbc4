import type { ZoneEvidence, ZoneState } from '../../core/health/types.js';

/** The body of `GET /status`. */
export interface DaemonStatus {
  readonly id: string;
  readonly startedAt: string;
  /** Time of the latest observation; absent before the first cycle. */
  readonly observedAt: string | undefined;
  readonly paused: boolean;
  /**
   * Who acts: with a lock file, always this daemon; with etcd, the holder of
   * the leader key (`self` tells whether it is this daemon; a follower serves
   * the leader's published zones and databases).
   */
  readonly leader: {
    readonly id: string | undefined;
    readonly mode: 'local-lock' | 'etcd';
    /** The lock file or the etcd leader key. */
    readonly lock: string;
    readonly self: boolean;
    /** The fencing token of this daemon's term (etcd, leader only). */
    readonly token?: string;
    readonly since?: string;
  };
  readonly zones: readonly { provider: string; region: string; zone: string; state: ZoneState; since: string; reason: string; evidence: ZoneEvidence }[];
  readonly databases: readonly {
    database: string;
    primary: string | undefined;
    provider: string | undefined;
    /** Zone of the primary, as last listed; absent while it is not listed. */
    primaryZone: string | undefined;
    failovers: number;
    promotion: { target: string; from: string; startedAt: string } | undefined;
    replicas: readonly { id: string; zone: string; role: string; state: string; upstream: string | undefined; replication: string | undefined; lagSeconds: number | null }[];
  }[];
  readonly groups: readonly { group: string; provider: string; region: string; minHealthy: number; healthy: number; total: number }[];
  /** Adapter calls of the controller's plan that have not returned. */
  readonly inFlight: readonly { operation: string; provider: string; zone: string | undefined; target: string; reason: string }[];
  /**
   * While automatic actions are paused: the steps the last cycle decided on
   * and held back (what would run on resume). Empty when not paused.
   */
  readonly pausedPlan: readonly { operation: string; provider: string; zone: string | undefined; target: string; reason: string }[];
  readonly switchover: { database: string; state: string; detail: string } | undefined;
}
