import { resourceKey, zoneKey } from '../contract/keys.js';
import type { ControllerEvent } from './ControllerEvent.js';
import { shiftKey, type ClusterMemory, type FailoverApproval, type ControllerMemory, type PendingReplica, type PromotionInFlight, type ReplicaHome, type SwitchoverIntent } from './ControllerMemory.js';
import type { StepResult } from './Executor.js';
import { MemoryDraft } from './MemoryDraft.js';
import { observeAppliedThrough } from './observeAppliedThrough.js';
import type { IntentVerdict, Step } from './Plan.js';
import { followsPrimary } from './planReplicas.js';
import type { Policy } from './Policy.js';
import { listedSince, SETTLE_SECONDS } from './settleWindows.js';
import type { DatabaseView, Snapshot } from './Snapshot.js';

/**
 * Every change of the controller's memory, as pure functions: each takes the
 * memory and what happened (a step about to be called, a step's result, a
 * new observation, an operator's request, a restart) and returns the new
 * memory and the events that follow. The memory given is never changed; one
 * that nothing changes comes back as the same object.
 */
export interface MemoryChange {
  readonly memory: ControllerMemory;
  readonly events: readonly Omit<ControllerEvent, 't'>[];
}

type Events = Omit<ControllerEvent, 't'>[];

/** Time before which step `step`, issued at `now`, is not issued again. */
function settleUntil(step: Step, now: number): number {
  return now + SETTLE_SECONDS[step.operation] * 1000;
}

/**
 * Write-ahead: what a step's call changes before it is made, so that after a
 * crash at any instant the memory says the call may have happened. A
 * promotion is watched, a fence is remembered (its instance being down is no
 * evidence about its zone), a create counts toward capacity from now on (so
 * it is never asked for twice), a replica being deleted is no evidence about
 * its zone, and a switchover moves on.
 */
export function rememberStepStart(memory: ControllerMemory, step: Step, now: number): MemoryChange {
  const draft = new MemoryDraft(memory);
  const events: Events = [];
  draft.set('issued', step.key, settleUntil(step, now));
  // Every call of a step is a try toward its retry bound (creates count their failed rounds instead).
  if (step.operation !== 'createNode' && step.operation !== 'createReplica') draft.set('tries', step.key, [...(draft.get('tries').get(step.key) ?? []), now]);
  switch (step.operation) {
    case 'promoteReplica': {
      const cluster = draft.get('clusters').get(step.cluster);
      if (!cluster) break;
      draft.set('clusters', step.cluster, {
        ...cluster,
        promotion: {
          target: step.target,
          provider: step.provider,
          region: step.region,
          zone: step.zone ?? '',
          from: step.from,
          fromProvider: cluster.provider,
          detectedAt: now,
          startedAt: now,
          ...(step.requestedBy !== undefined ? { planned: { requestedBy: step.requestedBy } } : {}),
        },
      });
      // An approval is spent on the promotion it approved.
      draft.delete('approvals', step.cluster);
      if (step.requestedBy !== undefined && draft.get('intents').has(step.cluster)) {
        draft.delete('intents', step.cluster);
        events.push({ kind: 'switchover.promoting', provider: step.provider, region: step.region, zone: step.zone, database: step.cluster, detail: step.reason, step });
      }
      break;
    }
    case 'stopDatabase': {
      draft.set('fenced', resourceKey(step.provider, step.target), now);
      const intent = draft.get('intents').get(step.cluster);
      if (step.handoverTo && intent && !intent.fenced) {
        draft.set('intents', step.cluster, {
          ...intent,
          fenced: { primary: step.target, provider: step.provider, target: step.handoverTo.target, targetProvider: step.handoverTo.provider },
        });
      }
      break;
    }
    case 'rebootDatabase': {
      // The old primary of an abandoned switchover serves again: its being down is evidence again.
      draft.delete('fenced', resourceKey(step.provider, step.target));
      if (draft.get('intents').has(step.cluster)) {
        draft.delete('intents', step.cluster);
        events.push({ kind: 'switchover.abandoned', provider: step.provider, region: step.region, zone: step.zone, database: step.cluster, detail: step.reason, step });
      }
      break;
    }
    case 'createNode':
      draft.nodeSeq = draft.nodeSeq + 1;
      draft.set('pendingCreates', step.name, {
        group: step.group,
        provider: step.provider,
        region: step.region,
        zone: step.zone,
        issuedAt: now,
        replaces: step.replaces,
      });
      events.push({
        kind: step.replaces ? 'node.replaced' : 'capacity.create',
        provider: step.provider,
        region: step.region,
        zone: step.zone,
        group: step.group,
        detail: step.reason,
        step,
      });
      break;
    case 'createReplica':
      draft.updateCluster(step.cluster, (cluster) => ({
        ...cluster,
        replicaSeq: cluster.pendingReplicas.has(step.target) ? cluster.replicaSeq : cluster.replicaSeq + 1,
        pendingReplicas: new Map(cluster.pendingReplicas).set(step.target, {
          provider: step.provider,
          region: step.region,
          zone: step.zone,
          source: step.source,
          issuedAt: now,
        }),
      }));
      break;
    case 'destroyDatabase': {
      const key = resourceKey(step.provider, step.target);
      draft.set('fenced', key, now);
      draft.set('retired', key, now);
      break;
    }
    case 'shiftTraffic': {
      const key = shiftKey(step.provider, step.target, step.zone);
      const shift = draft.get('shifts').get(key);
      if (!step.away) {
        if (shift) draft.set('shifts', key, { ...shift, returning: true });
        break;
      }
      draft.set('shifts', key, {
        provider: step.provider,
        loadBalancer: step.target,
        region: step.region,
        group: step.group,
        zone: step.zone,
        issuedAt: now,
        expiresAt: now + (step.expiresInSeconds ?? 0) * 1000,
        confirmed: shift?.confirmed ?? false,
        returning: false,
      });
      break;
    }
    default:
      break;
  }
  return { memory: draft.finish(), events };
}

