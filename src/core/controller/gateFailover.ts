import { resourceKey, zoneKey, type DatabaseView, type Snapshot } from './Snapshot.js';
import type { HeldStep, PromoteStep } from './Plan.js';
import type { Policy } from './Policy.js';

/**
 * When the primary's failure started (ms), from the snapshot alone: the
 * time its zone was declared impaired, the time this controller fenced it,
 * or the start of its failing probes. What an approval's deadline counts
 * from, so the deadline needs no memory of its own and survives restarts
 * and leader changes as the health picture does.
 */
export function failureStartedAt(snapshot: Snapshot, primary: DatabaseView): number {
  const { instance, health } = primary;
  const zone = snapshot.zones.get(zoneKey(instance.provider, instance.zone));
  const fencedAt = snapshot.memory.fenced.get(resourceKey(instance.provider, instance.id));
  const candidates = [zone?.state === 'impaired' ? zone.since : undefined, fencedAt, health.failingSince].filter((t): t is number => t !== undefined);
  return candidates.length > 0 ? Math.min(...candidates) : snapshot.now;
}

/**
 * The approval gate of an automatic failover (policy `approveFailovers`).
 * Returns the promotion to plan now: the operator's, when an approval
 * given since the failure started is in memory (so a pause does not hold
 * it), or the automatic one once the deadline has passed with
 * `onApprovalTimeout: proceed`. Returns `undefined` while the promotion
 * waits (it is added to `held` with its deadline) or after it was
 * abandoned at the deadline (a note says so; an approval still starts it).
 * Pure.
 */
export function gateFailover(snapshot: Snapshot, policy: Policy, step: PromoteStep, primary: DatabaseView, held: HeldStep[], notes: string[]): PromoteStep | undefined {
  if (!policy.approveFailovers) return step;
  const since = failureStartedAt(snapshot, primary);
  const approval = snapshot.memory.approvals.get(step.cluster);
  if (approval && approval.approvedAt >= since) {
    return { ...step, requestedBy: approval.approvedBy, reason: `${step.reason}; approved by ${approval.approvedBy}` };
  }
  const until = since + policy.approvalTimeout * 1000;
  if (snapshot.now < until) {
    held.push({ step, why: 'approval', until, detail: `waiting for approval until ${new Date(until).toISOString()} (then ${policy.onApprovalTimeout})` });
    return undefined;
  }
  if (policy.onApprovalTimeout === 'proceed') {
    return { ...step, reason: `${step.reason}; not approved within ${policy.approvalTimeout}s: proceeding (onApprovalTimeout: proceed)` };
  }
  notes.push(`${step.cluster}: failover to ${step.target} not approved within ${policy.approvalTimeout}s: abandoned (onApprovalTimeout: abandon); an approval still starts it`);
  return undefined;
}
