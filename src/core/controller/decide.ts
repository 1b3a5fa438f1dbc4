import { UNREACHABLE_LISTING } from './mergePartialListing.js';
import type { Policy } from './Policy.js';
import type { AbandonedPromotion } from './ControllerMemory.js';
import { roundTenths } from '../util/roundTenths.js';
import type { CreateNodeStep, HeldStep, IntentVerdict, Plan, PromoteStep, Step } from './Plan.js';
import { gateFailover } from './gateFailover.js';
import { NO_PAUSES, pauseHolding } from './OperatorPauses.js';
import { groupKey } from '../contract/keys.js';
import { resourceKey, zoneKey, type DatabaseView, type GroupConfig, type NodeView, type Snapshot } from './Snapshot.js';
import type { ZoneHealth } from '../health/types.js';
import { followsPrimary, planReplicas, replicasHolding } from './planReplicas.js';
import { planSwitchover } from './planSwitchover.js';
import { chooseCandidate } from './chooseCandidate.js';
import { nextWake } from './nextWake.js';
import { retryKey } from './memoryReducers.js';
import { settled } from './settleWindows.js';
import { planEndpoints, planTrafficShifts } from './planTraffic.js';
import { endpointHoldsFence } from './endpointHoldsFence.js';

/**
 * The decision function: one snapshot and the policy in, a plan out. Pure: it
 * reads nothing but its arguments (time is `snapshot.now`) and changes
 * nothing, so every decision can be tested without fakes.
 *
 * Steps come out in priority order: fencing, promotion, the endpoint
 * following the primary, traffic shifted away from impaired zones,
 * re-pointing, replica upkeep (retiring stranded replicas, creating missing
 * ones), then node capacity. The executor applies rate limits and backoff; a step it cannot
 * run now is simply planned again next cycle.
 */
export function decide(snapshot: Snapshot, policy: Policy): Plan {
  const steps: Step[] = [];
  const notes: string[] = [];
  const verdicts: IntentVerdict[] = [];
  const held: HeldStep[] = [];
  const clusters = new Map<string, DatabaseView[]>();
  for (const view of snapshot.databases) {
    let list = clusters.get(view.instance.cluster);
    if (!list) clusters.set(view.instance.cluster, (list = []));
    list.push(view);
  }
  for (const cluster of [...clusters.keys()].sort()) {
    decideCluster(snapshot, policy, cluster, clusters.get(cluster)!, steps, notes, verdicts, held);
  }
  // Steps past their retry bound are held back before endpoints are planned: an endpoint follows only a promotion that is made.
  steps.splice(0, steps.length, ...withinRetryBound(snapshot, policy, steps, notes));
  // A request for a cluster nothing lists cannot be planned.
  for (const [cluster, intent] of snapshot.memory.intents) {
    if (clusters.has(cluster)) continue;
    verdicts.push({ cluster, kind: intent.kind, outcome: 'refused', reason: `${cluster}: no instance of it is listed` });
  }
  planEndpoints(snapshot, policy, steps, notes);
  planTrafficShifts(snapshot, policy, steps, notes);
  const nodesByGroup = new Map<string, NodeView[]>();
  // No groups to keep (many estates watch databases only): nothing to sort nodes into.
  if (snapshot.groups.length > 0) {
    for (const view of snapshot.nodes) {
      const group = view.node.group;
      if (group === undefined) continue;
      const key = groupKey(view.node.provider, group);
      let list = nodesByGroup.get(key);
      if (!list) nodesByGroup.set(key, (list = []));
      list.push(view);
    }
  }
  for (const group of snapshot.groups) {
    decideGroup(snapshot, policy, group, nodesByGroup.get(groupKey(group.provider, group.id)) ?? [], steps, notes);
  }
  steps.sort((a, b) => STEP_ORDER[a.operation] - STEP_ORDER[b.operation]);
  const split = holdBack(withinRetryBound(snapshot, policy, steps, notes), held, snapshot, policy);
  return { steps: split.steps, held: split.held, notes, verdicts, wakeAt: nextWake(snapshot, policy) };
}

