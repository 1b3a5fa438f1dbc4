import { Etcd3, EtcdLeaseInvalidError, type IOptions, type Lease } from 'etcd3';
import type { Clock } from '../../../core/clock/Clock.js';
import type { JournalState } from '../journal/Journal.js';
import { EtcdPauses } from './EtcdPauses.js';
import type { LeaderTerm, TermTexts } from './LeaderTerm.js';

/** Settings of {@link EtcdLeadership}. */
export interface EtcdLeadershipOptions {
  /** etcd client URLs (`http://127.0.0.1:2379`). */
  readonly endpoints: readonly string[];
  /** Key prefix shared by the daemons of one deployment. */
  readonly prefix: string;
  /** Leader lease time to live, in seconds (etcd's minimum is 1). */
  readonly ttlSeconds: number;
  /** This daemon's id, written into the leader key. */
  readonly id: string;
  readonly clock: Clock;
  readonly log?: (line: string) => void;
}

/** Who leads, as this daemon last saw it. */
export interface LeaderView {
  /** The leader's daemon id, if any daemon holds the key. */
  readonly id: string | undefined;
  /** True while this daemon holds a valid term. */
  readonly self: boolean;
  /** The leader key. */
  readonly key: string;
  /** The fencing token of the term this daemon holds. */
  readonly token?: string;
  /** When the leader took the key (ISO). */
  readonly since?: string;
}

interface LeaderRecord {
  readonly id: string;
  readonly lease: string;
  readonly since: number;
}

/**
 * Runs on every call: one attempt, no retry, no circuit breaker. The
 * library's defaults (3 retries; a breaker that stays open 5 s after 3
 * failures) would hide etcd's state from our own loop, which retries on the
 * injected clock and must see a recovered etcd at once.
 */
const ONE_ATTEMPT = {
  execute: <T>(fn: (context: { signal: AbortSignal; attempt: number }) => PromiseLike<T> | T) => Promise.resolve().then(() => fn({ signal: new AbortController().signal, attempt: 0 })),
} as unknown as NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

/**
 * Leader election on etcd with a fencing token, after Patroni's leader key:
 * a daemon leads while it holds `<prefix>/leader`, created by a put-if-absent
 * transaction and bound to its lease.
 *
 * - The token is the key's create revision and lease id; every mutating step
 *   is preceded by a transaction that compares both ({@link LeaderTerm.guard}),
 *   so a deposed leader cannot act even if it does not know yet.
 * - A leader stops acting `ttl/2` after the send time of its last successful
 *   keepalive (injected clock), so a leader cut off from etcd has stopped long
 *   before its lease can expire and another daemon take the key.
 * - The controller memory and the steps in flight live in `<prefix>/state`,
 *   written under the token before every mutating call (write-ahead) and read
 *   by the next leader; the leader's `/status` goes to `<prefix>/status` for
 *   followers to serve.
 *
 * Keepalives go every `ttl/5`, and every etcd call is cut off after `ttl/5`,
 * so a leader has two chances to renew before it stops acting.
 */
export class EtcdLeadership {
  private readonly client: Etcd3;
  private readonly keys: { readonly leader: string; readonly state: string; readonly status: string };
  private readonly ttlMs: number;
  private readonly callMs: number;
  private seen: LeaderRecord | undefined;
  private term: EtcdTerm | undefined;
  private followerStatus: string | undefined;
  /** Operators' pauses, shared by every daemon of the deployment. */
  readonly pauses: EtcdPauses;

  constructor(private readonly options: EtcdLeadershipOptions) {
    this.client = new Etcd3({ hosts: [...options.endpoints], dialTimeout: 2000, faultHandling: { global: ONE_ATTEMPT, host: () => ONE_ATTEMPT } });
    const prefix = options.prefix.replace(/\/+$/, '');
    this.keys = { leader: `${prefix}/leader`, state: `${prefix}/state`, status: `${prefix}/status` };
    this.ttlMs = options.ttlSeconds * 1000;
    this.callMs = Math.max(200, this.ttlMs / 5);
    this.pauses = new EtcdPauses(this.client, prefix, () => this.deadline());
  }

  /** Who leads, as last seen. */
  view(): LeaderView {
    const term = this.term;
    if (term && term.ended === undefined) return { id: this.options.id, self: true, key: this.keys.leader, token: term.token, since: new Date(term.since).toISOString() };
    return { id: this.seen?.id, self: false, key: this.keys.leader, ...(this.seen ? { since: new Date(this.seen.since).toISOString() } : {}) };
  }

  /** The `/status` body the leader last published (JSON), for a follower to serve. */
  leaderStatus(): string | undefined {
    return this.followerStatus;
  }

