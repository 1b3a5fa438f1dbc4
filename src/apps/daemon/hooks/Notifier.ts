import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Clock } from '../../../core/clock/Clock.js';
import type { ControllerEvent } from '../../../core/controller/ControllerEvent.js';
import type { ControllerMemory } from '../../../core/controller/ControllerMemory.js';
import type { PromoteStep } from '../../../core/controller/Plan.js';
import type { PrePromoteCheck, PrePromoteVerdict } from '../../../core/controller/PrePromoteCheck.js';
import type { Snapshot } from '../../../core/controller/Snapshot.js';
import { factsToEnv, type FailoverFacts } from './FailoverFacts.js';
import { HookSetupError } from './HookSetupError.js';
import type { HooksConfig, NotificationsConfig } from './hooksSchema.js';
import { describeHookExit, runHookCommand, type HookExit } from './runHookCommand.js';
import type { WebhookEvent, WebhookEventKind } from './WebhookEvent.js';
import { WebhookOutbox } from './WebhookOutbox.js';
import { WEBHOOK_QUEUE_CAPACITY, WebhookQueue, type WebhookResult } from './WebhookQueue.js';

/** Default time a promotion waits for the pre-promote hook. */
export const DEFAULT_PRE_PROMOTE_TIMEOUT_S = 10;
/** Default time a post-failover or role-change hook may run. */
export const DEFAULT_NOTIFY_HOOK_TIMEOUT_S = 30;
const DEFAULT_WEBHOOK_TIMEOUT_S = 5;
const DEFAULT_WEBHOOK_RETRIES = 5;

/** The parts of the daemon config the notifier reads (reloadable on SIGHUP). */
export interface NotifierConfig {
  readonly hooks?: HooksConfig;
  /** Webhook `secretFile` paths absolute. */
  readonly notifications?: NotificationsConfig;
}

/** One audit line, as the daemon records it. */
export interface NotifierAudit {
  readonly what: string;
  readonly why: string;
  readonly result: string;
  readonly database?: string;
  readonly resource?: string;
}

/** What a {@link Notifier} reports to. */
export interface NotifierOptions {
  readonly clock: Clock;
  /** The daemon's id, in every payload and hook environment. */
  readonly daemon: string;
  /** Where webhook secrets named by `secretEnv` are read. */
  readonly env: NodeJS.ProcessEnv;
  readonly audit: (entry: NotifierAudit) => void;
  /** Operational lines (an outbox entry that cannot be read or written). */
  readonly log?: (line: string) => void;
}

/**
 * The daemon's hooks and webhooks. Every hook run and webhook delivery is
 * audited. Nothing here blocks the control loop: post-failover and
 * role-change hooks run in the background (bounded by their timeouts),
 * webhooks are delivered from a queue per URL; only the pre-promote hook is
 * waited for, by the promote step it belongs to, up to its timeout.
 *
 * Pre-promote verdicts: exit 0 proceeds; any other exit code vetoes; a hook
 * that does not exit within its timeout proceeds (or vetoes, with
 * `onTimeout: veto`); a hook that cannot start or is killed by a signal it
 * was not sent (a crash) proceeds: only a deliberate answer stops a
 * failover.
 */
export class Notifier {
  private config: NotifierConfig = {};
  private queues: WebhookQueue[] = [];
  /** Set by {@link openOutbox}; until then deliveries live in memory only. */
  private outbox: WebhookOutbox | undefined;
  private readonly running = new Set<Promise<unknown>>();
  /** Fires at the end of {@link close}'s grace: pending webhook retries end, running hooks are killed. */
  private readonly stopping = new AbortController();
  /** The last promote step per database, for the post-failover and role-change facts. */
  private readonly promotes = new Map<string, PromoteStep>();
  /** The primary and its zone per database, as last observed. */
  private readonly primaries = new Map<string, { id: string; zone: string | undefined }>();

  /** The pre-promote check the controller asks (always the current config's hook). */
  readonly prePromote: PrePromoteCheck = { check: (step, signal) => this.checkPromotion(step, signal) };

  /** @throws {@link HookSetupError} when a webhook's secret cannot be read. */
  constructor(
    config: NotifierConfig,
    private readonly options: NotifierOptions,
  ) {
    this.reconfigure(config);
  }

