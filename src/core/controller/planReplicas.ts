import type { ClusterMemory, ReplicaHome } from './ControllerMemory.js';
import type { CreateReplicaStep, Step } from './Plan.js';
import type { Policy } from './Policy.js';
import { settled } from './settleWindows.js';
import { resourceKey, zoneKey, type DatabaseView, type Snapshot } from './Snapshot.js';

/** Upstream hops followed before a replication chain is called broken (chains are short; this only stops cycles). */
const MAX_HOPS = 16;

/**
 * True when `view` replicates, directly or through other replicas of
 * `views`, from the instance `primary`.
 */
export function followsPrimary(views: readonly DatabaseView[], view: DatabaseView, primary: string): boolean {
  let upstream = view.instance.replication?.upstream;
  for (let hops = 0; upstream !== undefined && hops < MAX_HOPS; hops++) {
    if (upstream === primary) return true;
    const next = views.find((v) => v.instance.id === upstream);
    if (next === undefined || next.instance.role !== 'replica') return false;
    upstream = next.instance.replication?.upstream;
  }
  return false;
}

/**
 * Whether the controller is deleting this replica: its delete call returned
 * and did not fail (while the call is in flight, the replica still counts as
 * there).
 */
export function isRetiring(snapshot: Snapshot, view: DatabaseView): boolean {
  const key = resourceKey(view.instance.provider, view.instance.id);
  return snapshot.memory.retired.has(key) && !snapshot.inFlight.has(retireKey(view.instance.provider, view.instance.id));
}

/** Key of the step that deletes replica `id`. */
export function retireKey(provider: string, id: string): string {
  return `retire:${provider}:${id}`;
}

/**
 * Replicas that replicate straight from `instance` and are not being
 * deleted: while there are any, a provider with `stopRefusedWithReplicas`
 * (RDS) refuses to stop it.
 */
export function replicasHolding(snapshot: Snapshot, views: readonly DatabaseView[], instance: string): string[] {
  return views
    .filter((v) => v.instance.role === 'replica' && v.instance.replication?.upstream === instance && !isRetiring(snapshot, v))
    .map((v) => v.instance.id);
}

/**
 * Replica upkeep of one cluster whose primary is healthy, once the
 * controller has failed it over (before that, the replica set is the
 * operator's deployment; a failover consumes one replica and, on providers
 * that cannot re-point replicas, strands the others on the old primary):
 *
 * - keeps the cluster at the replica count it had when the controller first
 *   saw it (`replicaHomes`): a replica counts when it follows the primary (or
 *   will, being re-pointable), is not broken, its zone is not impaired, and
 *   it is not dead (silent to our probes for `nodeDeadAfter` and not listed
 *   streaming);
 *   replicas being created count (memory, so never asked for twice);
 * - creates what is missing from the primary, on the primary's provider, in
 *   the home region of the replica it stands in for first, then the
 *   primary's region, then the provider's other regions; in a healthy zone
 *   other than the primary's, the home zone when no instance of the cluster
 *   is there, else the one with the fewest (degraded zones that answer when
 *   no zone is healthy; never an impaired one, nor one where a create just
 *   failed);
 * - runaway guard: a cluster never holds more than `maxNodesFactor` x
 *   (replicas + 1) instances, whatever the probes say;
 * - retires (deletes) replicas left following a former primary that cannot
 *   be re-pointed, once replicas of the primary stream in full number again;
 *   at once when their former primary must still be fenced and its provider
 *   refuses to stop an instance that has replicas (RDS), since they are
 *   what keeps it from being fenced. Never in an impaired zone.
 */
