import type { Step } from './Plan.js';

/** One operator's pause: who asked, when (ms of the controller's clock) and why. */
export interface Pause {
  readonly by: string;
  readonly at: number;
  readonly reason: string;
}

/**
 * Automatic actions an operator paused: every database and group (`all`),
 * or single databases by cluster id. An input to `decide`, like the
 * snapshot, and not part of the controller's memory: the daemon keeps it
 * beside the memory in its journal and, with etcd, under its own keys, so
 * any daemon can pause the one that acts.
 *
 * A pause holds automatic steps only: the steps of an operator's own
 * request (`Step.requestedBy`: a switchover, an approved failover) run, as
 * asking for them is the operator's explicit action.
 */
export interface OperatorPauses {
  readonly all?: Pause;
  readonly databases: ReadonlyMap<string, Pause>;
}

/** Nothing paused. */
export const NO_PAUSES: OperatorPauses = Object.freeze({ databases: new Map<string, Pause>() });

/** The pause that holds `step` back, or `undefined` when none does. */
export function pauseHolding(pauses: OperatorPauses, step: Step): Pause | undefined {
  if (step.requestedBy !== undefined) return undefined;
  if (pauses.all) return pauses.all;
  return 'cluster' in step ? pauses.databases.get(step.cluster) : undefined;
}

/** Whether any pause is in force. */
export function anyPause(pauses: OperatorPauses): boolean {
  return pauses.all !== undefined || pauses.databases.size > 0;
}
