import type { Clock } from '../../core/clock/Clock.js';
import type { Provider } from '../../core/contract/Provider.js';
import { Controller, type MemoryChangeReason } from '../../core/controller/Controller.js';
import type { ControllerEvent } from '../../core/controller/ControllerEvent.js';
import type { DaemonEvent, DaemonOwnEventKind } from './DaemonEvent.js';
import { emptyMemory, memoryFromJson, type ControllerMemory } from '../../core/controller/ControllerMemory.js';
import type { HeldStep, Step } from '../../core/controller/Plan.js';
import { NO_PAUSES, type OperatorPauses, type Pause } from '../../core/controller/OperatorPauses.js';
import { pausesFromJson, pausesToJson } from './pause/pausesJson.js';
import { RequestRefused } from './RequestRefused.js';
import { checkSwitchover } from '../../core/controller/planSwitchover.js';
import { resolvePolicy, type Policy } from '../../core/controller/Policy.js';
import { AuditLog } from './audit/AuditLog.js';
import type { AuditRecord } from './audit/AuditRecord.js';
import type { DaemonConfig } from './config/DaemonConfig.js';
import { DaemonMetrics } from './DaemonMetrics.js';
import { packageVersion } from './packageVersion.js';
import { EventRing } from './EventRing.js';
import { FailoverReports } from './FailoverReports.js';
import { Notifier, type NotifierAudit } from './hooks/Notifier.js';
import type { DaemonLogger } from './logging/DaemonLogger.js';
import { stepFields } from './logging/stepFields.js';
import { findMissingResources, type MissingResource } from './truth/findMissingResources.js';
import { checkProtectedResources, describeMissing } from './truth/checkProtectedResources.js';
import { isHookSetupError } from './hooks/HookSetupError.js';
import { Journal, type JournalState } from './journal/Journal.js';
import type { EtcdLeadership } from './leader/EtcdLeadership.js';
import type { LeaderTerm } from './leader/LeaderTerm.js';
import { LocalLock } from './LocalLock.js';
import { instrumentProvider } from './runtime/instrumentProvider.js';
import type { Runtime } from './runtime/buildRuntime.js';
import { buildDaemonStatus, type DaemonStatus } from './DaemonStatus.js';

/** Everything a {@link Daemon} needs. */
export interface DaemonOptions {
  readonly config: DaemonConfig;
  readonly runtime: Runtime;
  readonly clock: Clock;
  /** This daemon's id in the audit log. */
  readonly id: string;
  /** Uniform [0,1) for backoff jitter. */
  readonly random: () => number;
  /** Operational log lines (never credentials), when there is no {@link DaemonOptions.logger}. */
  readonly log?: (line: string) => void;
  /** The structured log: one line per plan, step start, step result, controller event and hook run. */
  readonly logger?: DaemonLogger;
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
  /** Where webhook secrets named by `secretEnv` are read (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

/** The webhook outbox of the daemon whose journal is `journal`: a folder beside it, as the lock file is. */
export function webhookOutboxFolder(journal: string): string {
  return `${journal}.outbox`;
}

/** How long a stopping daemon waits for running hooks and queued webhooks. */
const NOTIFY_GRACE_MS = 5000;

/** Why a config reload was refused (the running config is kept). */
export class ConfigReloadRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigReloadRefused';
  }
}

/** Why a switchover request was refused: `status` is the HTTP status the API answers with. */
export class SwitchoverRefused extends RequestRefused {
  constructor(status: 404 | 409, message: string) {
    super(status, message);
    this.name = 'SwitchoverRefused';
  }
}

/**
 * The long-lived failover daemon: one {@link Controller} on real time, with a
 * crash-safe journal of its memory, an audit log, metrics, a bounded event
 * timeline, pause/resume and planned switchovers. The HTTP API
 * (`DaemonApi`) is a thin layer over this class.
 *
 * It never calls an adapter itself: a switchover is an intent recorded in
 * the controller's memory (journaled, and in etcd with HA) that `decide`
 * plans and the Executor runs. On start it restores memory from the journal
 * and hands the controller the steps the journal shows unfinished; the world
 * wins over the journal: what is still needed is planned from what the
 * first cycle observes.
 */