/** The order steps run in: fencing, promotion, endpoints, traffic, re-pointing, replicas, then nodes. */
const STEP_ORDER: Readonly<Record<Step['operation'], number>> = {
  stopDatabase: 0,
  rebootDatabase: 1,
  promoteReplica: 2,
  updateEndpoint: 3,
  shiftTraffic: 4,
  repointReplica: 5,
  destroyDatabase: 6,
  createReplica: 7,
  createNode: 8,
  destroyNode: 9,
};

/**
 * Splits the plan into what runs and what is held: in `observe` mode every
 * step is held (what the controller would do); otherwise the automatic
 * steps an operator's pause covers (all, or their database's). Steps held
 * for approval stay held whatever the mode.
 */
function holdBack(steps: readonly Step[], awaiting: readonly HeldStep[], snapshot: Snapshot, policy: Policy): { steps: Step[]; held: HeldStep[] } {
  if (policy.mode === 'observe') {
    return { steps: [], held: [...steps.map((step): HeldStep => ({ step, why: 'observe', detail: 'would run (mode: observe)' })), ...awaiting] };
  }
  // Nothing planned (most cycles): nothing to hold but what awaits approval.
  if (steps.length === 0) return { steps: [], held: [...awaiting] };
  const pauses = snapshot.pauses ?? NO_PAUSES;
  const run: Step[] = [];
  const held: HeldStep[] = [];
  for (const step of steps) {
    const pause = pauseHolding(pauses, step);
    if (pause) held.push({ step, why: 'paused', detail: `automatic actions paused by ${pause.by}${pause === pauses.all ? '' : ` for ${'cluster' in step ? step.cluster : 'this database'}`}: ${pause.reason}` });
    else run.push(step);
  }
  return { steps: run, held: [...held, ...awaiting] };
}

/**
 * The retry bound: a step tried `maxStepRetries` + 1 times within
 * `stepRetryWindow` (its first try and its retries; for creates, rounds that
 * failed) is held back (with a note) until the oldest try leaves the
 * window, so a control plane that keeps failing, or keeps accepting calls
 * that never take effect, sees a bounded number of calls per step.
 */
function withinRetryBound(snapshot: Snapshot, policy: Policy, steps: Step[], notes: string[]): Step[] {
  if (snapshot.memory.tries.size === 0) return steps;
  const windowStart = snapshot.now - policy.stepRetryWindow * 1000;
  return steps.filter((step) => {
    const tried = (snapshot.memory.tries.get(retryKey(step)) ?? []).filter((t) => t > windowStart);
    if (tried.length <= policy.maxStepRetries) return true;
    const again = Math.round((tried[0]! + policy.stepRetryWindow * 1000 - snapshot.now) / 1000);
    notes.push(`${step.operation} ${'target' in step ? step.target : step.group}: tried ${tried.length} times in ${policy.stepRetryWindow}s (maxStepRetries ${policy.maxStepRetries}); not tried again for ${again}s`);
    return false;
  });
}

function zoneOf(snapshot: Snapshot, provider: string, zone: string): ZoneHealth | undefined {
  return snapshot.zones.get(zoneKey(provider, zone));
}