/**
 * What a step's result changes. An accepted call is trusted: its step is
 * not issued again until a listing read late enough to show its effect says
 * it is still needed (a failed read never does). A call whose answer never
 * came (it timed out) may have taken effect, so it is treated the same way,
 * and what it may have done stays recorded: a promotion is watched for a
 * shorter while, a create keeps waiting (its name or id makes a repeat
 * return the first), a fence or a delete stays remembered. A failed
 * promotion's target is not tried again for `backoffMax`; a failed create's
 * zone is avoided for `backoffMax`, unless the provider only said "slow
 * down"; a refused step is not asked again before `backoffMax` has passed
 * (it would be refused again), any other failed step is planned again at
 * once. A failed round of creates counts toward their retry bound
 * (`maxStepRetries`); a throttled call is not a try.
 */
export function rememberStepResult(memory: ControllerMemory, result: StepResult, policy: Policy): MemoryChange {
  const { step, outcome } = result;
  const now = result.finishedAt;
  const draft = new MemoryDraft(memory);
  const detail = `${step.operation} ${'target' in step ? step.target : step.name}: ${outcome}${result.error ? ` (${result.error.message})` : ''}`;
  const events: Events = [
    {
      kind: 'action',
      provider: step.provider,
      region: step.region,
      zone: step.zone,
      detail,
      step,
      result: outcome,
      database: 'cluster' in step ? step.cluster : undefined,
      group: 'group' in step ? step.group : undefined,
    },
  ];
  if ('cluster' in step) {
    events.push({ kind: 'failover.step', provider: step.provider, region: step.region, zone: step.zone, database: step.cluster, detail, step, result: outcome });
  }
  const settle = SETTLE_SECONDS[step.operation] * 1000;
  // Steps whose effect only a listing shows (promotions and creates are watched through their own records).
  if (settle > 0 && (outcome === 'ok' || outcome === 'timeout')) {
    draft.set('awaiting', step.key, {
      provider: step.provider,
      operation: step.operation,
      ...('target' in step ? { target: step.target } : {}),
      issuedAt: result.startedAt,
      visibleFrom: result.startedAt + settle,
      ...(outcome === 'timeout' ? { uncertain: true } : {}),
    });
  }
  if (outcome === 'ok' && step.operation === 'stopDatabase') {
    // The target of a promotion given up on is stopped: it refuses writes from now on, another may be promoted.
    const cluster = draft.get('clusters').get(step.cluster);
    const abandoned = cluster?.abandonedPromotion;
    if (cluster && abandoned && abandoned.target === step.target && abandoned.provider === step.provider) {
      draft.set('clusters', step.cluster, { ...cluster, abandonedPromotion: undefined });
    }
  }
  if (outcome === 'ok') return { memory: draft.finish(), events };
  if (step.operation === 'createNode' || step.operation === 'createReplica') {
    // A create that timed out keeps waiting (counted if it is never seen); one that failed is a failed round.
    if (outcome === 'error') countFailedCreate(draft, retryKey(step), now, policy);
  } else if (outcome === 'throttled') {
    // Throttling is the call gate's business: the call is not a try.
    const tries = draft.get('tries').get(step.key) ?? [];
    const at = tries.lastIndexOf(result.startedAt);
    if (at >= 0) draft.set('tries', step.key, [...tries.slice(0, at), ...tries.slice(at + 1)]);
  }
  const backoff = now + policy.backoffMax * 1000;
  const refusedAgainLater = () => {
    if (result.rejected) draft.set('issued', step.key, backoff + SETTLE_SECONDS[step.operation] * 1000);
    else draft.delete('issued', step.key);
  };
  switch (step.operation) {
    case 'promoteReplica': {
      const cluster = draft.get('clusters').get(step.cluster);
      const promotion = cluster?.promotion;
      if (!cluster || !promotion || promotion.target !== step.target) break;
      if (outcome === 'timeout') {
        // Unknown effect: keep watching; observation gives up on it after a shorter wait.
        draft.set('clusters', step.cluster, { ...cluster, promotion: { ...promotion, uncertain: true } });
        break;
      }
      draft.set('clusters', step.cluster, { ...cluster, promotion: undefined });
      if (result.rejected || outcome === 'error') draft.set('failedCandidates', resourceKey(step.provider, step.target), backoff);
      events.push({ kind: 'failover.failed', provider: step.provider, region: step.region, zone: step.zone, database: step.cluster, detail: `promotion of ${step.target} failed: ${outcome}${result.error ? ` (${result.error.message})` : ''}` });
      break;
    }
    case 'createNode':
      // A timed-out create may still happen (the name is its idempotency token): keep waiting for it.
      if (outcome === 'timeout') break;
      draft.delete('pendingCreates', step.name);
      // Throttling says the control plane is busy, not that the zone is bad: only the call gate backs off.
      if (step.zone !== undefined && outcome !== 'throttled') draft.set('zonePenalty', zoneKey(step.provider, step.zone), backoff);
      break;
    case 'createReplica':
      if (outcome === 'timeout') break;
      draft.updateCluster(step.cluster, (cluster) => {
        const pendingReplicas = new Map(cluster.pendingReplicas);
        pendingReplicas.delete(step.target);
        return { ...cluster, pendingReplicas };
      });
      if (outcome !== 'throttled') draft.set('zonePenalty', zoneKey(step.provider, step.zone), backoff);
      draft.delete('issued', step.key);
      break;
    case 'stopDatabase': {
      // A fence whose answer was lost may have stopped the instance: it stays fenced until a listing says otherwise.
      if (outcome === 'timeout') break;
      draft.delete('fenced', resourceKey(step.provider, step.target));
      refusedAgainLater();
      // The provider will not stop the target of a promotion given up on (it is being promoted, or it is a read
      // replica RDS cannot stop): the fence is not asked again, the listing tells what the promotion does.
      const cluster = draft.get('clusters').get(step.cluster);
      const abandoned = cluster?.abandonedPromotion;
      if (result.rejected && cluster && abandoned && abandoned.target === step.target && abandoned.provider === step.provider) {
        draft.set('clusters', step.cluster, { ...cluster, abandonedPromotion: { ...abandoned, fenceRefused: true } });
      }
      break;
    }
    case 'destroyDatabase': {
      // So may a delete: the replica stays retiring until a listing shows it still serving.
      if (outcome === 'timeout') break;
      const key = resourceKey(step.provider, step.target);
      draft.delete('fenced', key);
      draft.delete('retired', key);
      refusedAgainLater();
      break;
    }
    case 'shiftTraffic': {
      // A timed-out call may have taken effect: the next listing tells. A failed shift that never showed is
      // forgotten (a renewal keeps the shift it renews); a failed return keeps the shift, to be put back again.
      if (outcome !== 'timeout') {
        const key = shiftKey(step.provider, step.target, step.zone);
        const shift = draft.get('shifts').get(key);
        if (shift && step.away && !shift.confirmed) draft.delete('shifts', key);
        if (shift && !step.away) draft.set('shifts', key, { ...shift, returning: false });
      }
      if (outcome !== 'timeout') refusedAgainLater();
      break;
    }
    case 'updateEndpoint':
      if (outcome !== 'timeout') refusedAgainLater();
      break;
    default:
      if (outcome !== 'timeout') draft.delete('issued', step.key);
      break;
  }
  return { memory: draft.finish(), events };
}

