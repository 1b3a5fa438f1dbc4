import { timeoutSignal, type Clock } from '../../../core/clock/Clock.js';
import { signWebhook, SIGNATURE_HEADER } from './signWebhook.js';
import type { WebhookEvent, WebhookEventKind } from './WebhookEvent.js';
import type { OutboxEntry, WebhookOutbox } from './WebhookOutbox.js';

/** One webhook, resolved: its secret read, durations in ms. */
export interface WebhookTarget {
  readonly url: string;
  readonly events: ReadonlySet<WebhookEventKind | '*'>;
  readonly secret: string;
  readonly timeoutMs: number;
  readonly retries: number;
  /** Deliveries kept waiting; beyond it the oldest is dropped. */
  readonly maxPending: number;
}

/**
 * How a delivery ended (audited and counted): `delivered` (a 2xx answer),
 * `failed` (refused, or given up after the retries), `dropped` (never
 * attempted again: the queue was full, or its webhook is no longer
 * configured), `postponed` (the daemon stopped first: it stays in the outbox
 * and the next start sends it).
 */
export type WebhookOutcome = 'delivered' | 'failed' | 'dropped' | 'postponed';

/** How one delivery ended (audited). */
export interface WebhookResult {
  readonly url: string;
  readonly event: WebhookEvent;
  readonly outcome: WebhookOutcome;
  /** Attempts made, by this run and the runs before it. */
  readonly attempts: number;
  /** `HTTP 204`, `HTTP 500; gave up after 6 attempt(s)`, `timeout after 5000 ms`, `connect ECONNREFUSED ...`, `more than 1000 deliveries waiting ...`. */
  readonly detail: string;
}

/** Default deliveries waiting per webhook (`maxPending`); beyond it the oldest is dropped (and reported): a dead receiver must not fill memory or the disk. */
export const WEBHOOK_QUEUE_CAPACITY = 1000;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 60_000;

/** A delivery waiting: its event, the attempts made so far, and its outbox entry (none when it could not be written). */
interface Pending {
  readonly event: WebhookEvent;
  attempts: number;
  entry: OutboxEntry | undefined;
}

/**
 * Delivers events to one webhook from a queue, in order, one at a time, so
 * the control loop never waits for a receiver: {@link push} returns once
 * the delivery is in the outbox (when there is one). Each attempt is cut
 * off after the target's timeout; network errors, timeouts, 408, 429 and
 * 5xx are retried up to `retries` times with exponential backoff (1 s, 2 s,
 * 4 s, ... up to 60 s); other answers are final (a receiver that refuses the
 * signature will refuse it again). The retry bound holds across restarts:
 * the outbox entry counts the attempts.
 */
export class WebhookQueue {
  private readonly waiting: Pending[] = [];
  private pumping: Promise<void> | undefined;

  constructor(
    private current: WebhookTarget,
    private readonly clock: Clock,
    private readonly signal: AbortSignal,
    private readonly onResult: (result: WebhookResult) => void,
    /** Where deliveries are kept until they end; without one they live in memory only. */
    private outbox?: WebhookOutbox,
  ) {}

  /** Writes the deliveries queued from now on to `outbox` (those waiting already stay in memory only). */
  useOutbox(outbox: WebhookOutbox): void {
    this.outbox = outbox;
  }

  /** The webhook as configured now. */
  get target(): WebhookTarget {
    return this.current;
  }

  /** Takes the webhook's new settings (a reload): the next attempts use them; what waits stays queued. */
  retarget(target: WebhookTarget): void {
    this.current = target;
  }

  /** Whether this webhook subscribed to `kind`. */
  wants(kind: WebhookEventKind): boolean {
    return this.target.events.has('*') || this.target.events.has(kind);
  }

  /** Queues `event` for delivery, written to the outbox first; returns without waiting for the receiver. */
  push(event: WebhookEvent): void {
    if (this.signal.aborted) return;
    this.enqueue({ event, attempts: 0, entry: this.outbox?.add(this.target.url, event) });
  }

