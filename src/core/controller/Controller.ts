import { getEventListeners } from 'node:events';
import { EventEmitter } from 'eventemitter3';
import { timeoutSignal, type Clock } from '../clock/Clock.js';
import { Sleeper } from '../clock/Sleeper.js';
import { TimeoutBudget } from '../clock/TimeoutBudget.js';
import type { ProbeResult, ProbeRoundAnswer, ProbeTarget, Prober } from '../contract/Prober.js';
import type { Provider } from '../contract/Provider.js';
import { toProviderError, isInvalidInput, isTerminal, isThrottled, isTimeout } from '../contract/errors.js';
import type { DatabaseInstance, Node, Region, ZoneProviderStatus } from '../contract/types.js';
import { HealthTracker, type KnownZone } from '../health/HealthTracker.js';
import type { TargetHealth } from '../health/types.js';
import { CallGate } from './CallGate.js';
import { ControlPlaneReader, type Listings, type ProbeSet, type WatchedRegion } from './ControlPlaneReader.js';
import { ProbeRound, type FailingBatch } from './ProbeRound.js';
import { emptyMemory, type ControllerMemory, type FailoverApproval, type SwitchoverIntent } from './ControllerMemory.js';
import type { ControllerEvent, ControllerEventTypes } from './ControllerEvent.js';
import { decide } from './decide.js';
import { Executor, type StepResult } from './Executor.js';
import type { HeldStep, Plan, Step } from './Plan.js';
import { NO_PAUSES, type OperatorPauses } from './OperatorPauses.js';
import type { Policy } from './Policy.js';
import type { PrePromoteCheck } from './PrePromoteCheck.js';
import { rememberApproval, rememberIntent, rememberObservation, rememberRestart, rememberStepResult, rememberStepStart, rememberVerdicts, type MemoryChange, type UnfinishedStep } from './memoryReducers.js';
import { resourceKey, zoneKey, type DatabaseView, type GroupConfig, type NodeView, type ProviderView, type Snapshot } from './Snapshot.js';

export type { WatchedRegion } from './ControlPlaneReader.js';

/** Everything a controller needs; nothing else reaches it. */
export interface ControllerOptions {
  readonly providers: readonly Provider[];
  /** The controller's own probes. */
  readonly prober: Prober;
  readonly clock: Clock;
  readonly policy: Policy;
  /** Node groups to keep at capacity. */
  readonly groups: readonly GroupConfig[];
  /** Regions to observe (where the protected groups and databases live). */
  readonly watch: readonly WatchedRegion[];
  /** Uniform [0,1) source for backoff jitter; seeded in replay. */
  readonly random: () => number;
  /** Memory to resume from (the daemon's journal); empty by default. */
  readonly memory?: ControllerMemory;
  /**
   * Called synchronously after every change of {@link Controller.memory}:
   * before a step's adapter call (write-ahead), after each step's result,
   * after each cycle's bookkeeping, and when an operator's request or a
   * restart is taken in. The daemon journals memory from here.
   */
  readonly onMemoryChange?: (memory: ControllerMemory, reason: MemoryChangeReason) => void;
  /**
   * The decision function; default {@link decide}, which production always
   * uses. A plug-in point for harnesses that check the loop around it, such
   * as `lifeboat fuzz`'s own tests, which plant a defect in a copy of
   * `decide` to show the fuzz finds it. It must be pure, as `decide` is.
   */
  readonly decide?: (snapshot: Snapshot, policy: Policy) => Plan;
  /** Asked before each promotion, as part of the promote step (the daemon's pre-promote hook); none by default. */
  readonly prePromote?: PrePromoteCheck;
}

/** Why {@link ControllerOptions.onMemoryChange} was called. */
export type MemoryChangeReason =
  | { readonly kind: 'step.start'; readonly step: Step }
  | { readonly kind: 'step.result'; readonly step: Step; readonly outcome: StepResult['outcome'] }
  | { readonly kind: 'reconcile' }
  | { readonly kind: 'intent'; readonly intent: SwitchoverIntent }
  | { readonly kind: 'approval'; readonly approval: FailoverApproval }
  | { readonly kind: 'restart' };

