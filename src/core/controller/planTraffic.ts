import { zoneKey } from '../contract/keys.js';
import { shiftKey } from './ControllerMemory.js';
import type { PromoteStep, ShiftTrafficStep, Step } from './Plan.js';
import type { Policy } from './Policy.js';
import { SETTLE_SECONDS, settled } from './settleWindows.js';
import type { Snapshot } from './Snapshot.js';

/**
 * Writer endpoints follow their database's primary. Each endpoint of a
 * database the controller knows is pointed at the primary once that
 * instance answers and takes writes, or, while a promotion is under way, at
 * the replica being promoted: the old primary has failed (or is being
 * fenced for a switchover), so the endpoint change can propagate while the
 * promotion completes instead of after it (both take tens of seconds on a
 * real cloud); during a planned switchover, at the target as soon as the
 * primary is stopped (the target is promoted once the endpoint has moved,
 * see `planSwitchover`). It never waits for the old primary's fence (a fence into a
 * dark zone can wait hours; an old primary that takes writes again is
 * fenced by the split-brain guard whatever its endpoint says). A change
 * already pending at the provider is not asked again; a refused one is
 * asked again after `backoffMax`, never by undoing the failover.
 */
export function planEndpoints(snapshot: Snapshot, policy: Policy, steps: Step[], notes: string[]): void {
  if (!policy.moveEndpoints) return;
  for (const endpoint of snapshot.endpoints) {
    const memory = snapshot.memory.clusters.get(endpoint.database);
    if (!memory) continue;
    // A promotion planned this very cycle counts as under way: both calls then leave together.
    const planned = steps.find((s): s is PromoteStep => s.operation === 'promoteReplica' && s.cluster === endpoint.database);
    // A switchover whose primary is stopped moves the endpoint to its target at once: it is promoted once the endpoint has moved.
    const handover = snapshot.memory.intents.get(endpoint.database);
    const switching =
      handover?.fenced && snapshot.now < handover.deadline
        ? { target: handover.fenced.target, provider: handover.fenced.targetProvider, from: handover.fenced.primary }
        : undefined;
    const promotion = planned ? { target: planned.target, provider: planned.provider } : (memory.promotion ?? switching);
    const wanted = promotion ? { id: promotion.target, provider: promotion.provider } : { id: memory.primary, provider: memory.provider };
    if (endpoint.target === wanted.id || endpoint.pendingTarget === wanted.id) continue;
    const view = snapshot.databases.find((v) => v.instance.id === wanted.id && v.instance.provider === wanted.provider);
    const ready = view !== undefined && view.health.status === 'up' && (promotion !== undefined || view.health.writable);
    if (!ready) {
      notes.push(`${endpoint.database}: endpoint ${endpoint.name} answers ${endpoint.target}, not ${wanted.id}; moving it once ${wanted.id} ${promotion ? 'answers' : 'takes writes'}`);
      continue;
    }
    const key = `endpoint:${endpoint.provider}:${endpoint.name}:${wanted.id}`;
    if (!settled(snapshot, key)) continue;
    const target = view.instance;
    let reason = `${endpoint.name} answers ${endpoint.target}${endpoint.pendingTarget ? ` (${endpoint.pendingTarget} pending)` : ''}, but ${target.id} is the primary of ${endpoint.database} and takes writes: point clients at it`;
    if (switching && promotion === switching) {
      reason = `${endpoint.name} answers ${endpoint.target}; ${switching.from} is stopped for a planned switchover to ${target.id}: point clients at ${target.id} now, so the change propagates while it catches up (it is promoted once the endpoint has moved)`;
    } else if (promotion) {
      reason = `${endpoint.name} answers ${endpoint.target}, which ${endpoint.database} is failing over from; ${target.id} is being promoted: point clients at it now, so the change propagates while the promotion completes`;
    }
    steps.push({
      operation: 'updateEndpoint',
      key,
      provider: endpoint.provider,
      region: target.region,
      zone: target.zone,
      cluster: endpoint.database,
      target: endpoint.name,
      instance: target.id,
      reason,
    });
  }
}

/**
 * Zonal load balancers send no user to an impaired zone, in the spirit of
 * ARC zonal shift: a zone is shifted away only when the controller has
 * declared it impaired (two vantage points and the dwell, never one
 * observer's word), never when that would leave the load balancer no zone
 * in rotation, with an expiry (`trafficShiftExpiry`) renewed while the zone
 * stays impaired, so traffic returns by itself if the controller dies; it is
 * put back only once the zone has recovered (the recovery hysteresis, so a
 * flapping zone does not churn). Only the controller's own shifts are ever
 * renewed or put back: an operator's shift is theirs.
 *
 * A shift the provider refuses (`terminal`: ARC holds one zonal shift per
 * load balancer, so a second impaired zone of the same one cannot be
 * shifted while the first is) is not undone or worked around: the shift in
 * force stays, a note says why the other zone still gets traffic, and the
 * refused shift is asked again only after `backoffMax`, so a refusal costs
 * one call per backoff, never a retry storm.
 */
