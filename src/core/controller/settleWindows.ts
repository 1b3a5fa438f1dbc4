import type { Step } from './Plan.js';
import type { Snapshot } from './Snapshot.js';

/**
 * How long after a step's call started its effect may still be on the way,
 * in seconds: the same step is not issued again before then (a fence takes a
 * few seconds to show in listings; a re-point or a delete up to a minute;
 * an endpoint change or a traffic shift shows as pending or shifted in the
 * next listing, so half a minute covers a slow read).
 * Steps whose progress the controller watches in its memory instead (a
 * promotion, a node or replica being created) have none.
 */
export const SETTLE_SECONDS: Readonly<Record<Step['operation'], number>> = {
  stopDatabase: 10,
  rebootDatabase: 60,
  repointReplica: 60,
  destroyNode: 60,
  destroyDatabase: 60,
  updateEndpoint: 30,
  shiftTraffic: 30,
  promoteReplica: 0,
  createNode: 0,
  createReplica: 0,
};

/**
 * Step `key` may be issued now: its call is not in flight, the time memory
 * set for it (its settle window, or a refusal's backoff) has passed, and if
 * an earlier call of it was accepted (or its answer lost), its provider has
 * since been listed late enough to show the effect: the listing says the
 * step is still needed, not a stale or failed read.
 */
export function settled(snapshot: Snapshot, key: string): boolean {
  if (snapshot.inFlight.has(key)) return false;
  const until = snapshot.memory.issued.get(key);
  if (until !== undefined && snapshot.now < until) return false;
  const awaited = snapshot.memory.awaiting.get(key);
  return awaited === undefined || listedSince(snapshot, awaited.provider, awaited.visibleFrom);
}

/** `provider`'s listings in the snapshot were all read at or after `time` (ms). */
export function listedSince(snapshot: Snapshot, provider: string, time: number): boolean {
  const listedAt = snapshot.listedAt === undefined ? snapshot.now : (snapshot.listedAt.get(provider) ?? -Infinity);
  return listedAt >= time;
}
