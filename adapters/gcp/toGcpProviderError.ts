import { abortError } from '../../src/core/clock/Clock.js';
import { isProviderError, ProviderError, type ProviderErrorKind } from '../../src/core/contract/errors.js';
import type { WireErrorInfo } from './GcpCallScope.js';
import { GcpHttpError } from './GcpHttpError.js';
import { firstReasonClass } from './googleReasonClass.js';
import { redactGcpSecrets } from './redactGcpSecrets.js';

/** gRPC status codes, as Google's client libraries report them. */
const GRPC = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

const GRPC_BY_NAME: Readonly<Record<string, number>> = GRPC;

/** Network error codes (Node, undici, gaxios): the request may not have reached Google. */
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/** What the adapter knows about the failed call. */
export interface GcpCallSite {
  readonly provider: string;
  readonly operation: string;
  /** The call's signal: once it fired, the failure is a `timeout` whatever was thrown. */
  readonly signal?: AbortSignal;
  /** What the HTTP layer saw of the last error response of this call. */
  readonly wire?: WireErrorInfo;
  readonly secrets?: readonly string[];
}

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  reason?: unknown;
  status?: unknown;
  cause?: unknown;
}

/**
 * Translates anything a Google API call threw (a client-library
 * `GoogleError` with a gRPC code, a {@link GcpHttpError}, a fetch or gaxios
 * network error, an abort) into exactly one {@link ProviderError} kind.
 * The body's reasons decide first, most specific first: the `ErrorInfo` of
 * `details[]`, then the legacy `errors[0].reason` (see
 * {@link googleReasonClass}): a stockout is `retryable` (another zone or a
 * later cycle may do), a rate limit `throttled` (whatever its status: Compute
 * throttles with 403), a resource quota `terminal`. Then the status: 429 /
 * `RESOURCE_EXHAUSTED` is `throttled`; 5xx is `retryable`; 401/403 is
 * `terminal` (with a message of the adapter's own); 404/400 is
 * `invalid-input`, except wrong-state refusals, which are `terminal`. The
 * error's `code` is the first reason, else the gRPC status name. The cause
 * kept is a plain summary, never the raw error (which can hold the request
 * and its headers).
 */
export function toGcpProviderError(error: unknown, site: GcpCallSite): ProviderError {
  if (isProviderError(error)) return error;
  const shape = (typeof error === 'object' && error !== null ? error : {}) as ErrorShape;
  const wire = error instanceof GcpHttpError ? error.wire : site.wire;
  const grpc = grpcCode(shape, wire);
  const httpStatus = wire?.status ?? (typeof shape.status === 'number' ? shape.status : undefined);
  // ErrorInfo first (the client library puts it in `reason` when it saw `details`), then the legacy reason.
  const reasons = [wire?.errorInfo?.reason, shape.reason, wire?.reason].filter((each): each is string => typeof each === 'string' && each !== '');
  const reasonClass = firstReasonClass(reasons);
  const message = typeof shape.message === 'string' && shape.message !== '' ? shape.message : (wire?.message ?? String(error));
  const code = reasons[0] ?? (grpc === undefined ? undefined : grpcName(grpc)) ?? (typeof shape.code === 'string' ? shape.code : undefined);
  const make = (kind: ProviderErrorKind, text: string) =>
    new ProviderError(kind, redactGcpSecrets(text, site.secrets), {
      provider: site.provider,
      operation: site.operation,
      ...(code === undefined ? {} : { code }),
      ...(httpStatus === undefined ? {} : { status: httpStatus }),
      cause: { name: shape.name, code, status: httpStatus, grpc },
    });
  const detail = `${site.operation} failed: ${httpStatus === undefined ? '' : `HTTP ${httpStatus} `}${code ?? 'error'}: ${message}`;

  if (site.signal?.aborted || shape.name === 'AbortError' || grpc === GRPC.CANCELLED) {
    return make('timeout', `${site.operation} was cut off: ${abortError(site.signal).message}`);
  }
  // A stockout often comes as RESOURCE_EXHAUSTED: it is not a request rate, and backing off the provider would not help.
  if (reasonClass === 'stockout') return make('retryable', detail);
  // Service Infrastructure words a rate quota so, whatever reason an older API files it under (some say quotaExceeded).
  if (reasonClass === 'throttled' || /rate limit exceeded|quota exceeded for quota metric/i.test(message)) return make('throttled', detail);
  if (reasonClass === 'quota') return make('terminal', detail);
  if (httpStatus === 429 || grpc === GRPC.RESOURCE_EXHAUSTED) return make('throttled', detail);
  if (httpStatus === 401 || httpStatus === 403 || grpc === GRPC.UNAUTHENTICATED || grpc === GRPC.PERMISSION_DENIED) {
    // Not the service's text: it may quote the request. The code and the operation say enough.
    return make(
      'terminal',
      `${site.operation}: Google Cloud refused the credentials or their permissions (${code ?? httpStatus ?? 'denied'}). Check Application Default Credentials and the roles in adapters/gcp/README.md.`,
    );
  }
  if (reasonClass === 'busy') return make('retryable', detail);
  if (reasonClass === 'state' || (grpc === GRPC.FAILED_PRECONDITION && httpStatus !== 400)) return make('terminal', detail);
  if (
    httpStatus === 400 ||
    httpStatus === 404 ||
    httpStatus === 409 ||
    grpc === GRPC.INVALID_ARGUMENT ||
    grpc === GRPC.NOT_FOUND ||
    grpc === GRPC.ALREADY_EXISTS ||
    grpc === GRPC.OUT_OF_RANGE
  ) {
    return make('invalid-input', detail);
  }
  if (grpc === GRPC.ABORTED || grpc === GRPC.DEADLINE_EXCEEDED || grpc === GRPC.UNAVAILABLE || grpc === GRPC.INTERNAL || grpc === GRPC.UNKNOWN) {
    return make('retryable', detail);
  }
  if (httpStatus !== undefined && httpStatus >= 500) return make('retryable', detail);
  const errno = networkCode(shape);
  if (errno !== undefined) return make('retryable', `${site.operation}: network error ${errno}`);
  if (httpStatus !== undefined && httpStatus >= 400) return make('terminal', detail);
  if (grpc === GRPC.UNIMPLEMENTED || grpc === GRPC.FAILED_PRECONDITION) return make('terminal', detail);
  return make('retryable', detail);
}

function grpcCode(shape: ErrorShape, wire: WireErrorInfo | undefined): number | undefined {
  if (typeof shape.code === 'number') return shape.code;
  if (wire?.grpcStatus !== undefined && Object.hasOwn(GRPC_BY_NAME, wire.grpcStatus)) return GRPC_BY_NAME[wire.grpcStatus];
  return undefined;
}

function grpcName(code: number): string | undefined {
  return Object.entries(GRPC).find(([, value]) => value === code)?.[0];
}

/** A network error code, on the error or its cause (`fetch failed` wraps the socket error). */
function networkCode(shape: ErrorShape): string | undefined {
  for (let each: ErrorShape | undefined = shape, depth = 0; each !== undefined && depth < 4; depth++) {
    if (typeof each.code === 'string' && NETWORK.has(each.code)) return each.code;
    each = typeof each.cause === 'object' && each.cause !== null ? (each.cause as ErrorShape) : undefined;
  }
  if (shape.name === 'TypeError' && shape.message === 'fetch failed') return 'fetch failed';
  return undefined;
}
