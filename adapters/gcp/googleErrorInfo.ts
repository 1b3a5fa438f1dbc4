import type { GoogleErrorInfoDetail, WireErrorInfo } from './GcpCallScope.js';

/** The `@type` of an `ErrorInfo` entry in a JSON error body's `details[]`. */
const ERROR_INFO_TYPE = 'type.googleapis.com/google.rpc.ErrorInfo';

interface ErrorBody {
  error?: {
    message?: unknown;
    status?: unknown;
    errors?: { reason?: unknown }[];
    details?: unknown;
  };
}

/**
 * What a Google JSON error body says, for {@link GcpHttpError} and the call's
 * scope: the first `ErrorInfo` of `error.details[]` (the AIP-193 cause
 * current APIs give: https://cloud.google.com/apis/design/errors), the legacy
 * `errors[0].reason` older APIs still send beside it, the gRPC status name of
 * `error.status`, and the message. A body that is not JSON (a proxy's HTML
 * page) leaves the HTTP status alone to classify it.
 */
export function googleErrorInfo(status: number, text: string): WireErrorInfo {
  let body: ErrorBody | null;
  try {
    body = JSON.parse(text) as ErrorBody | null;
  } catch {
    return { status };
  }
  const error = typeof body === 'object' && body !== null && typeof body.error === 'object' && body.error !== null ? body.error : undefined;
  const reason = Array.isArray(error?.errors) ? error.errors[0]?.reason : undefined;
  const errorInfo = firstErrorInfo(error?.details);
  return {
    status,
    ...(errorInfo === undefined ? {} : { errorInfo }),
    ...(typeof reason === 'string' ? { reason } : {}),
    ...(typeof error?.status === 'string' ? { grpcStatus: error.status } : {}),
    ...(typeof error?.message === 'string' ? { message: error.message } : {}),
  };
}

function firstErrorInfo(details: unknown): GoogleErrorInfoDetail | undefined {
  if (!Array.isArray(details)) return undefined;
  for (const detail of details as unknown[]) {
    if (typeof detail !== 'object' || detail === null) continue;
    const { '@type': type, reason, domain, metadata } = detail as Record<string, unknown>;
    if (type !== ERROR_INFO_TYPE || typeof reason !== 'string' || reason === '') continue;
    return {
      reason,
      ...(typeof domain === 'string' ? { domain } : {}),
      ...(typeof metadata === 'object' && metadata !== null ? { metadata: stringPairs(metadata as Record<string, unknown>) } : {}),
    };
  }
  return undefined;
}

/** ErrorInfo metadata is string to string; anything else is left out rather than trusted. */
function stringPairs(metadata: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