  /**
   * Makes deliveries durable from now on: each is written to the outbox
   * `folder` before its first attempt (see {@link WebhookOutbox}). Then
   * sends what a previous run left there. Call it once, when this daemon
   * owns the folder (holds its lock), before events come. Each entry left
   * goes to the configured webhook with the same URL, signed with its
   * current secret, with the attempts it already had counted; one whose URL
   * is no longer configured is dropped (audited): there is no secret to
   * sign it with.
   */
  openOutbox(folder: string): void {
    if (this.outbox) return;
    this.outbox = new WebhookOutbox(folder, (line) => this.options.log?.(line));
    for (const queue of this.queues) queue.useOutbox(this.outbox);
    for (const entry of this.outbox.load()) {
      const queue = this.queues.find((q) => q.target.url === entry.url);
      if (queue) {
        queue.restore(entry);
        continue;
      }
      this.outbox.remove(entry);
      this.onDelivery({ url: entry.url, event: entry.event, outcome: 'dropped', attempts: entry.attempts, detail: 'left in the outbox by a previous run, and no webhook with this URL is configured now' });
    }
  }

  /**
   * Takes a new config (SIGHUP): its secrets are read first, so a bad one
   * changes nothing. A webhook whose URL stays keeps its queue (and its
   * `maxPending` bound) with the new settings; deliveries queued for the
   * webhooks removed still go out.
   *
   * @throws {@link HookSetupError} when a webhook's secret cannot be read.
   */
  reconfigure(config: NotifierConfig): void {
    const targets = (config.notifications?.webhooks ?? []).map((w, i) => ({
      url: w.url,
      events: new Set(w.events),
      secret: this.readSecret(w.secretEnv, w.secretFile, i),
      timeoutMs: (w.timeout ?? DEFAULT_WEBHOOK_TIMEOUT_S) * 1000,
      retries: w.retries ?? DEFAULT_WEBHOOK_RETRIES,
      maxPending: w.maxPending ?? WEBHOOK_QUEUE_CAPACITY,
    }));
    const old = [...this.queues];
    const queues = targets.map((target) => {
      const kept = old.findIndex((q) => q.target.url === target.url);
      if (kept < 0) return new WebhookQueue(target, this.options.clock, this.stopping.signal, (result) => this.onDelivery(result), this.outbox);
      const [queue] = old.splice(kept, 1);
      queue!.retarget(target);
      return queue!;
    });
    this.config = config;
    this.queues = queues;
    if (old.length > 0) this.track(Promise.all(old.map((q) => q.drained())));
  }

  /** Takes in a controller event: webhooks for the subscribed kinds, the post-failover hook on completion. */
  onEvent(event: ControllerEvent, memory: ControllerMemory | undefined): void {
    const step = event.step;
    if (step?.operation === 'promoteReplica') this.promotes.set(step.cluster, step);
    let facts: FailoverFacts | undefined;
    if (event.kind === 'failover.completed' && event.database) {
      const cluster = memory?.clusters.get(event.database);
      const promote = this.promotes.get(event.database);
      const newPrimary = cluster?.primary ?? promote?.target ?? '';
      const fromPromote = promote && promote.target === newPrimary ? promote : undefined;
      facts = {
        hook: 'post-failover',
        database: event.database,
        ...((cluster?.previousPrimary?.id ?? fromPromote?.from) !== undefined ? { oldPrimary: cluster?.previousPrimary?.id ?? fromPromote!.from } : {}),
        newPrimary,
        ...(cluster?.previousPrimary?.zone !== undefined ? { oldZone: cluster.previousPrimary.zone } : {}),
        ...(event.zone !== undefined ? { newZone: event.zone } : {}),
        provider: event.provider ?? cluster?.provider ?? '',
        ...(event.region !== undefined ? { region: event.region } : {}),
        reason: fromPromote?.reason ?? event.detail,
        ...(fromPromote ? { stepId: fromPromote.key } : {}),
        daemon: this.options.daemon,
        time: this.isoTime(event.t),
      };
      const hook = this.config.hooks?.postFailover;
      if (hook) this.runInBackground('postFailover', hook.command, hook.timeout ?? DEFAULT_NOTIFY_HOOK_TIMEOUT_S, facts);
    }
    this.send(event.kind, {
      detail: event.detail,
      time: event.t,
      ...(event.database !== undefined ? { database: event.database } : {}),
      ...(event.provider !== undefined ? { provider: event.provider } : {}),
      ...(event.region !== undefined ? { region: event.region } : {}),
      ...(event.zone !== undefined ? { zone: event.zone } : {}),
      ...(event.group !== undefined ? { group: event.group } : {}),
      ...(step ? { step: { ...step } } : {}),
      ...(event.result !== undefined ? { result: event.result } : {}),
      ...(facts ? { facts: factsToEnv(facts) } : {}),
    });
  }

