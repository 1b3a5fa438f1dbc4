import type { ZoneEvidence, ZoneState } from '../health/types.js';

/** The body of `GET /status`. */
export interface DaemonStatus {
  readonly id: string;
  readonly startedAt: string;
  /** Time of the latest observation; absent before the first cycle. */
  readonly observedAt: string | undefined;
  readonly paused: boolean;
  readonly leader: { readonly id: string; readonly mode: 'local-lock' | 'etcd'; readonly lock: string };
  readonly zones: readonly { provider: string; region: string; zone: string; state: ZoneState; since: string; reason: string; evidence: ZoneEvidence }[];
  readonly databases: readonly {
    database: string;
    primary: string | undefined;
    provider: string | undefined;
    failovers: number;
    promotion: { target: string; from: string; startedAt: string } | undefined;
    replicas: readonly { id: string; zone: string; role: string; state: string; upstream: string | undefined; replication: string | undefined; lagSeconds: number | null }[];
  }[];
  readonly groups: readonly { group: string; provider: string; region: string; minHealthy: number; healthy: number; total: number }[];
  /** Adapter calls of the controller's plan that have not returned. */
  readonly inFlight: readonly { operation: string; provider: string; zone: string | undefined; target: string; reason: string }[];
  readonly switchover: { database: string; state: string; detail: string } | undefined;
}
