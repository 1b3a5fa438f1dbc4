import type { CallRecord, ClientTruth, PromotionRecord } from '../../../adapters/sim/index.js';
import { isMutatingOperation } from '../../core/contract/types.js';
import type { ControllerEvent } from '../../core/controller/ControllerEvent.js';
import { formatSeconds } from '../../core/util/duration.js';
import type { CapacitySamples } from './CapacitySamples.js';
import type { ExpectationResult } from './ReplayReport.js';
import type { Expectation, Scenario, ScenarioEvent } from './scenario/Scenario.js';

/** The part of the world's record of an adapter call the judge reads (a refusal by a wire emulator has the same shape). */
export type JudgedCall = Pick<CallRecord, 't' | 'provider' | 'operation' | 'target' | 'region' | 'zone'>;

/** Everything the judge looks at; none of it was visible to the controller. */
export interface ReplayFacts {
  readonly scenario: Scenario;
  readonly promotions: readonly PromotionRecord[];
  readonly calls: readonly JudgedCall[];
  /** Per group, healthy node counts sampled at every controller tick. */
  readonly capacitySamples: ReadonlyMap<string, CapacitySamples>;
  readonly controllerEvents: readonly ControllerEvent[];
  /** What clients of endpoints and load balancers saw, split brain stretches, diverged writes (r2). */
  readonly clients: ClientTruth;
}

const IMPAIRMENTS = new Set<ScenarioEvent['kind']>(['impair', 'impairRegion', 'flap']);

/** Judges every expectation of the scenario (spec section 5) on ground truth. */
export function evaluateExpectations(facts: ReplayFacts): {
  expectations: ExpectationResult[];
  firstImpairmentAt: number | undefined;
} {
  const { scenario } = facts;
  const impairments = scenario.events.filter((e) => IMPAIRMENTS.has(e.kind));
  const firstImpairmentAt = impairments[0]?.at;
  const expectations = scenario.expect.map((expectation) => judge(facts, expectation, firstImpairmentAt));
  return { expectations, firstImpairmentAt };
}

