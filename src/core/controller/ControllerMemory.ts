import type { StepOutcome } from './ControllerEvent.js';
import type { CreateReplicaStep, RetireReplicaStep } from './Plan.js';
import type { Policy } from './Policy.js';
import { resourceKey, zoneKey } from './Snapshot.js';

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
  /**
   * Instances we stopped on purpose (fenced) or are deleting (retired
   * replicas), by resource key, with the time of the last call: their being
   * down is no evidence about their zone.
   */
  fenced: Record<string, number>;
  /**
   * Replicas we asked the provider to delete, by resource key, with the time
   * of the call; dropped once the provider no longer lists them. Absent in
   * journals written before replica upkeep existed.
   */
  retired?: Record<string, number>;
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
  /**
   * Where the cluster's replicas lived when the controller first saw it: how
   * many replicas it keeps after a failover, and where replacements go first.
   * Absent in journals written before replica upkeep existed (then recorded
   * from what follows the primary at the next cycle).
   */
  replicaHomes?: ReplicaHome[];
  /** Replicas we asked for that are not streaming yet, by instance id. */
  pendingReplicas?: Record<string, PendingReplica>;
  /** Sequence for the ids of replicas we create (`<cluster>-r<n>`). */
  replicaSeq?: number;
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
  return { clusters: {}, pendingCreates: {}, fenced: {}, retired: {}, failedCandidates: {}, zonePenalty: {}, issued: {}, nodeSeq: 0 };
}

/**
 * Write-ahead bookkeeping for the replica steps, called by the controller
 * before the adapter call: a replica being created counts toward its
 * cluster's replica count from now on (so it is never asked for twice, even
 * after a restart), and a replica being deleted is no evidence about its zone.
 */
export function noteReplicaStepStart(memory: ControllerMemory, step: CreateReplicaStep | RetireReplicaStep, now: number): void {
  if (step.operation === 'createReplica') {
    const cluster = memory.clusters[step.cluster];
    if (!cluster) return;
    cluster.replicaSeq = (cluster.replicaSeq ?? 0) + 1;
    (cluster.pendingReplicas ??= {})[step.target] = {
      provider: step.provider,
      region: step.region,
      zone: step.zone,
      source: step.source,
      issuedAt: now,
    };
    return;
  }
  const key = resourceKey(step.provider, step.target);
  memory.fenced[key] = now;
  (memory.retired ??= {})[key] = now;
}

/**
 * What a replica step's result changes. A create that failed (other than by
 * timing out: it may still happen, and its id makes a retry return it) is
 * forgotten, and its zone avoided for `backoffMax` unless the provider only
 * said "slow down". A refused delete is not asked again before `backoffMax`.
 */
export function noteReplicaStepResult(
  memory: ControllerMemory,
  step: CreateReplicaStep | RetireReplicaStep,
  outcome: StepOutcome,
  rejected: boolean,
  now: number,
  policy: Policy,
): void {
  if (outcome === 'ok') return;
  if (step.operation === 'createReplica') {
    if (outcome === 'timeout') return;
    const cluster = memory.clusters[step.cluster];
    if (cluster?.pendingReplicas) delete cluster.pendingReplicas[step.target];
    if (outcome !== 'throttled') memory.zonePenalty[zoneKey(step.provider, step.zone)] = now + policy.backoffMax * 1000;
    delete memory.issued[step.key];
    return;
  }
  const key = resourceKey(step.provider, step.target);
  delete memory.fenced[key];
  if (memory.retired) delete memory.retired[key];
  if (rejected) memory.issued[step.key] = now + policy.backoffMax * 1000;
  else delete memory.issued[step.key];
}