export class Daemon {
  readonly metrics = new DaemonMetrics({ version: packageVersion() });
  readonly events: EventRing<DaemonEvent>;
  readonly audit: AuditLog;
  readonly journal: Journal;
  /** The policy in force (replaced by a reload). */
  policy: Policy;
  /** The config in force: policy, hooks and protected resources change on reload; the rest needs a restart. */
  private config: DaemonConfig;
  /** Set by a reload that changed the policy or the protected resources: the loop builds a new controller. */
  private reloadPending = false;
  /** Protected clusters (the providers' listings are filtered to them); updated in place on reload. */
  private readonly protectedClusters = new Set<string>();
  private readonly providers: Map<string, Provider>;
  private readonly reports: FailoverReports;
  /** Command hooks and webhooks. */
  readonly notifier: Notifier;
  private controller: Controller | undefined;
  private readonly lock: LocalLock;
  private term: LeaderTerm | undefined;
  /** Operators' pauses in force (with etcd, as last read from etcd by the leader or written by this daemon). */
  private pauses: OperatorPauses = NO_PAUSES;
  /** Set once an operator paused or resumed through this daemon: a journal read at start does not undo that. */
  private pausesTouched = false;
  /** With etcd: the pauses were read in the current term (no cycle runs before they are). */
  private pausesRead = false;
  private readonly inFlight = new Map<string, Step>();
  /** The last deciding cycle's held steps (paused, observe mode, awaiting approval). */
  private held: readonly HeldStep[] = [];
  /** The last deciding cycle's plan (steps with reasons) and notes, for `/status`. */
  private lastPlan: readonly Step[] = [];
  private lastNotes: readonly string[] = [];
  /** Cuts the pause between cycles short (an operator's request wakes the loop). */
  private wakeup = new AbortController();
  private readonly startedAt: number;
  private lastSwitchover: { database: string; state: string; detail: string } | undefined;
  /** Step keys of the last plan logged. */
  private lastLoggedPlan = '';

  constructor(private readonly options: DaemonOptions) {
    const { config, runtime, clock } = options;
    this.policy = resolvePolicy(config.policy);
    this.config = config;
    this.events = new EventRing(options.eventCapacity ?? 500);
    this.audit = new AuditLog(config.audit);
    this.journal = new Journal(config.journal, options.id, options.leadership === undefined);
    this.lock = options.lock ?? new LocalLock(`${config.journal}.lock`);
    this.startedAt = clock.now();
    this.reports = new FailoverReports({
      metrics: this.metrics,
      events: this.events,
      audit: this.audit,
      folder: config.reports,
      record: (entry) => this.record(entry),
      log: (line) => this.log(line),
    });
    this.notifier = new Notifier(config, {
      clock,
      daemon: options.id,
      env: options.env ?? process.env,
      audit: (entry) => this.onNotifierAudit(entry),
      log: (line) => this.warn(line),
    });
    const clusters = this.protectedClusters;
    for (const d of config.databases) clusters.add(d.cluster);
    for (const database of clusters) this.metrics.knowDatabase(database);
    for (const p of runtime.providers) this.metrics.knowProvider(p.id);
    this.providers = new Map(
      runtime.providers.map((p) => [
        p.id,
        instrumentProvider(p, {
          clusters,
          onCall: (provider, operation, result) => this.metrics.adapterCalls.inc({ provider, operation, result }),
          beforeMutation: () => this.beforeMutation(),
        }),
      ]),
    );
  }