/** What one cycle saw and did. */
export interface CycleOutcome {
  readonly snapshot: Snapshot;
  readonly plan: Plan;
  readonly deferred: readonly { step: Step; why: string }[];
  /** Steps `decide` held back (paused, observe mode, awaiting approval): see {@link Plan.held}. */
  readonly held: readonly HeldStep[];
}

/** Options of one {@link Controller.runCycle}. */
export interface CycleOptions {
  /**
   * What operators paused, read by the caller before the cycle (the
   * daemon's journal or etcd): it goes into the snapshot, and `decide`
   * holds the automatic steps it covers. The cycle still observes, assesses
   * health, keeps its memory up to date and emits zone and completion
   * events, so status stays live; it submits no held step and emits no
   * `failover.planned` for one. The steps of an operator's own request (a
   * switchover: `Step.requestedBy`) are not held. Calls already in flight
   * finish. Default: the pauses of the previous cycle (none at first).
   */
  readonly pauses?: OperatorPauses;
}


const NOTHING_IN_FLIGHT: ReadonlySet<string> = new Set();
const QUIET_PLAN: Plan = Object.freeze({ steps: Object.freeze([]), held: Object.freeze([]), notes: Object.freeze([]), verdicts: Object.freeze([]), wakeAt: Infinity });
const NOTHING_DEFERRED: CycleOutcome['deferred'] = Object.freeze([]);
/** A round {@link Controller.quietRoundAtOnce} took whole. */
const QUIET = Symbol('quiet round');
/** A round {@link Controller.cycleAtOnce} took as a whole cycle. */
const DONE = Symbol('cycle done');

/**
 * A round whose probes all answered as last round but some of them not at
 * all: it lasts `holdMs` from `startedAt` (ms), waiting out the silent
 * targets, and is quiet if nothing woke the controller by its end.
 */
interface HeldRound {
  readonly kind: 'held';
  readonly startedAt: number;
  readonly holdMs: number;
  readonly results: readonly ProbeResult[];
}

/** A probe round already over, for a full cycle to take in without probing again. */
interface TakenRound {
  readonly kind: 'taken';
  readonly startedAt: number;
  readonly results: readonly ProbeResult[];
}

/** Where a loop's next full cycle starts: at `started` (ms), with the probe answer or the whole round already taken, if any. */
interface Resumed {
  readonly started: number;
  readonly answer: ProbeRoundAnswer | TakenRound | undefined;
}

function isHeld(answer: object | undefined): answer is HeldRound {
  return answer !== undefined && 'kind' in answer && answer.kind === 'held';
}

function isTaken(answer: object | undefined): answer is TakenRound {
  return answer !== undefined && 'kind' in answer && answer.kind === 'taken';
}

/**
 * Same answers, target for target, as far as health can tell (the probe set is
 * unchanged when no read happened): a replica's contact age matters only as
 * being under or over `staleSeconds`.
 */
function sameProbeResults(a: readonly ProbeResult[], b: readonly ProbeResult[], staleSeconds: number): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (x.ok !== y.ok || x.writable !== y.writable) return false;
    const rx = x.replication;
    const ry = y.replication;
    if (rx === ry) continue;
    if (rx === undefined || ry === undefined || rx.state !== ry.state) return false;
    if (isStale(rx.lastContactSeconds, staleSeconds) !== isStale(ry.lastContactSeconds, staleSeconds)) return false;
  }
  return true;
}

function isStale(lastContactSeconds: number | null, staleSeconds: number): boolean {
  return lastContactSeconds !== null && lastContactSeconds >= staleSeconds;
}

/** How long after a zone changes state reads stay fast. */
const UNSETTLED_AFTER_CHANGE_MS = 60_000;

function promotionUnderWay(memory: ControllerMemory): boolean {
  for (const cluster of memory.clusters.values()) if (cluster.promotion) return true;
  return false;
}

/** A zone left `healthy` less than {@link UNSETTLED_AFTER_CHANGE_MS} ago. */
function zoneChangedLately(snapshot: Snapshot): boolean {
  for (const zone of snapshot.zones.values()) if (zone.state !== 'healthy' && snapshot.now - zone.since < UNSETTLED_AFTER_CHANGE_MS) return true;
  return false;
}

/**
 * The failover controller. Each cycle observes (control-plane reads when due,
 * then one probe round), folds the observations into health and memory,
 * calls the pure {@link decide}, and hands the plan to the {@link Executor}.
 * Level-triggered: every cycle starts from a fresh picture, so a lost event
 * or a restart costs nothing.
 */
