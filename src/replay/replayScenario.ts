import { SimWorld } from '../../adapters/sim/index.js';
import { VirtualClock } from '../clock/VirtualClock.js';
import { isMutatingOperation, MUTATING_OPERATIONS, READ_OPERATIONS } from '../contract/types.js';
import { Controller } from '../controller/Controller.js';
import type { ControllerEvent } from '../controller/ControllerEvent.js';
import { resolvePolicy, type PolicyOverrides } from '../controller/Policy.js';
import { Random } from '../util/Random.js';
import { evaluateExpectations, type ReplayFacts } from './evaluateExpectations.js';
import type { ActionEntry, ReplayReport, TimelineEntry } from './ReplayReport.js';
import type { Scenario } from './scenario/Scenario.js';

/** Options for {@link replayScenario}. */
export interface ReplayOptions {
  /** Policy overrides applied after the scenario's own (`--policy FILE`). */
  readonly policy?: PolicyOverrides;
}

const TIMELINE_KINDS = new Set<ControllerEvent['kind']>([
  'zone.impaired',
  'zone.recovered',
  'zone.degraded',
  'failover.planned',
  'failover.completed',
  'failover.failed',
  'node.replaced',
  'capacity.create',
]);

/**
 * Replays one scenario in virtual time: builds the simulated world, runs the
 * same controller the daemon runs (it sees the world only through the sim
 * adapters and prober), and judges the expectations on the world's ground
 * truth. Deterministic: the same scenario (and policy) gives the same report.
 * Wall-clock fields (`generatedAt`, `wallMs`) are left to the caller.
 */
export async function replayScenario(scenario: Scenario, options: ReplayOptions = {}): Promise<ReplayReport> {
  const clock = new VirtualClock(0);
  const world = new SimWorld({ topology: scenario.topology, clock, seed: scenario.seed, durationSeconds: scenario.durationSeconds });
  world.scheduleEvents(scenario.events);
  const policy = resolvePolicy(scenario.policy, options.policy ?? {});

  const watch = scenario.topology.providers.flatMap((p) => p.regions.map((r) => ({ provider: p.id, region: r.id })));
  const groups = scenario.topology.groups.map((g) => ({
    id: g.id,
    provider: g.provider,
    region: g.region,
    minHealthy: g.minHealthy,
    size: g.size,
  }));
  // The controller's own randomness (backoff jitter) is seeded apart from the world's.
  const random = new Random(scenario.seed ^ 0x5eed);
  const controller = new Controller({
    providers: world.providers(),
    prober: world.prober(),
    clock,
    policy,
    groups,
    watch,
    random: () => random.next(),
  });

  const timeline: TimelineEntry[] = [];
  world.onTimeline((entry) => timeline.push({ ...entry }));
  const reasons = new Map<string, string[]>();
  const controllerEvents: ControllerEvent[] = [];
  controller.on('event', (event) => {
    controllerEvents.push(event);
    if (event.kind === 'action' && event.step) {
      const step = event.step;
      const key = `${step.provider}|${step.operation}|${'target' in step ? step.target : step.name}`;
      let list = reasons.get(key);
      if (!list) reasons.set(key, (list = []));
      list.push(step.reason);
    }
    if (TIMELINE_KINDS.has(event.kind)) {
      timeline.push({
        t: event.t / 1000,
        kind: event.kind,
        provider: event.provider,
        region: event.region,
        zone: event.zone,
        database: event.database,
        group: event.group,
        detail: event.detail,
      });
    }
  });

  // Ground truth sampled at every controller tick: group capacity and split brain.
  const capacitySamples = new Map<string, { t: number; healthy: number }[]>(groups.map((g) => [g.id, []]));
  const clusters = scenario.topology.databases.map((d) => d.id);
  let splitBrainSeconds = 0;
  let splitBrainSince: number | undefined;
  controller.on('cycle', ({ t }) => {
    for (const group of groups) capacitySamples.get(group.id)!.push({ t: t / 1000, healthy: world.groupHealthyCount(group.id) });
    const split = clusters.some((c) => world.writablePrimaries(c).length > 1);
    if (split && splitBrainSince === undefined) splitBrainSince = t / 1000;
    if (!split && splitBrainSince !== undefined) {
      splitBrainSeconds = Math.max(splitBrainSeconds, t / 1000 - splitBrainSince);
      splitBrainSince = undefined;
    }
  });

  const stop = new AbortController();
  const running = controller.run(stop.signal);
  await clock.runUntil(scenario.durationSeconds * 1000);
  stop.abort();
  await clock.runUntil(clock.now());
  await running;
  if (splitBrainSince !== undefined) {
    splitBrainSeconds = Math.max(splitBrainSeconds, scenario.durationSeconds - splitBrainSince);
  }

  const calls: Record<string, Record<string, number>> = {};
  for (const p of scenario.topology.providers) {
    calls[p.id] = Object.fromEntries([...READ_OPERATIONS, ...MUTATING_OPERATIONS].map((op) => [op, 0]));
  }
  const actions: ActionEntry[] = [];
  for (const call of world.calls) {
    const byOp = (calls[call.provider] ??= {});
    byOp[call.operation] = (byOp[call.operation] ?? 0) + 1;
    if (!call.mutating) continue;
    const key = `${call.provider}|${call.operation}|${call.target ?? ''}`;
    actions.push({
      t: call.t,
      provider: call.provider,
      operation: call.operation,
      target: call.target,
      region: call.region,
      zone: call.zone,
      result: call.result === 'ok' || call.result === 'throttled' || call.result === 'timeout' ? call.result : call.result === 'pending' ? 'timeout' : 'error',
      reason: reasons.get(key)?.shift(),
    });
  }

  const facts: ReplayFacts = {
    scenario,
    promotions: world.promotions,
    calls: world.calls,
    capacitySamples,
    controllerEvents,
  };
  const { expectations, firstImpairmentAt } = evaluateExpectations(facts);
  const firstDetection = controllerEvents.find(
    (e) => e.kind === 'zone.impaired' && firstImpairmentAt !== undefined && e.t / 1000 >= firstImpairmentAt,
  );
  const firstPromotion = world.promotions.find((p) => firstImpairmentAt !== undefined && p.writableAt >= firstImpairmentAt);
  const writesPerSecond = new Map(scenario.topology.databases.map((d) => [d.id, d.writes]));
  const losses = world.promotions.map((p) => p.dataLossSeconds);
  const lossWrites = world.promotions.map((p) => p.dataLossSeconds * (writesPerSecond.get(p.cluster) ?? 0));
  timeline.sort((a, b) => a.t - b.t);

  return {
    scenario: scenario.name,
    passed: expectations.every((e) => e.passed),
    virtualSeconds: scenario.durationSeconds,
    file: scenario.file,
    seed: scenario.seed,
    metrics: {
      detectionSeconds: firstDetection && firstImpairmentAt !== undefined ? round(firstDetection.t / 1000 - firstImpairmentAt) : null,
      failoverSeconds: firstPromotion && firstImpairmentAt !== undefined ? round(firstPromotion.writableAt - firstImpairmentAt) : null,
      dataLossSeconds: losses.length > 0 ? round(Math.max(...losses)) : null,
      dataLossWrites: lossWrites.length > 0 ? Math.round(Math.max(...lossWrites)) : null,
      failovers: world.promotions.length,
      calls,
      mutatingCalls: world.calls.filter((c) => isMutatingOperation(c.operation)).length,
      splitBrainSeconds: round(splitBrainSeconds),
    },
    expectations,
    timeline,
    actions,
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