function decideCluster(
  snapshot: Snapshot,
  policy: Policy,
  cluster: string,
  views: readonly DatabaseView[],
  steps: Step[],
  notes: string[],
  verdicts: IntentVerdict[],
  held: HeldStep[],
): void {
  const memory = snapshot.memory.clusters.get(cluster);
  if (!memory) {
    notes.push(`${cluster}: no primary known yet; not acting`);
    return;
  }
  const primary = views.find((v) => v.instance.id === memory.primary && v.instance.provider === memory.provider);
  const promotingTarget = memory.promotion?.target;
  // Nothing is fenced, promoted or cloned on the word of a memory the listing does not bear out: a primary
  // that is not listed, or listed as a replica and not taking writes, is re-derived from observation first.
  if (!primary && !memory.promotion) {
    notes.push(`${cluster}: primary ${memory.primary} is not listed by ${memory.provider}; not acting on a missing listing`);
    return;
  }
  if (primary && !memory.promotion && primary.instance.role === 'replica' && !primary.health.writable) {
    notes.push(`${cluster}: ${memory.primary} is listed as a replica and takes no writes; not acting until observation shows which instance is the primary`);
    return;
  }

  // Fencing: no instance but the chosen primary (or the one being promoted) may take writes.
  for (const view of views) {
    const { instance, health } = view;
    if (view === primary || instance.id === promotingTarget) continue;
    const capabilities = snapshot.providers.get(instance.provider)?.capabilities;
    if (!capabilities?.stopDatabase || !policy.fenceOldPrimary) continue;
    const key = `fence:${instance.provider}:${instance.id}`;
    const zone = zoneOf(snapshot, instance.provider, instance.zone);
    const writableNow = health.status === 'up' && health.writable;
    const listedPrimary = instance.role === 'primary' && (instance.state === 'available' || instance.state === 'unknown');
    if (!writableNow && !listedPrimary) continue;
    // A writable second primary is fenced at once, wherever it is: it answered, so it is reachable.
    // A listed-but-unreachable one is fenced only when its zone's control plane can be trusted.
    if (!writableNow && zone?.state === 'impaired') {
      notes.push(`${cluster}: ${instance.id} is an old primary in impaired zone ${instance.zone}; fencing it as soon as it is reachable`);
      continue;
    }
    if (!settled(snapshot, key)) continue;
    // A stop the provider is known to refuse is not sent: the replicas holding it are retired first.
    const holding = capabilities.stopRefusedWithReplicas ? replicasHolding(snapshot, views, instance.id) : [];
    if (holding.length > 0) {
      notes.push(`${cluster}: ${instance.id} must be fenced, but ${instance.provider} will not stop it while ${holding.join(', ')} replicate from it; retiring them first`);
      continue;
    }
    // A failed former primary is stopped once clients are no longer sent to it; one taking writes, at once.
    const hold = writableNow ? undefined : endpointHoldsFence(snapshot, policy, cluster, memory, instance.id, false);
    if (hold?.waits) {
      notes.push(hold.why);
      continue;
    }
    steps.push({
      operation: 'stopDatabase',
      key,
      provider: instance.provider,
      region: instance.region,
      zone: instance.zone,
      cluster,
      target: instance.id,
      reason: writableNow
        ? `${instance.id} accepts writes but ${memory.primary} is the primary of ${cluster}: fence it (split-brain guard)`
        : `${instance.id} is a former primary of ${cluster}: fence it so it can never take writes again${hold ? `; ${hold.why}` : ''}`,
    });
  }

  if (memory.promotion) {
    // Watching a promotion; observation decides when it is done or failed. After a restart it may never
    // have reached the provider: sent again (idempotent) while its target is listed as a plain replica.
    const promotion = memory.promotion;
    const target = views.find((v) => v.instance.id === promotion.target && v.instance.provider === promotion.provider)?.instance;
    const key = `promote:${cluster}:${promotion.provider}:${promotion.target}`;
    if (promotion.reissue && target?.role === 'replica' && target.state === 'available' && settled(snapshot, key)) {
      steps.push({
        operation: 'promoteReplica',
        key,
        provider: promotion.provider,
        region: promotion.region,
        zone: promotion.zone,
        cluster,
        target: promotion.target,
        from: promotion.from,
        estimatedLossSeconds: 0,
        ...(promotion.planned ? { requestedBy: promotion.planned.requestedBy } : {}),
        reason: `re-issued after restart (idempotent): the journal shows the promotion of ${promotion.target} started without a recorded end, and ${promotion.target} is still a replica, so the call may never have reached ${promotion.provider}`,
      });
    }
    return;
  }

  // A promotion given up on may still complete: its target is fenced before anything else is promoted (or
  // adopted once it takes writes, see rememberObservation), so the cluster never has two writable primaries.
  const abandoned = memory.abandonedPromotion;
  if (abandoned) {
    planAbandonedFence(snapshot, policy, cluster, abandoned, views, steps, notes);
    return;
  }

  // Replicas still following someone other than the primary are pointed at it (where their zone can be reached).
  const primaryInstance = primary?.instance;
  if (policy.repointReplicas && primaryInstance) {
    for (const { instance } of views) {
      const upstream = instance.replication?.upstream;
      if (instance.role !== 'replica' || upstream === undefined || upstream === memory.primary) continue;
      // The new primary itself, listed as a replica until the provider's listing catches up with the promotion.
      if (instance.id === memory.primary && instance.provider === memory.provider) continue;
      if (instance.state !== 'available') continue;
      if (!snapshot.providers.get(instance.provider)?.capabilities.repointReplica) continue;
      if (zoneOf(snapshot, instance.provider, instance.zone)?.state === 'impaired') continue;
      const key = `repoint:${instance.provider}:${instance.id}:${memory.primary}`;
      if (!settled(snapshot, key)) continue;
      steps.push({
        operation: 'repointReplica',
        key,
        provider: instance.provider,
        region: instance.region,
        zone: instance.zone,
        cluster,
        target: instance.id,
        upstream: memory.primary,
        reason: `${instance.id} still follows ${upstream}; ${memory.primary} is the primary of ${cluster}`,
      });
    }
  }

  if (!primary) return;
  // An operator's switchover runs the cluster's leadership while it lasts; refused, the cluster is decided as usual.
  const intent = snapshot.memory.intents.get(cluster);
  if (intent && planSwitchover(snapshot, policy, intent, memory, primary, views, steps, notes, verdicts) === 'running') return;
  const failure = primaryFailure(snapshot, policy, primary);
  if (!failure) {
    planReplicas(snapshot, policy, cluster, memory, primary, views, steps, notes);
    return;
  }

  const zone = zoneOf(snapshot, primary.instance.provider, primary.instance.zone);
  // The cooldown exists against ping-pong: a database failed over back and forth between two places. A primary
  // whose failure is confirmed (every reason primaryFailure gives is) is failed over whatever the cooldown, but
  // within it never back to the instance or zone the last failover left; if that is the only way out, it waits.
  const previous = memory.previousPrimary;
  const inCooldown = memory.lastFailoverAt !== undefined && snapshot.now - memory.lastFailoverAt < policy.failoverCooldown * 1000 && !fencedByUs(snapshot, primary);
  const backwards = (instance: { provider: string; id: string; zone: string }) =>
    previous !== undefined && instance.provider === previous.provider && (instance.id === previous.id || instance.zone === previous.zone);
  const { ranked, rejected } = chooseCandidate(snapshot, policy, primary, views);
  for (const reason of rejected) notes.push(`${cluster}: ${reason}`);
  const chosen = inCooldown ? ranked.find((c) => !backwards(c.view.instance)) : ranked[0];
  if (!chosen) {
    notes.push(
      inCooldown && ranked.length > 0
        ? `${cluster}: ${failure}, but the only replicas left are where the failover ${Math.round((snapshot.now - memory.lastFailoverAt!) / 1000)}s ago came from (${previous!.id}, zone ${previous!.zone ?? 'unknown'}); waiting out the cooldown (${policy.failoverCooldown}s) rather than ping-pong`
        : `${cluster}: ${failure}, but no replica can be promoted safely`,
    );
    return;
  }
  const target = chosen.view.instance;
  const wanted: PromoteStep = {
    operation: 'promoteReplica',
    key: `promote:${cluster}:${target.provider}:${target.id}`,
    provider: target.provider,
    region: target.region,
    zone: target.zone,
    cluster,
    target: target.id,
    from: primary.instance.id,
    estimatedLossSeconds: chosen.estimatedLossSeconds,
    reason: `${failure}; promote ${target.id} (${[
      chosen.sync ? 'sync' : 'async',
      chosen.sameRegion ? 'same region' : `region ${target.region}`,
      chosen.sameProvider ? undefined : `provider ${target.provider}`,
      `zone ${target.zone} ${chosen.zoneState}`,
      `est. loss ${roundTenths(chosen.estimatedLossSeconds)}s`,
    ]
      .filter(Boolean)
      .join(', ')})`,
  };
  // With approveFailovers the promotion (and the fence that goes with it) waits for an operator or the deadline.
  const step = gateFailover(snapshot, policy, wanted, primary, held, notes);
  if (!step) return;
  if (!snapshot.inFlight.has(step.key)) steps.push(step);

  // Fence the failed primary along with the promotion when its zone's control plane can be trusted
  // (a stalled primary can wake up and take writes); in an impaired zone it is fenced once it answers.
  // Where an endpoint still sends clients to it, the endpoint moves first (endpointHoldsFence).
  const fenceKey = `fence:${primary.instance.provider}:${primary.instance.id}`;
  const capabilities = snapshot.providers.get(primary.instance.provider)?.capabilities;
  const canFence =
    capabilities?.stopDatabase &&
    policy.fenceOldPrimary &&
    // A provider that will not stop it while replicas follow it gets the stop once they are retired (after the promotion).
    !(capabilities.stopRefusedWithReplicas && replicasHolding(snapshot, views, primary.instance.id).length > 0);
  if (canFence && zone?.state !== 'impaired' && primary.instance.state === 'available' && settled(snapshot, fenceKey)) {
    const hold = endpointHoldsFence(snapshot, policy, cluster, memory, primary.instance.id, true);
    if (hold?.waits) {
      notes.push(hold.why);
      return;
    }
    steps.push({
      operation: 'stopDatabase',
      key: fenceKey,
      provider: primary.instance.provider,
      region: primary.instance.region,
      zone: primary.instance.zone,
      cluster,
      target: primary.instance.id,
      reason: `${failure}; fence it before ${target.id} takes over`,
    });
  }
}