/**
 * The key a step's tries are counted under for `maxStepRetries`: the
 * step's own key, except for creates, whose names are new each time: a
 * node create counts for its group, a replica create for its database.
 */
export function retryKey(step: Step): string {
  if (step.operation === 'createNode') return `createNode:${step.provider}:${step.group}`;
  if (step.operation === 'createReplica') return `createReplica:${step.provider}:${step.cluster}`;
  return step.key;
}

/**
 * A create that never came up (not listed when it should be, failed, or never
 * started or streamed): a failed try of `retry`, and its zone avoided for
 * `backoffMax`.
 */
function giveUpCreate(draft: MemoryDraft, retry: string, provider: string, zone: string | undefined, now: number, policy: Policy): void {
  countFailedCreate(draft, retry, now, policy);
  if (zone !== undefined) draft.set('zonePenalty', zoneKey(provider, zone), now + policy.backoffMax * 1000);
}

/**
 * Counts a failed round of a group's (or database's) creates toward
 * `maxStepRetries`: the creates that went out together are one round, so
 * failures of the same create key within `callTimeout` of each other count
 * once.
 */
function countFailedCreate(draft: MemoryDraft, key: string, now: number, policy: Policy): void {
  const times = draft.get('tries').get(key) ?? [];
  const last = times[times.length - 1];
  if (last !== undefined && now - last < policy.callTimeout * 1000) return;
  draft.set('tries', key, [...times, now]);
}