function judge(facts: ReplayFacts, e: Expectation, firstImpairmentAt: number | undefined): ExpectationResult {
  const result = (passed: boolean, detail: string): ExpectationResult => ({ kind: e.kind, spec: e.spec, passed, detail });
  const { scenario } = facts;
  switch (e.kind) {
    case 'failover': {
      const promotions = facts.promotions.filter((p) => p.cluster === e.database);
      if (promotions.length === 0) return result(false, `${e.database} never failed over`);
      const matching = promotions.filter(
        (p) =>
          (e.to?.region === undefined || p.region === e.to.region) &&
          (e.to?.zone === undefined || p.zone === e.to.zone) &&
          (e.to?.replica === undefined || p.replica === e.to.replica),
      );
      const describe = (p: PromotionRecord) => `${e.database} -> ${p.replica} (${p.zone}) at ${formatSeconds(p.writableAt)}`;
      if (matching.length === 0) {
        return result(false, `${promotions.map(describe).join('; ')}: none matches ${JSON.stringify(e.to)}`);
      }
      const within = e.withinSeconds ?? Infinity;
      for (const p of matching) {
        const base = impairmentAffecting(scenario, zoneOfInstance(scenario, p.from), p.writableAt) ?? firstImpairmentAt ?? 0;
        const took = p.writableAt - base;
        if (took <= within) {
          return result(true, `${describe(p)}, ${formatSeconds(took)} after the impairment`);
        }
      }
      const p = matching[0]!;
      const base = impairmentAffecting(scenario, zoneOfInstance(scenario, p.from), p.writableAt) ?? firstImpairmentAt ?? 0;
      return result(false, `${describe(p)}, ${formatSeconds(p.writableAt - base)} after the impairment: later than ${formatSeconds(within)}`);
    }
    case 'noFailover': {
      const promotions = facts.promotions.filter((p) => e.database === undefined || p.cluster === e.database);
      return promotions.length === 0
        ? result(true, `no promotion${e.database ? ` of ${e.database}` : ''}`)
        : result(false, promotions.map((p) => `${p.cluster} -> ${p.replica} at ${formatSeconds(p.writableAt)}`).join('; '));
    }
    case 'never': {
      const offending = facts.calls.filter(
        (c) =>
          c.operation === e.action &&
          (e.zone === undefined || c.zone === e.zone) &&
          (e.region === undefined || c.region === e.region),
      );
      const where = [e.zone, e.region].filter(Boolean).join(', ') || 'anywhere';
      return offending.length === 0
        ? result(true, `no ${e.action} in ${where}`)
        : result(false, `${offending.length} ${e.action} call(s) in ${where}, first at ${formatSeconds(offending[0]!.t)} on ${offending[0]!.target ?? '?'}`);
    }
    case 'capacity': {
      const group = scenario.topology.groups.find((g) => g.id === e.group);
      const min = e.min ?? group?.minHealthy ?? 0;
      // r2: counted from the first impairment or the first nodeFailure of the group, whichever comes first.
      const firstFailure = scenario.events.find((event) => event.kind === 'nodeFailure' && event.group === e.group)?.at;
      const starts = [firstImpairmentAt, firstFailure].filter((t): t is number => t !== undefined);
      const from = (starts.length > 0 ? Math.min(...starts) : 0) + e.withinSeconds;
      const samples = facts.capacitySamples.get(e.group) ?? { t: [], healthy: [] };
      let lowest = Infinity;
      let firstShort = -1;
      for (let i = 0; i < samples.t.length; i++) {
        if (samples.t[i]! < from) continue;
        const healthy = samples.healthy[i]!;
        if (healthy < lowest) lowest = healthy;
        if (firstShort < 0 && healthy < min) firstShort = i;
      }
      if (lowest === Infinity) return result(true, `no controller tick after ${formatSeconds(from)} to sample`);
      return firstShort >= 0
        ? result(false, `${e.group} had ${samples.healthy[firstShort]} < ${min} healthy at ${formatSeconds(samples.t[firstShort]!)} (lowest ${lowest})`)
        : result(true, `${e.group} kept at least ${min} healthy from ${formatSeconds(from)} (lowest ${lowest})`);
    }
    case 'maxDataLoss': {
      const promotions = facts.promotions.filter((p) => p.cluster === e.database);
      if (promotions.length === 0) return result(true, `${e.database} was not promoted: nothing lost`);
      const worst = promotions.reduce((a, b) => (b.dataLossSeconds > a.dataLossSeconds ? b : a));
      return result(
        worst.dataLossSeconds <= e.seconds,
        `worst promotion ${worst.replica} lost ${formatSeconds(worst.dataLossSeconds)} of writes (limit ${formatSeconds(e.seconds)})`,
      );
    }
    case 'maxFailovers': {
      const count = facts.promotions.filter((p) => e.database === undefined || p.cluster === e.database).length;
      return result(count <= e.count, `${count} promotion(s)${e.database ? ` of ${e.database}` : ''} (limit ${e.count})`);
    }
    case 'maxCalls': {
      const times = facts.calls
        .filter(
          (c) =>
            c.provider === e.provider &&
            (e.operation !== undefined ? c.operation === e.operation : isMutatingOperation(c.operation)),
        )
        .map((c) => c.t);
      const what = `${e.operation ?? 'mutating'} calls to ${e.provider}`;
      if (e.perSeconds === undefined) {
        return result(times.length <= e.count, `${times.length} ${what} (limit ${e.count})`);
      }
      let worst = 0;
      let worstAt = 0;
      for (let lo = 0, hi = 0; hi < times.length; hi++) {
        while (times[hi]! - times[lo]! >= e.perSeconds) lo++;
        if (hi - lo + 1 > worst) {
          worst = hi - lo + 1;
          worstAt = times[lo]!;
        }
      }
      return result(
        worst <= e.count,
        `at most ${worst} ${what} in any ${formatSeconds(e.perSeconds)}${worst > 0 ? ` (from ${formatSeconds(worstAt)})` : ''} (limit ${e.count})`,
      );
    }
    case 'endpoint':
      return judgeEndpoint(facts, e, result);
    case 'maxWriteUnavailable': {
      const incidents = facts.clients.databases.get(e.database)?.endpoint?.incidents ?? [];
      if (incidents.length === 0) return result(true, `every client of ${e.database}'s endpoint could write throughout`);
      const worst = incidents.reduce((a, b) => (b.seconds > a.seconds ? b : a));
      return result(
        worst.seconds <= e.seconds,
        `worst of ${incidents.length} incident(s): ${formatSeconds(worst.seconds)} of writes unavailable from ${formatSeconds(worst.from)} to ${formatSeconds(worst.to)} (limit ${formatSeconds(e.seconds)})`,
      );
    }
    case 'maxRequestErrors': {
      const errors = facts.clients.requestErrorSeconds.get(e.loadBalancer) ?? 0;
      return result(errors <= e.seconds, `${e.loadBalancer}: ${formatSeconds(errors)} of failed requests (limit ${formatSeconds(e.seconds)})`);
    }
    case 'maxSplitBrain': {
      let worst: { database: string; from: number; to: number } | undefined;
      for (const [database, truth] of facts.clients.databases) {
        if (e.database !== undefined && database !== e.database) continue;
        for (const stretch of truth.splitBrains) {
          if (worst === undefined || stretch.to - stretch.from > worst.to - worst.from) worst = { database, ...stretch };
        }
      }
      const scope = e.database ?? 'any database';
      if (worst === undefined) return result(true, `never two writable instances of ${scope}`);
      const longest = worst.to - worst.from;
      return result(
        longest <= e.seconds,
        `longest split brain: ${formatSeconds(longest)} (${worst.database}, from ${formatSeconds(worst.from)}) (limit ${formatSeconds(e.seconds)})`,
      );
    }
  }
}