export class Controller extends EventEmitter<ControllerEventTypes> {
  private remembered: ControllerMemory;
  private readonly providers: ReadonlyMap<string, Provider>;
  private readonly health: HealthTracker;
  private readonly gate: CallGate;
  private executor: Executor | undefined;
  private readonly abort = new AbortController();
  private readonly reader: ControlPlaneReader;
  private readonly probeRound: ProbeRound;
  private unsettled = true;
  private suspectTargets = 0;
  private healthStable = false;
  /** When a round ending then could complete a pending confirmation (ms); see {@link HealthAssessment.confirmAt}. */
  private confirmAt = Infinity;
  /** Each probed target's health after the last assessed round. */
  private targetHealth: ReadonlyMap<string, TargetHealth> = new Map();
  /** Quiet rounds may skip health and decide until this time (ms); -Infinity when the last cycle was not quiet. */
  private quietUntil = -Infinity;
  private lastResults: readonly ProbeResult[] = [];
  private fencedMap: ReadonlyMap<string, number> | undefined;
  private nodeViews: NodeView[] = [];
  private providerViews: ReadonlyMap<string, ProviderView> | undefined;
  private providerViewsRegions: unknown;
  private databaseViews: DatabaseView[] = [];
  private viewsListing: unknown;
  private fencedFn: ((key: string) => boolean) | undefined;
  private lastSnapshot: Snapshot | undefined;
  private pauses: OperatorPauses = NO_PAUSES;

  constructor(private readonly options: ControllerOptions) {
    super();
    this.remembered = options.memory ?? emptyMemory();
    this.providers = new Map(options.providers.map((p) => [p.id, p]));
    this.health = new HealthTracker(options.policy);
    this.gate = new CallGate(options.policy, options.random);
    this.reader = new ControlPlaneReader(this.providers, options.watch, options.clock, options.policy, this.gate);
    this.probeRound = new ProbeRound(options.prober, options.clock);
  }

  /** What the controller remembers between cycles (journal this to survive restarts); an immutable value. */
  get memory(): ControllerMemory {
    return this.remembered;
  }

  /**
   * Takes in an operator's planned switchover, already checked against the
   * latest snapshot ({@link checkSwitchover}): `decide` plans it from the
   * next cycle on, under the failover rules. Journaled through
   * `onMemoryChange` before this returns.
   */
  request(intent: SwitchoverIntent): void {
    this.apply(rememberIntent(this.remembered, intent), { kind: 'intent', intent });
    this.quietUntil = -Infinity;
  }

  /**
   * Takes in an operator's approval of a cluster's failover (policy
   * `approveFailovers`): `decide` plans the promotion it was holding from
   * the next cycle on. Journaled through `onMemoryChange` before this
   * returns.
   */
  approve(approval: FailoverApproval): void {
    this.apply(rememberApproval(this.remembered, approval), { kind: 'approval', approval });
    this.quietUntil = -Infinity;
  }

  /**
   * Takes in the steps a previous run's journal shows started and not
   * finished, assuming the safer state for each (see `rememberRestart`);
   * what is still needed is planned by `decide` from what the next cycle
   * observes. Call before the first cycle.
   */
  restart(unfinished: readonly UnfinishedStep[]): void {
    if (unfinished.length === 0) return;
    this.apply(rememberRestart(this.remembered, unfinished, this.options.clock.now()), { kind: 'restart' });
  }

  /** The policy in force. */
  get policy(): Policy {
    return this.options.policy;
  }

  /** The latest snapshot, for status pages. */
  get snapshot(): Snapshot | undefined {
    return this.lastSnapshot;
  }

