import type { ProviderErrorKind } from '../../src/core/contract/errors.js';

/**
 * The kind of a failed long-running operation (Compute's
 * `error.errors[].code`, Cloud SQL's likewise): rate limits back off,
 * capacity shortages are transient (another zone or a later cycle may do),
 * quota is terminal, missing or malformed resources are invalid input;
 * otherwise the operation's HTTP status decides, and without one the
 * failure is terminal (retrying the same request is not known to help).
 */
export function operationErrorKind(code: string, httpStatus: number | undefined): ProviderErrorKind {
  // Too frequent operations on one resource is a rate limit too (googleapis/python-compute#279), whatever its 403.
  if (code === 'RATE_LIMIT_EXCEEDED' || code === 'RESOURCE_OPERATION_RATE_EXCEEDED' || code === 'CONCURRENT_OPERATIONS_QUOTA_EXCEEDED') return 'throttled';
  if (code.startsWith('ZONE_RESOURCE_POOL_EXHAUSTED') || code === 'RESOURCE_POOL_EXHAUSTED' || code === 'INTERNAL_ERROR' || code === 'TIMEOUT') return 'retryable';
  if (code === 'QUOTA_EXCEEDED' || code === 'QUOTA_LIMIT') return 'terminal';
  if (code.includes('NOT_FOUND') || code.startsWith('INVALID') || code === 'RESOURCE_ALREADY_EXISTS') return 'invalid-input';
  if (httpStatus !== undefined && httpStatus >= 500) return 'retryable';
  return 'terminal';
}
