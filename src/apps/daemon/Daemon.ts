import type { Clock } from '../../core/clock/Clock.js';
import { timeoutSignal } from '../../core/clock/Clock.js';
import type { Provider } from '../../core/contract/Provider.js';
import type { DatabaseInstance } from '../../core/contract/types.js';
import { Controller, type MemoryChangeReason } from '../../core/controller/Controller.js';
import type { ControllerEvent } from '../../core/controller/ControllerEvent.js';
import { emptyMemory, type ControllerMemory } from '../../core/controller/ControllerMemory.js';
import type { CreateReplicaStep, PromoteStep, Step } from '../../core/controller/Plan.js';
import { resolvePolicy, type Policy } from '../../core/controller/Policy.js';
import { resourceKey, zoneKey } from '../../core/controller/Snapshot.js';
import type { ZoneEvidence } from '../../core/health/types.js';
import { AuditLog } from './audit/AuditLog.js';
import type { AuditRecord } from './audit/AuditRecord.js';
import type { DaemonConfig } from './config/DaemonConfig.js';
import { DaemonMetrics } from './DaemonMetrics.js';
import { EventRing } from './EventRing.js';
import { Journal, type JournalState } from './journal/Journal.js';
import type { EtcdLeadership } from './leader/EtcdLeadership.js';
import type { LeaderTerm } from './leader/LeaderTerm.js';
import { LocalLock } from './LocalLock.js';
import { writePrivateFile } from './files/privateFiles.js';
import { formatPostMortem, postMortemFileName } from './PostMortem.js';
import { instrumentProvider } from './runtime/instrumentProvider.js';
import type { Runtime } from './runtime/buildRuntime.js';
import type { DaemonStatus } from './DaemonStatus.js';

/** Everything a {@link Daemon} needs. */
export interface DaemonOptions {
  readonly config: DaemonConfig;
  readonly runtime: Runtime;
  readonly clock: Clock;
  /** This daemon's id in the audit log. */
  readonly id: string;
  /** Uniform [0,1) for backoff jitter. */
  readonly random: () => number;
  /** Operational log lines (never credentials). */
  readonly log?: (line: string) => void;
  /** Test-only fault injection points (`before:op`, `after:op`, `done:op`, `switchover:fenced`). */
  readonly checkpoint?: (point: string) => void;
  /** Recent events kept for `/events` (default 500). */
  readonly eventCapacity?: number;
  /**
   * Leader election (the config's `etcd` section). Without it a lock file
   * next to the journal keeps a single daemon; with it several daemons run,
   * only the leader acts, and the journal lives in etcd.
   */
  readonly leadership?: EtcdLeadership;
  /** The lock file, when the caller took it already (before printing anything); default `<journal>.lock`. */
  readonly lock?: LocalLock;
}

/** Why a switchover request was refused: `status` is the HTTP status the API answers with. */
export class SwitchoverRefused extends Error {
  constructor(
    readonly status: 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = 'SwitchoverRefused';
  }
}

interface FailoverRecord {
  readonly kind: 'failover' | 'switchover';
  readonly from: string;
  readonly to: string;
  readonly zone?: string;
  readonly badSince?: number;
  readonly detectedAt?: number;
  readonly plannedAt: number;
  readonly estimatedLossSeconds?: number;
  readonly evidence?: ZoneEvidence;
  readonly reason: string;
}

/**
 * The long-lived failover daemon: one {@link Controller} on real time, with a
 * crash-safe journal of its memory, an audit log, metrics, a bounded event
 * timeline, pause/resume and planned switchovers. The HTTP API
 * (`DaemonApi`) is a thin layer over this class.
 *
 * On start it restores memory from the journal, assuming the safer state: a
 * promotion that was in flight is re-observed and only re-issued (the call is
 * idempotent) when the target is still a plain replica.
 */
export class Daemon {
  readonly metrics = new DaemonMetrics();
  readonly events: EventRing<ControllerEvent>;
  readonly audit: AuditLog;
  readonly journal: Journal;
  readonly policy: Policy;
  private readonly providers: Map<string, Provider>;
  private controller: Controller | undefined;
  private readonly lock: LocalLock;
  private term: LeaderTerm | undefined;
  private pausedBy: string | undefined;
  private switching: string | undefined;
  private cycle: Promise<unknown> | undefined;
  private readonly inFlight = new Map<string, Step>();
  /** The last cycle's plan, when it was held back because automatic actions are paused. */
  private held: readonly Step[] = [];
  private readonly badSince = new Map<string, number>();
  private readonly detectedAt = new Map<string, number>();
  private readonly failovers = new Map<string, FailoverRecord>();
  private readonly startedAt: number;
  private lastSwitchover: { database: string; state: string; detail: string } | undefined;

