import { resourceKey, zoneKey } from '../contract/keys.js';
import type { ClusterMemory, SwitchoverIntent } from './ControllerMemory.js';
import { chooseCandidate } from './chooseCandidate.js';
import type { IntentVerdict, Step } from './Plan.js';
import type { Policy } from './Policy.js';
import { replicasHolding } from './planReplicas.js';
import { settled } from './settleWindows.js';
import { endpointsAnswering } from './endpointHoldsFence.js';
import type { DatabaseView, Snapshot } from './Snapshot.js';

/** Whether a switchover holds the cluster this cycle (`running`), or left it to the usual rules (`released`). */
export type SwitchoverPlanning = 'running' | 'released';

/**
 * Why a planned switchover of `intent.cluster` cannot start now, or the
 * replica it would promote. The same rules as a failover's candidate
 * (answering, replication not broken, zone not impaired, following the
 * primary, not recently failed, within `maxDataLoss`, cross-region and
 * cross-provider policy), and more, since nothing forces it: a healthy
 * writable primary to hand over from, a streaming target in a healthy zone,
 * a provider that can fence the primary now.
 */
export function checkSwitchover(
  snapshot: Snapshot,
  policy: Policy,
  intent: Pick<SwitchoverIntent, 'cluster' | 'target'>,
): { readonly target: DatabaseView; readonly primary: DatabaseView } | { readonly refused: string } {
  const cluster = intent.cluster;
  const memory = snapshot.memory.clusters.get(cluster);
  const views = snapshot.databases.filter((v) => v.instance.cluster === cluster);
  if (!memory || views.length === 0) return { refused: `unknown database ${cluster}` };
  if (memory.promotion) return { refused: `${cluster}: a promotion of ${memory.promotion.target} is under way` };
  const primary = views.find((v) => v.instance.id === memory.primary && v.instance.provider === memory.provider);
  if (!primary || primary.health.status !== 'up' || !primary.health.writable) {
    return { refused: `${cluster}: the primary ${memory.primary} is not a healthy writable primary; a switchover needs one (failover is automatic)` };
  }
  const capabilities = snapshot.providers.get(primary.instance.provider)?.capabilities;
  if (!capabilities?.stopDatabase) return { refused: `${cluster}: ${primary.instance.provider} cannot stop ${primary.instance.id}, and a switchover without losing writes fences it first` };
  if (capabilities.stopRefusedWithReplicas && replicasHolding(snapshot, views, primary.instance.id).length > 0) {
    return { refused: `${cluster}: ${primary.instance.provider} will not stop ${primary.instance.id} while replicas follow it, and a switchover without losing writes fences it first` };
  }
  if (intent.target !== undefined && !views.some((v) => v.instance.id === intent.target)) return { refused: `${cluster} has no instance ${intent.target}` };
  const { ranked, rejected } = chooseCandidate(snapshot, policy, primary, views);
  const streamingHealthy = ranked.filter(
    (c) => c.view.instance.replication?.state === 'streaming' && snapshot.zones.get(zoneKey(c.view.instance.provider, c.view.instance.zone))?.state === 'healthy',
  );
  if (intent.target !== undefined) {
    const why = rejected.find((r) => r.startsWith(`not promoting ${intent.target}:`));
    if (why) return { refused: `${cluster}: ${why}` };
    const chosen = ranked.find((c) => c.view.instance.id === intent.target);
    if (!chosen) return { refused: `${cluster}: ${intent.target} is not a replica of ${memory.primary}` };
    if (!streamingHealthy.includes(chosen)) return { refused: `${cluster}: ${intent.target} is not streaming from ${memory.primary} in a healthy zone; it cannot catch up` };
    return { target: chosen.view, primary };
  }
  const chosen = streamingHealthy[0];
  if (!chosen) return { refused: `${cluster}: no replica streaming from ${memory.primary} in a healthy zone can be promoted (${rejected.join('; ') || 'none listed'})` };
  return { target: chosen.view, primary };
}