  /** Queues a delivery a previous run left in the outbox (its attempts count toward the retries). */
  restore(entry: OutboxEntry): void {
    if (this.signal.aborted) return;
    this.enqueue({ event: entry.event, attempts: entry.attempts, entry });
  }

  /** Resolves when the queue is empty (or the signal fired and the attempt in flight ended). */
  async drained(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private enqueue(pending: Pending): void {
    this.waiting.push(pending);
    // A while, not an if: a reload may have lowered maxPending.
    while (this.waiting.length > this.target.maxPending) {
      const dropped = this.waiting.shift()!;
      this.end(dropped, 'dropped', `more than ${this.target.maxPending} deliveries waiting for this webhook (maxPending): the oldest is dropped`);
    }
    this.pumping ??= this.pump().finally(() => (this.pumping = undefined));
  }

  private async pump(): Promise<void> {
    while (this.waiting.length > 0 && !this.signal.aborted) {
      const pending = this.waiting.shift()!;
      const { outcome, detail } = await this.deliver(pending);
      this.end(pending, outcome, detail);
    }
    for (const pending of this.waiting.splice(0)) {
      if (pending.entry) this.end(pending, 'postponed', 'the daemon stopped; kept in the outbox for the next start');
      else this.end(pending, 'dropped', 'the daemon stopped (it was never written to the outbox)');
    }
  }

  /** Reports how `pending` ended; its outbox entry goes, unless the next start is to send it. */
  private end(pending: Pending, outcome: WebhookOutcome, detail: string): void {
    if (outcome !== 'postponed') this.outbox?.remove(pending.entry);
    this.onResult({ url: this.target.url, event: pending.event, outcome, attempts: pending.attempts, detail });
  }

  private async deliver(pending: Pending): Promise<{ outcome: WebhookOutcome; detail: string }> {
    const { url } = this.target;
    const { event } = pending;
    const body = JSON.stringify(event);
    const first = pending.attempts + 1;
    let detail = first > this.target.retries + 1 ? 'no attempt left after the restart' : '';
    for (let attempt = first; attempt <= this.target.retries + 1; attempt++) {
      // Read per attempt: a reload between attempts changes the secret, timeout and retries of what is queued too.
      const { retries, timeoutMs, secret } = this.target;
      // The first attempt of this run goes at once, even for a delivery restored after a crash: its backoff was spent restarting.
      if (attempt > first) {
        const wait = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 2));
        const slept = await this.clock.sleep(wait, this.signal).then(
          () => true,
          () => false,
        );
        if (!slept) return pending.entry ? { outcome: 'postponed', detail: `${detail}; the daemon is stopping: kept in the outbox for the next start` } : { outcome: 'failed', detail: `${detail}; not retried: the daemon is stopping` };
      }
      const { signal, dispose } = timeoutSignal(this.clock, timeoutMs, this.signal);
      let retry = true;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'lifeboat-webhook',
            'x-lifeboat-event': event.kind,
            'x-lifeboat-delivery': event.id,
            // Signed afresh per attempt: the time in the signature is the sending time, so a delivery sent after a restart passes a receiver's freshness check.
            [SIGNATURE_HEADER]: signWebhook(secret, body, this.clock.now() / 1000),
          },
          body,
          signal,
          redirect: 'manual',
        });
        await response.arrayBuffer().catch(() => undefined);
        detail = `HTTP ${response.status}`;
        pending.attempts = attempt;
        if (response.ok) return { outcome: 'delivered', detail };
        retry = response.status >= 500 || response.status === 408 || response.status === 429;
      } catch (error) {
        const cause = (error as { cause?: { message?: string } }).cause?.message;
        detail = signal.aborted && !this.signal.aborted ? `timeout after ${timeoutMs} ms` : cause ?? (error as Error).message;
        pending.attempts = attempt;
      } finally {
        dispose();
      }
      if (!retry) return { outcome: 'failed', detail: `${detail}; not retried` };
      if (pending.entry && attempt <= retries) pending.entry = this.outbox!.recordAttempts(pending.entry, attempt);
    }
    return { outcome: 'failed', detail: `${detail}; gave up after ${this.target.retries + 1} attempt(s)` };
  }
}