  /** Whether automatic actions are paused for everything (`/status` lists the pauses of single databases too). */
  get paused(): boolean {
    return this.pauses.all !== undefined;
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
        // The journal's lock covers its outbox too.
        this.notifier.openOutbox(webhookOutboxFolder(this.config.journal));
        await this.lead(signal, this.journal.read(), undefined);
      } finally {
        await this.notifier.close(NOTIFY_GRACE_MS);
        this.record({ what: 'stop', why: 'signal received', result: 'ok', where: {} });
        this.lock.release();
      }
      return;
    }
    this.record({ what: 'start', why: `daemon started; campaigning for ${leadership.view().key}`, result: 'ok', where: {} });
    // Webhook deliveries are this daemon's own, leader or not; without the journal's lock file, the outbox takes its own.
    const outbox = webhookOutboxFolder(this.config.journal);
    const outboxLock = new LocalLock(`${outbox}.lock`);
    try {
      outboxLock.acquire();
      this.notifier.openOutbox(outbox);
    } catch (error) {
      this.warn(`webhook deliveries are kept in memory only (lost if this daemon dies): ${(error as Error).message}; give each daemon its own journal path`);
    }
    try {
      await leadership.run(signal, (term) => {
        this.journal.adopt(term.handover);
        return this.lead(term.signal, term.handover, term);
      });
    } finally {
      await this.notifier.close(NOTIFY_GRACE_MS);
      outboxLock.release();
      this.record({ what: 'stop', why: 'signal received', result: 'ok', where: {} });
    }
  }

  /**
   * Leads until `signal` fires: restores `state`, then runs controller cycles
   * every `probeInterval` (sooner when an operator's request wakes it). On
   * abort it takes no new decision, lets calls in flight finish (bounded by
   * `callTimeout`; with etcd their results are no longer written, and a new
   * call is refused by the fencing check), and writes the journal.
   */
  private async lead(signal: AbortSignal, state: JournalState | undefined, term: LeaderTerm | undefined): Promise<void> {
    const { clock } = this.options;
    const memory = state ? memoryFromJson(state.memory) : emptyMemory();
    // The journal's pauses hold across restarts (with etcd they are read from etcd before each cycle instead).
    if (!term && !this.pausesTouched && state?.pauses) this.setPauses(pausesFromJson(state.pauses));
    this.journal.setPauses(pausesToJson(this.pauses));
    this.pausesRead = false;
    const unfinished = this.journal.pending;
    let controller = this.newController(memory);
    this.term = term;
    this.metrics.leader.set(1);
    if (term) {
      term.source(() => ({ state: JSON.stringify(this.journal.state(controller.memory)), status: JSON.stringify(this.status()) }));
      this.record({ what: 'lead', why: `took the leader key (fencing token ${term.token}); memory ${term.handover ? `handed over by ${term.handover.daemon}` : 'empty (first leader)'}, ${unfinished.length} unfinished step(s)`, result: 'ok', where: {} });
    } else {
      this.record({ what: 'start', why: `daemon started (journal ${unfinished.length} unfinished step(s))`, result: 'ok', where: {} });
    }
    // The memory now says what each unfinished call may have done; the journal need not list them any more.
    controller.restart(unfinished);
    this.journal.forgetAll(controller.memory);
    try {
      while (!signal.aborted) {
        // A reloaded policy or protected set takes effect in a new controller, from the same memory, once no call is in flight
        // (the old controller's calls report to it). Health is observed afresh; memory (promotions, fences, intents) carries over.
        if (this.reloadPending && this.inFlight.size === 0) {
          this.reloadPending = false;
          controller = this.newController(controller.memory);
          this.log('the reloaded policy and protected resources are in force');
        }
        const started = clock.now();
        // With etcd, any daemon may have paused or resumed: no cycle decides before the pauses were read in this term.
        if (term) await this.readPauses();
        // Paused or not, every cycle observes (status, metrics and zone health stay live); decide holds what a pause covers.
        if (!term || this.pausesRead) {
          await controller
            .runCycle(signal, { pauses: this.pauses })
            .then((outcome) => this.controller === controller && this.onHeld(outcome.held))
            .catch((error: unknown) => this.log(`cycle failed: ${(error as Error).message}`));
        }
        const wait = Math.max(0, controller.nextProbeInterval() * 1000 - (clock.now() - started));
        const wake = this.wakeup.signal.aborted ? (this.wakeup = new AbortController()).signal : this.wakeup.signal;
        await clock.sleep(wait, AbortSignal.any([signal, wake])).catch(() => undefined);
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

  /** A controller on the current config, from `memory`, wired to this daemon; it becomes `this.controller`. */
  private newController(memory: ControllerMemory): Controller {
    const controller: Controller = new Controller({
      providers: [...this.providers.values()],
      prober: this.options.runtime.prober,
      clock: this.options.clock,
      policy: this.policy,
      groups: this.config.groups,
      watch: this.config.watch,
      random: this.options.random,
      memory,
      // A deposed term's (or a replaced controller's) calls may still return: their results are not this daemon's to record any more.
      onMemoryChange: (m, reason) => this.controller === controller && this.onMemoryChange(m, reason),
      prePromote: this.notifier.prePromote,
    });
    this.controller = controller;
    controller.on('event', (event) => this.controller === controller && this.onEvent(event));
    controller.on('cycle', (info) => {
      if (this.controller !== controller) return;
      if (info.decided) {
        this.logPlan(info.steps, info.notes);
        this.lastPlan = info.steps;
        this.lastNotes = info.notes;
      }
      this.afterCycle();
    });
    return controller;
  }

  /** The fencing check before every mutating adapter call (a no-op with the lock file, which the process holds for its life). */
  private beforeMutation(): Promise<void> | undefined {
    // Shadow mode's guarantee does not rest on decide alone: no mutating call leaves this process.
    if (this.policy.mode === 'observe') return Promise.reject(new Error('mode is observe: no mutating call is made'));
    if (!this.options.leadership) return undefined;
    const term = this.term;
    if (!term) return Promise.reject(new Error('this daemon is not the leader'));
    return term.guard();
  }

  /**
   * Pauses automatic actions, for everything or for one `database`: cycles
   * go on observing and deciding (status, metrics, zone health and failover
   * completion stay live), but `decide` holds every automatic step the
   * pause covers; what would run is shown in `/status` as `pausedPlan`.
   * Calls already in flight finish. A planned switchover or an approved
   * failover is an operator's explicit request: its steps run while paused
   * (and nothing automatic that follows it, such as re-pointing replicas,
   * does).
   *
   * The pause is recorded before this resolves: in the journal, or with
   * etcd under its own key, which the leader reads before every cycle, so
   * it holds across restarts and leader changes whichever daemon took it.
   *
   * @throws {@link RequestRefused} 404 for a database the daemon does not
   * protect, 503 when etcd does not take the pause (nothing changed).
   */
  async pause(who: string, why: string, database?: string): Promise<Pause> {
    this.checkDatabase(database);
    const pause: Pause = { by: who, at: this.options.clock.now(), reason: why };
    await this.storePause(database, pause);
    this.record({ who, what: 'pause', why, result: 'ok', where: {}, ...(database !== undefined ? { database } : {}) });
    this.ownEvent('operator.paused', `${who} paused automatic actions for ${database ?? 'everything'}: ${why}`, { by: who, database });
    return pause;
  }

  /**
   * Lifts the pause of everything (`database` undefined; pauses of single
   * databases stay) or of one database: the next cycle decides afresh and
   * runs its plan. Recorded as {@link Daemon.pause} is.
   *
   * @throws {@link RequestRefused} as {@link Daemon.pause}.
   */
  async resume(who: string, why: string, database?: string): Promise<void> {
    this.checkDatabase(database);
    await this.storePause(database, undefined);
    this.record({ who, what: 'resume', why, result: 'ok', where: {}, ...(database !== undefined ? { database } : {}) });
    this.ownEvent('operator.resumed', `${who} resumed automatic actions for ${database ?? 'everything'}${database === undefined ? ' (pauses of single databases stay)' : ''}: ${why}`, { by: who, database });
  }

  /** A daemon event of its own: into the timeline (`/events`, post-mortems) and to the webhooks that want it. */
  private ownEvent(kind: DaemonOwnEventKind, detail: string, fields: { by?: string; database?: string | undefined } = {}): void {
    const event: DaemonEvent = {
      t: this.options.clock.now(),
      kind,
      detail,
      ...(fields.by !== undefined ? { by: fields.by } : {}),
      ...(fields.database !== undefined ? { database: fields.database } : {}),
    };
    this.events.push(event);
    this.notifier.daemonEvent(kind, detail);
  }

  /**
   * Approves the failover of `database` that waits for an approval (policy
   * `approveFailovers`): recorded in the controller's memory (journaled,
   * and in etcd with HA) and planned by `decide` from the next cycle, as the
   * operator's step. Returns whether a failover was waiting; an approval
   * counts only for a failure that started before it.
   *
   * @throws {@link RequestRefused} 409 when approvals are off or this daemon
   * does not lead, 404 for an unknown database.
   */
  approve(who: string, database: string): { waiting: boolean } {
    const leadership = this.options.leadership;
    if (!this.policy.approveFailovers) throw new RequestRefused(409, 'failovers need no approval here (policy.approveFailovers is off)');
    if (leadership && !this.term) throw new RequestRefused(409, `this daemon is not the leader (the leader is ${leadership.view().id ?? 'unknown'}); ask the leader`);
    const controller = this.controller;
    if (!controller) throw new RequestRefused(409, 'the daemon has not started leading yet');
    this.checkDatabase(database);
    const waiting = this.held.some((h) => h.why === 'approval' && 'cluster' in h.step && h.step.cluster === database);
    controller.approve({ cluster: database, approvedBy: who, approvedAt: this.options.clock.now() });
    this.record({ who, what: 'approve', why: `failover of ${database} approved`, result: waiting ? 'accepted: planned from the next cycle' : 'accepted: no failover was waiting; it counts for none that starts later', where: {}, database });
    this.wakeup.abort();
    return { waiting };
  }

  /** @throws {@link RequestRefused} 404 when `database` is given and the daemon neither protects nor sees it. */
  private checkDatabase(database: string | undefined): void {
    if (database === undefined) return;
    const protectedNames = this.options.config.databases.map((d) => d.cluster);
    const known = protectedNames.length > 0 ? protectedNames.includes(database) : this.status().databases.some((d) => d.database === database);
    if (!known) throw new RequestRefused(404, `unknown database ${database}${protectedNames.length > 0 ? ` (protected: ${protectedNames.join(', ')})` : ''}`);
  }

  /** Records a pause (or lifts it: `undefined`) where the deployment keeps them, then applies it here and wakes the loop. */
  private async storePause(database: string | undefined, pause: Pause | undefined): Promise<void> {
    const shared = this.options.leadership?.pauses;
    if (shared) {
      try {
        await (pause ? shared.put(database, pause) : shared.delete(database));
      } catch (error) {
        throw new RequestRefused(503, `etcd did not record the ${pause ? 'pause' : 'resume'} (nothing changed): ${(error as Error).message}`);
      }
    }
    const databases = new Map(this.pauses.databases);
    let all = this.pauses.all;
    if (database === undefined) all = pause;
    else if (pause) databases.set(database, pause);
    else databases.delete(database);
    this.pausesTouched = true;
    this.setPauses({ ...(all ? { all } : {}), databases });
    if (!shared && this.controller) this.journal.write(this.controller.memory);
    this.wakeup.abort();
  }

  /** Takes in the pauses in force (metrics, the journal's copy). */
  private setPauses(pauses: OperatorPauses): void {
    this.pauses = pauses;
    this.journal.setPauses(pausesToJson(pauses));
    this.metrics.paused.set(pauses.all ? 1 : 0);
    const databases = new Set([...this.config.databases.map((d) => d.cluster), ...pauses.databases.keys()]);
    for (const database of databases) this.metrics.databasePaused.set({ database }, pauses.all || pauses.databases.has(database) ? 1 : 0);
  }

  /** With etcd: reads the pauses any daemon wrote; on failure keeps the last read (and a term that never read them runs no cycle). */
  private async readPauses(): Promise<void> {
    const shared = this.options.leadership?.pauses;
    if (!shared) return;
    try {
      const pauses = await shared.read();
      if (JSON.stringify(pausesToJson(pauses)) !== JSON.stringify(pausesToJson(this.pauses))) this.setPauses(pauses);
      this.pausesRead = true;
    } catch (error) {
      this.log(`cannot read the pauses from etcd${this.pausesRead ? '; keeping the last read' : '; not deciding until they are read'}: ${(error as Error).message}`);
    }
  }

  /**
   * Asks for a planned switchover of `database` to `target` (or the best
   * replica by the failover rules). Checks it against the latest snapshot
   * with the rules `decide` applies and throws {@link SwitchoverRefused}
   * with the reason, changing nothing, when they refuse it; otherwise
   * records it as an intent in the controller's memory (journaled before
   * this returns) and wakes the loop. `decide` then fences the primary,
   * waits for the target to catch up and promotes it (see `/status`).
   */
  switchover(who: string, database: string, target: string | undefined): { target: string; from: string } {
    const controller = this.controller;
    const snapshot = controller?.snapshot;
    const leadership = this.options.leadership;
    if (leadership && !this.term) throw new SwitchoverRefused(409, `this daemon is not the leader (the leader is ${leadership.view().id ?? 'unknown'}); ask the leader`);
    if (!controller || !snapshot) throw new SwitchoverRefused(409, 'the daemon has not observed the world yet');
    const memory = controller.memory;
    if (!memory.clusters.has(database) || !snapshot.databases.some((v) => v.instance.cluster === database)) throw new SwitchoverRefused(404, `unknown database ${database}`);
    if (target !== undefined && !snapshot.databases.some((v) => v.instance.cluster === database && v.instance.id === target)) throw new SwitchoverRefused(404, `${database} has no instance ${target}`);
    if (memory.intents.has(database)) throw new SwitchoverRefused(409, `a switchover of ${database} is under way`);
    const check = checkSwitchover({ ...snapshot, memory }, this.policy, { cluster: database, target });
    if ('refused' in check) {
      this.record({ who, what: 'switchover', why: `switchover of ${database}${target ? ` to ${target}` : ''} requested`, result: `refused: ${check.refused}`, where: {}, database });
      throw new SwitchoverRefused(409, check.refused);
    }
    const now = this.options.clock.now();
    controller.request({
      kind: 'switchover',
      cluster: database,
      ...(target !== undefined ? { target } : {}),
      requestedBy: who,
      requestedAt: now,
      deadline: now + this.policy.promoteTimeout * 1000,
    });
    this.lastSwitchover = { database, state: 'requested', detail: `${check.primary.instance.id} -> ${check.target.instance.id}` };
    this.wakeup.abort();
    return { target: check.target.instance.id, from: check.primary.instance.id };
  }

  /**
   * Takes a new config (SIGHUP), all or nothing: the policy, the hooks and
   * webhooks, and the protected resources (`protect:`). It is refused, and
   * the running config kept, when its policy is invalid, a webhook secret
   * cannot be read, or a protected resource is not listed by its provider.
   * Other sections (providers, api, journal, audit, etcd, id) need a
   * restart: a change there is reported, not applied. Audited either way;
   * a new policy or protected set takes effect in the next cycle without a
   * call in flight.
   *
   * @returns what was applied, in words.
   * @throws {@link ConfigReloadRefused} with the reason.
   */
  async reload(next: DaemonConfig): Promise<string> {
    const refuse = (why: string): never => {
      this.refuseReload(why);
      throw new ConfigReloadRefused(why);
    };
    let policy: Policy;
    try {
      policy = resolvePolicy(next.policy);
    } catch (error) {
      return refuse(`policy: ${(error as Error).message}`);
    }
    // The runtime's providers, not this daemon's: those list only the databases protected now.
    const truth = await checkProtectedResources(next, this.options.runtime.providers, this.options.clock);
    if (truth.missing.length > 0) refuse(`protected resources the providers do not list:\n${describeMissing(next.file, truth.missing)}`);
    try {
      this.notifier.reconfigure(next);
    } catch (error) {
      if (!isHookSetupError(error)) throw error;
      refuse(error.message);
    }
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    const old = this.config;
    const changed = [
      !same(old.policy, next.policy) && 'policy',
      !same([old.watch, old.groups, old.databases], [next.watch, next.groups, next.databases]) && 'protect',
      !same([old.hooks, old.notifications], [next.hooks, next.notifications]) && 'hooks/notifications',
    ].filter((c): c is string => c !== false);
    const restart = (['providers', 'api', 'journal', 'audit', 'reports', 'etcd', 'id', 'probes'] as const).filter((k) => !same(old[k], next[k]));
    // Sections that need a restart keep their running values.
    this.config = { ...old, policy: next.policy, watch: next.watch, groups: next.groups, databases: next.databases, ...(next.hooks ? { hooks: next.hooks } : { hooks: undefined }), ...(next.notifications ? { notifications: next.notifications } : { notifications: undefined }) } as DaemonConfig;
    this.policy = policy;
    this.protectedClusters.clear();
    for (const d of next.databases) {
      this.protectedClusters.add(d.cluster);
      this.metrics.knowDatabase(d.cluster);
    }
    if (changed.includes('policy') || changed.includes('protect')) {
      this.reloadPending = true;
      this.wakeup.abort();
    }
    const summary = `${changed.length > 0 ? `applied: ${changed.join(', ')}` : 'applied: nothing changed'}${restart.length > 0 ? `; changed but needing a restart (kept as running): ${restart.join(', ')}` : ''}`;
    this.metrics.configReloads.inc({ result: 'applied' });
    this.record({ what: 'reload', why: `SIGHUP: reloaded ${next.file}`, result: summary, where: {} });
    this.ownEvent('config.reloaded', `config reloaded from ${next.file}: ${summary}`);
    this.options.logger?.info({ event: 'config.reloaded', changed, restart }, `config reloaded: ${summary}`);
    return summary;
  }

  /** Records a refused reload (a config that does not parse is refused before it reaches {@link reload}). */
  refuseReload(why: string): void {
    this.metrics.configReloads.inc({ result: 'refused' });
    this.record({ what: 'reload', why: `SIGHUP: reload of ${this.config.file}`, result: `refused, the running config is kept: ${why}`, where: {} });
    this.ownEvent('config.refused', `config reload refused, the running config is kept: ${why}`);
    this.options.logger?.error({ event: 'config.refused' }, `config reload refused, the running config is kept: ${why}`);
  }

  /**
   * What `/healthz` shows: `ok` while every provider's calls succeed;
   * `degraded` with the reasons while some provider's calls keep failing
   * (credentials that stop loading, an API that refuses): the daemon is
   * alive and retries, so it answers 200 either way (a liveness check must
   * not restart it for a cloud's outage); alerting reads `status`.
   */
  health(): {
    ok: boolean;
    status: 'ok' | 'degraded';
    paused: boolean;
    problems: readonly { provider: string; operation: string; kind: string; failedCalls: number; message: string }[];
    missing: readonly { kind: string; id: string; message: string }[];
  } {
    const failures = this.options.runtime.providerFailures();
    const problems = failures.map((f) => ({ provider: f.provider, operation: f.operation, kind: f.kind, failedCalls: f.failedCalls, message: f.message }));
    const missing = this.missingResources(new Set(failures.map((f) => f.provider))).map((m) => ({ kind: m.kind, id: m.id, message: m.message }));
    const ok = problems.length === 0 && missing.length === 0;
    return { ok, status: ok ? 'ok' : 'degraded', paused: this.paused, problems, missing };
  }

  /** Protected resources the latest picture does not hold (judged only where the provider is being read without failures). */
  private missingResources(failing: ReadonlySet<string>): MissingResource[] {
    const snapshot = this.controller?.snapshot;
    if (!snapshot) return [];
    const config = this.config;
    const regions = new Map<string, ReadonlySet<string>>();
    for (const [id, view] of snapshot.providers) if (view.regions.length > 0 && !failing.has(id)) regions.set(id, new Set(view.regions.map((r) => r.id)));
    const listed = new Set(config.watch.filter((w) => !failing.has(w.provider)).map((w) => `${w.provider}/${w.region}`));
    return findMissingResources(config, { regions, databases: snapshot.databases.map((v) => v.instance), nodes: snapshot.nodes.map((v) => v.node), listed });
  }

  /** What `/status` shows. */
  status(): DaemonStatus {
    const leadership = this.options.leadership;
    if (leadership && !this.controller) return this.followerStatus(leadership);
    const controller = this.controller;
    return buildDaemonStatus({
      id: this.options.id,
      startedAt: this.startedAt,
      snapshot: controller?.snapshot,
      memory: controller?.memory ?? emptyMemory(),
      groups: this.config.groups,
      mode: this.policy.mode,
      pauses: this.pauses,
      leader: leadership ? { ...leadership.view(), mode: 'etcd', lock: leadership.view().key } : { id: this.options.id, mode: 'local-lock', lock: `${this.config.journal}.lock`, self: true },
      inFlight: [...this.inFlight.values()],
      plan: this.lastPlan,
      notes: this.lastNotes,
      held: this.held,
      switchover: this.lastSwitchover,
    });
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
      mode: published?.mode ?? this.policy.mode,
      paused: published?.paused ?? this.paused,
      pauses: published?.pauses ?? { databases: [] },
      leader: { ...view, mode: 'etcd', lock: view.key },
      zones: published?.zones ?? [],
      databases: published?.databases ?? [],
      groups: published?.groups ?? [],
      inFlight: published?.inFlight ?? [],
      plan: published?.plan ?? [],
      notes: published?.notes ?? [],
      pausedPlan: published?.pausedPlan ?? [],
      wouldDo: published?.wouldDo ?? [],
      awaitingApproval: published?.awaitingApproval ?? [],
      switchover: published?.switchover,
    };
  }

  private onMemoryChange(memory: ControllerMemory, reason: MemoryChangeReason): void {
    const now = this.options.clock.now();
    if (reason.kind === 'step.start') {
      this.inFlight.set(reason.step.key, reason.step);
      this.journal.stepStarted(memory, reason.step, now);
      const s = reason.step;
      this.options.logger?.info({ event: 'step.start', ...stepFields(s) }, `${s.operation} ${'target' in s ? s.target : s.name}: started`);
      this.record({ who: s.requestedBy, what: s.operation, why: s.reason, result: 'started', where: { provider: s.provider, region: s.region, zone: s.zone, resource: 'target' in s ? s.target : s.name }, ...('cluster' in s ? { database: s.cluster } : {}) });
    } else if (reason.kind === 'step.result') {
      this.inFlight.delete(reason.step.key);
      this.journal.stepFinished(memory, reason.step);
    } else {
      this.journal.write(memory);
    }
    if (reason.kind === 'intent') {
      const i = reason.intent;
      this.record({ who: i.requestedBy, what: 'switchover', why: `switchover of ${i.cluster}${i.target ? ` to ${i.target}` : ''} requested`, result: 'accepted: planned by the controller from the next cycle', where: {}, database: i.cluster });
    }
    // Write-ahead for step starts happens in the fencing check before the call; the rest follows in the background.
    if (reason.kind !== 'step.start') this.term?.sync();
  }

  private onEvent(event: ControllerEvent): void {
    this.events.push(event);
    // Step results get their own line (case 'action'); failover.step repeats them.
    if (event.kind !== 'action' && event.kind !== 'failover.step') {
      const warn = event.kind === 'zone.impaired' || event.kind === 'failover.failed' || event.kind === 'switchover.abandoned';
      this.options.logger?.[warn ? 'warn' : 'info'](
        { event: event.kind, provider: event.provider, region: event.region, zone: event.zone, database: event.database, group: event.group },
        event.detail,
      );
    }
    this.reports.onEvent(event, this.controller?.snapshot);
    this.notifier.onEvent(event, this.controller?.memory);
    const where = { provider: event.provider, region: event.region, zone: event.zone };
    switch (event.kind) {
      case 'action': {
        const s = event.step!;
        const ok = event.result === 'ok';
        this.options.logger?.[ok ? 'info' : 'warn']({ event: 'step.result', ...stepFields(s), result: event.result }, event.detail);
        this.record({ who: s.requestedBy, what: s.operation, why: s.reason, result: event.result ?? 'unknown', where: { ...where, resource: 'target' in s ? s.target : s.name }, ...('cluster' in s ? { database: s.cluster } : {}) });
        break;
      }
      case 'memory.restored':
      case 'memory.corrected':
        this.record({ what: 'restore', why: event.detail, result: event.kind === 'memory.corrected' ? 'memory corrected from observation' : 're-observing', where, ...(event.database ? { database: event.database } : {}) });
        break;
      case 'switchover.promoting':
      case 'switchover.refused':
      case 'switchover.abandoned': {
        const state = event.kind.slice('switchover.'.length);
        if (event.database) this.lastSwitchover = { database: event.database, state, detail: event.detail };
        if (event.kind !== 'switchover.promoting') this.record({ what: 'switchover', why: event.detail, result: state, where, ...(event.database ? { database: event.database } : {}) });
        break;
      }
      case 'failover.completed':
        if (event.database && this.lastSwitchover?.database === event.database && this.lastSwitchover.state === 'promoting') {
          this.lastSwitchover = { database: event.database, state: 'completed', detail: event.detail };
        }
        break;
      default:
        break;
    }
  }

  /** Keeps the held plan for `/status`, and audits each step the first time it is held back for a reason. */
  private onHeld(held: readonly HeldStep[]): void {
    const before = new Set(this.held.map((h) => `${h.why}|${h.step.key}`));
    this.held = held;
    for (const { step: s, why, detail } of held) {
      if (before.has(`${why}|${s.key}`)) continue;
      this.record({ what: s.operation, why: s.reason, result: why === 'observe' ? detail : `held: ${detail}`, where: { provider: s.provider, region: s.region, zone: s.zone, resource: 'target' in s ? s.target : s.name }, ...('cluster' in s ? { database: s.cluster } : {}) });
    }
  }

  private afterCycle(): void {
    this.term?.sync();
    const snapshot = this.controller?.snapshot;
    if (!snapshot) return;
    for (const z of snapshot.zones.values()) this.metrics.setZone(z.provider, z.region, z.zone, z.state);
    if (this.controller) {
      const memory = this.controller.memory;
      for (const database of memory.clusters.keys()) this.metrics.knowDatabase(database);
      this.metrics.observe(snapshot, memory, this.config.groups);
      this.notifier.observe(memory, snapshot);
    }
    this.reports.afterCycle(snapshot);
  }

  /** Lets calls in flight end (each is bounded by callTimeout), so none is cut off mid-way by the exit. */
  private async drain(): Promise<void> {
    const { clock } = this.options;
    const deadline = clock.now() + this.policy.callTimeout * 1000 + 1000;
    while (this.inFlight.size > 0 && clock.now() < deadline) await clock.sleep(50);
    if (this.inFlight.size > 0) this.log(`exiting with ${this.inFlight.size} call(s) in flight; the journal has them and the next start re-observes them`);
  }

  private record(entry: Omit<AuditRecord, 'time' | 'who'> & { who?: string | undefined }): void {
    this.audit.append({ time: new Date(this.options.clock.now()).toISOString(), who: entry.who ?? this.options.id, what: entry.what, where: entry.where, why: entry.why, result: entry.result, ...(entry.database !== undefined ? { database: entry.database } : {}) });
  }

  /** A hook run or webhook delivery ended: counted (its result starts with the outcome), logged and audited. */
  private onNotifierAudit(entry: NotifierAudit): void {
    const outcome = /^\w+/.exec(entry.result)?.[0] ?? 'unknown';
    if (entry.what === 'webhook') this.metrics.webhookDeliveries.inc({ result: outcome });
    else if (entry.what.startsWith('hook.')) this.metrics.hookRuns.inc({ hook: entry.what.slice('hook.'.length), result: outcome });
    const fields = { event: entry.what, database: entry.database, resource: entry.resource, result: entry.result };
    // A webhook delivery that failed or was dropped is a notification an operator did not get.
    if (entry.what === 'webhook' && (outcome === 'failed' || outcome === 'dropped')) this.options.logger?.warn(fields, `${entry.what}: ${entry.result}`);
    else this.options.logger?.info(fields, `${entry.what}: ${entry.result}`);
    this.record({ what: entry.what, why: entry.why, result: entry.result, where: entry.resource !== undefined ? { resource: entry.resource } : {}, ...(entry.database !== undefined ? { database: entry.database } : {}) });
  }

  private log(line: string): void {
    if (this.options.logger) this.options.logger.info({}, line);
    else this.options.log?.(line);
  }

  private warn(line: string): void {
    if (this.options.logger) this.options.logger.warn({}, line);
    else this.options.log?.(line);
  }

  /** One line per decision: when the plan's steps differ from the last plan logged (a plan waiting on its calls is not repeated each cycle). */
  private logPlan(steps: readonly Step[], notes: readonly string[]): void {
    const keys = steps.map((s) => s.key).join(' ');
    if (keys === this.lastLoggedPlan) return;
    this.lastLoggedPlan = keys;
    if (steps.length === 0) return;
    this.options.logger?.info({ event: 'plan', steps: steps.map(stepFields), notes, held: this.paused }, `plan: ${steps.map((s) => `${s.operation} ${'target' in s ? s.target : s.name}`).join(', ')}${this.paused ? ' (held: paused)' : ''}`);
  }
}