  /**
   * After each cycle: a database whose primary (as the controller holds it)
   * differs from the last one seen runs the role-change hook and sends
   * `role.changed`, whoever made the change. The first sight of a database
   * only records its primary.
   */
  observe(memory: ControllerMemory, snapshot: Snapshot | undefined): void {
    for (const [database, cluster] of memory.clusters) {
      const zone = snapshot?.databases.find((v) => v.instance.cluster === database && v.instance.id === cluster.primary)?.instance.zone;
      const before = this.primaries.get(database);
      this.primaries.set(database, { id: cluster.primary, zone: zone ?? (before?.id === cluster.primary ? before.zone : undefined) });
      if (!before || before.id === cluster.primary) continue;
      const promote = this.promotes.get(database);
      const ours = promote && promote.target === cluster.primary ? promote : undefined;
      const facts: FailoverFacts = {
        hook: 'role-change',
        database,
        oldPrimary: before.id,
        newPrimary: cluster.primary,
        ...(before.zone !== undefined ? { oldZone: before.zone } : {}),
        ...(zone !== undefined ? { newZone: zone } : {}),
        provider: cluster.provider,
        ...(ours ? { region: ours.region } : {}),
        reason: ours?.reason ?? `observed: the provider lists ${cluster.primary} as the primary (was ${before.id})`,
        ...(ours ? { stepId: ours.key } : {}),
        daemon: this.options.daemon,
        time: this.isoTime(this.options.clock.now()),
      };
      const hook = this.config.hooks?.roleChange;
      if (hook) this.runInBackground('roleChange', hook.command, hook.timeout ?? DEFAULT_NOTIFY_HOOK_TIMEOUT_S, facts);
      this.send('role.changed', { detail: `${database}: ${cluster.primary} is the primary (was ${before.id})`, time: this.options.clock.now(), database, provider: cluster.provider, ...(zone !== undefined ? { zone } : {}), facts: factsToEnv(facts) });
    }
  }

  /** Sends a daemon event (`config.reloaded`, `config.refused`, ...) to the webhooks that want it. */
  daemonEvent(kind: WebhookEventKind, detail: string): void {
    this.send(kind, { detail, time: this.options.clock.now() });
  }

  /**
   * Waits up to `graceMs` for running hooks and queued webhooks, then kills
   * the hooks still running and leaves the deliveries still waiting in the
   * outbox for the next start (each is audited as postponed).
   */
  async close(graceMs: number): Promise<void> {
    const settled = (async () => {
      while (this.running.size > 0) await Promise.allSettled([...this.running]);
      await Promise.all(this.queues.map((q) => q.drained()));
    })();
    const cancel = this.options.clock.setTimer(graceMs, () => this.stopping.abort());
    try {
      await Promise.race([settled, new Promise<void>((resolve) => this.stopping.signal.addEventListener('abort', () => resolve(), { once: true }))]);
      this.stopping.abort();
      await settled;
    } finally {
      cancel();
    }
  }

  private async checkPromotion(step: PromoteStep, signal: AbortSignal): Promise<PrePromoteVerdict> {
    const hook = this.config.hooks?.prePromote;
    if (!hook) return { proceed: true, reason: 'no pre-promote hook' };
    const cluster = step.cluster;
    const oldPrimary = this.primaries.get(cluster);
    const facts: FailoverFacts = {
      hook: 'pre-promote',
      database: cluster,
      oldPrimary: step.from,
      newPrimary: step.target,
      ...(oldPrimary?.id === step.from && oldPrimary.zone !== undefined ? { oldZone: oldPrimary.zone } : {}),
      ...(step.zone !== undefined ? { newZone: step.zone } : {}),
      provider: step.provider,
      region: step.region,
      reason: step.reason,
      stepId: step.key,
      estimatedLossSeconds: step.estimatedLossSeconds,
      daemon: this.options.daemon,
      time: this.isoTime(this.options.clock.now()),
    };
    const timeout = hook.timeout ?? DEFAULT_PRE_PROMOTE_TIMEOUT_S;
    const exit = await runHookCommand(hook.command, factsToEnv(facts), timeout * 1000, this.options.clock, signal);
    const verdict = prePromoteVerdict(exit, hook.onTimeout ?? 'proceed');
    const result = `${verdict.proceed ? 'proceed' : 'veto'}: ${verdict.reason}`;
    this.options.audit({ what: 'hook.prePromote', why: `promote ${step.target} (was ${step.from}): ${step.reason}`, result, database: cluster, resource: step.target });
    this.send('hook.result', { detail: `pre-promote hook: ${result}`, time: this.options.clock.now(), database: cluster, provider: step.provider, facts: factsToEnv(facts), result: verdict.proceed ? 'proceed' : 'veto' });
    return verdict;
  }