/**
 * An operator's request (a planned switchover), checked by the caller
 * against the latest snapshot; `decide` plans it from the next cycle on.
 * A second request for the same cluster replaces the first only while the
 * first has not fenced anything.
 */
export function rememberIntent(memory: ControllerMemory, intent: SwitchoverIntent): MemoryChange {
  const existing = memory.intents.get(intent.cluster);
  if (existing?.fenced) return { memory, events: [] };
  const draft = new MemoryDraft(memory);
  draft.set('intents', intent.cluster, intent);
  return {
    memory: draft.finish(),
    events: [{ kind: 'switchover.requested', database: intent.cluster, detail: `${intent.requestedBy} asked for a switchover of ${intent.cluster}${intent.target ? ` to ${intent.target}` : ''}` }],
  };
}

/**
 * An operator's approval of a cluster's failover, checked by the caller
 * against the latest plan (a failover is waiting for it); `decide` plans
 * the promotion from the next cycle on.
 */
export function rememberApproval(memory: ControllerMemory, approval: FailoverApproval): MemoryChange {
  const draft = new MemoryDraft(memory);
  draft.set('approvals', approval.cluster, approval);
  return {
    memory: draft.finish(),
    events: [{ kind: 'failover.approved', database: approval.cluster, detail: `${approval.approvedBy} approved the failover of ${approval.cluster}` }],
  };
}

/** Operators' requests that `decide` ended this cycle (refused, or abandoned with nothing to undo) are dropped. */
export function rememberVerdicts(memory: ControllerMemory, verdicts: readonly IntentVerdict[]): MemoryChange {
  if (verdicts.length === 0) return { memory, events: [] };
  const draft = new MemoryDraft(memory);
  const events: Events = [];
  for (const verdict of verdicts) {
    if (!draft.get('intents').has(verdict.cluster)) continue;
    draft.delete('intents', verdict.cluster);
    if (verdict.forgetFence) draft.delete('fenced', resourceKey(verdict.forgetFence.provider, verdict.forgetFence.target));
    events.push({ kind: verdict.outcome === 'refused' ? 'switchover.refused' : 'switchover.abandoned', database: verdict.cluster, detail: verdict.reason });
  }
  return { memory: draft.finish(), events };
}

/** A step whose call a previous run started and never saw end (from the daemon's journal). */
export interface UnfinishedStep {
  readonly step: Step;
  readonly startedAt: number;
}

/**
 * Memory restored after a restart, assuming the safer state for every call
 * the previous run may or may not have made: a promotion is watched afresh
 * and sent again (it is idempotent) only if observation shows its target
 * still a plain replica; a replica create stays counted and is sent again
 * under the same id if the provider does not list it; a fence stays
 * recorded; any other step may be planned again at once. Nothing is called
 * here: `decide` plans what is still needed from what the next cycle sees.
 */
export function rememberRestart(memory: ControllerMemory, unfinished: readonly UnfinishedStep[], now: number): MemoryChange {
  const draft = new MemoryDraft(memory);
  const events: Events = [];
  for (const { step, startedAt } of unfinished) {
    let result = 'planned again if still needed';
    if (step.operation === 'promoteReplica') {
      const cluster = draft.get('clusters').get(step.cluster);
      if (cluster?.promotion && cluster.promotion.target === step.target) {
        draft.set('clusters', step.cluster, { ...cluster, promotion: { ...cluster.promotion, startedAt: now, uncertain: undefined, reissue: true } });
        result = 're-observed: sent again only if the target is still a replica';
      }
      draft.delete('issued', step.key);
    } else if (step.operation === 'createReplica') {
      draft.updateCluster(step.cluster, (cluster) => {
        const pending = cluster.pendingReplicas.get(step.target);
        if (!pending) return cluster;
        return { ...cluster, pendingReplicas: new Map(cluster.pendingReplicas).set(step.target, { ...pending, uncertain: true }) };
      });
      draft.delete('issued', step.key);
      result = 're-observed: sent again under the same id if the provider does not list it';
    } else if (step.operation !== 'createNode') {
      // Fences stay recorded (assume it was fenced); the step is planned again at once if still needed.
      draft.delete('issued', step.key);
    }
    events.push({
      kind: 'memory.restored',
      provider: step.provider,
      region: step.region,
      zone: step.zone,
      ...('cluster' in step ? { database: step.cluster } : {}),
      detail: `the journal shows ${step.operation} ${'target' in step ? step.target : step.name} started at ${new Date(startedAt).toISOString()} without a recorded end; ${result}`,
      step,
    });
  }
  return { memory: draft.finish(), events };
}

