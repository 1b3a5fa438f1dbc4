import type { ClusterMemory } from './ControllerMemory.js';
import type { Policy } from './Policy.js';
import type { Snapshot } from './Snapshot.js';

/** What an endpoint still answering a failed primary means for its fence. */
export interface EndpointHold {
  /** The fence waits (not planned this cycle); false: it goes, the wait is over. */
  readonly waits: boolean;
  /** For the plan's notes (waiting) or the fence's reason (not waiting any more). */
  readonly why: string;
}

/**
 * Whether the fence of `instance`, a failed former primary of `cluster`
 * that takes no writes, waits for the endpoint, or `undefined` when no
 * endpoint answers it.
 *
 * Clients must never be sent to an instance the controller stopped while
 * another takes writes, and the controller cannot know how long an
 * endpoint change takes to be served (Route 53: until `INSYNC`) nor how
 * long the promotion takes. So the order is: the endpoint is moved with the
 * promotion, and the old primary is stopped once a listing of the
 * endpoint's provider shows it no longer answers it. While the promotion is
 * under way the old primary is the only one that could take writes, and if
 * it does so again once a new primary does, the split-brain guard fences it
 * at once, endpoint or not; so what the wait risks is writes of clients
 * still sent to an old primary that comes back within it, never two
 * primaries for longer than a cycle.
 *
 * Bounded: an endpoint that cannot move (refused, throttled, its change
 * lost) holds the fence at most `endpointMoveTimeout` after the new primary
 * took writes. Nothing waits when the database has no endpoint the
 * controller moves (`moveEndpoints` off, or none listed), when none of its
 * endpoints answers the instance, or when no failover of it is recorded
 * (memory corrected to the primary the listing shows: nothing to count
 * the wait from). A listing of the endpoints that failed leaves the last
 * one read in the snapshot, so the wait goes on, bounded, on a stale read.
 *
 * @param promoting The fence is planned with the promotion that replaces
 *   `instance`: the wait has not started (nothing takes writes yet).
 */
export function endpointHoldsFence(snapshot: Snapshot, policy: Policy, cluster: string, memory: ClusterMemory, instance: string, promoting: boolean): EndpointHold | undefined {
  const answering = endpointsAnswering(snapshot, policy, cluster, instance);
  if (answering.length === 0) return undefined;
  const names = `endpoint ${answering.join(', ')}`;
  const fencedOnce = `${cluster}: ${instance} is fenced once ${names} no longer answers it`;
  if (promoting) {
    return { waits: true, why: `${fencedOnce}, so clients are never sent to a stopped instance while the new primary takes writes (at most ${policy.endpointMoveTimeout}s after it does)` };
  }
  const until = endpointWaitEndsAt(snapshot, memory, policy);
  if (until === undefined) return undefined;
  if (snapshot.now >= until) return { waits: false, why: `${names} still answers it ${policy.endpointMoveTimeout}s after the new primary took writes (endpointMoveTimeout): fenced anyway` };
  return { waits: true, why: `${fencedOnce} (as its provider lists it), at most ${Math.ceil((until - snapshot.now) / 1000)}s more (endpointMoveTimeout)` };
}

/**
 * When a failed primary's fence stops waiting for the endpoint (ms):
 * `endpointMoveTimeout` after the last failover completed; `undefined` while
 * no endpoint of the cluster answers anything but its primary (nothing waits).
 */
export function endpointWaitEndsAt(snapshot: Snapshot, memory: ClusterMemory, policy: Policy): number | undefined {
  if (!policy.moveEndpoints || memory.lastFailoverAt === undefined) return undefined;
  if (!snapshot.endpoints.some((e) => e.database === memory.cluster && e.target !== memory.primary)) return undefined;
  return memory.lastFailoverAt + policy.endpointMoveTimeout * 1000;
}

/**
 * Names of `cluster`'s endpoints that its provider lists as answering
 * `instance`; none when the controller does not move endpoints
 * (`moveEndpoints` off: nothing it waits for would ever happen).
 */
export function endpointsAnswering(snapshot: Snapshot, policy: Policy, cluster: string, instance: string): string[] {
  if (!policy.moveEndpoints) return [];
  return snapshot.endpoints.filter((e) => e.database === cluster && e.target === instance).map((e) => e.name);
}
