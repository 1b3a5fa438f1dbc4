import type { PromoteStep } from './Plan.js';

/** What a {@link PrePromoteCheck} answers: go ahead with the promotion, or veto it with a reason. */
export interface PrePromoteVerdict {
  readonly proceed: boolean;
  /** Why, in words for the audit log and the failover event (the hook's exit, its output's last line, or its timeout). */
  readonly reason: string;
}

/**
 * Asked by the {@link Executor} as part of each promote step, before the
 * adapter call (Patroni's `pre_promote`, orchestrator's
 * `PreFailoverProcesses`). A veto is not a side door around `decide`: it
 * ends the step as a rejected result, which memory records like any refused
 * promotion (the candidate is avoided for `backoffMax`, a `failover.failed`
 * event says why) and which `decide` reads on its next cycle.
 *
 * Contract: the check bounds itself by its own timeout and never rejects
 * (the Executor treats a rejection as "proceed", so a broken check cannot
 * block a failover); it honours `signal` (the controller stopping).
 */
export interface PrePromoteCheck {
  check(step: PromoteStep, signal: AbortSignal): Promise<PrePromoteVerdict>;
}