/**
 * Spec 5 `endpoint`: after every promotion, every client resolves to the new
 * primary within `within` of it accepting writes (an answer counts once it
 * was served for a full TTL), and the endpoint never answered an instance
 * the controller had fenced while a writable primary existed.
 *
 * Where the spec is silent: an answer served before the promotion counts
 * (clients may be on the new primary before it takes writes: 0 s); an
 * answer replaced before every client took it does not count; a promotion
 * so late that its deadline falls after the end of the scenario passes
 * when no client is on it yet, and says so (the run cannot tell).
 */
function judgeEndpoint(
  facts: ReplayFacts,
  e: Extract<Expectation, { kind: 'endpoint' }>,
  result: (passed: boolean, detail: string) => ExpectationResult,
): ExpectationResult {
  const endpoint = facts.clients.databases.get(e.database)?.endpoint;
  if (endpoint === undefined) return result(false, `${e.database} has no endpoint`);
  const end = facts.scenario.durationSeconds;
  const { answers, ttlSeconds } = endpoint;
  const parts: string[] = [];
  let passed = true;
  for (const p of facts.promotions) {
    if (p.cluster !== e.database) continue;
    let followedAt: number | undefined;
    for (let i = 0; i < answers.length && followedAt === undefined; i++) {
      const answer = answers[i]!;
      const until = answers[i + 1]?.from ?? Infinity;
      // Still answered once the new primary took writes, and long enough for every client to take it.
      if (answer.target === p.replica && until > p.writableAt && answer.from + ttlSeconds <= Math.min(until, end)) {
        followedAt = answer.from + ttlSeconds;
      }
    }
    if (followedAt === undefined) {
      const late = end - p.writableAt >= e.withinSeconds;
      passed &&= !late;
      parts.push(
        late
          ? `${p.replica} (writable at ${formatSeconds(p.writableAt)}) never had every client`
          : `${p.replica} (writable at ${formatSeconds(p.writableAt)}): not every client yet when the scenario ended, before its deadline`,
      );
      continue;
    }
    const took = Math.max(0, followedAt - p.writableAt);
    passed &&= took <= e.withinSeconds;
    parts.push(`every client on ${p.replica} ${formatSeconds(took)} after it took writes`);
  }
  for (const fenced of endpoint.fencedAnswers) {
    passed = false;
    parts.push(
      `answered ${fenced.instance}, fenced by the controller, from ${formatSeconds(fenced.from)} to ${formatSeconds(fenced.to)} while a writable primary existed`,
    );
  }
  if (parts.length === 0) parts.push(`no promotion of ${e.database}: ${endpoint.name} stayed on ${answers[answers.length - 1]!.target}`);
  return result(passed, `${parts.join('; ')} (limit ${formatSeconds(e.withinSeconds)})`);
}

/** Zone of a database instance as the topology declares it (primaries are named after their database). */
function zoneOfInstance(scenario: Scenario, id: string): string | undefined {
  for (const db of scenario.topology.databases) {
    if (db.id === id) return db.primary.zone;
    const replica = db.replicas.find((r) => r.id === id);
    if (replica) return replica.zone;
  }
  return undefined;
}

/** Time of the first impairment (impair, impairRegion or flap) that hit `zone`, no later than `before`. */
function impairmentAffecting(scenario: Scenario, zone: string | undefined, before: number): number | undefined {
  if (zone === undefined) return undefined;
  const region = scenario.topology.providers.flatMap((p) => p.regions).find((r) => r.zones.includes(zone))?.id;
  for (const event of scenario.events) {
    if (event.at > before) break;
    if ((event.kind === 'impair' || event.kind === 'flap') && event.zone === zone) return event.at;
    if (event.kind === 'impairRegion' && event.region === region) return event.at;
  }
  return undefined;
}