  private runInBackground(name: 'postFailover' | 'roleChange', command: readonly string[], timeoutS: number, facts: FailoverFacts): void {
    const run = runHookCommand(command, factsToEnv(facts), timeoutS * 1000, this.options.clock, this.stopping.signal).then((exit) => {
      const ok = exit.kind === 'exited' && exit.code === 0;
      const result = `${ok ? 'ok' : 'failed'}: ${describeHookExit(exit)}`;
      this.options.audit({ what: `hook.${name}`, why: `${facts.database}: ${facts.newPrimary} is the primary (was ${facts.oldPrimary ?? 'unknown'}); ${facts.reason}`, result, database: facts.database, resource: facts.newPrimary });
      this.send('hook.result', { detail: `${facts.hook} hook: ${result}`, time: this.options.clock.now(), database: facts.database, facts: factsToEnv(facts), result: ok ? 'ok' : 'failed' });
    });
    this.track(run);
  }

  private send(kind: WebhookEventKind, fields: Omit<WebhookEvent, 'id' | 'kind' | 'time' | 'daemon'> & { time: number }): void {
    const wanting = this.queues.filter((q) => q.wants(kind));
    if (wanting.length === 0) return;
    const event: WebhookEvent = { ...fields, id: randomUUID(), kind, time: this.isoTime(fields.time), daemon: this.options.daemon };
    for (const queue of wanting) queue.push(event);
  }

  private onDelivery(result: WebhookResult): void {
    // Deliveries of hook.result are audited as any other; a failed delivery is never re-announced by webhook (no loops).
    this.options.audit({
      what: 'webhook',
      why: `${result.event.kind} ${result.event.id}${result.event.database ? ` (${result.event.database})` : ''} to ${redactUrl(result.url)}`,
      result: `${result.outcome} after ${result.attempts} attempt(s): ${result.detail}`,
      ...(result.event.database !== undefined ? { database: result.event.database } : {}),
    });
  }

  private readSecret(env: string | undefined, file: string | undefined, index: number): string {
    const where = `notifications.webhooks[${index}]`;
    if (env !== undefined) {
      const value = this.options.env[env];
      if (!value) throw new HookSetupError(`${where}.secretEnv: environment variable ${env} is not set (it holds the webhook's signing secret)`);
      return value;
    }
    let text: string;
    try {
      text = readFileSync(file!, 'utf8');
    } catch (error) {
      throw new HookSetupError(`${where}.secretFile: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const secret = text.replace(/\r?\n$/, '');
    if (secret.length < 16) throw new HookSetupError(`${where}.secretFile: ${file} holds fewer than 16 characters; use a long random secret`);
    return secret;
  }

  private track(promise: Promise<unknown>): void {
    this.running.add(promise);
    void promise.finally(() => this.running.delete(promise));
  }

  private isoTime(ms: number): string {
    return new Date(ms).toISOString();
  }
}

/** The verdict of a pre-promote hook's exit (see {@link Notifier}). */
export function prePromoteVerdict(exit: HookExit, onTimeout: 'proceed' | 'veto'): PrePromoteVerdict {
  const reason = describeHookExit(exit);
  switch (exit.kind) {
    case 'exited':
      return { proceed: exit.code === 0, reason };
    case 'timeout':
      return { proceed: onTimeout === 'proceed', reason: `${reason} (onTimeout: ${onTimeout})` };
    case 'crashed':
    case 'failed-to-start':
      return { proceed: true, reason: `${reason} (a crash is not an answer: proceeding)` };
  }
}

/** A URL without credentials or query (a token in a URL must not reach the audit log). */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}