  /**
   * Runs cycles every `probeInterval` until `signal` fires, then waits for
   * calls in flight to settle (they are cut off by the same signal).
   */
  async run(signal: AbortSignal): Promise<void> {
    const { clock, policy } = this.options;
    const onAbort = () => this.abort.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    // One abort listener for all the pauses between cycles, not one per pause.
    const sleeper = new Sleeper(clock, signal);
    try {
      // The round that ended a run of quiet rounds, with the answer (or the whole round) it already took.
      let resumed: Resumed | undefined;
      // A round already over is taken in even when the signal fired during it, as a round that is
      // cut short by the signal is.
      while (!signal.aborted || isTaken(resumed?.answer)) {
        const started = resumed?.started ?? clock.now();
        const answer = resumed !== undefined ? resumed.answer : this.quietRoundAtOnce();
        resumed = undefined;
        if (answer === QUIET || isHeld(answer)) {
          resumed = await this.quietRoundsAfter(started, sleeper, signal, answer === QUIET ? undefined : answer);
          continue;
        }
        const left = isTaken(answer) ? answer : this.cycleAtOnce(answer, signal);
        if (left !== DONE) await this.cycle(signal, {}, left);
        await sleeper.sleep(this.nextRoundDelay(started));
      }
    } finally {
      sleeper.dispose();
      signal.removeEventListener('abort', onAbort);
      this.abort.abort();
      await this.reader.settled();
      await this.executor?.idle();
    }
  }

  /**
   * Resolves once the control-plane reads under way (if any) have landed;
   * the next {@link runCycle} takes them in. For tools and benchmarks that
   * drive cycles themselves and want each to see a fresh read.
   */
  async readsSettled(): Promise<void> {
    await this.reader.settled();
  }

  /**
   * Seconds from this cycle's start to the next (for loops that drive
   * {@link runCycle} themselves): `suspectProbeInterval` while
   * a target is failing but not yet down or a zone is counting rounds toward
   * a transition (as HAProxy's `fastinter`), so confirmation takes
   * `failedRounds` quick rounds instead of `failedRounds` calm ones;
   * `probeInterval` otherwise.
   */
  nextProbeInterval(): number {
    const { policy } = this.options;
    const converging = this.suspectTargets > 0 || !this.healthStable;
    return converging ? Math.min(policy.suspectProbeInterval, policy.probeInterval) : policy.probeInterval;
  }

  /**
   * Milliseconds from now to the next cycle of a loop whose current cycle
   * started at `cycleStarted` (ms): the probe interval
   * ({@link nextProbeInterval}) counted from that start, or sooner when a
   * pending confirmation can complete earlier (a replica's silence about a
   * failing primary reaching `replicationStaleAfter`, a suspect zone's
   * `impairedAfter` ending): the round is then started `probeTimeout`
   * before that moment, so that a round held up by a hung target ends
   * just as it arrives. Detection is thus counted from the fault, not from
   * where it fell in the probe cycle.
   */
  nextRoundDelay(cycleStarted: number): number {
    const { clock, policy } = this.options;
    const now = clock.now();
    let next = cycleStarted + this.nextProbeInterval() * 1000;
    const confirmAt = this.confirmAt;
    if (confirmAt > now) {
      // Early by a probe timeout only once per deadline (a wake already past this cycle's start is
      // taken at the deadline itself): every wake lies ahead, so rounds never spin.
      const early = confirmAt - policy.probeTimeout * 1000;
      next = Math.min(next, early > cycleStarted ? early : confirmAt);
    }
    return Math.max(0, next - now);
  }

  /**
   * How long the probe round starting at `startedAt` may take (ms):
   * `probeTimeout`, cut short to end when a pending confirmation can
   * complete (a hung target would otherwise hold the verdict a whole
   * timeout past it), but never under a quarter of `probeTimeout`, so
   * targets that answer still do. Only targets already failing are short
   * of time: an answering estate has nothing pending.
   */
  private roundTimeout(startedAt: number): number {
    const full = this.options.policy.probeTimeout * 1000;
    const untilConfirm = this.confirmAt - startedAt;
    return untilConfirm > 0 ? Math.min(full, Math.max(untilConfirm, full / 4)) : full;
  }

  /**
   * The targets that failed last round, and how long they may take in the
   * round starting at `startedAt` (ms): until the pending confirmation's
   * deadline and no longer, with no floor, and nothing once it is due. A
   * target already failing that has not answered by then counts as failed
   * at the deadline, so a confirmation the previous round just missed (a
   * replica's fresh reading a few milliseconds short of the window) is
   * taken in the next round as soon as the targets that answer have
   * answered. `undefined` while no confirmation is pending within
   * `probeTimeout`.
   */
  private failingCutShort(keys: readonly string[], startedAt: number): FailingBatch | undefined {
    const untilConfirm = this.confirmAt - startedAt;
    if (!(untilConfirm < this.options.policy.probeTimeout * 1000)) return undefined;
    const targets = this.targetHealth;
    return { marks: keys.map((key) => (targets.get(key)?.failedRounds ?? 0) > 0), timeoutMs: Math.max(0, untilConfirm) };
  }

