import { SimWorld, type CallRecord, type ClientTruth } from '../../../adapters/sim/index.js';
import { VirtualClock } from '../../core/clock/VirtualClock.js';
import type { Prober } from '../../core/contract/Prober.js';
import type { Provider } from '../../core/contract/Provider.js';
import { isMutatingOperation, MUTATING_OPERATIONS, READ_OPERATIONS } from '../../core/contract/types.js';
import { Controller, type ControllerOptions } from '../../core/controller/Controller.js';
import type { ControllerEvent } from '../../core/controller/ControllerEvent.js';
import { resolvePolicy, type Policy, type PolicyOverrides } from '../../core/controller/Policy.js';
import { Random } from '../../core/util/Random.js';
import type { CapacitySamples } from './CapacitySamples.js';
import { evaluateExpectations, type ReplayFacts } from './evaluateExpectations.js';
import type { ActionEntry, HeldEntry, ReplayReport, TimelineEntry } from './ReplayReport.js';
import type { Scenario } from './scenario/Scenario.js';

/** Options for {@link replayScenario}. */
export interface ReplayOptions {
  /** Policy overrides applied after the scenario's own (`--policy FILE`). */
  readonly policy?: PolicyOverrides;
  /**
   * Serve the topology's `aws` and `gcp` providers through the real adapters
   * over HTTP to loopback emulators backed by the same world, instead of the
   * in-process sim adapter (`lifeboat replay --wire`). Other providers stay
   * in-process; probes still go to the world's prober. The report gets
   * `wire: true`, and its call counts are per HTTP request.
   */
  readonly wire?: boolean;
  /**
   * The controller's decision function ({@link ControllerOptions.decide});
   * default the production `decide`. `lifeboat fuzz`'s tests plant a defect
   * through it; the CLI never sets it.
   */
  readonly decide?: ControllerOptions['decide'];
  /**
   * Called with the simulated world once the run has ended, before the
   * report is built: for judges that read ground truth the report does not
   * carry (`lifeboat fuzz`'s replica count). The controller never sees it.
   */
  readonly onEnd?: (world: SimWorld) => void;
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

/** The parts of a call record the report and the judge read. */
type RecordedCall = Pick<CallRecord, 't' | 'provider' | 'operation' | 'target' | 'region' | 'zone' | 'mutating' | 'result'>;

/** How the controller reaches the world in one replay, and how time moves. */
interface ReplayWiring {
  readonly providers: readonly Provider[];
  readonly prober: Prober;
  /** Calls refused before they reached the world (wire mode), to count with the world's. */
  readonly refusals: readonly RecordedCall[];
  runUntil(clock: VirtualClock, targetMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Replays one scenario in virtual time: builds the simulated world, runs the
 * same controller the daemon runs (it sees the world only through the
 * adapters and prober), and judges the expectations on the world's ground
 * truth. Deterministic: the same scenario (and policy) gives the same report.
 * Wall-clock fields (`generatedAt`, `wallMs`) are left to the caller.
 *
 * With `options.wire`, the `aws` and `gcp` providers are the real adapters
 * talking HTTP to emulators on 127.0.0.1 (see `startWireProviders`); the
 * emulators and adapters are closed before this returns or throws.
 */
export async function replayScenario(scenario: Scenario, options: ReplayOptions = {}): Promise<ReplayReport> {
  // In process, nothing but promise continuations has to run between two instants of virtual time; over
  // the wire, HTTP on loopback needs event-loop turns too (and WireQuiescence waits for it).
  const clock = new VirtualClock(0, { settle: options.wire ? 'macrotask' : 'microtasks' });
  const world = new SimWorld({ topology: scenario.topology, clock, seed: scenario.seed, durationSeconds: scenario.durationSeconds });
  world.scheduleEvents(scenario.events);
  const policy = resolvePolicy(scenario.policy, options.policy ?? {});
  const wiring: ReplayWiring = options.wire
    ? // Loaded on demand: the cloud SDKs behind the wire adapters cost seconds to load.
      await (await import('./startWireProviders.js')).startWireProviders(world, scenario.topology, clock)
    : { providers: world.providers(), prober: world.prober(), refusals: [], runUntil: (c, t) => c.runUntil(t), close: async () => {} };
  try {
    return await run(scenario, options, clock, world, policy, wiring);
  } finally {
    await wiring.close();
  }
}

async function run(
  scenario: Scenario,
  options: ReplayOptions,
  clock: VirtualClock,
  world: SimWorld,
  policy: Policy,
  wiring: ReplayWiring,
): Promise<ReplayReport> {
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
    providers: [...wiring.providers],
    prober: wiring.prober,
    clock,
    policy,
    groups,
    watch,
    random: () => random.next(),
    ...(options.decide ? { decide: options.decide } : {}),
  });

