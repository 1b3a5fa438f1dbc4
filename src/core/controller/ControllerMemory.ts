/**
 * What the controller remembers between cycles: its own decisions and the
 * operators' requests, never a copy of the world (that is re-read every
 * cycle). An immutable value: only the reducers in `memoryReducers.ts` make
 * a new one, and a snapshot carries it read-only. Id-keyed records are
 * `Map`s, so an id such as `constructor` or `__proto__` is an id like any
 * other. {@link memoryToJson} and {@link memoryFromJson} give the journal's
 * plain JSON form.
 */
export interface ControllerMemory {
  /** Per protected database cluster, by cluster id. */
  readonly clusters: ReadonlyMap<string, ClusterMemory>;
  /** Nodes we asked for that are not yet running, by node name. */
  readonly pendingCreates: ReadonlyMap<string, PendingCreate>;
  /**
   * Instances we stopped on purpose (fenced) or are deleting (retired
   * replicas), by resource key, with the time of the last call: their being
   * down is no evidence about their zone.
   */
  readonly fenced: ReadonlyMap<string, number>;
  /** Replicas we asked the provider to delete, by resource key, with the time of the call; dropped once the provider no longer lists them. */
  readonly retired: ReadonlyMap<string, number>;
  /** Replicas not to try again before the given time, by resource key (a promotion of them failed). */
  readonly failedCandidates: ReadonlyMap<string, number>;
  /** Zones where a create failed: avoided for placement until the given time, by zone key. */
  readonly zonePenalty: ReadonlyMap<string, number>;
  /**
   * Step keys with the time before which the step is not issued again (ms):
   * its effect may still be on the way, or the provider refused it and would
   * refuse it again.
   */
  readonly issued: ReadonlyMap<string, number>;
  /**
   * Calls that were accepted (or whose answer was lost) and whose effect the
   * listings have not been read late enough to show, by step key: the step
   * is not issued again until its provider has been listed from
   * {@link AwaitedCall.visibleFrom} on. A failed or missing read is no
   * observation, so it never makes a call count as not done.
   */
  readonly awaiting: ReadonlyMap<string, AwaitedCall>;
  /**
   * Times each step was tried within the last `stepRetryWindow` (ms), by
   * retry key: every call of a step (a throttled one excepted), by its key;
   * for creates, whose names are new each time, every round of a group's
   * (or a database's) creates that failed or was never seen. A step tried
   * `maxStepRetries` + 1 times in the window is not tried again until the
   * oldest try leaves it.
   */
  readonly tries: ReadonlyMap<string, readonly number[]>;
  /** Operators' requests waiting for `decide` to plan them, by cluster id. */
  readonly intents: ReadonlyMap<string, SwitchoverIntent>;
  /** Zones this controller shifted out of a load balancer's rotation, by `provider:loadBalancer:zone`. */
  readonly shifts: ReadonlyMap<string, TrafficShift>;
  /** Operators' approvals of a failover (policy `approveFailovers`), by cluster id; dropped when the promotion starts. */
  readonly approvals: ReadonlyMap<string, FailoverApproval>;
  /**
   * Per replica (resource key): the latest instant of its upstream's
   * timeline it was seen to have applied (ms), the measurement's time minus
   * the lag then reported, kept as the maximum seen. A replica's applied
   * position never moves back, so this is a lower bound on it at any later
   * time, which is what bounds the data loss of a replica whose lag has
   * since gone unknown (see `chooseCandidate`). Journaled: a lower bound
   * stays one after a restart.
   */
  readonly appliedThrough: ReadonlyMap<string, number>;
  /** Sequence for node names. */
  readonly nodeSeq: number;
}

/** The controller's view of one cluster's leadership. */
export interface ClusterMemory {
  readonly cluster: string;
  /** Instance the controller considers the primary. */
  readonly primary: string;
  /** Provider of {@link ClusterMemory.primary}. */
  readonly provider: string;
  readonly failovers: number;
  /** Time the last failover completed (ms). */
  readonly lastFailoverAt?: number;
  /** The primary the last failover moved away from, and its zone: what a failover within the cooldown must not go back to. */
  readonly previousPrimary?: { readonly provider: string; readonly id: string; readonly zone?: string };
  /** A promotion under way. */
  readonly promotion?: PromotionInFlight;
  /**
   * A promotion given up on whose call the provider accepted, or whose answer
   * never came: it may still complete. No other replica is promoted until
   * its target is fenced (the stop accepted), seen taking writes (then it is
   * adopted as the primary), or listed where it cannot become a primary.
   */
  readonly abandonedPromotion?: AbandonedPromotion;
  /**
   * Where the cluster's replicas lived when the controller first saw it: how
   * many replicas it keeps after a failover, and where replacements go first.
   * Absent in journals written before replica upkeep existed (then recorded
   * from what follows the primary at the next observation).
   */
  readonly replicaHomes?: readonly ReplicaHome[];
  /** Replicas we asked for that are not streaming yet, by instance id. */
  readonly pendingReplicas: ReadonlyMap<string, PendingReplica>;
  /** Sequence for the ids of replicas we create (`<cluster>-r<n>`). */
  readonly replicaSeq: number;
}

