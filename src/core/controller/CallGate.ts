import type { Step } from './Plan.js';
import type { Policy } from './Policy.js';

/** The service behind each mutating operation, as clouds throttle them. */
const SERVICE: Readonly<Record<Step['operation'], 'compute' | 'databases' | 'traffic'>> = {
  createNode: 'compute',
  destroyNode: 'compute',
  stopDatabase: 'databases',
  rebootDatabase: 'databases',
  promoteReplica: 'databases',
  repointReplica: 'databases',
  createReplica: 'databases',
  destroyDatabase: 'databases',
  updateEndpoint: 'traffic',
  shiftTraffic: 'traffic',
};

interface Bucket {
  tokens: number;
  refilledAt: number;
}

interface Backoff {
  failures: number;
  until: number;
  /** A trial call is out: after a failure, calls resume one at a time until one succeeds. */
  trial: boolean;
}

/**
 * Rate limit and backoff for calls to one provider and region. Mutating
 * calls spend tokens from a bucket (`mutationsPerMinute`); any call that is
 * throttled, fails or times out backs its scope off with exponential backoff
 * and full jitter, so a struggling control plane sees fewer calls, not more.
 * Time comes from the caller; randomness from the injected generator.
 */
export class CallGate {
  private readonly buckets = new Map<string, Bucket>();
  private readonly backoffs = new Map<string, Backoff>();

  constructor(
    private readonly policy: Policy,
    private readonly random: () => number,
  ) {}

  /** Scope key for a provider/region and kind of call: what its token bucket, and a read's backoff, are kept by. */
  static scope(provider: string, region: string, mutating: boolean): string {
    return `${provider}/${region}/${mutating ? 'mutate' : 'read'}`;
  }

  /**
   * Backoff scope of a mutating call: its provider/region, and the service
   * behind the operation (compute, databases, traffic). Clouds throttle and
   * fail by service (EC2, RDS and Route 53 have their own limits; Compute,
   * Cloud SQL and Cloud DNS theirs), so a throttled node create must not hold
   * back the fence of a second writable primary. The token bucket stays per
   * provider/region ({@link scope}): how fast we change things is ours.
   */
  static mutationScope(provider: string, region: string, operation: Step['operation']): string {
    return `${CallGate.scope(provider, region, true)}/${SERVICE[operation]}`;
  }

  /**
   * Whether a call in the scope may go now; if not, why. After a failure the
   * scope waits out its backoff, then lets a single trial call through
   * (half-open): a control plane that is still failing sees one call per
   * backoff period, not a burst of every deferred step.
   */
  admit(scope: string, now: number): string | undefined {
    const backoff = this.backoffs.get(scope);
    if (!backoff) return undefined;
    if (now < backoff.until) return `backed off for ${Math.ceil((backoff.until - now) / 1000)}s`;
    if (backoff.trial) return 'waiting for a trial call after failures';
    backoff.trial = true;
    return undefined;
  }

  /** Whether a mutation token is available for the scope (without taking it). */
  hasToken(scope: string, now: number): boolean {
    const bucket = this.buckets.get(scope);
    if (!bucket) return true;
    const capacity = this.policy.mutationsPerMinute;
    return Math.min(capacity, bucket.tokens + ((now - bucket.refilledAt) / 60_000) * capacity) >= 1;
  }

  /** Takes a mutation token for the scope if one is available. */
  takeToken(scope: string, now: number): boolean {
    const capacity = this.policy.mutationsPerMinute;
    let bucket = this.buckets.get(scope);
    if (!bucket) this.buckets.set(scope, (bucket = { tokens: capacity, refilledAt: now }));
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.refilledAt) / 60_000) * capacity);
    bucket.refilledAt = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Records how a call ended. `retryAfterMs` from the provider is honoured as a floor. */
  record(scope: string, outcome: 'ok' | 'error' | 'throttled' | 'timeout' | 'rejected', now: number, retryAfterMs?: number): void {
    if (outcome === 'ok') {
      this.backoffs.delete(scope);
      return;
    }
    if (outcome === 'rejected') {
      // A rejected request (bad input, wrong state) says nothing about the control plane's load.
      const backoff = this.backoffs.get(scope);
      if (backoff) backoff.trial = false;
      return;
    }
    const previous = this.backoffs.get(scope);
    const failures = (previous?.failures ?? 0) + 1;
    const ceiling = Math.min(this.policy.backoffMax, this.policy.backoffBase * 2 ** (failures - 1)) * 1000;
    // Full jitter, with a floor of half the base so throttled callers never come straight back.
    const wait = Math.max(this.policy.backoffBase * 500, this.random() * ceiling, retryAfterMs ?? 0);
    this.backoffs.set(scope, { failures, until: Math.max(previous?.until ?? 0, now + wait), trial: false });
  }
}