export function planReplicas(
  snapshot: Snapshot,
  policy: Policy,
  cluster: string,
  memory: ClusterMemory,
  primary: DatabaseView,
  views: readonly DatabaseView[],
  steps: Step[],
  notes: string[],
): void {
  const homes = memory.replicaHomes;
  if (memory.failovers === 0 || homes === undefined || homes.length === 0) return;
  const p = primary.instance;
  const capabilities = (provider: string) => snapshot.providers.get(provider)?.capabilities;
  const zoneState = (provider: string, zone: string) => snapshot.zones.get(zoneKey(provider, zone))?.state ?? 'unknown';

  const members: DatabaseView[] = [];
  const stranded: DatabaseView[] = [];
  for (const view of views) {
    const i = view.instance;
    if (view === primary || i.role !== 'replica' || isRetiring(snapshot, view)) continue;
    // A replica silent to our probes for `nodeDeadAfter` that its provider does not list streaming either is
    // dead in all but name (created into a zone whose storage stalls, say): it holds no copy, so it is replaced.
    const dead =
      view.health.status === 'down' &&
      view.health.failingSince !== undefined &&
      snapshot.now - view.health.failingSince >= policy.nodeDeadAfter * 1000 &&
      i.replication?.state !== 'streaming';
    // One this controller created and gave up on (replicaCreateTimeout) does not count until it streams.
    const givenUp = memory.pendingReplicas.get(i.id)?.givenUpAt !== undefined;
    const usable =
      (i.state === 'available' || i.state === 'creating' || i.state === 'rebooting') &&
      i.replication?.state !== 'broken' &&
      !dead &&
      !givenUp &&
      zoneState(i.provider, i.zone) !== 'impaired';
    // One that can be re-pointed is re-pointed (decide does), not replaced; one whose upstream is not reported cannot be judged.
    if (
      i.replication === undefined ||
      followsPrimary(views, view, p.id) ||
      (capabilities(i.provider)?.repointReplica && policy.repointReplicas)
    ) {
      if (usable) members.push(view);
    } else {
      stranded.push(view);
    }
  }
  const listed = new Set(snapshot.databases.filter((v) => v.instance.provider === p.provider).map((v) => v.instance.id));
  const pending = [...memory.pendingReplicas].filter(
    ([id, each]) => !listed.has(id) && zoneState(each.provider, each.zone) !== 'impaired',
  );
  const have = members.length + pending.length;
  const streaming = members.filter(
    (v) => v.instance.state === 'available' && v.instance.replication?.state === 'streaming' && followsPrimary(views, v, p.id),
  ).length;

  // After a restart: a create the journal shows unfinished, and that the provider does not list, is sent again
  // under the same id (a create that did reach the provider returns the first replica).
  for (const [id, each] of pending) {
    const key = `createReplica:${each.provider}:${id}`;
    if (!each.uncertain || snapshot.inFlight.has(key)) continue;
    steps.push({
      operation: 'createReplica',
      key,
      provider: each.provider,
      region: each.region,
      zone: each.zone,
      cluster,
      target: id,
      source: each.source,
      home: `${each.region}/${each.zone}`,
      reason: `re-issued after restart (idempotent by id): the journal shows the create of ${id} started without a recorded end, and ${each.provider} does not list it, so the call may never have reached it`,
    });
  }

  if (have < homes.length && policy.maintainCapacity) {
    planCreates(snapshot, policy, cluster, memory, primary, views, members, pending, have, stranded, steps, notes);
  }

  for (const view of stranded) {
    const i = view.instance;
    // A replica that reports no replication is a member, never stranded (above).
    const upstreamId = i.replication!.upstream;
    const upstream = views.find((v) => v.instance.id === upstreamId);
    // Its former primary still has to be fenced, and its provider will not stop it while it has replicas.
    const blocksFence =
      policy.fenceOldPrimary &&
      upstream !== undefined &&
      upstream.instance.role === 'primary' &&
      upstream.instance.state !== 'stopped' &&
      upstream.instance.state !== 'stopping' &&
      capabilities(upstream.instance.provider)?.stopRefusedWithReplicas === true;
    const replaced = policy.maintainCapacity && streaming >= homes.length;
    if (!blocksFence && !replaced) {
      notes.push(`${cluster}: ${i.id} follows ${upstreamId}, not the primary ${p.id}, and cannot be re-pointed; kept until ${homes.length} replicas of ${p.id} stream (${streaming} do)`);
      continue;
    }
    if (!capabilities(i.provider)?.destroyDatabase) {
      notes.push(`${cluster}: ${i.id} follows ${upstreamId} and cannot be re-pointed, but ${i.provider} cannot delete it`);
      continue;
    }
    if (zoneState(i.provider, i.zone) === 'impaired') {
      notes.push(`${cluster}: ${i.id} follows ${upstreamId}; retiring it once its zone ${i.zone} is no longer impaired`);
      continue;
    }
    const followers = replicasHolding(snapshot, views, i.id);
    if (followers.length > 0) {
      notes.push(`${cluster}: ${i.id} follows ${upstreamId}, but ${followers.join(', ')} replicate from it; retiring them first`);
      continue;
    }
    const key = retireKey(i.provider, i.id);
    if (!settled(snapshot, key)) continue;
    steps.push({
      operation: 'destroyDatabase',
      key,
      provider: i.provider,
      region: i.region,
      zone: i.zone,
      cluster,
      target: i.id,
      reason: blocksFence
        ? `${i.id} still replicates from former primary ${upstreamId}, which ${upstream!.instance.provider} will not stop while it has replicas, and it cannot follow ${p.id}: retire it so ${upstreamId} can be fenced`
        : `${i.id} follows former primary ${upstreamId} and cannot be re-pointed; ${streaming} replicas of ${p.id} stream (${homes.length} kept): retire it`,
    });
  }
}

