import { defaultLatencySeconds } from '../../../adapters/sim/index.js';
import { isMutatingOperation, type OperationName } from '../../core/contract/types.js';
import { resolvePolicy, type Policy } from '../../core/controller/Policy.js';
import type { Expectation, Scenario, ScenarioEvent } from '../replay/scenario/Scenario.js';
import type { InvariantName } from './Invariant.js';
import { zoneConditions, type ZoneConditions } from './zoneConditions.js';

/** One invariant as a spec-5 expectation item, as it is written in the file's `expect` list. */
export interface InvariantExpectation {
  readonly invariant: InvariantName;
  /** `{ <kind>: { ...fields } }`, durations in plain seconds. */
  readonly item: Record<string, Record<string, unknown>>;
}

/**
 * Time a node group is given to be back at `minHealthy` after the last event
 * that touched it: zone recovery is trusted after `recoveredAfter` (120 s), a
 * dead node is replaced after `nodeDeadAfter` (60 s), a create that never
 * starts is given up on after `nodeStartTimeout` (600 s), backoff tops out at
 * `backoffMax` (300 s); 45 minutes covers all of them in sequence with room.
 */
const CAPACITY_SETTLE_SECONDS = 45 * 60;
/** Slack on top of a fence's or an endpoint update's own latency: a few cycles and a suspect read. */
const CYCLE_SLACK_SECONDS = 60;

/**
 * The expectations that state the fuzz's invariants for `scenario`, judged
 * by the replay judge on ground truth (so a scenario file carrying them
 * replays to the same failure with `lifeboat replay`). An invariant the
 * scenario leaves the controller no way to keep is left out (README).
 */
export function invariantExpectations(scenario: Scenario): InvariantExpectation[] {
  const policy = resolvePolicy(scenario.policy);
  const zones = zoneConditions(scenario);
  const out: InvariantExpectation[] = [];
  const { topology } = scenario;

  for (const db of topology.databases) {
    const instances = [db.primary, ...db.replicas];
    const providers = [...new Set(instances.map((i) => i.provider))];
    // A fence is possible once the old primary is reachable and stopDatabase (and the reads that find it) work.
    const blocked =
      providers.reduce((sum, p) => sum + faultSeconds(scenario, p, ['stopDatabase', 'listDatabases'], policy), 0) +
      partitionSeconds(scenario, instances.map((i) => i.zone));
    const fence = Math.max(...providers.map((p) => latency(scenario, p, 'stopDatabase')));
    const seconds = fence + CYCLE_SLACK_SECONDS + blocked;
    if (seconds < scenario.durationSeconds) out.push({ invariant: 'splitBrain', item: { maxSplitBrain: { database: db.id, seconds } } });
    out.push({ invariant: 'dataLoss', item: { maxDataLoss: { database: db.id, seconds: policy.maxDataLoss } } });

    // While updateEndpoint fails, the endpoint cannot move, and fencing the old primary (which the judge counts
    // against the endpoint) is still right: stopping split brain comes first. So only without such faults.
    if (db.endpoint !== undefined && faultSeconds(scenario, db.endpoint.provider, ['updateEndpoint'], policy) === 0) {
      const p = db.endpoint.provider;
      const within = latency(scenario, p, 'updateEndpoint') + db.endpoint.ttlSeconds + 2 * CYCLE_SLACK_SECONDS + faultSeconds(scenario, p, ['listEndpoints'], policy);
      if (within < scenario.durationSeconds) out.push({ invariant: 'endpoint', item: { endpoint: { database: db.id, within } } });
    }
  }

  for (const p of topology.providers) {
    // The token bucket allows a full burst plus a minute's refill in any minute, per region (and one more scope for region-less calls).
    const count = Math.ceil(2 * policy.mutationsPerMinute * (p.regions.length + 1));
    out.push({ invariant: 'callsPerWindow', item: { maxCalls: { provider: p.id, count, per: 60 } } });
  }

  for (const group of topology.groups) {
    const within = capacityWithin(scenario, group, zones, policy);
    if (within !== undefined) out.push({ invariant: 'capacity', item: { capacity: { group: group.id, within } } });
  }
  return out;
}

/**
 * `within` of the group's capacity expectation, or `undefined` when the
 * scenario does not leave the controller a way to restore it: the window
 * starts {@link CAPACITY_SETTLE_SECONDS} after the last event that touched
 * the group (an impairment or recovery in its region, a node failure, an API
 * fault or a provider status on its provider and region, an observer
 * partition), and needs a zone of the region that is healthy at the end and
 * reported available, and room under `maxNodesFactor` beside the nodes still
 * dead in impaired zones.
 */