/** Where one of a cluster's replicas lived. */
export interface ReplicaHome {
  readonly provider: string;
  readonly region: string;
  readonly zone: string;
}

/** A replica the controller asked for and is waiting to see streaming. */
export interface PendingReplica {
  readonly provider: string;
  readonly region: string;
  readonly zone: string;
  readonly source: string;
  readonly issuedAt: number;
  /**
   * The call's outcome is unknown (the daemon restarted while it was in
   * flight): when the provider does not list the replica, `decide` sends
   * the create again under the same id, which returns the first replica if
   * the call did reach the provider.
   */
  readonly uncertain?: boolean;
  /**
   * Given up on (ms): listed but not streaming `replicaCreateTimeout` after
   * the call. It no longer counts toward the cluster's replicas; the record
   * stays so the listed instance is known for what it is, and goes once it
   * streams (then it counts again) or is no longer listed.
   */
  readonly givenUpAt?: number;
}

/** A mutating call whose effect the controller trusts until a listing read late enough shows otherwise. */
export interface AwaitedCall {
  readonly provider: string;
  readonly operation: string;
  /** The resource the call acted on (an instance, endpoint, load balancer, ...). */
  readonly target?: string;
  /** When the call was issued (ms). */
  readonly issuedAt: number;
  /** Listings read from this time on show the call's effect, if it took any (ms). */
  readonly visibleFrom: number;
  /** The call's answer never came (it timed out): it may or may not have taken effect. */
  readonly uncertain?: boolean;
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
  /** Set when the call's outcome is unknown (it timed out, or the daemon restarted while it was in flight). */
  readonly uncertain?: boolean;
  /**
   * Set after a restart when the journal shows the promote call started and
   * never ended: it may not have reached the provider, so `decide` sends it
   * again (it is idempotent) while the target is listed as a plain replica.
   */
  readonly reissue?: boolean;
  /** Set for a planned switchover an operator asked for (no data loss), unset for a failover. */
  readonly planned?: { readonly requestedBy: string };
}

/** A promotion the controller gave up on while its effect was still possible. */
export interface AbandonedPromotion extends PromotionInFlight {
  /** When it was given up (ms). */
  readonly givenUpAt: number;
  /** The provider refused to stop its target (RDS cannot stop a read replica): only the listing can tell now. */
  readonly fenceRefused?: boolean;
}

/** A node create the controller issued and is waiting to see running. */
export interface PendingCreate {
  readonly group: string;
  readonly provider: string;
  readonly region: string;
  readonly zone?: string;
  readonly issuedAt: number;
  readonly replaces?: string;
}

/**
 * A planned switchover an operator asked for: `decide` fences the primary,
 * waits until the target has replayed everything, then promotes it, under the
 * same candidate rules and guards as a failover; it gives up (and starts the
 * old primary again if it fenced it) at `deadline`.
 */
export interface SwitchoverIntent {
  readonly kind: 'switchover';
  readonly cluster: string;
  /** Instance to promote; unset: the best candidate by the failover rules. */
  readonly target?: string;
  /** Who asked (the audit log's `who`). */
  readonly requestedBy: string;
  readonly requestedAt: number;
  /** Abandoned when the target has not caught up by then (ms). */
  readonly deadline: number;
  /** Set once the old primary's fence was issued: the instance fenced and the target chosen then. */
  readonly fenced?: { readonly primary: string; readonly provider: string; readonly target: string; readonly targetProvider: string };
}

/**
 * An operator's approval of a cluster's failover (policy
 * `approveFailovers`): `decide` plans the promotion it was waiting to plan,
 * as the operator's step. It counts only for a failure that started before
 * it was given: an approval left over from an earlier outage approves
 * nothing.
 */
export interface FailoverApproval {
  readonly cluster: string;
  /** Who approved (the audit log's `who`). */
  readonly approvedBy: string;
  readonly approvedAt: number;
}

/**
 * A zone this controller took out of a load balancer's rotation. Only
 * these are ever put back or renewed by it: a shift an operator made is
 * theirs.
 */
export interface TrafficShift {
  readonly provider: string;
  readonly loadBalancer: string;
  readonly region: string;
  readonly group: string;
  readonly zone: string;
  /** When the last shift call (first or renewal) was issued (ms). */
  readonly issuedAt: number;
  /** When the shift ends by itself unless renewed (ms). */
  readonly expiresAt: number;
  /** The load balancer's listing showed the zone out of rotation. */
  readonly confirmed: boolean;
  /** The call putting it back was issued; forgotten once the listing shows the zone in rotation. */
  readonly returning: boolean;
}

/** Key of a shift in {@link ControllerMemory.shifts}. */
export function shiftKey(provider: string, loadBalancer: string, zone: string): string {
  return `${provider}:${loadBalancer}:${zone}`;
}