/**
 * Plans one cycle of a planned switchover (an operator's request, Patroni's
 * `switchover`): fence the primary so nothing new is written, wait until the
 * target holds every committed write (a synchronous standby of it does once
 * it is stopped; an asynchronous one once it is seen streaming with nothing
 * left to replay while the primary takes no writes) and for the endpoint,
 * moved at the fence, to no longer answer the stopped primary, then
 * promote it; the promotion is then
 * watched, re-pointed and followed like a failover's. Abandoned at the
 * request's deadline: the fenced primary is started again and serves on.
 * Its steps carry `requestedBy`, so a pause of automatic actions does not
 * hold them (an operator's explicit request is not an automatic action).
 */
export function planSwitchover(
  snapshot: Snapshot,
  policy: Policy,
  intent: SwitchoverIntent,
  memory: ClusterMemory,
  primary: DatabaseView,
  views: readonly DatabaseView[],
  steps: Step[],
  notes: string[],
  verdicts: IntentVerdict[],
): SwitchoverPlanning {
  const cluster = intent.cluster;
  const who = intent.requestedBy;
  const fenced = intent.fenced;
  if (!fenced) {
    const check = checkSwitchover(snapshot, policy, intent);
    if ('refused' in check) {
      verdicts.push({ cluster, kind: 'switchover', outcome: 'refused', reason: check.refused });
      return 'released';
    }
    if (snapshot.now >= intent.deadline) {
      verdicts.push({ cluster, kind: 'switchover', outcome: 'abandoned', reason: `${cluster}: the switchover could not start before its deadline` });
      return 'released';
    }
    const p = primary.instance;
    const t = check.target.instance;
    const key = `fence:${p.provider}:${p.id}`;
    if (settled(snapshot, key)) {
      steps.push({
        operation: 'stopDatabase',
        key,
        provider: p.provider,
        region: p.region,
        zone: p.zone,
        cluster,
        target: p.id,
        requestedBy: who,
        handoverTo: { target: t.id, provider: t.provider },
        reason: `planned switchover of ${cluster} requested by ${who}: fence ${p.id} so that ${t.id} can catch up with every committed write, then promote ${t.id}`,
      });
    }
    return 'running';
  }

  const target = views.find((v) => v.instance.id === fenced.target && v.instance.provider === fenced.targetProvider);
  const old = views.find((v) => v.instance.id === fenced.primary && v.instance.provider === fenced.provider);
  const targetZone = target ? snapshot.zones.get(zoneKey(target.instance.provider, target.instance.zone))?.state : undefined;
  // Only what is known lost ends the wait early: a target not yet probed (after a restart) or failing a round may still answer.
  const viable = target !== undefined && target.health.status !== 'down' && target.instance.replication?.state !== 'broken' && targetZone !== 'impaired';
  const r = target?.instance.replication;
  const oldWritable = old !== undefined && old.health.status === 'up' && old.health.writable;
  const oldStopped = old !== undefined && (old.instance.state === 'stopped' || old.instance.state === 'stopping');
  // Caught up: seen streaming with nothing left to replay while the primary takes no writes; or a synchronous
  // standby of the primary, which acknowledged every commit before it was made (and is not broken since).
  const liveCaughtUp = r?.state === 'streaming' && r.lagSeconds === 0 && (r.lagBytes === undefined || r.lagBytes === null || r.lagBytes === 0);
  const syncStandby = r?.mode === 'sync' && r.upstream === fenced.primary && oldStopped;
  const caughtUp = viable && (liveCaughtUp || syncStandby);
  if (caughtUp && target.health.status === 'up' && !oldWritable && snapshot.now < intent.deadline) {
    const t = target.instance;
    // The endpoint moved at the fence; the target takes writes only once it no longer sends clients to the stopped primary.
    const answering = endpointsAnswering(snapshot, policy, cluster, fenced.primary);
    if (answering.length > 0) {
      notes.push(
        `${cluster}: switchover: ${t.id} has caught up; promoting it once endpoint ${answering.join(', ')} no longer answers ${fenced.primary}, stopped (clients are never sent to a stopped instance while another takes writes), until ${new Date(intent.deadline).toISOString()}`,
      );
      return 'running';
    }
    steps.push({
      operation: 'promoteReplica',
      key: `promote:${cluster}:${t.provider}:${t.id}`,
      provider: t.provider,
      region: t.region,
      zone: t.zone,
      cluster,
      target: t.id,
      from: fenced.primary,
      estimatedLossSeconds: 0,
      requestedBy: who,
      reason: `planned switchover of ${cluster} requested by ${who}: ${t.id} has replayed everything ${fenced.primary} committed before its fence; promote it`,
    });
    return 'running';
  }
  if (viable && snapshot.now < intent.deadline) {
    // The fence did not take (its call failed, or never left before a restart): sent again, it is idempotent.
    const fenceKey = `fence:${fenced.provider}:${fenced.primary}`;
    if (oldWritable && settled(snapshot, fenceKey)) {
      const o = old.instance;
      steps.push({
        operation: 'stopDatabase',
        key: fenceKey,
        provider: o.provider,
        region: o.region,
        zone: o.zone,
        cluster,
        target: o.id,
        requestedBy: who,
        handoverTo: { target: fenced.target, provider: fenced.targetProvider },
        reason: `planned switchover of ${cluster} requested by ${who}: ${o.id} still takes writes; fence it (again) so that ${fenced.target} can catch up`,
      });
    }
    notes.push(`${cluster}: switchover waiting for ${fenced.target} to catch up (lag ${r?.lagSeconds ?? 'unknown'}s${oldWritable ? `; ${fenced.primary} still takes writes` : ''}) until ${new Date(intent.deadline).toISOString()}`);
    return 'running';
  }
  // Cannot be finished without losing writes: start the old primary again, where it can be.
  const why = viable ? `${fenced.target} did not catch up before the deadline` : `${fenced.target} can no longer take over (${target ? `${target.health.status}, zone ${targetZone ?? 'unknown'}` : 'not listed'})`;
  const capabilities = old ? snapshot.providers.get(old.instance.provider)?.capabilities : undefined;
  const oldZone = old ? snapshot.zones.get(zoneKey(old.instance.provider, old.instance.zone))?.state : undefined;
  if (old && !oldStopped) {
    // The fence never took: nothing to undo, the old primary serves on.
    verdicts.push({
      cluster,
      kind: 'switchover',
      outcome: 'abandoned',
      reason: `${cluster}: switchover abandoned: ${why}; ${fenced.primary} was never stopped and serves on`,
      forgetFence: { provider: old.instance.provider, target: old.instance.id },
    });
    return 'released';
  }
  if (!old || !capabilities?.rebootDatabase || oldZone === 'impaired' || !snapshot.memory.fenced.has(resourceKey(old.instance.provider, old.instance.id))) {
    verdicts.push({ cluster, kind: 'switchover', outcome: 'abandoned', reason: `${cluster}: switchover abandoned: ${why}; ${fenced.primary} cannot be started again here, so the cluster is failed over by the usual rules` });
    return 'released';
  }
  const key = `unfence:${old.instance.provider}:${old.instance.id}`;
  if (settled(snapshot, key)) {
    steps.push({
      operation: 'rebootDatabase',
      key,
      provider: old.instance.provider,
      region: old.instance.region,
      zone: old.instance.zone,
      cluster,
      target: old.instance.id,
      requestedBy: who,
      reason: `planned switchover of ${cluster} requested by ${who} abandoned: ${why}; start ${fenced.primary} again so it serves on`,
    });
  }
  return 'running';
}