  const timeline: TimelineEntry[] = [];
  world.onTimeline((entry) => timeline.push({ ...entry }));
  const reasons = new Map<string, string[]>();
  const controllerEvents: ControllerEvent[] = [];
  controller.on('event', (event) => {
    controllerEvents.push(event);
    if (event.kind === 'action' && event.step) {
      const step = event.step;
      // The world records a create by the zone it targets (none when untargeted), everything else by resource id.
      const target = step.operation === 'createNode' ? (step.zone ?? '') : worldTarget(step.target);
      const key = `${step.provider}|${step.operation}|${target}`;
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

  // Ground truth sampled at every controller tick: group capacity (split brain and traffic are integrated by the world).
  const samplesByGroup = groups.map((g) => ({ id: g.id, t: [] as number[], healthy: [] as number[] }));
  const capacitySamples = new Map<string, CapacitySamples>(samplesByGroup.map((group) => [group.id, group]));
  // What the controller held back (observe mode, approvals), each step the first time.
  const held: HeldEntry[] = [];
  const heldKeys = new Set<string>();
  controller.on('cycle', ({ t, held: steps }) => {
    for (const group of samplesByGroup) {
      group.t.push(t / 1000);
      group.healthy.push(world.groupHealthyCount(group.id));
    }
    if (steps.length === 0) return;
    for (const { step, why } of steps) {
      if (heldKeys.has(`${why}|${step.key}`)) continue;
      heldKeys.add(`${why}|${step.key}`);
      held.push({ t: t / 1000, why, provider: step.provider, operation: step.operation, target: 'target' in step ? step.target : step.name, ...(step.zone !== undefined ? { zone: step.zone } : {}), ...('cluster' in step ? { database: step.cluster } : {}), reason: step.reason });
    }
  });

  const stop = new AbortController();
  const running = controller.run(stop.signal);
  try {
    await wiring.runUntil(clock, scenario.durationSeconds * 1000);
  } catch (error) {
    // Time no longer moves: stop the controller and leave it; the caller closes the adapters under it.
    stop.abort();
    running.catch(() => {});
    throw error;
  }
  stop.abort();
  await wiring.runUntil(clock, clock.now());
  await running;
  options.onEnd?.(world);
  const clients = world.clientTruth();

  // Maps, not objects, until the report is built: a provider may be called anything, `__proto__` included.
  const calls = new Map<string, Map<string, number>>();
  for (const p of scenario.topology.providers) {
    calls.set(p.id, new Map([...READ_OPERATIONS, ...MUTATING_OPERATIONS].map((op) => [op, 0])));
  }
  const actions: ActionEntry[] = [];
  const allCalls = mergeCalls(world.calls, wiring.refusals);
  for (const call of allCalls) {
    let byOp = calls.get(call.provider);
    if (byOp === undefined) calls.set(call.provider, (byOp = new Map()));
    byOp.set(call.operation, (byOp.get(call.operation) ?? 0) + 1);
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
    calls: allCalls,
    capacitySamples,
    controllerEvents,
    clients,
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
    ...(options.wire ? { wire: true } : {}),
    metrics: {
      detectionSeconds: firstDetection && firstImpairmentAt !== undefined ? round(firstDetection.t / 1000 - firstImpairmentAt) : null,
      failoverSeconds: firstPromotion && firstImpairmentAt !== undefined ? round(firstPromotion.writableAt - firstImpairmentAt) : null,
      dataLossSeconds: losses.length > 0 ? round(Math.max(...losses)) : null,
      dataLossWrites: lossWrites.length > 0 ? Math.round(Math.max(...lossWrites)) : null,
      failovers: world.promotions.length,
      calls: Object.fromEntries([...calls].map(([provider, byOp]) => [provider, Object.fromEntries(byOp)])),
      mutatingCalls: allCalls.filter((c) => isMutatingOperation(c.operation)).length,
      ...trafficMetrics(clients),
    },
    expectations,
    timeline,
    actions,
    ...(held.length > 0 ? { held } : {}),
  };
}

/** The report's metrics from what clients saw (spec 7, r2). */
function trafficMetrics(clients: ClientTruth): Pick<
  ReplayReport['metrics'],
  'splitBrainSeconds' | 'writeUnavailableSeconds' | 'requestErrorSeconds' | 'divergedWrites'
> {
  let splitBrain = 0;
  let writeUnavailable: number | null = null;
  let diverged = 0;
  for (const truth of clients.databases.values()) {
    for (const stretch of truth.splitBrains) splitBrain = Math.max(splitBrain, stretch.to - stretch.from);
    if (truth.endpoint !== undefined) {
      writeUnavailable ??= 0;
      for (const incident of truth.endpoint.incidents) writeUnavailable = Math.max(writeUnavailable, incident.seconds);
    }
    diverged += truth.divergedWrites;
  }
  let requestErrors: number | null = null;
  for (const seconds of clients.requestErrorSeconds.values()) requestErrors = (requestErrors ?? 0) + seconds;
  return {
    splitBrainSeconds: round(splitBrain),
    writeUnavailableSeconds: writeUnavailable === null ? null : round(writeUnavailable),
    requestErrorSeconds: requestErrors === null ? null : round(requestErrors),
    divergedWrites: Math.round(diverged),
  };
}

/** The world's calls and the refused ones in one list, in time order (the world's own order kept for equal times). */
function mergeCalls(world: readonly RecordedCall[], refused: readonly RecordedCall[]): readonly RecordedCall[] {
  if (refused.length === 0) return world;
  const out: RecordedCall[] = [];
  let j = 0;
  for (const call of world) {
    while (j < refused.length && refused[j]!.t < call.t) out.push(refused[j++]!);
    out.push(call);
  }
  while (j < refused.length) out.push(refused[j++]!);
  return out;
}

/**
 * The world's id for a step's target: GCE node ids over the wire are
 * `<zone>/<instance name>`, and the world records the instance name.
 */
function worldTarget(target: string): string {
  return target.slice(target.lastIndexOf('/') + 1);
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