/**
 * The fence of a promotion's target given up on: sent when its provider may
 * be asked to stop it; otherwise (or once refused) the cluster waits for a
 * listing to show whether it is being promoted (then it is watched again) or
 * a plain replica (then another may be promoted).
 */
function planAbandonedFence(
  snapshot: Snapshot,
  policy: Policy,
  cluster: string,
  abandoned: AbandonedPromotion,
  views: readonly DatabaseView[],
  steps: Step[],
  notes: string[],
): void {
  const target = views.find((v) => v.instance.id === abandoned.target && v.instance.provider === abandoned.provider);
  const wait = `${cluster}: the promotion of ${abandoned.target} was given up on but may still complete`;
  const capabilities = snapshot.providers.get(abandoned.provider)?.capabilities;
  if (!capabilities?.stopDatabase || !policy.fenceOldPrimary || abandoned.fenceRefused) {
    notes.push(`${wait}; it cannot be fenced${abandoned.fenceRefused ? ` (${abandoned.provider} refused the stop)` : ''}, so nothing else is promoted until a listing shows whether it is being promoted`);
    return;
  }
  const state = target?.instance.state;
  if (!target || state === 'stopped' || state === 'stopping') {
    notes.push(`${wait}; waiting for a listing to show it ${target ? state : 'gone'}`);
    return;
  }
  // Nothing is stopped in an impaired zone; a promotion there is as stuck as the fence would be.
  if (zoneOf(snapshot, abandoned.provider, target.instance.zone)?.state === 'impaired') {
    notes.push(`${wait}; its zone ${target.instance.zone} is impaired, so it is fenced once the zone answers (or a listing shows it cannot complete)`);
    return;
  }
  const key = `fence:${abandoned.provider}:${abandoned.target}`;
  if (!settled(snapshot, key)) {
    notes.push(`${wait}; its fence was sent, waiting for it to show`);
    return;
  }
  steps.push({
    operation: 'stopDatabase',
    key,
    provider: abandoned.provider,
    region: target.instance.region,
    zone: target.instance.zone,
    cluster,
    target: abandoned.target,
    reason: `${wait}: fence it before another replica is promoted, so ${cluster} never has two writable primaries (if the provider refuses because it is being promoted, it is watched again instead)`,
  });
}

