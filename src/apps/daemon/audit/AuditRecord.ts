/** One line of the audit log. */
export interface AuditRecord {
  /** ISO time. */
  readonly time: string;
  /** The daemon's id, or `operator` for API requests. */
  readonly who: string;
  /** What was done or attempted (`promoteReplica`, `pause`, `switchover`, `start`, ...). */
  readonly what: string;
  readonly where: {
    readonly provider?: string;
    readonly region?: string;
    readonly zone?: string;
    readonly resource?: string;
  };
  /** Why: the plan step's reason, or the operator's request. */
  readonly why: string;
  /** `started`, `ok`, `error`, `timeout`, `throttled`, `refused`, ... */
  readonly result: string;
  /** Database cluster, for failover actions. */
  readonly database?: string;
}