function capacityWithin(scenario: Scenario, group: Scenario['topology']['groups'][number], zones: ZoneConditions, policy: Policy): number | undefined {
  const regionZones = scenario.topology.providers.find((p) => p.id === group.provider)?.regions.find((r) => r.id === group.region)?.zones ?? [];
  const inRegion = new Set(regionZones);
  let last = 0;
  for (const e of scenario.events) {
    const end = touchEnd(e, group, inRegion, scenario.durationSeconds);
    if (end !== undefined) last = Math.max(last, end);
  }
  const from = last + CAPACITY_SETTLE_SECONDS;
  // At least a few ticks to sample.
  if (from > scenario.durationSeconds - 60) return undefined;
  const clean = regionZones.filter((z) => !zones.impairedAtEnd.has(z) && (zones.lastStatus.get(z) ?? 'available') === 'available');
  if (clean.length === 0) return undefined;
  const dead = Object.entries(group.nodes)
    .filter(([z]) => {
      const mode = zones.impairedAtEnd.get(z);
      return mode === 'unreachable' || mode === 'power';
    })
    .reduce((sum, [, n]) => sum + n, 0);
  if (dead + group.minHealthy > policy.maxNodesFactor * group.minHealthy) return undefined;
  // With every zone of the region dark at once, no zone looks better than another, so replacements may go into
  // zones that stay dark; they count against maxNodesFactor (the runaway guard) as long as those zones do.
  const stillDark = regionZones.some((z) => zones.impairedAtEnd.has(z));
  if (stillDark && wholeRegionDark(scenario, group.region, regionZones)) return undefined;
  // The judge counts `within` from the first impairment (anywhere) or the group's first node failure.
  const firstImpairment = scenario.events.find((e) => e.kind === 'impair' || e.kind === 'impairRegion' || e.kind === 'flap')?.at;
  const firstFailure = scenario.events.find((e) => e.kind === 'nodeFailure' && e.group === group.id)?.at;
  const starts = [firstImpairment, firstFailure].filter((t): t is number => t !== undefined);
  const base = starts.length > 0 ? Math.min(...starts) : 0;
  // A group nothing touched is judged from the judge's own start on.
  return Math.max(0, from - base);
}

/** Whether every zone of the region was impaired at one moment (by `impair`, `impairRegion` or a flap). */
function wholeRegionDark(scenario: Scenario, region: string, regionZones: readonly string[]): boolean {
  const dark = new Set<string>();
  for (const e of scenario.events) {
    if (e.kind === 'impairRegion' && e.region === region) return true;
    if (e.kind === 'impair' || e.kind === 'flap') dark.add(e.zone);
    if (e.kind === 'recover') {
      if (e.zone !== undefined) dark.delete(e.zone);
      else if (e.region === region) dark.clear();
    }
    if (regionZones.every((z) => dark.has(z))) return true;
  }
  return false;
}

/** When the event stops touching the group (its end for stretches), or `undefined` when it does not touch it. */
function touchEnd(e: ScenarioEvent, group: Scenario['topology']['groups'][number], inRegion: ReadonlySet<string>, duration: number): number | undefined {
  switch (e.kind) {
    case 'impair':
      return inRegion.has(e.zone) ? e.at : undefined;
    case 'impairRegion':
      return e.region === group.region ? e.at : undefined;
    case 'recover':
      return (e.zone !== undefined && inRegion.has(e.zone)) || e.region === group.region ? e.at : undefined;
    case 'flap':
      return inRegion.has(e.zone) ? e.until : undefined;
    case 'nodeFailure':
      return e.group === group.id ? e.at : undefined;
    case 'apiFault': {
      const here = e.provider === group.provider && (e.region === undefined || e.region === group.region) && (e.zone === undefined || inRegion.has(e.zone));
      return here ? (e.until ?? duration) : undefined;
    }
    case 'observerPartition':
      return inRegion.has(e.zone) ? (e.until ?? duration) : undefined;
    case 'providerStatus':
      return e.provider === group.provider && inRegion.has(e.zone) ? e.at : undefined;
    case 'replication':
      return undefined;
  }
}

/**
 * Seconds during which calls of `operations` to `provider` could fail (an
 * `apiFault` other than `lostReply`, whose calls take effect), each fault's
 * stretch plus the longest backoff that may follow it.
 */
function faultSeconds(scenario: Scenario, provider: string, operations: readonly OperationName[], policy: Policy): number {
  let total = 0;
  for (const e of scenario.events) {
    if (e.kind !== 'apiFault' || e.provider !== provider || e.fault === 'lostReply') continue;
    if (!operations.some((op) => faultCovers(e.operations, op))) continue;
    total += (e.until ?? scenario.durationSeconds) - e.at + policy.backoffMax;
  }
  return total;
}

/** Seconds of observer partitions of any of `zones` (the controller cannot see them, so cannot fence there). */
function partitionSeconds(scenario: Scenario, zones: readonly string[]): number {
  let total = 0;
  for (const e of scenario.events) {
    if (e.kind === 'observerPartition' && zones.includes(e.zone)) total += (e.until ?? scenario.durationSeconds) - e.at;
  }
  return total;
}

function faultCovers(operations: readonly string[], op: OperationName): boolean {
  return operations.some((o) => o === op || o === '*' || (o === '*mutating' && isMutatingOperation(op)) || (o === '*read' && !isMutatingOperation(op)));
}

function latency(scenario: Scenario, provider: string, op: OperationName): number {
  return scenario.topology.providers.find((p) => p.id === provider)?.latency[op] ?? defaultLatencySeconds[op];
}

/** The expectation the replay judge evaluates for `item` (as `readExpectations` would read it), at position `index`. */
export function toExpectation(item: InvariantExpectation['item'], index: number): Expectation {
  const [kind, fields] = Object.entries(item)[0]!;
  const f = fields as { database: string; seconds: number; within: number; provider: string; count: number; per: number; group: string; action: string; zone: string };
  const spec = structuredClone(fields);
  switch (kind) {
    case 'maxSplitBrain':
      return { kind, index, spec, database: f.database, seconds: f.seconds };
    case 'maxDataLoss':
      return { kind, index, spec, database: f.database, seconds: f.seconds };
    case 'endpoint':
      return { kind, index, spec, database: f.database, withinSeconds: f.within };
    case 'maxCalls':
      return { kind, index, spec, provider: f.provider, count: f.count, perSeconds: f.per };
    case 'capacity':
      return { kind, index, spec, group: f.group, withinSeconds: f.within };
    case 'never':
      return { kind, index, spec, action: f.action, zone: f.zone };
    default:
      throw new Error(`no invariant is stated as a ${kind} expectation`);
  }
}