  constructor(private readonly options: DaemonOptions) {
    const { config, runtime, clock } = options;
    this.policy = resolvePolicy(config.policy);
    this.events = new EventRing(options.eventCapacity ?? 500);
    this.audit = new AuditLog(config.audit);
    this.journal = new Journal(config.journal, options.id, options.leadership === undefined);
    this.lock = options.lock ?? new LocalLock(`${config.journal}.lock`);
    this.startedAt = clock.now();
    const clusters = new Set(config.databases.map((d) => d.cluster));
    this.providers = new Map(
      runtime.providers.map((p) => [
        p.id,
        instrumentProvider(p, {
          clusters,
          onCall: (provider, operation, result) => this.metrics.adapterCalls.inc({ provider, operation, result }),
          beforeMutation: () => this.beforeMutation(),
          ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}),
        }),
      ]),
    );
  }

  /** Whether automatic actions are paused, and by whom. */
  get paused(): boolean {
    return this.pausedBy !== undefined;
  }

  /**
   * Runs until `signal` fires. Without etcd: takes the lock file, restores
   * the journal and leads. With etcd: campaigns for the leader key and leads
   * during each term it wins, from the memory the previous leader left in
   * etcd; between terms it only serves the leader's published status.
   *
   * @throws when another daemon holds the lock file or the journal is unreadable.
   */
  async run(signal: AbortSignal): Promise<void> {
    const leadership = this.options.leadership;
    if (!leadership) {
      this.lock.acquire();
      try {
        await this.lead(signal, this.journal.read(), undefined);
      } finally {
        this.record({ what: 'stop', why: 'signal received', result: 'ok', where: {} });
        this.lock.release();
      }
      return;
    }
    this.record({ what: 'start', why: `daemon started; campaigning for ${leadership.view().key}`, result: 'ok', where: {} });
    try {
      await leadership.run(signal, (term) => {
        this.journal.adopt(term.handover);
        return this.lead(term.signal, term.handover, term);
      });
    } finally {
      this.record({ what: 'stop', why: 'signal received', result: 'ok', where: {} });
    }
  }

  /**
   * Leads until `signal` fires: restores `state`, then runs controller cycles
   * every `probeInterval`. On abort it takes no new decision, lets calls in
   * flight finish (bounded by `callTimeout`; with etcd their results are no
   * longer written, and a new call is refused by the fencing check), and
   * writes the journal.
   */
  private async lead(signal: AbortSignal, state: JournalState | undefined, term: LeaderTerm | undefined): Promise<void> {
    const { clock } = this.options;
    const memory = this.restore(state);
    const controller: Controller = new Controller({
      providers: [...this.providers.values()],
      prober: this.options.runtime.prober,
      clock,
      policy: this.policy,
      groups: this.options.config.groups,
      watch: this.options.config.watch,
      random: this.options.random,
      memory,
      // A deposed term's calls may still return: their results are not this daemon's to record any more.
      onMemoryChange: (m, reason) => this.controller === controller && this.onMemoryChange(m, reason),
    });
    this.controller = controller;
    this.term = term;
    this.metrics.leader.set(1);
    controller.on('event', (event) => this.onEvent(event));
    controller.on('cycle', () => this.controller === controller && this.afterCycle());
    if (term) {
      term.source(() => ({ state: JSON.stringify(this.journal.state(controller.memory)), status: JSON.stringify(this.status()) }));
      this.record({ what: 'lead', why: `took the leader key (fencing token ${term.token}); memory ${term.handover ? `handed over by ${term.handover.daemon}` : 'empty (first leader)'}, ${this.journal.pending.length} unfinished step(s)`, result: 'ok', where: {} });
    } else {
      this.record({ what: 'start', why: `daemon started (journal ${this.journal.pending.length} unfinished step(s))`, result: 'ok', where: {} });
    }
    try {
      await this.reobserve(signal);
      while (!signal.aborted) {
        const started = clock.now();
        // Paused or not, every cycle observes (status, metrics and zone health stay live); paused, its plan is held back.
        if (this.switching === undefined) {
          this.cycle = controller
            .runCycle(signal, { hold: () => this.paused })
            .then((outcome) => this.controller === controller && this.onHeld(outcome.held ? outcome.plan.steps : []))
            .catch((error: unknown) => this.log(`cycle failed: ${(error as Error).message}`));
          await this.cycle;
          this.cycle = undefined;
        }
        const wait = Math.max(0, controller.nextProbeInterval() * 1000 - (clock.now() - started));
        await clock.sleep(wait, signal).catch(() => undefined);
      }
    } finally {
      await this.drain();
      this.metrics.leader.set(0);
      if (term) {
        this.record({ what: 'step-down', why: term.ended ?? 'leadership ended', result: 'ok', where: {} });
        this.controller = undefined;
        this.term = undefined;
        this.inFlight.clear();
      } else {
        this.journal.write(controller.memory);
      }
    }
  }

  /** The fencing check before every mutating adapter call (a no-op with the lock file, which the process holds for its life). */
  private beforeMutation(): Promise<void> | undefined {
    if (!this.options.leadership) return undefined;
    const term = this.term;
    if (!term) return Promise.reject(new Error('this daemon is not the leader'));
    return term.guard();
  }

  /**
   * Pauses automatic actions: cycles go on observing and deciding (status,
   * metrics, zone health and failover completion stay live), but no new step
   * is executed; what would run is shown in `/status` as `pausedPlan`. Calls
   * already in flight finish. A planned switchover is an operator's explicit
   * request and is not affected.
   */
  pause(who: string, why: string): void {
    this.pausedBy = who;
    this.metrics.paused.set(1);
    this.record({ who, what: 'pause', why, result: 'ok', where: {} });
  }

  /** Resumes automatic actions: the next cycle decides afresh and executes its plan. */
  resume(who: string, why: string): void {
    this.pausedBy = undefined;
    this.held = [];
    this.metrics.paused.set(0);
    this.record({ who, what: 'resume', why, result: 'ok', where: {} });
  }

  /**
   * Starts a planned switchover of `database` to `target` (or the best
   * caught-up replica): fence the old primary, wait until the target has
   * replayed everything (lag 0), then promote it. Checks what can be checked
   * up front and throws {@link SwitchoverRefused} without changing anything;
   * the rest runs in the background (see `status().switchover`).
   */
  switchover(who: string, database: string, target: string | undefined, signal: AbortSignal): { target: string; from: string } {
    const controller = this.controller;
    const snapshot = controller?.snapshot;
    const leadership = this.options.leadership;
    if (leadership && !this.term) throw new SwitchoverRefused(409, `this daemon is not the leader (the leader is ${leadership.view().id ?? 'unknown'}); ask the leader`);
    if (!controller || !snapshot) throw new SwitchoverRefused(409, 'the daemon has not observed the world yet');
    const views = snapshot.databases.filter((v) => v.instance.cluster === database);
    const record = controller.memory.clusters[database];
    if (views.length === 0 || !record) throw new SwitchoverRefused(404, `unknown database ${database}`);
    if (this.switching !== undefined) throw new SwitchoverRefused(409, `a switchover of ${this.switching} is under way`);
    if (record.promotion) throw new SwitchoverRefused(409, `${database}: a promotion of ${record.promotion.target} is under way`);
    const primary = views.find((v) => v.instance.id === record.primary && v.instance.provider === record.provider);
    if (!primary || primary.health.status !== 'up' || !primary.health.writable) {
      throw new SwitchoverRefused(409, `${database}: the primary ${record.primary} is not a healthy writable primary; a switchover needs one (failover is automatic)`);
    }
    const replicas = views.filter((v) => v.instance.role === 'replica' && v.instance.replication?.upstream === record.primary);
    let chosen;
    if (target !== undefined) {
      chosen = views.find((v) => v.instance.id === target);
      if (!chosen) throw new SwitchoverRefused(404, `${database} has no instance ${target}`);
      if (!replicas.includes(chosen)) throw new SwitchoverRefused(409, `${target} is not a replica of ${record.primary}`);
    } else {
      chosen = [...replicas]
        .filter((v) => v.instance.replication?.state === 'streaming' && v.health.status === 'up')
        .sort((a, b) => Number(b.instance.replication?.mode === 'sync') - Number(a.instance.replication?.mode === 'sync') || (a.instance.replication?.lagSeconds ?? Infinity) - (b.instance.replication?.lagSeconds ?? Infinity))[0];
      if (!chosen) throw new SwitchoverRefused(409, `${database}: no streaming replica to switch over to`);
    }
    const t = chosen.instance;
    if (t.replication?.state !== 'streaming' || chosen.health.status !== 'up') {
      throw new SwitchoverRefused(409, `${t.id} is not streaming from ${record.primary} and answering probes; it cannot catch up`);
    }
    if (snapshot.zones.get(zoneKey(t.provider, t.zone))?.state !== 'healthy') throw new SwitchoverRefused(409, `${t.id}'s zone ${t.zone} is not healthy`);
    const oldProvider = this.providers.get(primary.instance.provider)!;
    const newProvider = this.providers.get(t.provider)!;
    if (!oldProvider.capabilities.stopDatabase || !newProvider.capabilities.promoteReplica) {
      throw new SwitchoverRefused(409, `${database}: the providers cannot fence (stopDatabase) and promote here`);
    }
    this.switching = database;
    this.lastSwitchover = { database, state: 'running', detail: `${record.primary} -> ${t.id}` };
    void this.runSwitchover(who, database, primary.instance, t, signal).finally(() => (this.switching = undefined));
    return { target: t.id, from: primary.instance.id };
  }

  private async runSwitchover(who: string, database: string, old: DatabaseInstance, target: DatabaseInstance, signal: AbortSignal): Promise<void> {
    const { clock } = this.options;
    const controller = this.controller!;
    const memory = controller.memory;
    const oldProvider = this.providers.get(old.provider)!;
    const newProvider = this.providers.get(target.provider)!;
    const why = `planned switchover of ${database} requested by ${who}: ${old.id} -> ${target.id}`;
    const where = (db: DatabaseInstance) => ({ provider: db.provider, region: db.region, zone: db.zone, resource: db.id });
    const plannedAt = clock.now();
    try {
      // Wait for the cycle in flight to end: from here on nothing else acts on the world.
      await this.cycle;
      memory.fenced[resourceKey(old.provider, old.id)] = clock.now();
      this.journal.write(memory);
      await this.call(oldProvider, 'stopDatabase', signal, (o) => oldProvider.stopDatabase(old.id, o));
      this.record({ who, what: 'stopDatabase', why: `${why}: fence the old primary`, result: 'ok', where: where(old), database });
      this.options.checkpoint?.('switchover:fenced');
      // Lag 0 against a fenced primary means the target holds every committed write.
      const deadline = clock.now() + this.policy.promoteTimeout * 1000;
      let caughtUp = false;
      while (!signal.aborted && clock.now() < deadline) {
        const listed = await this.call(newProvider, 'listDatabases', signal, (o) => newProvider.listDatabases({ cluster: database }, o)).catch(() => []);
        const r = listed.find((d) => d.id === target.id)?.replication;
        if (r && r.state === 'streaming' && r.lagSeconds === 0 && (r.lagBytes === undefined || r.lagBytes === null || r.lagBytes === 0)) {
          caughtUp = true;
          break;
        }
        await clock.sleep(Math.min(1000, this.policy.probeInterval * 1000), signal).catch(() => undefined);
      }
      if (!caughtUp) {
        // Could not be done without loss: undo the fence (a stopped instance is started again).
        if (oldProvider.capabilities.rebootDatabase) await this.call(oldProvider, 'rebootDatabase', signal, (o) => oldProvider.rebootDatabase(old.id, o)).catch(() => undefined);
        delete memory.fenced[resourceKey(old.provider, old.id)];
        this.journal.write(memory);
        this.lastSwitchover = { database, state: 'aborted', detail: `${target.id} did not catch up in time; ${old.id} restarted` };
        this.record({ who, what: 'switchover', why, result: 'aborted: target did not catch up', where: where(target), database });
        return;
      }
      const step: PromoteStep = {
        operation: 'promoteReplica',
        key: `promote:${database}:${target.provider}:${target.id}`,
        provider: target.provider,
        region: target.region,
        zone: target.zone,
        cluster: database,
        target: target.id,
        from: old.id,
        estimatedLossSeconds: 0,
        reason: why,
      };
      const record = memory.clusters[database]!;
      const now = clock.now();
      record.promotion = { target: target.id, provider: target.provider, region: target.region, zone: target.zone, from: old.id, fromProvider: old.provider, detectedAt: now, startedAt: now };
      memory.issued[step.key] = now;
      this.failovers.set(database, { kind: 'switchover', from: old.id, to: target.id, zone: old.zone, plannedAt, estimatedLossSeconds: 0, reason: why });
      this.journal.stepStarted(memory, step, now);
      await this.call(newProvider, 'promoteReplica', signal, (o) => newProvider.promoteReplica(target.id, o));
      this.journal.stepFinished(memory, step);
      this.record({ who, what: 'promoteReplica', why, result: 'ok', where: where(target), database });
      this.lastSwitchover = { database, state: 'promoted', detail: `${target.id} promoted; ${old.id} fenced` };
    } catch (error) {
      this.lastSwitchover = { database, state: 'failed', detail: (error as Error).message };
      this.record({ who, what: 'switchover', why, result: `error: ${(error as Error).message}`, where: where(target), database });
    }
  }

  private async call<T>(provider: Provider, operation: string, parent: AbortSignal, fn: (o: { signal: AbortSignal }) => Promise<T>): Promise<T> {
    const { signal, dispose } = timeoutSignal(this.options.clock, this.policy.callTimeout * 1000, parent);
    try {
      return await fn({ signal });
    } catch (error) {
      throw new Error(`${provider.id} ${operation}: ${(error as Error).message}`, { cause: error });
    } finally {
      dispose();
    }
  }

  /** What `/status` shows. */
  status(): DaemonStatus {
    const leadership = this.options.leadership;
    if (leadership && !this.controller) return this.followerStatus(leadership);
    const controller = this.controller;
    const snapshot = controller?.snapshot;
    const memory = controller?.memory ?? emptyMemory();
    const zones = snapshot ? [...snapshot.zones.values()].map((z) => ({ provider: z.provider, region: z.region, zone: z.zone, state: z.state, since: new Date(z.since).toISOString(), reason: z.reason, evidence: z.evidence })) : [];
    const clusters = new Map<string, DatabaseInstance[]>();
    for (const v of snapshot?.databases ?? []) {
      let list = clusters.get(v.instance.cluster);
      if (!list) clusters.set(v.instance.cluster, (list = []));
      list.push(v.instance);
    }
    const databases = [...clusters].map(([cluster, instances]) => {
      const record = memory.clusters[cluster];
      return {
        database: cluster,
        primary: record?.primary,
        provider: record?.provider,
        primaryZone: instances.find((d) => d.id === record?.primary && d.provider === record?.provider)?.zone,
        failovers: record?.failovers ?? 0,
        promotion: record?.promotion ? { target: record.promotion.target, from: record.promotion.from, startedAt: new Date(record.promotion.startedAt).toISOString() } : undefined,
        replicas: instances
          .filter((d) => d.id !== record?.primary)
          .map((d) => ({ id: d.id, zone: d.zone, role: d.role, state: d.state, upstream: d.replication?.upstream, replication: d.replication?.state, lagSeconds: d.replication?.lagSeconds ?? null })),
      };
    });
    const groups = this.options.config.groups.map((g) => {
      const nodes = (snapshot?.nodes ?? []).filter((v) => v.node.group === g.id && v.node.provider === g.provider);
      return { group: g.id, provider: g.provider, region: g.region, minHealthy: g.minHealthy, healthy: nodes.filter((v) => v.node.state === 'running' && v.health.status === 'up').length, total: nodes.filter((v) => v.node.state !== 'terminated').length };
    });
    return {
      id: this.options.id,
      startedAt: new Date(this.startedAt).toISOString(),
      observedAt: snapshot ? new Date(snapshot.now).toISOString() : undefined,
      paused: this.paused,
      leader: leadership ? { ...leadership.view(), mode: 'etcd', lock: leadership.view().key } : { id: this.options.id, mode: 'local-lock', lock: `${this.options.config.journal}.lock`, self: true },
      zones,
      databases,
      groups,
      inFlight: [...this.inFlight.values()].map(describeStep),
      pausedPlan: this.paused ? this.held.map(describeStep) : [],
      switchover: this.lastSwitchover,
    };
  }

  /** A follower's `/status`: the leader's published picture, under this daemon's id. */
  private followerStatus(leadership: EtcdLeadership): DaemonStatus {
    let published: DaemonStatus | undefined;
    try {
      const text = leadership.leaderStatus();
      published = text ? (JSON.parse(text) as DaemonStatus) : undefined;
    } catch {
      published = undefined;
    }
    const view = leadership.view();
    return {
      id: this.options.id,
      startedAt: new Date(this.startedAt).toISOString(),
      observedAt: published?.observedAt,
      paused: this.paused,
      leader: { ...view, mode: 'etcd', lock: view.key },
      zones: published?.zones ?? [],
      databases: published?.databases ?? [],
      groups: published?.groups ?? [],
      inFlight: published?.inFlight ?? [],
      pausedPlan: published?.pausedPlan ?? [],
      switchover: published?.switchover,
    };
  }

  private restore(state: JournalState | undefined): ControllerMemory {
    if (!state) return emptyMemory();
    const memory = state.memory;
    const now = this.options.clock.now();
    for (const pending of this.journal.pending) {
      const { step } = pending;
      if (step.operation === 'promoteReplica') {
        const cluster = memory.clusters[step.cluster];
        // The safer state: the promotion may have happened. Keep watching it (fresh wait), never pick another candidate meanwhile.
        if (cluster?.promotion && cluster.promotion.target === step.target) cluster.promotion = { ...cluster.promotion, startedAt: now, uncertain: undefined };
      } else if (step.operation === 'createReplica') {
        // The replica stays pending (counted, never asked for under another id); `reobserve` checks
        // whether the call reached the provider and re-issues it under the same id if not.
      } else {
        // Fences stay recorded (assume it was fenced). Idempotent steps are planned again at once if still
        // needed (no settle wait for a call that may never have been made); a create keeps its pending record.
        if (step.operation !== 'createNode') delete memory.issued[step.key];
        this.journal.forget(step.key);
      }
      const reobserved = step.operation === 'promoteReplica' || step.operation === 'createReplica';
      this.record({ what: 'restore', why: `journal shows ${step.operation} ${'target' in step ? step.target : step.name} started at ${new Date(pending.startedAt).toISOString()} without a recorded end`, result: reobserved ? 're-observing' : 'will be re-planned if still needed', where: { provider: step.provider, region: step.region, zone: step.zone } });
    }
    return memory;
  }

  /** Re-observes promotions the journal shows in flight; re-issues the (idempotent) call only if the target is still a plain replica. */
  /**
   * A replica create the journal shows started but not finished: if the
   * provider lists the replica, the call took effect; otherwise it is sent
   * again under the same id (idempotent by id), so the replica is created
   * exactly once and without waiting out `nodeStartTimeout`.
   */
  private async reobserveCreateReplica(step: CreateReplicaStep, signal: AbortSignal): Promise<void> {
    const memory = this.controller!.memory;
    const provider = this.providers.get(step.provider);
    if (!provider) return;
    const where = { provider: step.provider, region: step.region, zone: step.zone, resource: step.target };
    const listed = await this.call(provider, 'listDatabases', signal, (o) => provider.listDatabases({ cluster: step.cluster }, o)).catch(() => undefined);
    if (listed === undefined) {
      this.record({ what: 'restore', why: `cannot list ${step.cluster} now; replica ${step.target} stays pending and is watched`, result: 'watching', where, database: step.cluster });
      return;
    }
    if (listed.some((d) => d.id === step.target)) {
      this.journal.stepFinished(memory, step);
      this.record({ what: 'restore', why: `${step.target} is listed: the create before the crash took effect; not re-issued`, result: 'ok', where, database: step.cluster });
      return;
    }
    await this.reissue(step, 'idempotent by id', signal, (o) =>
      provider.createReplica({ source: step.source, id: step.target, region: step.region, zone: step.zone }, o),
    );
  }

  /** Sends again a step the journal shows started without a recorded end, journaled and audited like the first time. */
  private async reissue(
    step: PromoteStep | CreateReplicaStep,
    idempotence: string,
    signal: AbortSignal,
    send: (o: { signal: AbortSignal }) => Promise<unknown>,
  ): Promise<void> {
    const memory = this.controller!.memory;
    const provider = this.providers.get(step.provider)!;
    const where = { provider: step.provider, region: step.region, zone: step.zone, resource: step.target };
    this.record({ what: step.operation, why: `re-issued after restart (${idempotence}): the journal shows the call may not have reached the provider; ${step.reason}`, result: 'started', where, database: step.cluster });
    this.journal.stepStarted(memory, step, this.options.clock.now());
    const outcome = await this.call(provider, step.operation, signal, send).then(
      () => 'ok',
      (error: Error) => `error: ${error.message}`,
    );
    this.journal.stepFinished(memory, step);
    this.record({ what: step.operation, why: 're-issued after restart', result: outcome, where, database: step.cluster });
  }

  private async reobserve(signal: AbortSignal): Promise<void> {
    const memory = this.controller!.memory;
    for (const pending of [...this.journal.pending]) {
      const step = pending.step;
      if (step.operation === 'createReplica') {
        await this.reobserveCreateReplica(step, signal);
        continue;
      }
      if (step.operation !== 'promoteReplica') continue;
      const provider = this.providers.get(step.provider);
      if (!provider) continue;
      const listed = await this.call(provider, 'listDatabases', signal, (o) => provider.listDatabases({ cluster: step.cluster }, o)).catch(() => undefined);
      const target = listed?.find((d) => d.id === step.target);
      const where = { provider: step.provider, region: step.region, zone: step.zone, resource: step.target };
      if (!target) {
        this.record({ what: 'restore', why: `cannot see ${step.target} now; the promotion stays in flight and is watched`, result: 'watching', where, database: step.cluster });
        continue;
      }
      if (target.role === 'primary' || target.state === 'promoting') {
        this.journal.stepFinished(memory, step);
        this.record({ what: 'restore', why: `${step.target} is ${target.role === 'primary' ? 'already primary' : 'promoting'}: the call before the crash took effect; not re-issued`, result: 'ok', where, database: step.cluster });
        continue;
      }
      await this.reissue(step, 'idempotent', signal, (o) => provider.promoteReplica(step.target, o));
    }
  }

  private onMemoryChange(memory: ControllerMemory, reason: MemoryChangeReason): void {
    const now = this.options.clock.now();
    if (reason.kind === 'step.start') {
      this.inFlight.set(reason.step.key, reason.step);
      this.journal.stepStarted(memory, reason.step, now);
      const s = reason.step;
      this.record({ what: s.operation, why: s.reason, result: 'started', where: { provider: s.provider, region: s.region, zone: s.zone, resource: 'target' in s ? s.target : s.name }, ...('cluster' in s ? { database: s.cluster } : {}) });
    } else if (reason.kind === 'step.result') {
      this.inFlight.delete(reason.step.key);
      this.journal.stepFinished(memory, reason.step);
      this.options.checkpoint?.(`done:${reason.step.operation}`);
    } else {
      this.journal.write(memory);
    }
    // Write-ahead for step starts happens in the fencing check before the call; the rest follows in the background.
    if (reason.kind !== 'step.start') this.term?.sync();
  }

  private onEvent(event: ControllerEvent): void {
    this.events.push(event);
    const zk = event.provider && event.zone ? zoneKey(event.provider, event.zone) : undefined;
    switch (event.kind) {
      case 'action': {
        const s = event.step!;
        this.record({ what: s.operation, why: s.reason, result: event.result ?? 'unknown', where: { provider: s.provider, region: s.region, zone: s.zone, resource: 'target' in s ? s.target : s.name }, ...('cluster' in s ? { database: s.cluster } : {}) });
        break;
      }
      case 'zone.impaired':
        if (zk) {
          const since = this.badSince.get(zk) ?? event.t;
          this.detectedAt.set(zk, event.t);
          this.metrics.detectionSeconds.observe((event.t - since) / 1000);
        }
        break;
      case 'failover.planned': {
        const step = event.step as PromoteStep;
        if (this.failovers.has(step.cluster)) break;
        const old = this.controller?.snapshot?.databases.find((v) => v.instance.id === step.from && v.instance.cluster === step.cluster)?.instance;
        const ok = old ? zoneKey(old.provider, old.zone) : undefined;
        const badSince = ok ? this.badSince.get(ok) : undefined;
        const detectedAt = ok ? this.detectedAt.get(ok) : undefined;
        const evidence = ok ? this.controller?.snapshot?.zones.get(ok)?.evidence : undefined;
        this.failovers.set(step.cluster, {
          kind: 'failover',
          from: step.from,
          to: step.target,
          ...(old ? { zone: old.zone } : {}),
          ...(badSince !== undefined ? { badSince } : {}),
          ...(detectedAt !== undefined ? { detectedAt } : {}),
          plannedAt: event.t,
          estimatedLossSeconds: step.estimatedLossSeconds,
          ...(evidence ? { evidence } : {}),
          reason: step.reason,
        });
        break;
      }
      case 'failover.failed':
        if (event.database) this.failovers.delete(event.database);
        break;
      case 'failover.completed':
        if (event.database) this.completed(event.database, event.t);
        break;
      default:
        break;
    }
  }

  private completed(database: string, t: number): void {
    const record = this.failovers.get(database);
    this.failovers.delete(database);
    const kind = record?.kind ?? 'failover';
    this.metrics.failovers.inc({ database, kind });
    const start = record?.badSince ?? record?.plannedAt;
    if (start !== undefined) this.metrics.failoverSeconds.observe((t - start) / 1000);
    if (!record) return;
    const from = (record.badSince ?? record.plannedAt) - 60_000;
    const timeline = this.events.toArray().filter((e) => e.t >= from);
    const actions = this.audit.records.filter((a) => Date.parse(a.time) >= from && (a.database === database || a.database === undefined));
    const text = formatPostMortem({ database, ...record, completedAt: t, timeline, actions });
    try {
      const file = writePrivateFile(this.options.config.reports, postMortemFileName(database, t), text);
      this.record({ what: 'report', why: `post-mortem of the ${kind} of ${database}`, result: 'ok', where: { resource: file }, database });
    } catch (error) {
      this.log(`cannot write the post-mortem: ${(error as Error).message}`);
    }
  }

  /** Keeps the held plan for `/status`, and audits each step the first time it is held back. */
  private onHeld(steps: readonly Step[]): void {
    const before = new Set(this.held.map((s) => s.key));
    this.held = steps;
    for (const s of steps) {
      if (before.has(s.key)) continue;
      this.record({ what: s.operation, why: s.reason, result: `held: automatic actions paused by ${this.pausedBy ?? 'an operator'}`, where: { provider: s.provider, region: s.region, zone: s.zone, resource: 'target' in s ? s.target : s.name }, ...('cluster' in s ? { database: s.cluster } : {}) });
    }
  }

  private afterCycle(): void {
    this.term?.sync();
    const snapshot = this.controller?.snapshot;
    if (!snapshot) return;
    for (const [key, z] of snapshot.zones) {
      this.metrics.setZone(z.provider, z.region, z.zone, z.state);
      const bad = z.state !== 'healthy' || z.evidence.probes.failing > 0 || z.evidence.probes.down > 0 || z.evidence.badVantagePoints.length > 0;
      if (bad && !this.badSince.has(key)) this.badSince.set(key, snapshot.now);
      if (!bad && z.state === 'healthy') {
        this.badSince.delete(key);
        this.detectedAt.delete(key);
      }
    }
  }

  /** Lets calls in flight end (each is bounded by callTimeout), so none is cut off mid-way by the exit. */
  private async drain(): Promise<void> {
    const { clock } = this.options;
    const deadline = clock.now() + this.policy.callTimeout * 1000 + 1000;
    while ((this.inFlight.size > 0 || this.switching !== undefined) && clock.now() < deadline) await clock.sleep(50);
    if (this.inFlight.size > 0) this.log(`exiting with ${this.inFlight.size} call(s) in flight; the journal has them and the next start re-observes them`);
  }

  private record(entry: Omit<AuditRecord, 'time' | 'who'> & { who?: string }): void {
    this.audit.append({ time: new Date(this.options.clock.now()).toISOString(), who: entry.who ?? this.options.id, what: entry.what, where: entry.where, why: entry.why, result: entry.result, ...(entry.database !== undefined ? { database: entry.database } : {}) });
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}

/** A plan step as `/status` shows it. */
function describeStep(s: Step): DaemonStatus['inFlight'][number] {
  return { operation: s.operation, provider: s.provider, zone: s.zone, target: 'target' in s ? s.target : s.name, reason: s.reason };
}
