/**
 * `error.status` for an HTTP status, as Google's HTTP mapping of
 * `google.rpc.Code` has it (https://cloud.google.com/apis/design/errors,
 * "HTTP mapping"); statuses it does not list get none.
 */
const GRPC_STATUS_OF_HTTP: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** Legacy reasons that are rate limits: Google adds an `ErrorInfo` `RATE_LIMIT_EXCEEDED` of its API infrastructure to them. */
const THROTTLED_LEGACY = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);

/** An AIP-193 reason (UPPER_SNAKE_CASE); legacy `errors[].reason` values are lowerCamelCase. */
const AIP_193_REASON = /^[A-Z][A-Z0-9_]+[A-Z0-9]$/;

/**
 * The JSON error body a Google API answers with, in the shape its reason
 * belongs to:
 * - an AIP-193 reason (`RATE_LIMIT_EXCEEDED`, `ZONE_RESOURCE_POOL_EXHAUSTED`,
 *   `QUOTA_EXCEEDED`) comes as current APIs send it: `code`, `message`, the
 *   `status` name, and the reason in a `google.rpc.ErrorInfo` of `details[]`
 *   (domain: the service's own), without the legacy `errors[]`;
 * - a legacy reason (`notFound`, `backendError`, `rateLimitExceeded`) comes
 *   in `errors[0]`, as Compute, Cloud SQL Admin and Cloud DNS v1 send it; a
 *   rate limit also carries the `ErrorInfo` `RATE_LIMIT_EXCEEDED` of
 *   `googleapis.com` with its quota metadata, and 429 its `RESOURCE_EXHAUSTED`
 *   status (https://cloud.google.com/docs/quotas/troubleshoot), and 401 its
 *   `UNAUTHENTICATED`.
 * `service` is the emulator's service name (`compute`, `sqladmin`, `dns`, `monitoring`).
 */
export function googleErrorBody(service: string, status: number, reason: string, message: string): Record<string, unknown> {
  const api = `${service}.googleapis.com`;
  const grpcStatus = GRPC_STATUS_OF_HTTP[status];
  if (AIP_193_REASON.test(reason)) {
    return {
      error: {
        code: status,
        message,
        ...(grpcStatus === undefined ? {} : { status: grpcStatus }),
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: api, metadata: { service: api } }],
      },
    };
  }
  const throttled = THROTTLED_LEGACY.has(reason);
  return {
    error: {
      code: status,
      message,
      errors: [{ message, domain: throttled ? 'usageLimits' : 'global', reason }],
      ...(status === 401 || (throttled && status === 429) ? { status: grpcStatus } : {}),
      ...(throttled
        ? {
            details: [
              {
                '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
                reason: 'RATE_LIMIT_EXCEEDED',
                domain: 'googleapis.com',
                metadata: { service: api, quota_metric: `${api}/requests`, quota_limit: 'RequestsPerMinutePerProject', quota_location: 'global' },
              },
            ],
          }
        : {}),
    },
  };
}