/**
 * Bookkeeping between observe and decide: folds what the new snapshot shows
 * into memory and returns the events that follow. The world wins over
 * memory: a primary memory names that its provider does not list, or lists
 * demoted, gives way to the primary the world shows; a promotion that took
 * effect completes the failover; one that did not within its deadline is
 * given up; creates that run are done, creates never seen are given up;
 * deleted replicas no longer listed are forgotten; records past their time
 * expire.
 */
export function rememberObservation(memory: ControllerMemory, snapshot: Snapshot, policy: Policy): MemoryChange {
  const draft = new MemoryDraft(memory);
  const events: Events = [];
  const now = snapshot.now;
  const byCluster = new Map<string, DatabaseView[]>();
  for (const view of snapshot.databases) {
    let list = byCluster.get(view.instance.cluster);
    if (!list) byCluster.set(view.instance.cluster, (list = []));
    list.push(view);
  }

  for (const [cluster, views] of byCluster) {
    const record = draft.get('clusters').get(cluster);
    if (!record) {
      const chosen = listedPrimary(views);
      if (chosen) {
        draft.set('clusters', cluster, {
          cluster,
          primary: chosen.instance.id,
          provider: chosen.instance.provider,
          failovers: 0,
          replicaHomes: replicaHomesOf(views, chosen.instance.id),
          pendingReplicas: new Map(),
          replicaSeq: 0,
        });
      }
      continue;
    }
    let current = correctPrimary(record, views, snapshot, events);
    // A journal from before replica upkeep: what follows the primary now is what is kept (nothing is created).
    if (current.replicaHomes === undefined) current = { ...current, replicaHomes: replicaHomesOf(views, current.primary) };
    current = observePendingReplicas(draft, current, views, snapshot, policy, events);
    current = observePromotion(draft, current, views, now, policy, events);
    current = observeAbandonedPromotion(draft, current, views, snapshot, policy, events);
    draft.set('clusters', cluster, current);
  }

  // Creates: done once the node runs and answers. Given up only when a listing read `nodeStartTimeout` after the
  // call contradicts it (the node is not listed, listed still pending, or listed but not answering); until then it
  // counts, however long the reads fail. A create given up counts as a failed try of its group's replacements; its
  // zone is avoided.
  const pendingCreates = draft.get('pendingCreates');
  if (pendingCreates.size > 0) {
    const nodesByName = new Map(snapshot.nodes.map((v) => [v.node.name, v]));
    for (const [name, pending] of pendingCreates) {
      const view = nodesByName.get(name);
      if (view && ((view.node.state === 'running' && view.health.status === 'up') || view.node.state === 'terminated')) {
        draft.delete('pendingCreates', name);
        continue;
      }
      const deadline = pending.issuedAt + policy.nodeStartTimeout * 1000;
      // Still pending that long after is no start (a machine placed in a zone that is dark, with nothing of ours
      // left there to probe, never leaves pending): as much a contradiction as not being listed.
      const contradicted = view === undefined || view.node.state === 'error' || view.node.state === 'pending' || view.health.status === 'down';
      if (now >= deadline && listedSince(snapshot, pending.provider, deadline) && contradicted) {
        draft.delete('pendingCreates', name);
        giveUpCreate(draft, `createNode:${pending.provider}:${pending.group}`, pending.provider, view?.node.zone ?? pending.zone, now, policy);
      }
    }
  }

  // Accepted calls: once their provider has been listed late enough, the listing tells whether they took effect.
  // A fence or a delete whose answer was lost, and whose instance is listed serving as before, did not happen:
  // forgotten, so it is planned again.
  for (const [key, awaited] of draft.get('awaiting')) {
    if (!listedSince(snapshot, awaited.provider, awaited.visibleFrom)) continue;
    draft.delete('awaiting', key);
    if (!awaited.uncertain || (awaited.operation !== 'stopDatabase' && awaited.operation !== 'destroyDatabase')) continue;
    const view = snapshot.databases.find((v) => v.instance.provider === awaited.provider && v.instance.id === awaited.target);
    if (view === undefined || (view.instance.state !== 'available' && view.instance.state !== 'unknown')) continue;
    const instance = resourceKey(awaited.provider, view.instance.id);
    draft.delete('fenced', instance);
    if (awaited.operation === 'destroyDatabase') draft.delete('retired', instance);
  }
  // Tries leave the retry window.
  const windowStart = now - policy.stepRetryWindow * 1000;
  for (const [key, times] of draft.get('tries')) {
    const recent = times.filter((t) => t > windowStart);
    if (recent.length === 0) draft.delete('tries', key);
    else if (recent.length < times.length) draft.set('tries', key, recent);
  }

  // Deleted replicas: forgotten once their provider no longer lists them (a provider with no listing at all tells nothing).
  if (draft.get('retired').size > 0) {
    const listed = new Set(snapshot.databases.map((v) => resourceKey(v.instance.provider, v.instance.id)));
    const providersListed = new Set(snapshot.databases.map((v) => v.instance.provider));
    for (const key of [...draft.get('retired').keys()]) {
      if (listed.has(key) || !providersListed.has(key.slice(0, key.indexOf(':')))) continue;
      draft.delete('retired', key);
      draft.delete('fenced', key);
    }
  }

  observeShifts(draft, snapshot);
  observeAppliedThrough(draft, snapshot);

  for (const field of ['failedCandidates', 'zonePenalty', 'issued'] as const) {
    for (const [key, until] of draft.get(field)) if (now >= until) draft.delete(field, key);
  }
  return { memory: draft.finish(), events };
}

