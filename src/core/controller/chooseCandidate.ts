import type { ReplicationStatus } from '../contract/types.js';
import type { ZoneHealth } from '../health/types.js';
import { roundTenths } from '../util/roundTenths.js';
import { followsPrimary } from './planReplicas.js';
import type { Policy } from './Policy.js';
import { resourceKey, zoneKey, type DatabaseView, type Snapshot } from './Snapshot.js';

/** A replica that could be promoted, with what the choice is based on. */
export interface Candidate {
  readonly view: DatabaseView;
  readonly estimatedLossSeconds: number;
  readonly zoneState: ZoneHealth['state'] | 'unknown';
  readonly sameRegion: boolean;
  readonly sameProvider: boolean;
  readonly sync: boolean;
}

/**
 * Picks the replica to promote: healthy (answers our probes, replication not
 * broken, zone not impaired), within the data-loss guard, then sync first,
 * same region, same provider, least estimated loss; ties by id so the choice
 * is deterministic.
 */
export function chooseCandidate(
  snapshot: Snapshot,
  policy: Policy,
  primary: DatabaseView,
  views: readonly DatabaseView[],
): { chosen: Candidate | undefined; ranked: Candidate[]; rejected: string[] } {
  const rejected: string[] = [];
  const candidates: Candidate[] = [];
  const p = primary.instance;
  for (const view of views) {
    const { instance, health } = view;
    if (view === primary || instance.role !== 'replica') continue;
    const why = (reason: string) => rejected.push(`not promoting ${instance.id}: ${reason}`);
    const capabilities = snapshot.providers.get(instance.provider)?.capabilities;
    if (!capabilities?.promoteReplica) { why(`${instance.provider} cannot promote replicas`); continue; }
    if (instance.state !== 'available') { why(`it is ${instance.state}`); continue; }
    const replication = instance.replication;
    if (!replication) { why('it reports no replication'); continue; }
    const appliedThrough = snapshot.memory.appliedThrough.get(resourceKey(instance.provider, instance.id));
    if (replication.lagSeconds === null && appliedThrough === undefined) { why('its lag is unknown and was never seen'); continue; }
    if (replication.state === 'broken') { why('its replication is broken'); continue; }
    if (health.status !== 'up') { why(`it does not answer our probes (${health.status})`); continue; }
    const zone = snapshot.zones.get(zoneKey(instance.provider, instance.zone));
    if (zone?.state === 'impaired') { why(`its zone ${instance.zone} is impaired`); continue; }
    // One left following a former primary lacks everything written since that failover, whatever its lag says.
    if (!followsPrimary(views, view, p.id)) { why(`it follows ${replication.upstream}, not the primary ${p.id}`); continue; }
    const blockedUntil = snapshot.memory.failedCandidates.get(resourceKey(instance.provider, instance.id));
    if (blockedUntil !== undefined && snapshot.now < blockedUntil) { why('a promotion of it failed recently'); continue; }
    const sameRegion = instance.provider === p.provider && instance.region === p.region;
    const sameProvider = instance.provider === p.provider;
    if (!sameProvider && !policy.crossProviderFailover) { why('cross-provider failover is disabled'); continue; }
    if (!sameRegion && !policy.crossRegionFailover) { why('cross-region failover is disabled'); continue; }
    const estimatedLossSeconds = estimatedLoss(snapshot, primary, replication, appliedThrough, policy);
    if (estimatedLossSeconds > policy.maxDataLoss) {
      why(`it would lose about ${roundTenths(estimatedLossSeconds)}s of writes (maxDataLoss ${policy.maxDataLoss}s)`);
      continue;
    }
    candidates.push({
      view,
      estimatedLossSeconds,
      zoneState: zone?.state ?? 'unknown',
      sameRegion,
      sameProvider,
      sync: replication.mode === 'sync',
    });
  }
  const zoneRank = (c: Candidate) => (c.zoneState === 'healthy' ? 0 : c.zoneState === 'degraded' ? 1 : 2);
  candidates.sort(
    (a, b) =>
      zoneRank(a) - zoneRank(b) ||
      Number(b.sync) - Number(a.sync) ||
      Number(b.sameRegion) - Number(a.sameRegion) ||
      Number(b.sameProvider) - Number(a.sameProvider) ||
      a.estimatedLossSeconds - b.estimatedLossSeconds ||
      (a.view.instance.id < b.view.instance.id ? -1 : a.view.instance.id > b.view.instance.id ? 1 : 0),
  );
  return { chosen: candidates[0], ranked: candidates, rejected };
}

/**
 * Seconds of committed writes a promotion of the replica would lose. With
 * its lag known: the lag, less what accrued after the primary stopped taking
 * writes ({@link outageSeconds}: outage time, not loss). With its lag unknown
 * (RDS reports `ReplicaLag` -1 for MySQL and MariaDB once replication stops;
 * a metric may be missing): the time from the last position it was seen to
 * have applied to when the primary stopped taking writes, as far as the
 * replica's contact and our probes can tell, or to now when they cannot.
 * Both bounds err high: the position is a lower bound, the outage time is
 * taken at its shortest.
 */
function estimatedLoss(snapshot: Snapshot, primary: DatabaseView, replication: ReplicationStatus, appliedThrough: number | undefined, policy: Policy): number {
  const contact = replication.lastContactSeconds;
  if (replication.lagSeconds === null) {
    const stoppedWriting = snapshot.now - outageSeconds(snapshot, primary, contact ?? 0) * 1000;
    return Math.max(0, (stoppedWriting - appliedThrough!) / 1000);
  }
  return replication.state === 'streaming' && (contact ?? 0) < policy.replicationStaleAfter
    ? replication.lagSeconds
    : Math.max(0, replication.lagSeconds - outageSeconds(snapshot, primary, contact ?? 0));
}

/**
 * How much of a cut-off replica's lag is outage time, not loss: the time
 * since the primary stopped taking writes. The replica's lost contact only
 * bounds it when the primary failed with it: a replica cut off on its own
 * (its zone dark) while the primary went on taking writes lacks all of them,
 * though its lag less its contact time reads as the lag it had when cut off.
 * So the lesser of the contact time and the time since our probes first
 * found the primary failing; none while the primary answers (or is not
 * probed), where all the lag is loss. Errs high: the primary may have
 * stopped before our probes noticed.
 */
function outageSeconds(snapshot: Snapshot, primary: DatabaseView, contactSeconds: number): number {
  const failingSince = primary.health.status === 'up' ? undefined : primary.health.failingSince;
  if (failingSince === undefined) return 0;
  return Math.min(contactSeconds, Math.max(0, (snapshot.now - failingSince) / 1000));
}
