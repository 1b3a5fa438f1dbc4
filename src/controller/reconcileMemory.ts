import type { ControllerEvent } from './ControllerEvent.js';
import type { ControllerMemory } from './ControllerMemory.js';
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
        };
      }
      continue;
    }
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

  for (const [key, until] of Object.entries(memory.failedCandidates)) if (now >= until) delete memory.failedCandidates[key];
  for (const [key, until] of Object.entries(memory.zonePenalty)) if (now >= until) delete memory.zonePenalty[key];
  const keep = Math.max(policy.callTimeout * 4, 300) * 1000;
  for (const [key, at] of Object.entries(memory.issued)) if (now - at >= keep) delete memory.issued[key];
  return events;
}
