import { isScenarioError } from '../replay/scenario/ScenarioError.js';
import { fuzzScenario, type FuzzScenarioOptions } from './fuzzScenario.js';
import type { Violation } from './Invariant.js';
import { seconds, type ScenarioDocument } from './ScenarioDocument.js';

/** Options of {@link shrinkScenario}. */
export interface ShrinkOptions extends FuzzScenarioOptions {
  /** Replays the shrinker may spend (each candidate costs one). Default 150. */
  readonly maxReplays?: number;
}

/** What {@link shrinkScenario} arrived at. */
export interface ShrinkResult {
  readonly doc: ScenarioDocument;
  /** The violation as the shrunk scenario shows it (same invariant as the original). */
  readonly violation: Violation;
  readonly replays: number;
}

/**
 * Shrinks a scenario that violates an invariant to a smaller one that still
 * violates the same invariant: greedy, in a fixed order (drop a node group,
 * a database, a load balancer, an event, a replica, an endpoint, a zone of
 * a group, a region or provider nothing uses, a provider's latency overrides; fewer nodes; shorter fault,
 * partition and flap stretches; a shorter run), keeping each change that
 * still violates it and starting over, until no change does or the replay
 * budget is spent. Deterministic: the same scenario shrinks to the same
 * result. Candidates the replay loader rejects (a dangling reference) are
 * skipped.
 */
export async function shrinkScenario(doc: ScenarioDocument, violation: Violation, options: ShrinkOptions = {}): Promise<ShrinkResult> {
  const budget = options.maxReplays ?? 150;
  let current = doc;
  let found = violation;
  let replays = 0;
  let progress = true;
  while (progress && replays < budget) {
    progress = false;
    for (const candidate of candidates(current)) {
      if (replays >= budget) break;
      let violations: Violation[];
      try {
        replays++;
        violations = await fuzzScenario(candidate, options);
      } catch (error) {
        if (!isScenarioError(error)) throw error;
        continue;
      }
      const same = violations.find((v) => v.invariant === violation.invariant);
      if (same !== undefined) {
        current = candidate;
        found = same;
        progress = true;
        break;
      }
    }
  }
  return { doc: current, violation: found, replays };
}

/** Smaller variants of `doc`, biggest cuts first. */
function* candidates(doc: ScenarioDocument): Generator<ScenarioDocument> {
  const t = doc.topology;
  const without = <T>(list: readonly T[], i: number) => list.filter((_, j) => j !== i);
  const withTopology = (topology: Partial<ScenarioDocument['topology']>, events = doc.events): ScenarioDocument => ({
    ...doc,
    topology: { ...t, ...topology },
    events,
  });
  const eventsNot = (id: string) => doc.events.filter((e) => !mentions(e, id));

  for (let i = t.groups.length - 1; i >= 0; i--) {
    const id = t.groups[i]!.id;
    yield withTopology({ groups: without(t.groups, i), loadBalancers: t.loadBalancers.filter((lb) => lb.group !== id) }, eventsNot(id));
  }
  for (let i = t.databases.length - 1; i >= 0; i--) yield withTopology({ databases: without(t.databases, i) }, eventsNot(t.databases[i]!.id));
  for (let i = t.loadBalancers.length - 1; i >= 0; i--) yield withTopology({ loadBalancers: without(t.loadBalancers, i) });
  for (let i = doc.events.length - 1; i >= 0; i--) yield { ...doc, events: without(doc.events, i) };
  for (let d = 0; d < t.databases.length; d++) {
    const db = t.databases[d]!;
    const replace = (next: typeof db) => withTopology({ databases: t.databases.map((x, j) => (j === d ? next : x)) });
    for (let i = db.replicas.length - 1; i >= 0; i--) {
      yield withTopology({ databases: t.databases.map((x, j) => (j === d ? { ...db, replicas: without(db.replicas, i) } : x)) }, eventsNot(db.replicas[i]!.id));
    }
    if (db.endpoint !== undefined) {
      const { endpoint: _dropped, ...rest } = db;
      yield replace(rest);
    }
  }
  for (let g = 0; g < t.groups.length; g++) {
    const group = t.groups[g]!;
    const replace = (next: typeof group) => withTopology({ groups: t.groups.map((x, j) => (j === g ? next : x)) });
    const zones = Object.keys(group.nodes);
    const { minHealthy: _min, ...rest } = group;
    if (zones.length > 1) for (const zone of zones) yield replace({ ...rest, nodes: Object.fromEntries(Object.entries(group.nodes).filter(([z]) => z !== zone)) });
    if (Object.values(group.nodes).some((n) => n > 1)) yield replace({ ...rest, nodes: Object.fromEntries(zones.map((z) => [z, 1])) });
  }
  for (let p = t.providers.length - 1; p >= 0; p--) {
    const provider = t.providers[p]!;
    yield withTopology({ providers: without(t.providers, p) });
    if (provider.latency !== undefined) {
      const { latency: _defaults, ...plain } = provider;
      yield withTopology({ providers: t.providers.map((x, j) => (j === p ? plain : x)) });
    }
    for (let r = provider.regions.length - 1; r >= 0; r--) {
      const region = provider.regions[r]!;
      const replaceRegion = (next: typeof region | undefined) =>
        withTopology({
          providers: t.providers.map((x, j) =>
            j === p ? { ...provider, regions: next === undefined ? without(provider.regions, r) : provider.regions.map((y, k) => (k === r ? next : y)) } : x,
          ),
        });
      if (provider.regions.length > 1) yield replaceRegion(undefined);
      for (let z = region.zones.length - 1; z >= 0 && region.zones.length > 1; z--) yield replaceRegion({ ...region, zones: without(region.zones, z) });
    }
  }
  for (let i = 0; i < doc.events.length; i++) {
    const event = doc.events[i]!;
    const [kind, body] = Object.entries(event).find(([k]) => k !== 'at') as [string, Record<string, unknown>];
    const until = typeof body['until'] === 'string' ? parseInt(body['until']) : undefined;
    const at = parseInt(event.at);
    if (until !== undefined && until - at >= 120) {
      yield { ...doc, events: doc.events.map((e, j) => (j === i ? { at: event.at, [kind]: { ...body, until: seconds(at + Math.floor((until - at) / 2)) } } : e)) };
    }
  }
  const duration = parseInt(doc.duration);
  const lastEvent = Math.max(0, ...doc.events.map((e) => parseInt(e.at)));
  const shorter = Math.max(lastEvent + 600, Math.floor(duration / 2));
  if (shorter < duration) yield { ...doc, duration: seconds(shorter) };
}

/** Whether an event names `id` (a group, database or replica) in any of its fields. */
function mentions(event: ScenarioDocument['events'][number], id: string): boolean {
  return Object.values(event).some((body) => typeof body === 'object' && body !== null && Object.values(body).includes(id));
}
