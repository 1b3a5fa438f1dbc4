import { defaultLatencySeconds, type SimWorld } from '../../../adapters/sim/index.js';
import { resolvePolicy } from '../../core/controller/Policy.js';
import { formatSeconds } from '../../core/util/duration.js';
import type { Scenario, ScenarioEvent } from '../replay/scenario/Scenario.js';
import type { Violation } from './Invariant.js';
import type { ZoneConditions } from './zoneConditions.js';

/**
 * Time a failed-over database is given to be back at its replica count
 * after the last event that touched its provider, on top of two replica
 * creations (one that fails and the one that follows): the promotion and
 * the primary's health (a few minutes), a create given up on and retried
 * after backoff (`backoffMax`, 300 s), with room.
 */
const REPLICAS_SETTLE_SECONDS = 45 * 60;

/**
 * The invariant "replicas restored" on ground truth at the end of the run:
 * each database that was failed over has, once things have settled, as
 * many standbys streaming from its primary as it had replicas at the start
 * (the controller keeps a failed-over cluster at the replica count it first
 * saw). Applied to a database only when the scenario leaves the controller
 * a way to keep it: it was promoted at least once, nothing touched its
 * primary's provider (impairments, recoveries, flaps, API faults, provider
 * status, observer partitions, its own replication) for
 * {@link REPLICAS_SETTLE_SECONDS}, `replicaCreateTimeout` and two replica
 * creations before the end, a zone of that provider other than the primary's
 * is healthy and reported available at the end, and the missing replicas fit under
 * `maxNodesFactor` beside the instances the cluster still holds.
 *
 * No spec-5 expectation states a replica count (r2 has none), so a
 * violation carries none: `lifeboat fuzz --check FILE` replays the file and
 * reports it.
 */
export function checkReplicas(scenario: Scenario, world: Pick<SimWorld, 'standbys' | 'promotions'>, zones: ZoneConditions): Violation | undefined {
  const policy = resolvePolicy(scenario.policy);
  const promoted = new Set(world.promotions.map((p) => p.cluster));
  for (const db of scenario.topology.databases) {
    const wanted = db.replicas.length;
    if (wanted === 0 || !promoted.has(db.id)) continue;
    const truth = world.standbys(db.id);
    if (truth === undefined) continue;
    const provider = scenario.topology.providers.find((p) => p.id === truth.primary.provider);
    if (provider === undefined) continue;
    const providerZones = new Set(provider.regions.flatMap((r) => r.zones));
    const providerRegions = new Set(provider.regions.map((r) => r.id));
    let last = 0;
    for (const e of scenario.events) {
      const end = touchEnd(e, provider.id, db.id, providerZones, providerRegions, scenario.durationSeconds);
      if (end !== undefined) last = Math.max(last, end);
    }
    const create = provider.latency['createReplica'] ?? defaultLatencySeconds.createReplica;
    // A replacement created where it cannot work (a dark zone the controller cannot see) is given up on only after
    // replicaCreateTimeout: room for that too.
    if (last + REPLICAS_SETTLE_SECONDS + policy.replicaCreateTimeout + 2 * create > scenario.durationSeconds) continue;
    const clean = [...providerZones].filter(
      (z) => z !== truth.primary.zone && !zones.impairedAtEnd.has(z) && (zones.lastStatus.get(z) ?? 'available') === 'available',
    );
    if (clean.length === 0) continue;
    const missing = wanted - truth.standbys.length;
    if (missing <= 0) continue;
    if (truth.instances + missing > Math.floor(policy.maxNodesFactor * (wanted + 1))) continue;
    const have = truth.standbys.map((s) => `${s.id} in ${s.zone}`).join(', ') || 'none';
    return {
      invariant: 'replicas',
      detail: `${db.id} has ${truth.standbys.length} of ${wanted} replicas streaming from its primary ${truth.primary.id} at the end (${have}), though nothing touched ${provider.id} after ${formatSeconds(last)} and ${clean.join(', ')} stayed healthy`,
    };
  }
  return undefined;
}

/** When the event stops touching the provider or the database (its end for stretches), or `undefined` when it does not. */
function touchEnd(
  e: ScenarioEvent,
  provider: string,
  database: string,
  zones: ReadonlySet<string>,
  regions: ReadonlySet<string>,
  duration: number,
): number | undefined {
  switch (e.kind) {
    case 'impair':
    case 'providerStatus':
      return zones.has(e.zone) ? e.at : undefined;
    case 'impairRegion':
      return regions.has(e.region) ? e.at : undefined;
    case 'recover':
      return (e.zone !== undefined && zones.has(e.zone)) || (e.region !== undefined && regions.has(e.region)) ? e.at : undefined;
    case 'flap':
      return zones.has(e.zone) ? e.until : undefined;
    case 'observerPartition':
      return zones.has(e.zone) ? (e.until ?? duration) : undefined;
    case 'apiFault':
      return e.provider === provider ? (e.until ?? duration) : undefined;
    case 'replication':
      return e.database === database ? e.at : undefined;
    case 'nodeFailure':
      return undefined;
  }
}
