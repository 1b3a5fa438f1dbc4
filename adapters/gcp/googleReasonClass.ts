/**
 * What a Google error reason says about a failure, whatever HTTP or gRPC
 * status came with it:
 * - `throttled`: slow down (a rate quota, too many concurrent operations);
 * - `stockout`: the zone or region has no capacity for the request now
 *   (another zone, or a later cycle, may do);
 * - `quota`: a resource quota (CPUs, instances) refuses it until the quota changes;
 * - `busy`: another operation holds the resource; the same request succeeds later;
 * - `state`: valid request, wrong state of the resource.
 */
export type GoogleReasonClass = 'throttled' | 'stockout' | 'quota' | 'busy' | 'state';

/**
 * Reasons are legacy `errors[].reason` (lowerCamelCase), AIP-193
 * `ErrorInfo.reason` and Compute operation `error.errors[].code`
 * (UPPER_SNAKE_CASE). Compute answers rate limits with 403, the status of a
 * permission error: rate quotas (https://cloud.google.com/compute/docs/api-rate-limits:
 * 403 `rateLimitExceeded`; https://cloud.google.com/docs/quotas/troubleshoot:
 * 403 `RATE_LIMIT_EXCEEDED`), concurrent operations
 * (https://cloud.google.com/compute/operations-quota: ErrorInfo
 * `CONCURRENT_OPERATIONS_QUOTA_EXCEEDED`) and too frequent operations on one
 * resource (`RESOURCE_OPERATION_RATE_EXCEEDED`, googleapis/python-compute#279).
 */
const CLASSES: Readonly<Record<string, GoogleReasonClass>> = {
  rateLimitExceeded: 'throttled',
  userRateLimitExceeded: 'throttled',
  RATE_LIMIT_EXCEEDED: 'throttled',
  dailyLimitExceeded: 'throttled',
  RESOURCE_OPERATION_RATE_EXCEEDED: 'throttled',
  CONCURRENT_OPERATIONS_QUOTA_EXCEEDED: 'throttled',
  concurrentLimitExceeded: 'throttled',
  // Compute's stockout codes (https://cloud.google.com/compute/docs/troubleshooting/troubleshooting-resource-availability),
  // and the reason the google.rpc.ErrorInfo reference gives as its example of one (`STOCKOUT`).
  ZONE_RESOURCE_POOL_EXHAUSTED: 'stockout',
  ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS: 'stockout',
  RESOURCE_POOL_EXHAUSTED: 'stockout',
  STOCKOUT: 'stockout',
  quotaExceeded: 'quota',
  QUOTA_EXCEEDED: 'quota',
  QUOTA_LIMIT: 'quota',
  limitExceeded: 'quota',
  operationInProgress: 'busy',
  resourceNotReady: 'state',
  invalidState: 'state',
  resourceInUseByAnotherResource: 'state',
  conditionNotMet: 'state',
  notReplica: 'state',
};

/** The class of `reason`, or undefined for a reason that says nothing the adapter acts on. */
export function googleReasonClass(reason: string): GoogleReasonClass | undefined {
  if (Object.hasOwn(CLASSES, reason)) return CLASSES[reason];
  // Compute adds suffixes to its stockout code (`_WITH_DETAILS`, and more may come).
  if (reason.startsWith('ZONE_RESOURCE_POOL_EXHAUSTED')) return 'stockout';
  return undefined;
}

/** The class of the first of `reasons` (most specific first) that has one. */
export function firstReasonClass(reasons: readonly string[]): GoogleReasonClass | undefined {
  for (const reason of reasons) {
    const found = googleReasonClass(reason);
    if (found !== undefined) return found;
  }
  return undefined;
}