/** Empty memory for a controller's first start. */
export function emptyMemory(): ControllerMemory {
  return {
    clusters: new Map(),
    pendingCreates: new Map(),
    fenced: new Map(),
    retired: new Map(),
    failedCandidates: new Map(),
    zonePenalty: new Map(),
    issued: new Map(),
    awaiting: new Map(),
    tries: new Map(),
    intents: new Map(),
    shifts: new Map(),
    approvals: new Map(),
    appliedThrough: new Map(),
    nodeSeq: 0,
  };
}

/** The plain JSON form of {@link ControllerMemory} (what the journal and etcd hold): maps as `[key, value]` lists. */
export interface MemoryJson {
  readonly version: 2;
  readonly clusters: readonly [string, ClusterJson][];
  readonly pendingCreates: readonly [string, PendingCreate][];
  readonly fenced: readonly [string, number][];
  readonly retired: readonly [string, number][];
  readonly failedCandidates: readonly [string, number][];
  readonly zonePenalty: readonly [string, number][];
  readonly issued: readonly [string, number][];
  /** Absent in journals written before accepted calls were remembered. */
  readonly awaiting?: readonly [string, AwaitedCall][];
  /** Absent in journals written before retries were bounded. */
  readonly tries?: readonly [string, readonly number[]][];
  readonly intents: readonly [string, SwitchoverIntent][];
  readonly shifts: readonly [string, TrafficShift][];
  /** Absent in journals written before approvals existed. */
  readonly approvals?: readonly [string, FailoverApproval][];
  /** Absent in journals written before it existed. */
  readonly appliedThrough?: readonly [string, number][];
  readonly nodeSeq: number;
}

type ClusterJson = Omit<ClusterMemory, 'pendingReplicas'> & { readonly pendingReplicas: readonly [string, PendingReplica][] };

/** {@link ControllerMemory} as plain JSON, keys in insertion order. */
export function memoryToJson(memory: ControllerMemory): MemoryJson {
  return {
    version: 2,
    clusters: [...memory.clusters].map(([id, c]) => [id, { ...c, pendingReplicas: [...c.pendingReplicas] }]),
    pendingCreates: [...memory.pendingCreates],
    fenced: [...memory.fenced],
    retired: [...memory.retired],
    failedCandidates: [...memory.failedCandidates],
    zonePenalty: [...memory.zonePenalty],
    issued: [...memory.issued],
    awaiting: [...memory.awaiting],
    tries: [...memory.tries],
    intents: [...memory.intents],
    shifts: [...memory.shifts],
    approvals: [...memory.approvals],
    appliedThrough: [...memory.appliedThrough],
    nodeSeq: memory.nodeSeq,
  };
}

/**
 * Memory from its JSON form, or from the form journals had before version 2
 * (plain objects keyed by id; records added later absent).
 *
 * @throws when `json` is not memory in either form.
 */
export function memoryFromJson(json: unknown): ControllerMemory {
  if (typeof json !== 'object' || json === null) throw new Error('controller memory is not an object');
  const value = json as Record<string, unknown>;
  const entries = <T>(field: string): [string, T][] => {
    const raw = value[field];
    if (raw === undefined) return [];
    if (Array.isArray(raw)) return raw as [string, T][];
    if (raw instanceof Map) return [...(raw as Map<string, T>)];
    if (typeof raw === 'object' && raw !== null) return Object.entries(raw as Record<string, T>);
    throw new Error(`controller memory: ${field} is not a record`);
  };
  const clusters = entries<Record<string, unknown>>('clusters').map(([id, c]): [string, ClusterMemory] => {
    const pending = c['pendingReplicas'];
    const pendingReplicas = new Map<string, PendingReplica>(
      Array.isArray(pending) || pending instanceof Map ? (pending as Iterable<[string, PendingReplica]>) : Object.entries((pending ?? {}) as Record<string, PendingReplica>),
    );
    return [id, { ...(c as unknown as ClusterMemory), pendingReplicas, replicaSeq: (c['replicaSeq'] as number | undefined) ?? 0 }];
  });
  // Before version 2, `issued` held the time a step was issued; since, the time before which it is not issued again.
  const legacy = value['version'] !== 2;
  return {
    clusters: new Map(clusters),
    pendingCreates: new Map(entries<PendingCreate>('pendingCreates')),
    fenced: new Map(entries<number>('fenced')),
    retired: new Map(entries<number>('retired')),
    failedCandidates: new Map(entries<number>('failedCandidates')),
    zonePenalty: new Map(entries<number>('zonePenalty')),
    issued: new Map(legacy ? [] : entries<number>('issued')),
    awaiting: new Map(entries<AwaitedCall>('awaiting')),
    tries: new Map(entries<readonly number[]>('tries')),
    intents: new Map(entries<SwitchoverIntent>('intents')),
    shifts: new Map(entries<TrafficShift>('shifts')),
    approvals: new Map(entries<FailoverApproval>('approvals')),
    appliedThrough: new Map(entries<number>('appliedThrough')),
    nodeSeq: typeof value['nodeSeq'] === 'number' ? value['nodeSeq'] : 0,
  };
}
