import type { ProviderErrorKind } from '../../src/core/contract/errors.js';
import { googleReasonClass } from './googleReasonClass.js';

/**
 * The kind of a failed long-running operation (Compute's
 * `error.errors[].code`, Cloud SQL's likewise), by the same reason table as
 * a failed request ({@link googleReasonClass}): rate limits back off,
 * capacity shortages are transient (another zone or a later cycle may do),
 * quota is terminal; besides, missing or malformed resources are invalid
 * input; otherwise the operation's HTTP status decides, and without one the
 * failure is terminal (retrying the same request is not known to help).
 */
export function operationErrorKind(code: string, httpStatus: number | undefined): ProviderErrorKind {
  switch (googleReasonClass(code)) {
    case 'throttled':
      return 'throttled';
    case 'stockout':
    case 'busy':
      return 'retryable';
    case 'quota':
    case 'state':
      return 'terminal';
    case undefined:
      break;
  }
  if (code === 'INTERNAL_ERROR' || code === 'TIMEOUT') return 'retryable';
  if (code.includes('NOT_FOUND') || code.startsWith('INVALID') || code === 'RESOURCE_ALREADY_EXISTS') return 'invalid-input';
  if (httpStatus !== undefined && httpStatus >= 500) return 'retryable';
  return 'terminal';
}