/** How long a shift may take to show in its load balancer's listing before it is taken as never made (ms). */
const SHIFT_SHOWS_WITHIN_MS = 300_000;

/**
 * The world wins over remembered shifts: a zone listed out of rotation
 * confirms the shift; one listed back in rotation ends it (put back, expired,
 * or cancelled by someone else), so a zone still impaired is shifted again
 * by `decide`; a shift not shown by a listing read five minutes after the
 * call was never made. A listing read before the call, or none at all (a
 * failed read), changes nothing.
 */
function observeShifts(draft: MemoryDraft, snapshot: Snapshot): void {
  if (draft.get('shifts').size === 0) return;
  const balancers = new Map(snapshot.loadBalancers.map((lb) => [`${lb.provider}:${lb.id}`, lb]));
  for (const [key, shift] of draft.get('shifts')) {
    const zone = balancers.get(`${shift.provider}:${shift.loadBalancer}`)?.zones.find((z) => z.zone === shift.zone);
    // A listing read before the last shift call shows nothing about it.
    if (!zone || !listedSince(snapshot, shift.provider, shift.issuedAt)) continue;
    if (!zone.inRotation) {
      if (!shift.confirmed && !shift.returning) draft.set('shifts', key, { ...shift, confirmed: true });
      continue;
    }
    if (shift.returning || shift.confirmed || listedSince(snapshot, shift.provider, shift.issuedAt + SHIFT_SHOWS_WITHIN_MS)) draft.delete('shifts', key);
  }
}

/** The listed primary to adopt: one that proved writable, else one listed available, else any listed primary. */
function listedPrimary(views: readonly DatabaseView[]): DatabaseView | undefined {
  const primaries = views.filter((v) => v.instance.role === 'primary');
  return primaries.find((v) => v.health.writable) ?? primaries.find((v) => v.instance.state === 'available') ?? primaries[0];
}

/**
 * The world wins over memory: when the primary memory names is not listed
 * by a provider that lists the cluster, or is listed as a replica and does
 * not take writes, and another instance is listed as primary and takes
 * writes, that one is the primary. Never while a promotion is watched (its
 * target is listed as a replica until the provider catches up), nor on the
 * word of a listing read before the last failover completed: it shows the
 * new primary as the replica it was, and the old one as primary, and taking
 * it for the world would fence the new primary as a second one.
 */
function correctPrimary(record: ClusterMemory, views: readonly DatabaseView[], snapshot: Snapshot, events: Events): ClusterMemory {
  if (record.promotion) return record;
  const named = views.find((v) => v.instance.id === record.primary && v.instance.provider === record.provider);
  if (named && !(named.instance.role === 'replica' && !named.health.writable)) return record;
  if (record.lastFailoverAt !== undefined && !listedSince(snapshot, record.provider, record.lastFailoverAt)) return record;
  const actual = views.find((v) => v.instance.role === 'primary' && v.health.status === 'up' && v.health.writable && v !== named);
  if (!actual) return record;
  const why = named ? `lists it as a replica of ${named.instance.replication?.upstream ?? 'another instance'}` : 'does not list it';
  events.push({
    kind: 'memory.corrected',
    provider: actual.instance.provider,
    region: actual.instance.region,
    zone: actual.instance.zone,
    database: record.cluster,
    detail: `memory named ${record.primary} (${record.provider}) the primary of ${record.cluster}, but the provider ${why}; ${actual.instance.id} is listed primary and takes writes: it is the primary`,
  });
  return { ...record, primary: actual.instance.id, provider: actual.instance.provider };
}