  /**
   * Campaigns until `signal` fires; each time this daemon wins the key, runs
   * `lead` with the new term and waits for it to return (it must return soon
   * after the term's signal fires), then resigns (revokes the lease) and
   * campaigns again.
   */
  async run(signal: AbortSignal, lead: (term: LeaderTerm) => Promise<void>): Promise<void> {
    const { clock } = this.options;
    const poll = Math.min(1000, this.ttlMs / 5);
    let lastError = '';
    try {
      while (!signal.aborted) {
        let term: EtcdTerm | undefined;
        try {
          term = await this.campaign(signal);
          lastError = '';
        } catch (error) {
          const message = (error as Error).message;
          if (message !== lastError) this.log(`etcd: ${message}`);
          lastError = message;
        }
        if (!term) {
          await clock.sleep(poll, signal).catch(() => undefined);
          continue;
        }
        this.term = term;
        this.log(`leading (token ${term.token})`);
        const keeper = this.keepAlive(term, signal);
        try {
          await lead(term);
        } finally {
          term.end(signal.aborted ? 'daemon stopping' : 'leader loop ended');
          await keeper;
          await this.resign(term);
          this.log(`stepped down: ${term.ended}`);
        }
      }
    } finally {
      this.client.close();
    }
  }

  /** One campaign round: reads the key; when free, tries to take it. Resolves with a term when won. */
  private async campaign(signal: AbortSignal): Promise<EtcdTerm | undefined> {
    const { clock } = this.options;
    const current = await this.readLeader();
    this.seen = current?.record;
    if (current) {
      this.followerStatus = (await this.client.get(this.keys.status).options(this.deadline()).string()) ?? undefined;
      return undefined;
    }
    if (signal.aborted) return undefined;
    const sentAt = clock.now();
    const lease = this.client.lease(this.options.ttlSeconds, { autoKeepAlive: false, ...this.deadline() });
    lease.on('lost', () => undefined);
    let leaseId: string;
    try {
      leaseId = String(await lease.grant());
    } catch (error) {
      lease.release();
      throw error;
    }
    const record: LeaderRecord = { id: this.options.id, lease: leaseId, since: clock.now() };
    const result = await this.client
      .if(this.keys.leader, 'Create', '==', 0)
      .then(this.client.put(this.keys.leader).value(JSON.stringify(record)).lease(leaseId))
      .options(this.deadline())
      .commit()
      .catch((error: unknown) => {
        void lease.revoke(this.deadline()).catch(() => undefined);
        throw error;
      });
    if (!result.succeeded) {
      void lease.revoke(this.deadline()).catch(() => undefined);
      return undefined;
    }
    // The put is the txn's only write, so the key's create revision is the txn's revision.
    const revision = String(result.header.revision);
    const stateText = await this.client
      .get(this.keys.state)
      .options(this.deadline())
      .string()
      .catch(async (error: unknown) => {
        await lease.revoke(this.deadline()).catch(() => undefined);
        throw error;
      });
    const handover = stateText ? parseState(stateText) : undefined;
    this.seen = record;
    return new EtcdTerm(this, lease, leaseId, revision, handover, sentAt, signal);
  }

  private async readLeader(): Promise<{ record: LeaderRecord | undefined } | undefined> {
    const response = await this.client.get(this.keys.leader).options(this.deadline()).exec();
    const kv = response.kvs[0];
    if (!kv) return undefined;
    try {
      return { record: JSON.parse(kv.value.toString('utf8')) as LeaderRecord };
    } catch {
      return { record: undefined };
    }
  }

  /** Renews the term's lease every `ttl/5` until the term ends; ends it when the lease is gone or unconfirmed for `ttl/2`. */
  private async keepAlive(term: EtcdTerm, signal: AbortSignal): Promise<void> {
    const { clock } = this.options;
    while (term.ended === undefined && !signal.aborted) {
      await clock.sleep(this.ttlMs / 5, term.signal).catch(() => undefined);
      if (term.ended !== undefined) return;
      const sentAt = clock.now();
      try {
        const response = await term.lease.keepaliveOnce(this.deadline());
        if (Number(response.TTL) <= 0) term.end('lease expired');
        else term.confirmed(sentAt);
      } catch (error) {
        if (error instanceof EtcdLeaseInvalidError) term.end('lease lost');
        else this.log(`etcd keepalive failed: ${(error as Error).message}`);
      }
      // Also the deposed check (and the status publication) when nothing else wrote.
      await term.guard().catch(() => undefined);
    }
  }

  private async resign(term: EtcdTerm): Promise<void> {
    if (this.term === term) this.term = undefined;
    await term.lease.revoke(this.deadline()).catch(() => undefined);
  }

  /** Transaction: if the leader key still carries the term's token, put the given keys. */
  async fencedPut(term: EtcdTerm, puts: readonly (readonly [string, string])[], budgetMs: number): Promise<boolean> {
    const txn = this.client
      .if(this.keys.leader, 'Create', '==', term.revision)
      .and(this.keys.leader, 'Lease', '==', term.leaseId)
      .then(...puts.map(([key, value]) => this.client.put(key).value(value)))
      .options(this.deadline(Math.min(this.callMs, budgetMs)));
    return (await txn.commit()).succeeded;
  }