export function planTrafficShifts(snapshot: Snapshot, policy: Policy, steps: Step[], notes: string[]): void {
  if (!policy.shiftTraffic) return;
  const expiry = policy.trafficShiftExpiry;
  for (const lb of snapshot.loadBalancers) {
    const state = (zone: string) => snapshot.zones.get(zoneKey(lb.provider, zone))?.state;
    const shifts = snapshot.memory.shifts;
    // Most cycles have no shift of ours: no key to build for each zone.
    const ours = (zone: string) => (shifts.size === 0 ? undefined : shifts.get(shiftKey(lb.provider, lb.id, zone)));
    // Zones that will still serve: in rotation and not on their way out.
    let serving = lb.zones.filter((z) => z.inRotation && !(ours(z.zone) && !ours(z.zone)!.returning)).length;
    for (const z of lb.zones) {
      const shift = ours(z.zone);
      const zoneState = state(z.zone);
      // A renewal is a call of its own (one per expiry it extends), not a repeat of the shift it renews: the
      // listing need not have shown the first before the shift is renewed.
      const step = (away: boolean, reason: string, renews?: number): ShiftTrafficStep => ({
        operation: 'shiftTraffic',
        key: `shift:${lb.provider}:${lb.id}:${z.zone}:${away ? 'away' : 'back'}${renews !== undefined ? `:renew:${renews}` : ''}`,
        provider: lb.provider,
        region: lb.region,
        zone: z.zone,
        target: lb.id,
        group: lb.group,
        away,
        ...(away ? { expiresInSeconds: expiry } : {}),
        reason,
      });
      if (zoneState === 'impaired') {
        if (!shift && z.inRotation) {
          if (serving <= 1) {
            notes.push(`${lb.id}: zone ${z.zone} is impaired, but it is the last zone in rotation; not shifting it away`);
            continue;
          }
          const s = step(true, `zone ${z.zone} is impaired (${snapshot.zones.get(zoneKey(lb.provider, z.zone))?.reason ?? 'impaired'}): shift ${lb.id}'s traffic away from it for ${expiry}s, renewed while it stays impaired`);
          if (!settled(snapshot, s.key)) {
            const refusedUntil = refusal(snapshot, s.key);
            if (refusedUntil !== undefined) {
              const out = lb.zones.filter((other) => other.zone !== z.zone && (!other.inRotation || other.shift)).map((other) => other.zone);
              notes.push(
                `${lb.id}: zone ${z.zone} is impaired, but the provider refused to shift it away` +
                  (out.length > 0 ? ` while ${out.join(', ')} ${out.length === 1 ? 'is' : 'are'} shifted away (ARC holds one zonal shift per load balancer); that shift stays` : '') +
                  `; asking again in ${Math.round((refusedUntil - snapshot.now) / 1000)}s (backoffMax), not before`,
              );
            }
            continue;
          }
          serving--;
          steps.push(s);
        } else if (shift && !shift.returning && shift.expiresAt - snapshot.now < (expiry * 1000) / 2) {
          const s = step(true, `zone ${z.zone} is still impaired and ${lb.id}'s shift away from it ends in ${Math.round((shift.expiresAt - snapshot.now) / 1000)}s: renew it for ${expiry}s`, shift.expiresAt);
          if (settled(snapshot, s.key)) steps.push(s);
        }
        continue;
      }
      // A zone that left `impaired` while nothing in it answers (its power came back, its machines are still stopped)
      // would only fail the requests sent there: the shift is renewed until the zone is healthy again.
      const nothingAnswers = zoneState === 'degraded' && snapshot.zones.get(zoneKey(lb.provider, z.zone))?.evidence.probes.up === 0;
      if (nothingAnswers && shift && !shift.returning && shift.expiresAt - snapshot.now < (expiry * 1000) / 2) {
        const s = step(true, `zone ${z.zone} is degraded and nothing in it answers, and ${lb.id}'s shift away from it ends in ${Math.round((shift.expiresAt - snapshot.now) / 1000)}s: renew it for ${expiry}s`);
        if (settled(snapshot, s.key)) steps.push(s);
        continue;
      }
      if (zoneState === 'healthy' && shift && !shift.returning && !z.inRotation) {
        const s = step(false, `zone ${z.zone} has recovered (healthy after the recovery rounds and dwell): put it back in ${lb.id}'s rotation`);
        if (settled(snapshot, s.key)) steps.push(s);
      }
    }
  }
}

/**
 * When a refused step may be asked again (ms), or `undefined` when the step is
 * only settling: a refusal holds it for `backoffMax` on top of its settle
 * window, so anything held longer than the settle window was refused (in
 * the refusal's last settle window this cannot tell, and says nothing).
 */
function refusal(snapshot: Snapshot, key: string): number | undefined {
  const until = snapshot.memory.issued.get(key);
  if (until === undefined || snapshot.inFlight.has(key)) return undefined;
  return until - snapshot.now > SETTLE_SECONDS.shiftTraffic * 1000 ? until : undefined;
}

/** When the renewal of each of the controller's shifts falls due (ms), for `nextWake`. */
export function shiftRenewals(snapshot: Snapshot, policy: Policy): number[] {
  return [...snapshot.memory.shifts.values()].filter((s) => !s.returning).map((s) => s.expiresAt - (policy.trafficShiftExpiry * 1000) / 2);
}