/** A promotion that took effect completes the failover; one that did not in time is given up and its target avoided. */
function observePromotion(draft: MemoryDraft, record: ClusterMemory, views: readonly DatabaseView[], now: number, policy: Policy, events: Events): ClusterMemory {
  const promotion = record.promotion;
  if (!promotion) return record;
  const target = views.find((v) => v.instance.id === promotion.target && v.instance.provider === promotion.provider);
  const promoted =
    target !== undefined &&
    target.health.status === 'up' &&
    (target.health.writable || (target.instance.role === 'primary' && target.instance.state === 'available'));
  if (promoted) {
    if (promotion.reissue) {
      events.push({ kind: 'memory.restored', provider: promotion.provider, region: promotion.region, zone: promotion.zone, database: record.cluster, detail: `${promotion.target} is the primary: the promotion the journal shows unfinished took effect before the restart; not re-issued` });
    }
    events.push({
      kind: 'failover.completed',
      provider: promotion.provider,
      region: promotion.region,
      zone: promotion.zone,
      database: record.cluster,
      detail: `${record.cluster}: ${promotion.target} is the primary (was ${promotion.from}); ${Math.round((now - promotion.startedAt) / 1000)}s after the promote call`,
    });
    const fromZone = views.find((v) => v.instance.id === promotion.from && v.instance.provider === promotion.fromProvider)?.instance.zone;
    return {
      ...record,
      primary: promotion.target,
      provider: promotion.provider,
      failovers: record.failovers + 1,
      lastFailoverAt: now,
      previousPrimary: { provider: promotion.fromProvider, id: promotion.from, ...(fromZone !== undefined ? { zone: fromZone } : {}) },
      promotion: undefined,
    };
  }
  // Restored from a journal that shows the call unfinished: if the target is still a plain replica and the
  // old primary takes writes again, the failover is no longer needed and the call is not sent again.
  const from = views.find((v) => v.instance.id === promotion.from && v.instance.provider === promotion.fromProvider);
  if (promotion.reissue && target?.instance.role === 'replica' && from?.health.status === 'up' && from.health.writable) {
    events.push({
      kind: 'memory.corrected',
      provider: promotion.provider,
      region: promotion.region,
      zone: promotion.zone,
      database: record.cluster,
      detail: `${record.cluster}: the journal shows a promotion of ${promotion.target} unfinished, but ${promotion.target} is still a replica and ${promotion.from} answers and takes writes: the promotion is dropped, not sent again`,
    });
    return { ...record, promotion: undefined };
  }
  if (now < promotionGivenUpAt(promotion, policy)) return record;
  const waited = now - promotion.startedAt;
  draft.set('failedCandidates', resourceKey(promotion.provider, promotion.target), now + policy.failoverCooldown * 1000);
  events.push({
    kind: 'failover.failed',
    provider: promotion.provider,
    region: promotion.region,
    zone: promotion.zone,
    database: record.cluster,
    detail: `${record.cluster}: ${promotion.target} did not become a writable primary within ${Math.round(waited / 1000)}s; trying another candidate once it is fenced (the promotion may still complete)`,
  });
  // The call was accepted, or its answer lost: the provider may still complete it. Fence or adopt before another.
  return { ...record, promotion: undefined, abandonedPromotion: { ...promotion, givenUpAt: now } };
}

/**
 * A promotion given up on may still complete: seen taking writes, its target
 * is adopted as the primary (the failover it was for is done); listed by a
 * listing read after it was given up as stopped, being stopped, failed or
 * gone, it can no longer become a primary and is forgotten; listed being
 * promoted, it is watched again (adopted). When it cannot be fenced (the
 * provider refused the stop, or may not be asked), a listing read after it
 * was given up that shows a plain available replica says the promotion
 * never took hold: forgotten. Until then `decide` fences it and promotes
 * nothing else.
 */
function observeAbandonedPromotion(draft: MemoryDraft, record: ClusterMemory, views: readonly DatabaseView[], snapshot: Snapshot, policy: Policy, events: Events): ClusterMemory {
  const abandoned = record.abandonedPromotion;
  if (!abandoned || record.promotion) return record;
  const now = snapshot.now;
  const target = views.find((v) => v.instance.id === abandoned.target && v.instance.provider === abandoned.provider);
  const promoted =
    target !== undefined &&
    target.health.status === 'up' &&
    (target.health.writable || (target.instance.role === 'primary' && target.instance.state === 'available'));
  const where = { provider: abandoned.provider, region: abandoned.region, zone: abandoned.zone, database: record.cluster };
  if (promoted) {
    draft.delete('failedCandidates', resourceKey(abandoned.provider, abandoned.target));
    events.push({
      kind: 'failover.completed',
      ...where,
      detail: `${record.cluster}: ${abandoned.target} is the primary (was ${abandoned.from}): the promotion given up on ${Math.round((now - abandoned.givenUpAt) / 1000)}s ago took effect after all; adopted, nothing else promoted`,
    });
    const fromZone = views.find((v) => v.instance.id === abandoned.from && v.instance.provider === abandoned.fromProvider)?.instance.zone;
    return {
      ...record,
      primary: abandoned.target,
      provider: abandoned.provider,
      failovers: record.failovers + 1,
      lastFailoverAt: now,
      previousPrimary: { provider: abandoned.fromProvider, id: abandoned.from, ...(fromZone !== undefined ? { zone: fromZone } : {}) },
      abandonedPromotion: undefined,
    };
  }
  if (!listedSince(snapshot, abandoned.provider, abandoned.givenUpAt)) return record;
  const state = target?.instance.state;
  if (state === 'promoting') {
    // Listed being promoted: the promotion is under way at the provider. Adopt it: watch it again rather than promote another.
    const { givenUpAt: _givenUpAt, fenceRefused: _fenceRefused, ...promotion } = abandoned;
    draft.delete('failedCandidates', resourceKey(abandoned.provider, abandoned.target));
    events.push({ kind: 'memory.corrected', ...where, detail: `${record.cluster}: ${abandoned.target} is listed promoting: the promotion given up on is under way at ${abandoned.provider}; watching it again instead of promoting another` });
    return { ...record, abandonedPromotion: undefined, promotion: { ...promotion, startedAt: now, uncertain: undefined, reissue: undefined } };
  }
  const settledFor = target === undefined || state === 'stopped' || state === 'stopping' || state === 'failed';
  const capabilities = snapshot.providers.get(abandoned.provider)?.capabilities;
  const unfenceable = abandoned.fenceRefused === true || !(capabilities?.stopDatabase && policy.fenceOldPrimary);
  // It cannot be fenced, and a listing read after it was given up shows a plain replica: the promotion never took hold.
  const windowPassed = unfenceable && target?.instance.role === 'replica' && state === 'available';
  if (!settledFor && !windowPassed) return record;
  events.push({
    kind: 'memory.corrected',
    ...where,
    detail: `${record.cluster}: the promotion of ${abandoned.target} given up on can no longer complete (${target === undefined ? 'not listed' : `listed ${state}${windowPassed ? ` ${policy.promoteTimeout}s after the call` : ''}`}); another replica may be promoted`,
  });
  return { ...record, abandonedPromotion: undefined };
}