  /**
   * The round due now, taken synchronously when it is bound to be quiet
   * and the prober answers at once ({@link Prober.probeAtOnce}): the last
   * full cycle was quiet and its wake is ahead, nothing is read, landed,
   * due or in flight, and every target answers as last round. Most rounds
   * of a long replay are such rounds, and a promise chain through
   * {@link runCycle} costs more than the round itself. Nothing else can
   * run between this and what `runCycle` would have done at this instant
   * (no read or call of the controller's is under way), so the two see the
   * same world and leave the same state. Returns {@link QUIET} when the
   * round is done; otherwise the answer already taken for the full cycle
   * to use (a round's probes are sent once: a degraded zone's failures are
   * drawn at random), or `undefined` when none was taken. A round whose
   * answers are the same but some of them silent is returned as a
   * {@link HeldRound}: it lasts until its timeout, as the full cycle's round
   * would, and nothing of the controller's runs meanwhile, so its end is
   * all that has to be looked at ({@link quietRoundsAfter}).
   */
  private quietRoundAtOnce(): typeof QUIET | HeldRound | ProbeRoundAnswer | undefined {
    const { clock, prober, policy } = this.options;
    const now = clock.now();
    if (prober.probeAtOnce === undefined || !(this.quietUntil > now) || this.executor === undefined || this.executor.inFlight.size > 0) return undefined;
    if (!this.reader.idleAt(now, this.unsettled)) return undefined;
    const { targets, keys } = this.reader.probeSet(this.fencedLookup());
    if (targets.length === 0) return undefined;
    const answer = prober.probeAtOnce(targets);
    if (!sameProbeResults(answer.results, this.lastResults, policy.replicationStaleAfter)) return answer;
    if (answer.timedOut) {
      const holdMs = this.probeRound.heldFor(answer, this.roundTimeout(now), this.failingCutShort(keys, now));
      return { kind: 'held', startedAt: now, holdMs, results: answer.results };
    }
    this.lastResults = answer.results;
    this.emitQuietCycle(now);
    return QUIET;
  }

  /**
   * Takes the rounds after a quiet one that started at `started` (or from
   * `held`, a round under way), each at its time and each at once while it
   * is quiet ({@link quietRoundAtOnce}), with one promise for the whole run
   * of them. Resolves with the first round that is not (its start, and the
   * answer it took if any, or the whole round if it was held and something
   * woke the controller by its end) for the loop to run as a full cycle, or
   * `undefined` once `signal` fires. Each round runs where the loop's own
   * continuation after its pause would: one microtask after its timer, the
   * next one as soon; a held round ends where the full cycle's round would
   * (its timeout, or the signal).
   */
  private quietRoundsAfter(started: number, sleeper: Sleeper, signal: AbortSignal, held: HeldRound | undefined): Promise<Resumed | undefined> {
    const clock = this.options.clock;
    return new Promise((resolve) => {
      // One closure of each kind for the whole run of rounds: the round under way is kept in `holding`.
      let holding: HeldRound | undefined;
      const take = () => {
        const now = clock.now();
        const answer = this.quietRoundAtOnce();
        if (answer === QUIET) next(now);
        else if (isHeld(answer)) hold(answer);
        else resolve({ started: now, answer });
      };
      const heldEnded = () => {
        const round = holding!;
        holding = undefined;
        const now = clock.now();
        if (!(this.quietUntil > now)) {
          resolve({ started: round.startedAt, answer: { kind: 'taken', startedAt: round.startedAt, results: round.results } });
          return;
        }
        this.lastResults = round.results;
        this.emitQuietCycle(now);
        if (signal.aborted) resolve(undefined);
        else next(round.startedAt);
      };
      const hold = (round: HeldRound) => {
        holding = round;
        sleeper.callAfter(round.holdMs, heldEnded);
      };
      const woke = () => {
        if (signal.aborted) resolve(undefined);
        else take();
      };
      const next = (previous: number) => sleeper.callAfter(this.nextRoundDelay(previous), woke);
      if (held !== undefined) hold(held);
      else next(started);
    });
  }

