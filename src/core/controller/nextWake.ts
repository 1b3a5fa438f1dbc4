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
  let next = Infinity;
  const consider = (t: number) => {
    if (t > now && t < next) next = t;
  };
  const downDeadlines = (health: TargetHealth) => {
    if (health.status !== 'down' || health.failingSince === undefined) return;
    consider(health.failingSince + policy.impairedAfter * 1000);
    consider(health.failingSince + policy.nodeDeadAfter * 1000);
  };
  for (const view of snapshot.nodes) downDeadlines(view.health);
  for (const view of snapshot.databases) downDeadlines(view.health);
  const memory = snapshot.memory;
  for (const until of memory.failedCandidates.values()) consider(until);
  for (const until of memory.zonePenalty.values()) consider(until);
  for (const until of memory.issued.values()) consider(until);
  for (const times of memory.tries.values()) if (times.length > 0) consider(times[0]! + policy.stepRetryWindow * 1000);
  for (const pending of memory.pendingCreates.values()) consider(pending.issuedAt + policy.nodeStartTimeout * 1000);
  for (const intent of memory.intents.values()) consider(intent.deadline);
  for (const renewal of shiftRenewals(snapshot, policy)) consider(renewal);
  for (const cluster of memory.clusters.values()) {
    if (cluster.lastFailoverAt !== undefined) consider(cluster.lastFailoverAt + policy.failoverCooldown * 1000);
    const fenceWaitEnds = endpointWaitEndsAt(snapshot, cluster, policy);
    if (fenceWaitEnds !== undefined) consider(fenceWaitEnds);
    for (const pending of cluster.pendingReplicas.values()) consider(pending.issuedAt + policy.nodeStartTimeout * 1000);
    if (cluster.promotion) consider(promotionGivenUpAt(cluster.promotion, policy));
  }
  return next;
}
