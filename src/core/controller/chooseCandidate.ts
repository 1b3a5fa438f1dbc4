import type { DatabaseInstance } from '../contract/types.js';
import type { ZoneHealth } from '../health/types.js';
import { roundTenths } from '../util/roundTenths.js';
import { followsPrimary } from './planReplicas.js';
import type { Policy } from './Policy.js';
import { databaseListedAt, resourceKey, zoneKey, type DatabaseView, type Snapshot } from './Snapshot.js';

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
    const estimatedLossSeconds = estimatedLoss(snapshot, primary, instance, appliedThrough, policy);
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
 * Seconds of committed writes a promotion of the replica would lose.
 *
 * A replica streaming now (its own probe says so, or a listing no older
 * than one read cycle does) loses its lag. Any other one holds what it had
 * when it was cut off and loses what the primary committed after that,
 * until the primary stopped taking writes (at least until the replica's
 * last contact and until our probes found it failing; until now while it
 * answers). Where it was cut off: its lag was measured at listing time less
 * the measurement's age (a sampled metric is older than the listing); a
 * measurement taken after the cut-off includes the time cut off, one taken
 * before it is the lag it streamed at until then, so its position is the
 * later of the two instants less the lag. With the lag unknown (RDS reports
 * `ReplicaLag` -1 for MySQL and MariaDB once replication stops; a metric may
 * be missing) it is the last position it was seen to have applied.
 *
 * Contact comes from the replica's own probe when it reports one, else from
 * the listing, as of the listing's time: while reads fail, a listing kept
 * from before a sync standby was cut off would otherwise say it lost
 * nothing after missing every write since (lifeboat fuzz found a promotion
 * that lost 35 minutes so). The bounds err high: positions are lower bounds
 * or the lag it streamed at, the outage is taken at its shortest.
 */
function estimatedLoss(snapshot: Snapshot, primary: DatabaseView, replica: DatabaseInstance, appliedThrough: number | undefined, policy: Policy): number {
  const { now } = snapshot;
  const replication = replica.replication!;
  const listedAt = databaseListedAt(snapshot, replica);
  const probed = snapshot.probedReplication?.get(resourceKey(replica.provider, replica.id));
  const lag = replication.lagSeconds;
  const streamingNow =
    probed !== undefined
      ? probed.state === 'streaming' && (probed.lastContactSeconds ?? Infinity) < policy.replicationStaleAfter
      : replication.state === 'streaming' &&
        (replication.lastContactSeconds ?? 0) < policy.replicationStaleAfter &&
        now - listedAt <= (policy.observeInterval + policy.callTimeout) * 1000;
  if (lag !== null && streamingNow) return lag;
  const contactAt =
    probed?.lastContactSeconds != null
      ? Math.min(now, snapshot.probedReplicationAt ?? now) - probed.lastContactSeconds * 1000
      : replication.lastContactSeconds !== null
        ? listedAt - replication.lastContactSeconds * 1000
        : null;
  const failingSince = primary.health.status === 'up' ? undefined : primary.health.failingSince;
  const stoppedWriting = failingSince === undefined ? now : Math.min(now, Math.max(contactAt ?? now, failingSince));
  const measuredAt = listedAt - (replication.lagAgeSeconds ?? 0) * 1000;
  let position = lag === null ? appliedThrough! : Math.max(measuredAt, contactAt ?? measuredAt) - lag * 1000;
  if (appliedThrough !== undefined) position = Math.max(position, appliedThrough);
  return Math.max(0, (stoppedWriting - position) / 1000);
}
