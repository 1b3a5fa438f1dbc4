import { toProviderError, type ProviderErrorKind } from '../../../core/contract/errors.js';
import type { Provider } from '../../../core/contract/Provider.js';
import { wrapProvider } from './wrapProvider.js';

/** A provider whose calls fail, as `/healthz` and `/status` may show it. */
export interface ProviderFailure {
  readonly provider: string;
  /** Calls failed in a row since the last one that succeeded. */
  readonly failedCalls: number;
  readonly operation: string;
  readonly kind: ProviderErrorKind;
  /** The adapter's message (adapters redact credentials from it). */
  readonly message: string;
  /** Kind and code (or message): what decides whether a failure is a new one worth a log line. */
  readonly cause: string;
}

/**
 * Reports a provider's failures in the daemon's log, once per change (the
 * first failure, a different failure, the first success after failures),
 * not once per call: the controller retries every cycle, and a log line a
 * second would bury everything else. The calls themselves are unchanged:
 * errors still reach the controller, which retries with backoff.
 *
 * This is where a provider that cannot work at all (credentials that do not
 * load, an endpoint that refuses) becomes visible to the operator while the
 * daemon keeps running and keeps retrying.
 */
export class ProviderFailureLog {
  private readonly failures = new Map<string, ProviderFailure>();

  constructor(private readonly log: (line: string) => void) {}

  /** Providers whose last call failed. */
  failing(): readonly ProviderFailure[] {
    return [...this.failures.values()];
  }

  /** `inner` with every call's outcome reported here. */
  wrap(inner: Provider): Provider {
    return wrapProvider(inner, (method, call) => async (...args) => {
      try {
        const value = await call(...args);
        this.succeeded(inner.id);
        return value;
      } catch (error) {
        this.failed(inner.id, method, error);
        throw error;
      }
    });
  }

  private succeeded(provider: string): void {
    const failure = this.failures.get(provider);
    if (failure === undefined) return;
    this.failures.delete(provider);
    this.log(`provider ${provider}: calls succeed again (after ${failure.failedCalls} failed call(s))`);
  }

  private failed(provider: string, operation: string, error: unknown): void {
    const { kind, message, code } = toProviderError(error, provider, operation);
    const before = this.failures.get(provider);
    const cause = `${kind}:${code ?? message}`;
    this.failures.set(provider, { provider, failedCalls: (before?.failedCalls ?? 0) + 1, operation, kind, message, cause });
    // The same cause seen from another operation, or with another request id in its text, is not news.
    if (before !== undefined && before.cause === cause) return;
    const retry = kind === 'invalid-input' ? '' : '; the controller retries with backoff';
    this.log(`provider ${provider}: ${operation} failed (${kind}): ${message}${retry}`);
  }
}