/** The cluster's primary is one this controller fenced (stopped) itself, and it is not taking writes. */
export function fencedByUs(snapshot: Snapshot, primary: DatabaseView): boolean {
  const { instance, health } = primary;
  if (!snapshot.memory.fenced.has(resourceKey(instance.provider, instance.id))) return false;
  return !(health.status === 'up' && health.writable) && (instance.state === 'stopped' || instance.state === 'stopping');
}

/**
 * Why the primary counts as failed, or `undefined` while it does not. Never
 * on our probes alone: its zone must be impaired (two vantage points), or it
 * must be down to us and confirmed by its replicas or the provider. A
 * replica that still hears it vetoes everything but a confirmed zone outage.
 */
function primaryFailure(snapshot: Snapshot, policy: Policy, primary: DatabaseView): string | undefined {
  const { instance, health } = primary;
  // A primary that answers and takes writes has not failed, whatever its zone's (slower to clear) state says.
  if (health.status === 'up' && health.writable) return undefined;
  // Stopped by this controller with nothing promoted in its place: a switchover or failover cut short
  // (the daemon died between the fence and the promotion). It is not probed any more, so nothing else
  // would ever call it failed; the database has no writable primary until a replica is promoted.
  if (fencedByUs(snapshot, primary)) {
    return `primary ${instance.id} was fenced by this controller and nothing was promoted in its place (a switchover or failover cut short)`;
  }
  const zone = zoneOf(snapshot, instance.provider, instance.zone);
  if (zone?.state === 'impaired') return `primary ${instance.id} is in impaired zone ${instance.zone} (${zone.reason})`;
  const replication = snapshot.replicationFrom.get(resourceKey(instance.provider, instance.id)) ?? 'none';
  if (replication === 'alive') return undefined;
  const down =
    health.status === 'down' &&
    health.failingSince !== undefined &&
    snapshot.now - health.failingSince >= policy.impairedAfter * 1000;
  if (!down) return undefined;
  const listedDown = instance.state === 'stopped' || instance.state === 'failed';
  const providerSaysBad = zone?.evidence.providerStatus === 'impaired' || zone?.evidence.providerStatus === 'unavailable';
  if (replication === 'cut') return `primary ${instance.id} does not answer and its replicas lost contact with it`;
  if (listedDown) return `primary ${instance.id} does not answer and ${instance.provider} lists it ${instance.state}`;
  if (providerSaysBad) return `primary ${instance.id} does not answer and ${instance.provider} reports zone ${instance.zone} ${zone?.evidence.providerStatus}`;
  return undefined;
}

