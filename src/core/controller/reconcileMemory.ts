import type { ControllerEvent } from './ControllerEvent.js';
import type { ClusterMemory, ControllerMemory, ReplicaHome } from './ControllerMemory.js';
import { followsPrimary } from './planReplicas.js';
import type { Policy } from './Policy.js';
import { resourceKey, zoneKey, type DatabaseView, type Snapshot } from './Snapshot.js';

/**
 * Bookkeeping between observe and decide: folds what the new snapshot shows
 * into the controller's memory (a promotion that took effect, creates that
 * are running, records that expired) and returns the events that follow.
 * This is the only place memory changes besides the executor's write-ahead
 * records, and it never calls an adapter.
 */
export function reconcileMemory(
  memory: ControllerMemory,
  snapshot: Snapshot,
  policy: Policy,
): Omit<ControllerEvent, 't'>[] {
  const events: Omit<ControllerEvent, 't'>[] = [];
  const now = snapshot.now;
  const byCluster = new Map<string, DatabaseView[]>();
  for (const view of snapshot.databases) {
    let list = byCluster.get(view.instance.cluster);
    if (!list) byCluster.set(view.instance.cluster, (list = []));
    list.push(view);
  }

  for (const [cluster, views] of byCluster) {
    const record = memory.clusters[cluster];
    if (!record) {
      // First sight of a cluster: adopt the listed primary; prefer one that proved writable.
      const primaries = views.filter((v) => v.instance.role === 'primary');
      const chosen =
        primaries.find((v) => v.health.writable) ??
        primaries.find((v) => v.instance.state === 'available') ??
        primaries[0];
      if (chosen) {
        memory.clusters[cluster] = {
          cluster,
          primary: chosen.instance.id,
          provider: chosen.instance.provider,
          failovers: 0,
          replicaHomes: replicaHomesOf(views, chosen.instance.id),
        };
      }
      continue;
    }
    // A journal from before replica upkeep: what follows the primary now is what is kept (nothing is created).
    record.replicaHomes ??= replicaHomesOf(views, record.primary);
    reconcilePendingReplicas(memory, record, views, now, policy);
    const promotion = record.promotion;
    if (!promotion) continue;
    const target = views.find((v) => v.instance.id === promotion.target && v.instance.provider === promotion.provider);
    const promoted =
      target !== undefined &&
      target.health.status === 'up' &&
      (target.health.writable || (target.instance.role === 'primary' && target.instance.state === 'available'));
    if (promoted) {
      record.primary = promotion.target;
      record.provider = promotion.provider;
      record.failovers++;
      record.lastFailoverAt = now;
      record.promotion = undefined;
      events.push({
        kind: 'failover.completed',
        provider: promotion.provider,
        region: promotion.region,
        zone: promotion.zone,
        database: cluster,
        detail: `${cluster}: ${promotion.target} is the primary (was ${promotion.from}); ${Math.round((now - promotion.startedAt) / 1000)}s after the promote call`,
      });
      continue;
    }
    const waited = now - promotion.startedAt;
    const limit = promotion.uncertain
      ? Math.min(policy.promoteTimeout, policy.callTimeout * 2) * 1000
      : policy.promoteTimeout * 1000;
    if (waited >= limit) {
      record.promotion = undefined;
      memory.failedCandidates[resourceKey(promotion.provider, promotion.target)] = now + policy.failoverCooldown * 1000;
      events.push({
        kind: 'failover.failed',
        provider: promotion.provider,
        region: promotion.region,
        zone: promotion.zone,
        database: cluster,
        detail: `${cluster}: ${promotion.target} did not become a writable primary within ${Math.round(waited / 1000)}s; trying another candidate`,
      });
    }
  }

  // Creates: done once the node runs and answers; given up after nodeStartTimeout (and its zone avoided for a while).
  const pendingNames = Object.keys(memory.pendingCreates);
  const nodesByName = new Map(pendingNames.length === 0 ? [] : snapshot.nodes.map((v) => [v.node.name, v]));
  for (const [name, pending] of Object.entries(memory.pendingCreates)) {
    const view = nodesByName.get(name);
    if (view && view.node.state === 'running' && view.health.status === 'up') {
      delete memory.pendingCreates[name];
      continue;
    }
    if (view && view.node.state === 'terminated') {
      delete memory.pendingCreates[name];
      continue;
    }
    if (now - pending.issuedAt >= policy.nodeStartTimeout * 1000) {
      delete memory.pendingCreates[name];
      const zone = view?.node.zone ?? pending.zone;
      if (zone !== undefined) memory.zonePenalty[zoneKey(pending.provider, zone)] = now + policy.backoffMax * 1000;
    }
  }

  // Deleted replicas: forgotten once their provider no longer lists them (a provider with no listing at all tells nothing).
  if (memory.retired && Object.keys(memory.retired).length > 0) {
    const listed = new Set(snapshot.databases.map((v) => resourceKey(v.instance.provider, v.instance.id)));
    const providersListed = new Set(snapshot.databases.map((v) => v.instance.provider));
    for (const key of Object.keys(memory.retired)) {
      if (listed.has(key) || !providersListed.has(key.slice(0, key.indexOf(':')))) continue;
      delete memory.retired[key];
      delete memory.fenced[key];
    }
  }

  for (const [key, until] of Object.entries(memory.failedCandidates)) if (now >= until) delete memory.failedCandidates[key];
  for (const [key, until] of Object.entries(memory.zonePenalty)) if (now >= until) delete memory.zonePenalty[key];
  const keep = Math.max(policy.callTimeout * 4, 300) * 1000;
  for (const [key, at] of Object.entries(memory.issued)) if (now - at >= keep) delete memory.issued[key];
  return events;
}

/** Where the replicas of `primary` (directly or through other replicas) live now, in id order. */
function replicaHomesOf(views: readonly DatabaseView[], primary: string): ReplicaHome[] {
  return views
    .filter((v) => v.instance.role === 'replica' && followsPrimary(views, v, primary))
    .sort((a, b) => (a.instance.id < b.instance.id ? -1 : a.instance.id > b.instance.id ? 1 : 0))
    .map((v) => ({ provider: v.instance.provider, region: v.instance.region, zone: v.instance.zone }));
}

/**
 * Replicas being created: done once listed streaming (or available, from a
 * provider that reports no replication state); given up when the provider
 * lists them failed, or has not listed them `nodeStartTimeout` after the
 * call (the request was lost), and their zone is then avoided for a while.
 * One still being created stays pending: it counts, by its listing, however
 * long the provider takes.
 */
function reconcilePendingReplicas(memory: ControllerMemory, record: ClusterMemory, views: readonly DatabaseView[], now: number, policy: Policy): void {
  const pending = record.pendingReplicas;
  if (!pending) return;
  for (const [id, each] of Object.entries(pending)) {
    const view = views.find((v) => v.instance.id === id && v.instance.provider === each.provider);
    const state = view?.instance.state;
    if (state === 'available' && (view!.instance.replication === undefined || view!.instance.replication.state === 'streaming')) {
      delete pending[id];
      continue;
    }
    const lost = view === undefined && now - each.issuedAt >= policy.nodeStartTimeout * 1000;
    if (state === 'failed' || lost) {
      delete pending[id];
      memory.zonePenalty[zoneKey(each.provider, each.zone)] = now + policy.backoffMax * 1000;
    }
  }
}