  /**
   * The round due now as a whole cycle, taken synchronously when nothing of
   * the controller's is under way (no read or call in flight; what landed is
   * taken in, and reads that are due start and land later, as in a full
   * cycle) and the prober answers at once with no silent target: then
   * nothing can run between the round and its decision, so the promise
   * chain of {@link cycle} buys nothing. `answered`: the round's answer if
   * {@link quietRoundAtOnce} already took it. Returns {@link DONE}, or what
   * the full cycle is to take (the answer taken here, if any).
   */
  private cycleAtOnce(answered: ProbeRoundAnswer | undefined, signal: AbortSignal): typeof DONE | ProbeRoundAnswer | undefined {
    const { clock, prober } = this.options;
    const executor = this.executor;
    const now = clock.now();
    if (prober.probeAtOnce === undefined || executor === undefined || executor.inFlight.size > 0 || !this.reader.nothingPendingAt(now)) return answered;
    // Reads due start here, as in `observe`, and land in a later round.
    this.reader.startReadsIfDue(signal, now, this.unsettled);
    const set = this.reader.probeSet(this.fencedLookup());
    const answer = answered ?? (set.targets.length > 0 ? prober.probeAtOnce(set.targets) : undefined);
    if (answer?.timedOut) return answer;
    this.decideOn(this.assess(set, answer?.results ?? [], now, false), signal, executor);
    return DONE;
  }

  /**
   * The `cycle` event of a round that decided nothing, with shared empty
   * lists: it allocates nothing but the event (most rounds of a long replay
   * are quiet).
   */
  private emitQuietCycle(t: number): void {
    this.emit('cycle', { t, steps: QUIET_PLAN.steps, held: QUIET_PLAN.held, notes: QUIET_PLAN.notes, decided: false });
  }

  /** One observe, decide, execute cycle (execution held back when `options.hold` says so). */
  runCycle(signal: AbortSignal, options: CycleOptions = {}): Promise<CycleOutcome> {
    return this.cycle(signal, options, undefined);
  }

  /** {@link runCycle}, with the round's probe answer when {@link quietRoundAtOnce} already took it. */
  private async cycle(signal: AbortSignal, options: CycleOptions, answered: ProbeRoundAnswer | TakenRound | undefined): Promise<CycleOutcome> {
    const executor = (this.executor ??= new Executor(
      this.providers,
      this.options.clock,
      this.options.policy,
      this.gate,
      {
        onStart: (step, now) => this.apply(rememberStepStart(this.remembered, step, now), { kind: 'step.start', step }),
        onResult: (result) =>
          this.apply(rememberStepResult(this.remembered, result, this.options.policy), { kind: 'step.result', step: result.step, outcome: result.outcome }),
      },
      this.abort.signal,
      this.options.prePromote,
    ));
    if (options.pauses !== undefined && options.pauses !== this.pauses) {
      // New pauses (or a resume) change the decision: this round must decide, however quiet it is.
      this.pauses = options.pauses;
      this.quietUntil = -Infinity;
    }
    const observed = await this.observe(signal, answered);
    return this.decideOn(observed, signal, executor);
  }

  /**
   * The rest of a cycle once its round is assessed: `decide` on the snapshot
   * (none: the round was quiet), the plan submitted, the `cycle` event.
   */
  private decideOn(observed: Snapshot | undefined, signal: AbortSignal, executor: Executor): CycleOutcome {
    if (!observed) {
      this.emitQuietCycle(this.options.clock.now());
      return { snapshot: this.lastSnapshot!, plan: QUIET_PLAN, deferred: NOTHING_DEFERRED, held: QUIET_PLAN.held };
    }
    const snapshot = observed;
    const plan = (this.options.decide ?? decide)(snapshot, this.options.policy);
    if (plan.verdicts.length > 0) this.apply(rememberVerdicts(this.remembered, plan.verdicts), { kind: 'reconcile' });
    const run = plan.steps;
    for (const step of run) {
      if (step.operation === 'promoteReplica') {
        this.emitEvent({
          kind: 'failover.planned',
          provider: step.provider,
          region: step.region,
          zone: step.zone,
          database: step.cluster,
          detail: step.reason,
          step,
        });
      }
    }
    const deferred = signal.aborted ? [] : executor.submit(run);
    this.emit('cycle', { t: snapshot.now, steps: plan.steps, held: plan.held, notes: plan.notes, decided: true });
    // Fast control-plane reads only while something is moving; a settled outage (or a zone the provider
    // has marked impaired for hours) goes back to the calm interval so a struggling API is not hammered.
    const memory = this.remembered;
    this.unsettled =
      run.length > 0 ||
      executor.inFlight.size > 0 ||
      this.suspectTargets > 0 ||
      memory.pendingCreates.size > 0 ||
      memory.intents.size > 0 ||
      promotionUnderWay(memory) ||
      // An endpoint change on its way: a failed primary's fence waits for the listing that shows it served.
      snapshot.endpoints.some((e) => e.pendingTarget !== undefined) ||
      zoneChangedLately(snapshot);
    this.quietUntil =
      !this.unsettled && plan.steps.length === 0 && plan.held.length === 0 && deferred.length === 0 && this.healthStable
        ? plan.wakeAt
        : -Infinity;
    return { snapshot, plan, deferred, held: plan.held };
  }

