import type { TargetHealth } from '../health/types.js';
import { promotionGivenUpAt } from './memoryReducers.js';
import type { Policy } from './Policy.js';
import { shiftRenewals } from './planTraffic.js';
import { endpointWaitEndsAt } from './endpointHoldsFence.js';
import type { Snapshot } from './Snapshot.js';

/**
 * The earliest time after `snapshot.now` at which a decision or a memory
 * record could change with nothing new observed: a down target reaching
 * `impairedAfter` or `nodeDeadAfter`, a failed candidate, zone penalty,
 * settle window, retry window, cooldown or a fence's wait for an endpoint ending, a promotion, create or switchover
 * reaching its deadline. `Infinity` when none is pending. Every timer is the
 * one `decide` and the memory reducers use, read from the same policy and
 * memory, so none is defined twice.
 */
export function nextWake(snapshot: Snapshot, policy: Policy): number {
  const now = snapshot.now;
  // Plain loops and a module-level `earlier`: this runs in every decided cycle.
  let next = Infinity;
  const impairedAfterMs = policy.impairedAfter * 1000;
  const nodeDeadAfterMs = policy.nodeDeadAfter * 1000;
  for (const view of snapshot.nodes) next = downDeadlines(view.health, now, next, impairedAfterMs, nodeDeadAfterMs);
  for (const view of snapshot.databases) next = downDeadlines(view.health, now, next, impairedAfterMs, nodeDeadAfterMs);
  const memory = snapshot.memory;
  for (const until of memory.failedCandidates.values()) next = earlier(until, now, next);
  for (const until of memory.zonePenalty.values()) next = earlier(until, now, next);
  for (const until of memory.issued.values()) next = earlier(until, now, next);
  for (const times of memory.tries.values()) if (times.length > 0) next = earlier(times[0]! + policy.stepRetryWindow * 1000, now, next);
  for (const pending of memory.pendingCreates.values()) next = earlier(pending.issuedAt + policy.nodeStartTimeout * 1000, now, next);
  for (const intent of memory.intents.values()) next = earlier(intent.deadline, now, next);
  if (memory.shifts.size > 0) for (const renewal of shiftRenewals(snapshot, policy)) next = earlier(renewal, now, next);
  for (const cluster of memory.clusters.values()) {
    if (cluster.lastFailoverAt !== undefined) next = earlier(cluster.lastFailoverAt + policy.failoverCooldown * 1000, now, next);
    const fenceWaitEnds = endpointWaitEndsAt(snapshot, cluster, policy);
    if (fenceWaitEnds !== undefined) next = earlier(fenceWaitEnds, now, next);
    for (const pending of cluster.pendingReplicas.values()) next = earlier(pending.issuedAt + policy.nodeStartTimeout * 1000, now, next);
    if (cluster.promotion) next = earlier(promotionGivenUpAt(cluster.promotion, policy), now, next);
  }
  return next;
}

/** `t` if it lies after `now` and before `next`, else `next`. */
function earlier(t: number, now: number, next: number): number {
  return t > now && t < next ? t : next;
}

/** A down target's deadlines: reaching `impairedAfter` and `nodeDeadAfter`. */
function downDeadlines(health: TargetHealth, now: number, next: number, impairedAfterMs: number, nodeDeadAfterMs: number): number {
  if (health.status !== 'down' || health.failingSince === undefined) return next;
  return earlier(health.failingSince + nodeDeadAfterMs, now, earlier(health.failingSince + impairedAfterMs, now, next));
}