/**
 * When a promotion that has not produced a writable primary is given up:
 * `promoteTimeout` after the call, or sooner when the call's outcome is
 * unknown (it timed out), since the target is then more likely never to
 * have been promoted.
 */
export function promotionGivenUpAt(promotion: PromotionInFlight, policy: Policy): number {
  const limit = promotion.uncertain ? Math.min(policy.promoteTimeout, policy.callTimeout * 2) : policy.promoteTimeout;
  return promotion.startedAt + limit * 1000;
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
function observePendingReplicas(draft: MemoryDraft, record: ClusterMemory, views: readonly DatabaseView[], snapshot: Snapshot, policy: Policy, events: Events): ClusterMemory {
  if (record.pendingReplicas.size === 0) return record;
  let pendingReplicas: Map<string, PendingReplica> | undefined;
  const now = snapshot.now;
  for (const [id, each] of record.pendingReplicas) {
    const view = views.find((v) => v.instance.id === id && v.instance.provider === each.provider);
    const state = view?.instance.state;
    if (view && each.uncertain) {
      // Listed: the create a restart left unfinished reached the provider; it is not sent again.
      (pendingReplicas ??= new Map(record.pendingReplicas)).set(id, { ...each, uncertain: undefined });
      events.push({ kind: 'memory.restored', provider: each.provider, region: each.region, zone: each.zone, database: record.cluster, detail: `${id} is listed: the create before the crash took effect; not re-issued` });
    }
    const streaming = state === 'available' && (view!.instance.replication === undefined || view!.instance.replication.state === 'streaming');
    if (each.givenUpAt !== undefined) {
      // Given up on already: forgotten once it streams after all (it counts again, as listed) or is gone.
      if (streaming || state === 'failed' || view === undefined) (pendingReplicas ??= new Map(record.pendingReplicas)).delete(id);
      continue;
    }
    // Lost only when a listing read `nodeStartTimeout` after the call does not show it (a failed read shows nothing).
    const deadline = each.issuedAt + policy.nodeStartTimeout * 1000;
    const lost = view === undefined && now >= deadline && listedSince(snapshot, each.provider, deadline);
    if (!streaming && state !== 'failed' && !lost) {
      // Listed, and still not streaming long after: created where it cannot work (a zone the controller cannot see
      // is dark, with nothing of ours in it to probe). It stops counting, and its zone is avoided for a while.
      if (view !== undefined && now >= each.issuedAt + policy.replicaCreateTimeout * 1000) {
        (pendingReplicas ??= new Map(record.pendingReplicas)).set(id, { ...each, givenUpAt: now });
        giveUpCreate(draft, `createReplica:${each.provider}:${record.cluster}`, each.provider, each.zone, now, policy);
        events.push({
          kind: 'memory.corrected',
          provider: each.provider,
          region: each.region,
          zone: each.zone,
          database: record.cluster,
          detail: `${record.cluster}: ${id}, created ${Math.round((now - each.issuedAt) / 1000)}s ago in ${each.zone}, is listed ${state} and does not stream (replicaCreateTimeout ${policy.replicaCreateTimeout}s): no longer counted; another replica is made elsewhere`,
        });
      }
      continue;
    }
    (pendingReplicas ??= new Map(record.pendingReplicas)).delete(id);
    if (!streaming) {
      giveUpCreate(draft, `createReplica:${each.provider}:${record.cluster}`, each.provider, each.zone, now, policy);
    }
  }
  return pendingReplicas ? { ...record, pendingReplicas } : record;
}
