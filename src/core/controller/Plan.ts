import type { MutatingOperation } from '../contract/types.js';

/** Fields every plan step has. */
interface StepBase {
  /** Adapter operation this step calls. */
  readonly operation: MutatingOperation;
  readonly provider: string;
  readonly region: string;
  /** Zone of the target resource (or the requested zone of a create). */
  readonly zone?: string;
  /** Why the controller wants this, in words an operator reads in the audit log. */
  readonly reason: string;
  /**
   * Identity of the step: two steps with the same key are the same intent, so
   * re-running a plan (after a crash, or next cycle) never doubles an action.
   */
  readonly key: string;
  /**
   * Set on the steps of an operator's request (a planned switchover):
   * pausing automatic actions does not hold them. Unset: an automatic step.
   */
  readonly requestedBy?: string;
}

/** Promote a replica to primary of its cluster. */
export interface PromoteStep extends StepBase {
  readonly operation: 'promoteReplica';
  readonly cluster: string;
  readonly target: string;
  /** The primary being replaced. */
  readonly from: string;
  /** Estimated seconds of committed writes lost (replica lag when replication stopped). */
  readonly estimatedLossSeconds: number;
}

/** Stop a database instance that must not accept writes (fence an old primary). */
export interface FenceStep extends StepBase {
  readonly operation: 'stopDatabase';
  readonly cluster: string;
  readonly target: string;
  /** Set when the fence starts a planned switchover: the replica that takes over once it has caught up. */
  readonly handoverTo?: { readonly target: string; readonly provider: string };
}

/**
 * Start again a primary this controller fenced for a planned switchover that
 * could not be completed without losing writes (the target did not catch up
 * in time): the switchover is abandoned and the old primary serves again.
 */
export interface UnfenceStep extends StepBase {
  readonly operation: 'rebootDatabase';
  readonly cluster: string;
  readonly target: string;
}

/**
 * Point a database's writer endpoint at its primary, once the primary takes
 * writes: what lets clients that know only the endpoint reach it.
 */
export interface UpdateEndpointStep extends StepBase {
  readonly operation: 'updateEndpoint';
  readonly cluster: string;
  /** The endpoint's name (what clients connect to). */
  readonly target: string;
  /** The instance it is pointed at. */
  readonly instance: string;
}

/**
 * Take a zone out of a load balancer's rotation until an expiry (renewed
 * while the zone stays impaired), or put it back once it has recovered.
 */
export interface ShiftTrafficStep extends StepBase {
  readonly operation: 'shiftTraffic';
  /** The load balancer's id. */
  readonly target: string;
  readonly group: string;
  /** The zone shifted (also `zone`). */
  readonly zone: string;
  readonly away: boolean;
  /** With `away`: seconds until the shift ends by itself. */
  readonly expiresInSeconds?: number;
}

/** Point a replica at the cluster's new primary. */
export interface RepointStep extends StepBase {
  readonly operation: 'repointReplica';
  readonly cluster: string;
  readonly target: string;
  readonly upstream: string;
}

/**
 * Create a replica of a cluster's primary, to bring the cluster back to its
 * replica count after a failover (the promoted replica, and those left
 * following the old primary, are missing).
 */
export interface CreateReplicaStep extends StepBase {
  readonly operation: 'createReplica';
  readonly cluster: string;
  /** Id of the new instance; also what makes a repeated request return the first replica. */
  readonly target: string;
  /** The primary it replicates from. */
  readonly source: string;
  /** Zone it goes to (always chosen: never left to a provider that may pick an impaired zone). */
  readonly zone: string;
  /** Where the replica it stands in for lived (`region/zone`), for the audit log. */
  readonly home: string;
}

/**
 * Delete a replica a failover left following a former primary, on a provider
 * that cannot re-point it: once its replacement streams, or at once when its
 * old primary cannot be fenced while it has replicas (RDS).
 */
export interface RetireReplicaStep extends StepBase {
  readonly operation: 'destroyDatabase';
  readonly cluster: string;
  readonly target: string;
}

/** Create a node for a group. */
export interface CreateNodeStep extends StepBase {
  readonly operation: 'createNode';
  readonly group: string;
  /** Name, also used as the idempotency token. */
  readonly name: string;
  readonly size?: string;
  /** Set when this create replaces a dead node. */
  readonly replaces?: string;
}

/** Destroy a dead node whose replacement is up. */
export interface DestroyNodeStep extends StepBase {
  readonly operation: 'destroyNode';
  readonly group: string;
  readonly target: string;
}

/** One typed, idempotent step of a plan. */
export type Step =
  | PromoteStep
  | FenceStep
  | UnfenceStep
  | UpdateEndpointStep
  | ShiftTrafficStep
  | RepointStep
  | CreateReplicaStep
  | RetireReplicaStep
  | CreateNodeStep
  | DestroyNodeStep;

/**
 * An operator's request that ends this cycle without a step: `refused` (it
 * cannot be done safely now, with the reason) or `abandoned` (it was started
 * and cannot be finished, and there is nothing to undo). The controller drops
 * the request from memory and reports it. A request that ends with a step
 * (the promotion, or starting the old primary again) is dropped when that
 * step starts.
 */
export interface IntentVerdict {
  readonly cluster: string;
  readonly kind: 'switchover';
  readonly outcome: 'refused' | 'abandoned';
  readonly reason: string;
  /** An instance whose fence never took (it still serves): memory forgets the fence, so its being down is evidence again. */
  readonly forgetFence?: { readonly provider: string; readonly target: string };
}

/**
 * A step `decide` wants and does not plan to run this cycle: `paused` (an
 * operator paused automatic actions, all or for its database), `observe`
 * (the policy's `mode` is `observe`: nothing mutating is ever run, the step
 * is what the controller would do), or `approval` (a failover waiting for
 * an operator's approval until `until`).
 */
export interface HeldStep {
  readonly step: Step;
  readonly why: 'paused' | 'observe' | 'approval';
  /** In words, for the audit log and `/status` (who paused, until when the approval is awaited). */
  readonly detail: string;
  /** For `approval`: when the deadline passes (ms). */
  readonly until?: number;
}

/** What `decide` returns: steps in priority order, notes on what it chose not to do, and when to look again. */
export interface Plan {
  /** The steps to run now. */
  readonly steps: readonly Step[];
  /** Steps wanted and held back (paused, observe mode, awaiting approval), in priority order; never run by the executor. */
  readonly held: readonly HeldStep[];
  /** Decisions not to act, with reasons ("zone us-east-1a impaired: not rebooting"), for logs and tests. */
  readonly notes: readonly string[];
  /** Operators' requests that end this cycle. */
  readonly verdicts: readonly IntentVerdict[];
  /**
   * The earliest time (ms) at which this decision could change with nothing
   * new observed (a down target reaching `impairedAfter`, a settle window or
   * a cooldown ending, a switchover's deadline...): the loop need not run
   * `decide` before then unless something changes. `Infinity` when no timer
   * is pending.
   */
  readonly wakeAt: number;
}
