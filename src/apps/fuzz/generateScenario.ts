import { MUTATING_OPERATIONS, READ_OPERATIONS } from '../../core/contract/types.js';
import { Random } from '../../core/util/Random.js';
import { seconds, type ScenarioDocument } from './ScenarioDocument.js';

/** Providers a generated topology may use, with the regions a real team would pick on each. */
const PROVIDER_REGIONS: Readonly<Record<string, readonly string[]>> = {
  aws: ['us-east-1', 'us-west-2', 'eu-west-1'],
  gcp: ['us-central1', 'europe-west1', 'us-east4'],
  local: ['dc1', 'dc2', 'dc3'],
};
const ZONE_LETTERS = ['a', 'b', 'c', 'd'];
const FAULTS = ['error', 'throttle', 'hang', 'lostReply'] as const;
const IMPAIR_MODES = ['unreachable', 'degraded', 'power', 'storage'] as const;
const EVENT_KINDS = ['impair', 'impairRegion', 'recover', 'apiFault', 'providerStatus', 'replication', 'nodeFailure', 'observerPartition', 'flap'] as const;

/**
 * A random scenario of `durationSeconds` from `seed` (same seed, same
 * scenario). The topology is one a team would run: 1 to 3 providers with
 * one or two regions of two to four zones, node groups spread over their
 * home region's zones, databases with one to three replicas (same region
 * mostly, sometimes across regions or providers), endpoints and load
 * balancers. Events are a random mix of every kind of spec r2, all within
 * the first 60 % of the run so the rest shows where the controller settles;
 * an impairment is usually recovered later. No expectations: the fuzz
 * derives them from its invariants.
 */