function decideGroup(
  snapshot: Snapshot,
  policy: Policy,
  group: GroupConfig,
  nodes: readonly NodeView[],
  steps: Step[],
  notes: string[],
): void {
  const provider = snapshot.providers.get(group.provider);
  if (!provider?.capabilities.nodes) return;
  const region = provider.regions.find((r) => r.id === group.region);
  if (!region) {
    notes.push(`${group.id}: region ${group.region} not offered by ${group.provider}`);
    return;
  }
  const zoneState = (zone: string) => zoneOf(snapshot, group.provider, zone)?.state ?? 'unknown';

  // Healthy: running and answering (a node failing its first rounds is not written off yet).
  let healthy = 0;
  const perZone = new Map<string, number>();
  const dead: NodeView[] = [];
  const listedNames = new Set<string>();
  const countedHealthy = new Set<string>();
  for (const view of nodes) {
    listedNames.add(view.node.name);
    const { node, health } = view;
    // A node kept from a listing that could not read its zone (a partial listing) is judged by our probes alone:
    // its absence from the provider's answer is no reason for a replacement.
    const unlisted = node.state === 'unknown' && node.extra['listing'] === UNREACHABLE_LISTING;
    if (node.state !== 'running' && !unlisted) continue;
    // A node is written off when its zone is impaired, or after `nodeDeadAfter` of silence: a few
    // lost probes in a noisy zone must not buy a replacement.
    const silentFor = health.failingSince === undefined ? 0 : snapshot.now - health.failingSince;
    const writtenOff =
      health.status === 'down' && (zoneState(node.zone) === 'impaired' || silentFor >= policy.nodeDeadAfter * 1000);
    if (!writtenOff && health.status !== 'unprobed') {
      healthy++;
      countedHealthy.add(node.name);
      perZone.set(node.zone, (perZone.get(node.zone) ?? 0) + 1);
    } else if (writtenOff) {
      dead.push(view);
    }
  }
  // Creates on the way count, unless they went to a zone that is now impaired.
  let coming = 0;
  for (const [name, pending] of snapshot.memory.pendingCreates) {
    if (pending.group !== group.id || pending.provider !== group.provider) continue;
    const listed = nodes.find((v) => v.node.name === name);
    const zone = listed?.node.zone ?? pending.zone;
    if (countedHealthy.has(name)) continue;
    if (zone !== undefined && zoneState(zone) === 'impaired') continue;
    if (listed && (listed.node.state === 'terminated' || listed.node.state === 'error')) continue;
    coming++;
    if (zone !== undefined) perZone.set(zone, (perZone.get(zone) ?? 0) + 1);
  }
  const deficit = group.minHealthy - healthy - coming;
  if (deficit > 0 && policy.maintainCapacity) {
    const penalised = (zone: string) => {
      const until = snapshot.memory.zonePenalty.get(zoneKey(group.provider, zone));
      return until !== undefined && snapshot.now < until;
    };
    // A zone where nothing answers our probes is no home for a replacement, confirmed outage or not.
    const answers = (zone: string) => {
      const probes = zoneOf(snapshot, group.provider, zone)?.evidence.probes;
      return !probes || probes.total === 0 || probes.up > 0;
    };
    const healthyZones = region.zones.filter((z) => zoneState(z.id) === 'healthy' && !penalised(z.id)).map((z) => z.id);
    const fallbackZones = region.zones
      .filter((z) => zoneState(z.id) === 'degraded' && answers(z.id) && !penalised(z.id))
      .map((z) => z.id);
    // A degraded zone is a home only when no zone of the region is healthy: one merely penalised after a failed create
    // is still the better place once its penalty ends (a zone whose power came back still has its machines stopped).
    const anyHealthy = region.zones.some((z) => zoneState(z.id) === 'healthy');
    const eligible = healthyZones.length > 0 ? healthyZones : anyHealthy ? [] : fallbackZones;
    const replacing = dead.filter((v) => zoneState(v.node.zone) !== 'impaired').map((v) => v.node.id);
    // Runaway guard: never hold more than maxNodesFactor x minHealthy nodes, whatever the probes say. A node the
    // provider lists stopped is not one the probes could be wrong about (this controller never stops nodes: a power
    // loss did), and counting it would leave a group whose machines all lost power below its minimum for good.
    const existing = nodes.filter((v) => v.node.state !== 'terminated' && v.node.state !== 'stopped').length + coming;
    const room = Math.floor(group.minHealthy * policy.maxNodesFactor) - existing;
    const wanted = Math.min(deficit, Math.max(0, room));
    if (wanted < deficit) {
      notes.push(`${group.id}: ${deficit} nodes short, but it already has ${existing} nodes (limit ${policy.maxNodesFactor}x ${group.minHealthy})`);
    }
    if (policy.placement === 'best-zone' && eligible.length === 0 && wanted > 0) {
      notes.push(`${group.id}: ${deficit} nodes short, but no zone of ${group.region} is healthy and answering`);
    }
    for (let i = 0; i < wanted; i++) {
      let zone: string | undefined;
      if (policy.placement === 'best-zone') {
        if (eligible.length === 0) break;
        zone = eligible.reduce((best, z) => ((perZone.get(z) ?? 0) < (perZone.get(best) ?? 0) ? z : best));
        perZone.set(zone, (perZone.get(zone) ?? 0) + 1);
      }
      const name = `${group.id}-${snapshot.memory.nodeSeq + i + 1}`;
      const replaces = replacing[i];
      const step: CreateNodeStep = {
        operation: 'createNode',
        key: `create:${group.provider}:${name}`,
        provider: group.provider,
        region: group.region,
        zone,
        group: group.id,
        name,
        size: group.size,
        replaces,
        reason:
          `${group.id} has ${healthy} healthy of ${group.minHealthy} required` +
          (coming > 0 ? ` (${coming} on the way)` : '') +
          (replaces ? `; replacing dead node ${replaces}` : '') +
          `; create in ${zone ?? `${group.region} (untargeted)`}`,
      };
      if (!listedNames.has(name) && !snapshot.memory.pendingCreates.has(name)) steps.push(step);
    }
  }

  // Destroy a dead node only where its zone demonstrably answers (others there are up) and the group is whole again.
  if (healthy >= group.minHealthy) {
    for (const view of dead) {
      const { node, health } = view;
      const zone = zoneOf(snapshot, node.provider, node.zone);
      if (!zone || zone.state === 'impaired' || zone.evidence.probes.up === 0) continue;
      // Outside an impaired zone, a node is written off only after `nodeDeadAfter` of silence, so it has a failingSince.
      if (health.failingSince === undefined) continue;
      const key = `destroy:${node.provider}:${node.id}`;
      if (!settled(snapshot, key)) continue;
      steps.push({
        operation: 'destroyNode',
        key,
        provider: node.provider,
        region: node.region,
        zone: node.zone,
        group: group.id,
        target: node.id,
        reason: `${node.id} has not answered for ${Math.round((snapshot.now - health.failingSince) / 1000)}s while its zone ${node.zone} answers; ${group.id} is back at ${healthy}/${group.minHealthy}`,
      });
    }
  }
}
