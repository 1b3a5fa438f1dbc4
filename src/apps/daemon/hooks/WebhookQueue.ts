import { timeoutSignal, type Clock } from '../../../core/clock/Clock.js';
import { signWebhook, SIGNATURE_HEADER } from './signWebhook.js';
import type { WebhookEvent, WebhookEventKind } from './WebhookEvent.js';

/** One webhook, resolved: its secret read, durations in ms. */
export interface WebhookTarget {
  readonly url: string;
  readonly events: ReadonlySet<WebhookEventKind | '*'>;
  readonly secret: string;
  readonly timeoutMs: number;
  readonly retries: number;
}

/** How one delivery ended (audited). */
export interface WebhookResult {
  readonly url: string;
  readonly event: WebhookEvent;
  readonly delivered: boolean;
  readonly attempts: number;
  /** `HTTP 204`, `HTTP 500`, `timeout after 5000 ms`, `connect ECONNREFUSED ...`, `dropped: ...`. */
  readonly detail: string;
}

/** Deliveries waiting per webhook; beyond it the oldest is dropped (and reported): a dead receiver must not grow memory. */
export const WEBHOOK_QUEUE_CAPACITY = 1000;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 60_000;

/**
 * Delivers events to one webhook from a queue, in order, one at a time, so
 * the control loop never waits for a receiver: {@link push} returns at once.
 * Each attempt is cut off after the target's timeout; network errors,
 * timeouts, 408, 429 and 5xx are retried up to `retries` times with
 * exponential backoff (1 s, 2 s, 4 s, ... up to 60 s); other answers are
 * final (a receiver that refuses the signature will refuse it again).
 */
export class WebhookQueue {
  private readonly waiting: WebhookEvent[] = [];
  private pumping: Promise<void> | undefined;

  constructor(
    readonly target: WebhookTarget,
    private readonly clock: Clock,
    private readonly signal: AbortSignal,
    private readonly onResult: (result: WebhookResult) => void,
  ) {}

  /** Whether this webhook subscribed to `kind`. */
  wants(kind: WebhookEventKind): boolean {
    return this.target.events.has('*') || this.target.events.has(kind);
  }

  /** Queues `event` for delivery; returns at once. */
  push(event: WebhookEvent): void {
    if (this.signal.aborted) return;
    this.waiting.push(event);
    if (this.waiting.length > WEBHOOK_QUEUE_CAPACITY) {
      const dropped = this.waiting.shift()!;
      this.onResult({ url: this.target.url, event: dropped, delivered: false, attempts: 0, detail: `dropped: more than ${WEBHOOK_QUEUE_CAPACITY} deliveries waiting` });
    }
    this.pumping ??= this.pump().finally(() => (this.pumping = undefined));
  }

  /** Resolves when the queue is empty (or the signal fired and the attempt in flight ended). */
  async drained(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private async pump(): Promise<void> {
    while (this.waiting.length > 0 && !this.signal.aborted) {
      const event = this.waiting.shift()!;
      this.onResult(await this.deliver(event));
    }
    for (const event of this.waiting.splice(0)) this.onResult({ url: this.target.url, event, delivered: false, attempts: 0, detail: 'dropped: the daemon stopped' });
  }

  private async deliver(event: WebhookEvent): Promise<Omit<WebhookResult, never>> {
    const { url, retries, timeoutMs, secret } = this.target;
    const body = JSON.stringify(event);
    let detail = '';
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      if (attempt > 1) {
        const wait = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 2));
        const slept = await this.clock.sleep(wait, this.signal).then(
          () => true,
          () => false,
        );
        if (!slept) return { url, event, delivered: false, attempts: attempt - 1, detail: `${detail}; not retried: the daemon is stopping` };
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
            // Signed afresh per attempt: the time in the signature is the sending time.
            [SIGNATURE_HEADER]: signWebhook(secret, body, this.clock.now() / 1000),
          },
          body,
          signal,
          redirect: 'manual',
        });
        await response.arrayBuffer().catch(() => undefined);
        detail = `HTTP ${response.status}`;
        if (response.ok) return { url, event, delivered: true, attempts: attempt, detail };
        retry = response.status >= 500 || response.status === 408 || response.status === 429;
      } catch (error) {
        const cause = (error as { cause?: { message?: string } }).cause?.message;
        detail = signal.aborted && !this.signal.aborted ? `timeout after ${timeoutMs} ms` : cause ?? (error as Error).message;
      } finally {
        dispose();
      }
      if (!retry) return { url, event, delivered: false, attempts: attempt, detail: `${detail}; not retried` };
    }
    return { url, event, delivered: false, attempts: retries + 1, detail: `${detail}; gave up after ${retries + 1} attempt(s)` };
  }
}