export function generateScenario(seed: number, durationSeconds: number): ScenarioDocument {
  const r = new Random(seed);
  const pick = <T>(list: readonly T[]): T => list[r.int(list.length)]!;
  const between = (lo: number, hi: number) => lo + r.int(hi - lo + 1);

  const providerIds = shuffle(r, Object.keys(PROVIDER_REGIONS)).slice(0, between(1, 3));
  const providers: ScenarioDocument['topology']['providers'] = providerIds.map((id) => {
    const regions = shuffle(r, PROVIDER_REGIONS[id]!).slice(0, r.chance(0.7) ? 1 : 2);
    const latency: Record<string, string> = {};
    if (r.chance(0.2)) latency['promoteReplica'] = seconds(between(5, 180));
    if (r.chance(0.2)) latency['createNode'] = seconds(between(20, 300));
    if (r.chance(0.1)) latency['stopDatabase'] = seconds(between(5, 120));
    return {
      id,
      ...(Object.keys(latency).length > 0 ? { latency } : {}),
      regions: regions.map((region) => ({
        id: region,
        zones: ZONE_LETTERS.slice(0, between(2, 4)).map((z) => (id === 'gcp' || id === 'local' ? `${region}-${z}` : `${region}${z}`)),
      })),
    };
  });
  const places = providers.flatMap((p) => p.regions.map((region) => ({ provider: p.id, region: region.id, zones: region.zones })));

  const groups: ScenarioDocument['topology']['groups'] = [];
  const loadBalancers: ScenarioDocument['topology']['loadBalancers'] = [];
  const groupCount = between(0, 3);
  for (let g = 0; g < groupCount; g++) {
    const home = pick(places);
    const zones = shuffle(r, home.zones).slice(0, between(1, home.zones.length));
    const nodes = Object.fromEntries(zones.map((z) => [z, between(1, 4)]));
    const total = Object.values(nodes).reduce((a, b) => a + b, 0);
    const id = `web${g + 1}`;
    groups.push({ id, provider: home.provider, region: home.region, nodes, ...(r.chance(0.3) ? { minHealthy: between(1, total) } : {}) });
    if (r.chance(0.5)) loadBalancers.push({ id: `${id}-lb`, provider: home.provider, region: home.region, group: id });
  }

  const databases: ScenarioDocument['topology']['databases'] = [];
  const databaseCount = groupCount === 0 ? between(1, 2) : between(0, 2);
  for (let d = 0; d < databaseCount; d++) {
    const home = pick(places);
    const primaryZone = pick(home.zones);
    const id = `db${d + 1}`;
    const replicas: ScenarioDocument['topology']['databases'][number]['replicas'] = [];
    const replicaCount = between(1, 3);
    const used = new Set([primaryZone]);
    let hasSync = false;
    for (let k = 0; k < replicaCount; k++) {
      // Mostly another zone of the primary's region; sometimes another region or provider.
      const place = r.chance(0.7) ? home : pick(places);
      const free = place.zones.filter((z) => !used.has(z));
      if (free.length === 0) continue;
      const zone = pick(free);
      used.add(zone);
      const sync: boolean = !hasSync && place === home && r.chance(0.3);
      hasSync ||= sync;
      replicas.push({
        id: `${id}-r${k + 1}`,
        provider: place.provider,
        region: place.region,
        zone,
        ...(sync ? {} : { lag: seconds(r.chance(0.15) ? between(31, 300) : between(0, 20)) }),
        mode: sync ? 'sync' : 'async',
      });
    }
    databases.push({
      id,
      engine: 'postgres',
      primary: { provider: home.provider, region: home.region, zone: primaryZone },
      replicas,
      writes: between(1, 200),
      ...(r.chance(0.5) ? { endpoint: { provider: r.chance(0.8) ? home.provider : pick(providerIds), name: `${id}.db.example.internal`, ttl: seconds(between(5, 60)) } } : {}),
    });
  }

  const zones = places.flatMap((p) => p.zones);
  const regions = places.map((p) => p.region);
  const lastAt = durationSeconds * 0.6;
  const events: ScenarioDocument['events'] = [];
  const eventCount = between(1, 8);
  const operations = [...MUTATING_OPERATIONS, ...READ_OPERATIONS];
  for (let e = 0; e < eventCount; e++) {
    const at = between(30, lastAt);
    const until = () => Math.min(durationSeconds, at + between(60, 2 * 3600));
    const kind = pick(EVENT_KINDS.filter((k) => (k !== 'replication' || databases.length > 0) && (k !== 'nodeFailure' || groups.length > 0)));
    switch (kind) {
      case 'impair':
      case 'impairRegion': {
        const mode = pick(IMPAIR_MODES);
        const zone = pick(zones);
        const region = pick(regions);
        events.push({ at: seconds(at), [kind]: { ...(kind === 'impair' ? { zone } : { region }), mode, ...(mode === 'degraded' ? { errorRate: Math.round(r.next() * 100) / 100 } : {}) } });
        if (r.chance(0.7)) events.push({ at: seconds(until()), recover: kind === 'impair' ? { zone } : { region } });
        break;
      }
      case 'recover':
        events.push({ at: seconds(at), recover: r.chance(0.7) ? { zone: pick(zones) } : { region: pick(regions) } });
        break;
      case 'apiFault': {
        const place = pick(places);
        const ops = r.chance(0.3) ? [pick(['*', '*mutating', '*read'])] : shuffle(r, operations).slice(0, between(1, 3));
        events.push({
          at: seconds(at),
          apiFault: {
            provider: place.provider,
            ...(r.chance(0.5) ? { region: place.region } : r.chance(0.3) ? { zone: pick(place.zones) } : {}),
            operations: ops,
            fault: pick(FAULTS),
            ...(r.chance(0.5) ? { rate: Math.round((0.1 + 0.9 * r.next()) * 100) / 100 } : {}),
            ...(r.chance(0.85) ? { until: seconds(until()) } : {}),
          },
        });
        break;
      }
      case 'providerStatus': {
        const place = pick(places);
        events.push({ at: seconds(at), providerStatus: { provider: place.provider, zone: pick(place.zones), status: pick(['available', 'impaired', 'unavailable']) } });
        break;
      }
      case 'replication': {
        const db = pick(databases);
        if (db.replicas.length === 0) break;
        const replica = pick(db.replicas);
        const broken = r.chance(0.4) ? { broken: r.chance(0.6) } : {};
        events.push({ at: seconds(at), replication: { database: db.id, replica: replica.id, ...('broken' in broken ? broken : { lag: seconds(between(0, 120)) }) } });
        break;
      }
      case 'nodeFailure': {
        const group = pick(groups);
        const inZone = r.chance(0.5) ? { zone: pick(Object.keys(group.nodes)) } : {};
        events.push({ at: seconds(at), nodeFailure: { group: group.id, count: between(1, 3), ...inZone } });
        break;
      }
      case 'observerPartition':
        events.push({ at: seconds(at), observerPartition: { zone: pick(zones), ...(r.chance(0.9) ? { until: seconds(until()) } : {}) } });
        break;
      case 'flap':
        events.push({ at: seconds(at), flap: { zone: pick(zones), mode: pick(['unreachable', 'degraded']), period: seconds(between(10, 300)), until: seconds(until()) } });
        break;
    }
  }
  // Spec 4: same-`at` events apply in file order; sorting keeps each recover after its impairment.
  events.sort((a, b) => parseInt(a.at) - parseInt(b.at));

  return {
    name: `fuzz-${seed.toString(16).padStart(8, '0')}`,
    duration: seconds(durationSeconds),
    seed: r.int(2 ** 31),
    topology: { providers, groups, databases, loadBalancers },
    events,
  };
}

/** A shuffled copy (Fisher-Yates on the seeded generator). */
function shuffle<T>(r: Random, list: readonly T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