function planCreates(
  snapshot: Snapshot,
  policy: Policy,
  cluster: string,
  memory: ClusterMemory,
  primary: DatabaseView,
  views: readonly DatabaseView[],
  members: readonly DatabaseView[],
  pending: readonly (readonly [string, { readonly provider: string; readonly region: string; readonly zone: string }])[],
  have: number,
  stranded: readonly DatabaseView[],
  steps: Step[],
  notes: string[],
): void {
  const homes = memory.replicaHomes!;
  const p = primary.instance;
  const deficit = homes.length - have;
  const provider = snapshot.providers.get(p.provider);
  if (!provider?.capabilities.createReplica) {
    notes.push(`${cluster}: ${deficit} replica(s) short, but ${p.provider} cannot create replicas`);
    return;
  }
  // A replica is a copy of the primary: only of one that is there to copy from.
  if (p.state !== 'available' || primary.health.status !== 'up') {
    notes.push(`${cluster}: ${deficit} replica(s) short; waiting for ${p.id} to be available (${p.state}, ${primary.health.status})`);
    return;
  }
  // Runaway guard: every listed instance counts (stranded, stopped, dead alike), and what is on the way.
  const existing = views.length + pending.length;
  const limit = Math.floor((homes.length + 1) * policy.maxNodesFactor);
  const wanted = Math.min(deficit, Math.max(0, limit - existing));
  if (wanted < deficit) {
    notes.push(`${cluster}: ${deficit} replica(s) short, but it already has ${existing} instances (limit ${policy.maxNodesFactor}x ${homes.length + 1})`);
  }
  if (wanted === 0) return;

  // Spread: every instance of the cluster counts where it is (a zone that holds the old primary or a stranded replica is
  // where the last failure was), and so does what is on the way.
  const perZone = new Map<string, number>();
  const count = (zone: string) => perZone.set(zone, (perZone.get(zone) ?? 0) + 1);
  for (const view of views) if (!isRetiring(snapshot, view)) count(view.instance.zone);
  for (const [, each] of pending) count(each.zone);

  // Which homes are missing: members fill the home in their zone first, then one in their region, then any.
  const open = homes.map((home, index) => ({ home, index }));
  const places = [...members.map((v) => v.instance), ...pending.map(([, each]) => each)];
  for (const match of [
    (h: ReplicaHome, at: { provider: string; region: string; zone: string }) => h.provider === at.provider && h.zone === at.zone,
    (h: ReplicaHome, at: { provider: string; region: string; zone: string }) => h.provider === at.provider && h.region === at.region,
    () => true,
  ]) {
    for (let i = places.length - 1; i >= 0; i--) {
      const at = places[i]!;
      const slot = open.findIndex((each) => match(each.home, at));
      if (slot < 0) continue;
      open.splice(slot, 1);
      places.splice(i, 1);
    }
  }

  const taken = new Set([
    ...snapshot.databases.filter((v) => v.instance.provider === p.provider).map((v) => v.instance.id),
    ...memory.pendingReplicas.keys(),
  ]);
  let seq = memory.replicaSeq;
  const nextId = (): string => {
    let id: string;
    do id = `${cluster}-r${++seq}`;
    while (taken.has(id));
    taken.add(id);
    return id;
  };
  const penalised = (zone: string) => {
    const until = snapshot.memory.zonePenalty.get(zoneKey(p.provider, zone));
    return until !== undefined && snapshot.now < until;
  };
  const zoneHealth = (zone: string) => snapshot.zones.get(zoneKey(p.provider, zone));
  const answers = (zone: string) => {
    const probes = zoneHealth(zone)?.evidence.probes;
    return !probes || probes.total === 0 || probes.up > 0;
  };
  // A zone where a database instance does not answer (and is not one we stopped) cannot hold a database now,
  // whatever its nodes say: a storage stall leaves the zone's compute answering. One its provider lists stopped is
  // merely not running (a zone whose power came back keeps its machines stopped): that says nothing of the zone.
  const databasesFailIn = (zone: string) =>
    snapshot.databases.some(
      (v) =>
        v.instance.provider === p.provider &&
        v.instance.zone === zone &&
        v.health.status === 'down' &&
        v.instance.state !== 'stopped' &&
        !snapshot.memory.fenced.has(resourceKey(v.instance.provider, v.instance.id)),
    );
  // The zone the last failover left, within the cooldown: whatever failed there (a storage stall leaves the zone's
  // nodes answering, and the fenced old primary says nothing) is no place for a new copy of the database yet.
  const leftBehind =
    memory.previousPrimary?.provider === p.provider && memory.lastFailoverAt !== undefined && snapshot.now - memory.lastFailoverAt < policy.failoverCooldown * 1000
      ? memory.previousPrimary.zone
      : undefined;
  const regionIds = [...provider.regions.map((r) => r.id)].sort();

  for (const { home } of open.slice(0, wanted)) {
    const order = [...new Set([...(home.provider === p.provider ? [home.region] : []), p.region, ...regionIds])];
    let placed: { region: string; zone: string } | undefined;
    for (const regionId of order) {
      const region = provider.regions.find((r) => r.id === regionId);
      if (!region) continue;
      const usable = region.zones.map((z) => z.id).filter((z) => z !== p.zone && z !== leftBehind && !penalised(z) && !databasesFailIn(z));
      const healthy = usable.filter((z) => zoneHealth(z)?.state === 'healthy');
      const eligible = healthy.length > 0 ? healthy : usable.filter((z) => zoneHealth(z)?.state === 'degraded' && answers(z));
      if (eligible.length === 0) continue;
      const zone =
        home.provider === p.provider && eligible.includes(home.zone) && (perZone.get(home.zone) ?? 0) === 0
          ? home.zone
          : eligible.reduce((best, z) => ((perZone.get(z) ?? 0) < (perZone.get(best) ?? 0) ? z : best));
      placed = { region: regionId, zone };
      break;
    }
    if (!placed) {
      notes.push(`${cluster}: replica short (home ${home.region}/${home.zone}), but no zone of ${p.provider} is healthy and answering outside ${p.zone}`);
      break;
    }
    count(placed.zone);
    const id = nextId();
    const step: CreateReplicaStep = {
      operation: 'createReplica',
      key: `createReplica:${p.provider}:${id}`,
      provider: p.provider,
      region: placed.region,
      zone: placed.zone,
      cluster,
      target: id,
      source: p.id,
      home: `${home.region}/${home.zone}`,
      reason:
        `${cluster} has ${have} of ${homes.length} replicas following ${p.id}` +
        (pending.length > 0 ? ` (${pending.length} on the way)` : '') +
        (stranded.length > 0 ? `; ${stranded.map((v) => v.instance.id).join(', ')} cannot follow it` : '') +
        `; create ${id} in ${placed.zone} in place of the replica in ${home.zone}`,
    };
    if (!snapshot.inFlight.has(step.key)) steps.push(step);
  }
}