  /**
   * Reads what is due and takes a probe round (or takes in `answered`, the
   * round's answer or the whole round already taken), then assesses health
   * and builds the snapshot; `undefined` when the round brought nothing new.
   */
  private async observe(signal: AbortSignal, answered: ProbeRoundAnswer | TakenRound | undefined): Promise<Snapshot | undefined> {
    const clock = this.options.clock;
    const now = clock.now();
    let read = false;
    const reader = this.reader;
    // A round already over had nothing to read when it started (see quietRoundAtOnce).
    const taken = isTaken(answered) ? answered : undefined;
    const answer = isTaken(answered) ? undefined : answered;
    if (taken === undefined) {
      if (reader.locationsDue(now)) {
        await reader.readLocations(signal);
        read = true;
      }
      const firstPicture = reader.startReadsIfDue(signal, now, this.unsettled);
      if (firstPicture) await firstPicture;
    }

    const set = reader.probeSet(this.fencedLookup());
    const startedAt = taken?.startedAt ?? clock.now();
    let results: readonly ProbeResult[] = [];
    if (taken !== undefined) results = taken.results;
    else if (set.targets.length > 0) {
      const round = this.probeRound.start(set.targets, signal, this.roundTimeout(startedAt), this.failingCutShort(set.keys, startedAt), answer);
      try {
        results = await round.results;
      } finally {
        round.cancel();
      }
    }
    return this.assess(set, results, startedAt, read);
  }

