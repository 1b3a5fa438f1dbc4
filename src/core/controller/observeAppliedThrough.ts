import { resourceKey } from '../contract/keys.js';
import type { MemoryDraft } from './MemoryDraft.js';
import { databaseListedAt, type Snapshot } from './Snapshot.js';

/**
 * The memory moves only when a replica's position advanced by at least this
 * much (ms): the record then changes every few cycles rather than every
 * one, and a loss estimate made from it errs high by at most this.
 */
export const APPLIED_THROUGH_STEP_MS = 5_000;

/**
 * Records, for each listed replica whose lag is known, the instant of its
 * upstream's timeline it has applied ({@link ControllerMemory.appliedThrough}):
 * listing time, less the measurement's age, less the lag. Records of
 * replicas their provider no longer lists are forgotten (a provider that
 * lists no database at all tells nothing).
 */
export function observeAppliedThrough(draft: MemoryDraft, snapshot: Snapshot): void {
  const listed = new Set<string>();
  const providersListed = new Set<string>();
  for (const { instance } of snapshot.databases) {
    providersListed.add(instance.provider);
    const replication = instance.replication;
    if (replication === undefined) continue;
    const key = resourceKey(instance.provider, instance.id);
    listed.add(key);
    if (replication.lagSeconds === null || replication.lagSeconds < 0) continue;
    // As of when its listing was read: a listing kept while reads fail must not move the record with the clock.
    const through = databaseListedAt(snapshot, instance) - ((replication.lagAgeSeconds ?? 0) + replication.lagSeconds) * 1000;
    const known = draft.get('appliedThrough').get(key);
    if (known === undefined || through >= known + APPLIED_THROUGH_STEP_MS) draft.set('appliedThrough', key, through);
  }
  for (const key of draft.get('appliedThrough').keys()) {
    if (!listed.has(key) && providersListed.has(key.slice(0, key.indexOf(':')))) draft.delete('appliedThrough', key);
  }
}
