import type { UnreachableScopes } from '../contract/PartialListingError.js';
import type { DatabaseInstance, Node } from '../contract/types.js';

/** What `extra.listing` says of a resource kept from an earlier read because its scope could not be listed. */
export const UNREACHABLE_LISTING = 'unreachable';

/**
 * A region's new listing, given what was listed and the scopes the provider
 * could not read (absent: the listing is complete). Resources of the
 * previous listing that live in an unreachable zone or region and are not
 * listed again are kept, as `unknown` (see {@link asUnknown}): missing from
 * a scope nobody could look at is not gone, so no replacement is created
 * and no failover is decided on that absence alone. Anything else missing
 * is gone, as in a complete listing. Kept resources that were already
 * marked keep their object, so a read that brings nothing new changes
 * nothing downstream.
 */
export function mergePartialListing<T extends Node | DatabaseInstance>(
  before: readonly T[] | undefined,
  listed: readonly T[],
  unreachable: UnreachableScopes | undefined,
): readonly T[] {
  if (unreachable === undefined || before === undefined) return listed;
  const zones = new Set(unreachable.zones);
  const regions = new Set(unreachable.regions);
  if (zones.size === 0 && regions.size === 0) return listed;
  const seen = new Set(listed.map((each) => each.id));
  const kept: T[] = [];
  for (const previous of before) {
    if (seen.has(previous.id) || !(zones.has(previous.zone) || regions.has(previous.region))) continue;
    kept.push(asUnknown(previous));
  }
  return kept.length === 0 ? listed : [...listed, ...kept];
}

/**
 * The last picture of a resource that could not be listed: state `unknown`,
 * `extra.listing` `unreachable`, and for a replica a replication state
 * `unknown` (a stale `streaming` must not vouch for its upstream's zone).
 */
function asUnknown<T extends Node | DatabaseInstance>(previous: T): T {
  if (previous.state === 'unknown' && previous.extra['listing'] === UNREACHABLE_LISTING) return previous;
  const replication = 'replication' in previous && previous.replication !== undefined ? { replication: { ...previous.replication, state: 'unknown' as const } } : {};
  return { ...previous, state: 'unknown', ...replication, extra: { ...previous.extra, listing: UNREACHABLE_LISTING } };
}