  /**
   * Takes in a probe round over `set` that started at `startedAt` and just
   * ended with `results`, with `read` when the cycle already read something:
   * health, memory and the snapshot, or `undefined` when the round brought
   * nothing new.
   */
  private assess(set: ProbeSet, results: readonly ProbeResult[], startedAt: number, read: boolean): Snapshot | undefined {
    const { clock, policy } = this.options;
    const probes = { keys: set.keys, zoneKeys: set.zoneKeys, results };
    const now = clock.now();
    if (this.reader.takeLanded()) read = true;

    // Level-triggered: a round that brings nothing new (no read, every probe answered as last
    // round, the last full cycle was quiet, no deadline due) cannot change any decision, so
    // health and decide are not re-run. Any read, changed probe or due deadline wakes them.
    const quiet = !read && this.quietUntil > now && sameProbeResults(results, this.lastResults, policy.replicationStaleAfter);
    this.lastResults = results;
    if (quiet) return undefined;

    const listings = this.reader.listings();
    const { allNodes, allDatabases, zones } = listings;
    const assessment = this.health.update({
      now,
      startedAt,
      zones,
      nodes: allNodes,
      databases: allDatabases,
      probes,
      stoppedOnPurpose: this.fencedLookup(),
    });
    this.suspectTargets = assessment.suspectTargets;
    this.healthStable = assessment.stable;
    this.confirmAt = assessment.confirmAt;
    this.targetHealth = assessment.targets;
    for (const transition of assessment.transitions) {
      const z = transition.health;
      const kind =
        transition.to === 'impaired'
          ? 'zone.impaired'
          : transition.from === 'impaired'
            ? 'zone.recovered'
            : transition.to === 'degraded'
              ? 'zone.degraded'
              : 'zone.healthy';
      this.emitEvent({ kind, provider: z.provider, region: z.region, zone: z.zone, detail: z.reason });
    }

    const unprobed: TargetHealth = { status: 'unprobed', failedRounds: 0, failingSince: undefined, upSince: undefined, writable: false };
    const { nodeKeys, databaseKeys } = listings;
    const targets = assessment.targets;
    // Views are reused while neither the listing nor the target's health changed: no per-node allocation in steady state.
    const nodeViews = this.reuseViews(this.nodeViews, allNodes, nodeKeys, targets, unprobed, listings, (node, health) => ({ node, health }));
    const databaseViews = this.reuseViews(this.databaseViews, allDatabases, databaseKeys, targets, unprobed, listings, (instance, health) => ({ instance, health }));
    this.nodeViews = nodeViews;
    this.viewsListing = listings;
    this.databaseViews = databaseViews;
    const regions = this.reader.regionsByProvider;
    if (!this.providerViews || this.providerViewsRegions !== regions) {
      const views = new Map<string, ProviderView>();
      for (const [id, provider] of this.providers) {
        views.set(id, { capabilities: provider.capabilities, regions: regions.get(id) ?? [] });
      }
      this.providerViews = views;
      this.providerViewsRegions = regions;
    }
    const providers = this.providerViews;
    const draft: Snapshot = {
      now,
      providers,
      zones: assessment.zones,
      nodes: nodeViews,
      databases: databaseViews,
      endpoints: listings.endpoints,
      loadBalancers: listings.loadBalancers,
      replicationFrom: assessment.replicationFrom,
      listedAt: this.reader.listedAt(),
      databasesListedAt: this.reader.databasesListedAt(),
      probedReplication: assessment.probedReplication,
      probedReplicationAt: assessment.probedReplicationAt,
      groups: this.options.groups,
      memory: this.remembered,
      pauses: this.pauses,
      inFlight: this.executor && this.executor.inFlight.size > 0 ? new Set(this.executor.inFlight) : NOTHING_IN_FLIGHT,
    };
    this.apply(rememberObservation(this.remembered, draft, this.options.policy), { kind: 'reconcile' });
    const snapshot: Snapshot = draft.memory === this.remembered ? draft : { ...draft, memory: this.remembered };
    this.lastSnapshot = snapshot;
    return snapshot;
  }

  private reuseViews<R, V extends { readonly health: TargetHealth }>(
    previous: readonly V[],
    resources: readonly R[],
    keys: readonly string[],
    targets: ReadonlyMap<string, TargetHealth>,
    unprobed: TargetHealth,
    listings: Listings,
    make: (resource: R, health: TargetHealth) => V,
  ): V[] {
    const sameListing = previous.length === resources.length && this.viewsListing === listings;
    const views: V[] = new Array(resources.length);
    for (let i = 0; i < resources.length; i++) {
      const health = targets.get(keys[i]!) ?? unprobed;
      const old = sameListing ? previous[i] : undefined;
      views[i] = old !== undefined && old.health === health ? old : make(resources[i]!, health);
    }
    return views;
  }

  /** A lookup of what we fenced; the same function until the fenced set changes (the tracker caches on it). */
  private fencedLookup(): (key: string) => boolean {
    const fenced = this.remembered.fenced;
    if (fenced !== this.fencedMap || !this.fencedFn) {
      // A new map with the same keys (a fence's time refreshed) keeps the function, so the tracker's cache holds.
      const changed = !this.fencedMap || this.fencedMap.size !== fenced.size || [...fenced.keys()].some((key) => !this.fencedMap!.has(key));
      this.fencedMap = fenced;
      if (changed || !this.fencedFn) this.fencedFn = fenced.size === 0 ? () => false : (key) => fenced.has(key);
    }
    return this.fencedFn;
  }

  /** Takes in a memory change: the new memory, then its events, then the journal hook. */
  private apply(change: MemoryChange, reason: MemoryChangeReason): void {
    this.remembered = change.memory;
    for (const event of change.events) this.emitEvent(event);
    this.options.onMemoryChange?.(this.remembered, reason);
  }

  private emitEvent(event: Omit<ControllerEvent, 't'>): void {
    const full: ControllerEvent = { t: this.options.clock.now(), ...event };
    this.emit(full.kind, full);
    this.emit('event', full);
  }
}