  /** Keys of the state and status. */
  get stateKeys(): { readonly state: string; readonly status: string } {
    return this.keys;
  }

  /** Half the ttl: how long a leader acts without a confirmed keepalive. */
  get actWindowMs(): number {
    return this.ttlMs / 2;
  }

  /** The clock. */
  get clock(): Clock {
    return this.options.clock;
  }

  /** gRPC deadline for one etcd call (gRPC takes wall-clock dates; this is the injected clock's time). */
  private deadline(ms = this.callMs): { deadline: Date } {
    return { deadline: new Date(this.options.clock.now() + Math.max(1, ms)) };
  }

  /** Logs a line. */
  log(line: string): void {
    this.options.log?.(line);
  }
}

function parseState(text: string): JournalState | undefined {
  const value = JSON.parse(text) as JournalState;
  if (value.version !== 1 || typeof value.memory !== 'object') throw new Error('the state in etcd is not a lifeboat journal');
  return value;
}

/** A term held through a lease; see {@link LeaderTerm}. */
class EtcdTerm implements LeaderTerm {
  readonly token: string;
  readonly signal: AbortSignal;
  readonly since: number;
  private readonly controller = new AbortController();
  private why: string | undefined;
  private validUntil: number;
  private cancelExpiry: () => void = () => undefined;
  private texts: (() => TermTexts) | undefined;
  private written: TermTexts = { state: '', status: '' };
  private tail: Promise<unknown> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private queuedAlways = false;

  constructor(
    private readonly owner: EtcdLeadership,
    readonly lease: Lease,
    readonly leaseId: string,
    readonly revision: string,
    readonly handover: JournalState | undefined,
    grantSentAt: number,
    parent: AbortSignal,
  ) {
    this.token = `${revision}:${leaseId}`;
    this.since = owner.clock.now();
    this.signal = AbortSignal.any([parent, this.controller.signal]);
    this.validUntil = grantSentAt;
    this.confirmed(grantSentAt);
  }

  get ended(): string | undefined {
    return this.why;
  }

  /** Where the daemon's texts come from (set when the daemon starts leading). */
  source(texts: () => TermTexts): void {
    this.texts = texts;
  }

  /** A keepalive sent at `sentAt` succeeded: the lease lives at least `ttl` from then. */
  confirmed(sentAt: number): void {
    if (this.why !== undefined) return;
    this.validUntil = Math.max(this.validUntil, sentAt + this.owner.actWindowMs);
    this.cancelExpiry();
    this.cancelExpiry = this.owner.clock.setTimer(this.validUntil - this.owner.clock.now(), () => this.end(`no keepalive confirmed for ${this.owner.actWindowMs / 1000}s (ttl/2)`));
  }

  end(why: string): void {
    if (this.why !== undefined) return;
    this.why = why;
    this.cancelExpiry();
    this.controller.abort(new Error(`leadership ended: ${why}`));
  }

  guard(): Promise<void> {
    return this.write(true);
  }

  sync(): void {
    void this.write(false).catch(() => undefined);
  }

  private write(always: boolean): Promise<void> {
    if (this.why !== undefined) return Promise.reject(new Error(`not the leader (${this.why})`));
    // A write queued and not started yet will read the texts when it starts, so it covers this call too.
    if (always) this.queuedAlways = true;
    if (this.queued) return this.queued;
    const run = this.tail.then(async () => {
      const check = this.queuedAlways;
      this.queued = undefined;
      this.queuedAlways = false;
      await this.writeNow(check);
    });
    this.queued = run;
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async writeNow(always: boolean): Promise<void> {
    const { clock } = this.owner;
    if (this.why !== undefined) throw new Error(`not the leader (${this.why})`);
    const remaining = this.validUntil - clock.now();
    if (remaining <= 0) {
      this.end('lease validity (ttl/2) ran out');
      throw new Error('not the leader (lease unconfirmed)');
    }
    const texts = this.texts?.() ?? this.written;
    const keys = this.owner.stateKeys;
    const puts: [string, string][] = [];
    if (texts.state !== this.written.state) puts.push([keys.state, texts.state]);
    if (texts.status !== this.written.status) puts.push([keys.status, texts.status]);
    if (!always && puts.length === 0) return;
    let ok: boolean;
    try {
      ok = await this.owner.fencedPut(this, puts, remaining);
    } catch (error) {
      // Cannot confirm the token: step down rather than act on a guess.
      this.end(`etcd did not confirm the fencing token: ${(error as Error).message}`);
      throw new Error(`not the leader (etcd unreachable: ${(error as Error).message})`, { cause: error });
    }
    if (!ok) {
      this.end('deposed: the leader key is no longer this term\'s');
      throw new Error('not the leader (fencing token moved)');
    }
    // An answer that arrives after the validity window proves nothing about now.
    if (clock.now() >= this.validUntil || this.why !== undefined) {
      this.end('etcd answered after the lease validity window');
      throw new Error('not the leader (etcd answered too late)');
    }
    this.written = texts;
  }
}
