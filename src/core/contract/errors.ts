/**
 * The provider error family. Every adapter translates every SDK or transport
 * error into exactly one of these kinds at its boundary, so the controller can
 * react by kind without knowing the provider:
 *
 * - `retryable`: a transient provider fault (5xx, connection reset). Retried
 *   with backoff on a later cycle.
 * - `throttled`: the provider asked us to slow down. Backoff for the whole
 *   provider/region, never an immediate retry (no retry storms).
 * - `timeout`: the call did not finish within its budget (or hung and was cut
 *   off by the `AbortSignal`). Its effect is unknown; steps are idempotent, so
 *   a later cycle re-reads the world and decides again.
 * - `terminal`: retrying cannot help (auth failure, resource gone, wrong
 *   state). The step fails; the controller picks another plan.
 * - `invalid-input`: the caller asked for something that does not exist or is
 *   malformed (unknown zone, size, database). Never retried.
 */
export type ProviderErrorKind = 'retryable' | 'throttled' | 'timeout' | 'terminal' | 'invalid-input';

/** Cross-realm brand: works even when two copies of this package are loaded. */
const BRAND = Symbol.for('lifeboat.ProviderError');

/** Options for {@link ProviderError}. */
export interface ProviderErrorOptions {
  /** Provider id (`aws`, `gcp`, `local`, `sim`, ...). */
  provider?: string;
  /** Adapter-level operation name (`createNode`, `listDatabases`, ...). */
  operation?: string;
  /** The provider's own error code, when it has one (`RequestLimitExceeded`). */
  code?: string;
  /** HTTP status when the error came over HTTP. */
  status?: number;
  /** Suggested wait before retrying, in milliseconds (from `Retry-After`). */
  retryAfterMs?: number;
  /** The original error, for debugging. Never shown to users verbatim. */
  cause?: unknown;
}

/**
 * An error raised by a provider adapter. Use the type guards
 * ({@link isProviderError}, {@link isThrottled}, ...) rather than `instanceof`.
 */
export class ProviderError extends Error {
  /** What the caller should do about it. */
  readonly kind: ProviderErrorKind;
  readonly provider: string | undefined;
  readonly operation: string | undefined;
  readonly code: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly [BRAND] = true;

  constructor(kind: ProviderErrorKind, message: string, options: ProviderErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProviderError';
    this.kind = kind;
    this.provider = options.provider;
    this.operation = options.operation;
    this.code = options.code;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** True for any {@link ProviderError}, from any copy of this package. */
export function isProviderError(value: unknown): value is ProviderError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

function isKind(kind: ProviderErrorKind) {
  return (value: unknown): value is ProviderError => isProviderError(value) && value.kind === kind;
}

/** A transient provider fault: retry later with backoff. */
export const isRetryable = isKind('retryable');
/** The provider is throttling us: back off the whole provider/region. */
export const isThrottled = isKind('throttled');
/** The call ran out of time; its effect is unknown. */
export const isTimeout = isKind('timeout');
/** Retrying cannot help. */
export const isTerminal = isKind('terminal');
/** The request named something that does not exist or is malformed. */
export const isInvalidInput = isKind('invalid-input');

/**
 * Classifies any thrown value into a {@link ProviderError}. Non-provider errors
 * become `retryable` (an unknown failure is assumed transient, but still
 * backed off), aborts become `timeout`.
 */
export function toProviderError(error: unknown, provider?: string, operation?: string): ProviderError {
  if (isProviderError(error)) return error;
  const isAbort = typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError(isAbort ? 'timeout' : 'retryable', isAbort ? `${operation ?? 'call'} timed out` : message, {
    provider,
    operation,
    cause: error,
  });
}
