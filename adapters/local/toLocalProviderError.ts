import { abortError } from '../../src/core/clock/Clock.js';
import { isProviderError, ProviderError, type ProviderErrorKind } from '../../src/core/contract/errors.js';

/**
 * SQLSTATE classes and codes to error kinds. Anything unlisted is assumed
 * transient (`retryable`), like the contract's own `toProviderError`.
 */
function kindOfSqlState(code: string): ProviderErrorKind {
  if (code === '53300') return 'throttled'; // too_many_connections: the server asks us to slow down
  if (code === '57014') return 'timeout'; // query_canceled (statement_timeout)
  if (code.startsWith('28')) return 'terminal'; // invalid authorization
  if (code === '3D000' || code === '25006' || code === '55000') return 'terminal'; // no database / read-only / wrong state
  if (code.startsWith('42')) return 'terminal'; // syntax or access rule violation: our bug, retrying won't help
  return 'retryable'; // 08 connection, 57P0x shutdown/starting, 40 serialization, 53 resources, ...
}

/**
 * Translates anything thrown inside the adapter (a node-postgres error, a
 * socket error, an abort, a failed spawn) into a {@link ProviderError}.
 * An abort of `signal` always wins: its effect is unknown, so `timeout`.
 */
export function toLocalProviderError(
  error: unknown,
  provider: string,
  operation: string,
  signal?: AbortSignal,
): ProviderError {
  if (isProviderError(error)) return error;
  const options = { provider, operation, cause: error };
  const name = (error as { name?: unknown } | null)?.name;
  if (signal?.aborted || name === 'AbortError') {
    return new ProviderError('timeout', `${operation}: ${abortError(signal).message}`, { ...options, code: 'ETIMEDOUT' });
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = typeof (error as { code?: unknown } | null)?.code === 'string' ? String((error as { code: string }).code) : undefined;
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code)) {
    return new ProviderError(kindOfSqlState(code), `${operation}: PostgreSQL error ${code}: ${message}`, { ...options, code });
  }
  if (code === 'ETIMEDOUT') return new ProviderError('timeout', `${operation}: ${message}`, { ...options, code });
  if (code === 'EACCES' || code === 'EPERM') return new ProviderError('terminal', `${operation}: ${message}`, { ...options, code });
  // ECONNREFUSED, ECONNRESET, "Connection terminated unexpectedly", a failed spawn, ...
  return new ProviderError('retryable', `${operation}: ${message}`, { ...options, ...(code === undefined ? {} : { code }) });
}
