import { abortError } from '../../src/core/clock/Clock.js';
import { isProviderError, ProviderError, type ProviderErrorKind } from '../../src/core/contract/errors.js';
import { redactAwsSecrets } from './redactAwsSecrets.js';

/** Codes AWS services use to ask callers to slow down (EC2, RDS, CloudWatch, Route 53, ARC, and the SDK's own list). */
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
  'BandwidthLimitExceeded',
]);

/** Credential and permission failures: retrying cannot help, and the message must not echo the request. */
const AUTH = new Set([
  'AuthFailure',
  'UnauthorizedOperation',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'InvalidAccessKeyId',
  'AccessDenied',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'OptInRequired',
  'Blocked',
  'CredentialsProviderError',
]);

/** The request named something that does not exist, or is malformed. */
const INVALID_INPUT = new Set([
  'InvalidInstanceID.NotFound',
  'InvalidInstanceID.Malformed',
  'InvalidParameterValue',
  'InvalidParameterCombination',
  'InvalidParameter',
  'InvalidAvailabilityZone',
  'MissingParameter',
  'ValidationError',
  'IdempotentParameterMismatch',
  'InvalidAMIID.NotFound',
  'InvalidAMIID.Malformed',
  'InvalidSubnetID.NotFound',
  'InvalidLaunchTemplateName.NotFoundException',
  'Unsupported',
  'DBInstanceNotFound',
  'DBInstanceNotFoundFault',
  'DBInstanceAlreadyExists',
  'DBInstanceAlreadyExistsFault',
  'InvalidSubnet',
  // Route 53
  'NoSuchHostedZone',
  'NoSuchChange',
  'InvalidChangeBatch',
  'InvalidInput',
  // ARC zonal shift
  'ValidationException',
  'ResourceNotFoundException',
]);

/** Wrong state or exhausted quota: the request is valid but cannot be carried out now; the planner chooses again. */
const TERMINAL = new Set([
  'IncorrectInstanceState',
  'IncorrectState',
  'InvalidDBInstanceState',
  'InvalidDBInstanceStateFault',
  // RDS: the instance's DB cluster is in a state the request cannot be carried out in.
  'InvalidDBClusterStateFault',
  'InstanceLimitExceeded',
  'VcpuLimitExceeded',
  'InstanceQuotaExceeded',
  'StorageQuotaExceeded',
  'DBInstanceQuotaExceeded',
  // Route 53: another change to the same resource is being applied.
  'ConcurrentModification',
  // ARC zonal shift: a shift already active on the resource, or one no longer active.
  'ConflictException',
]);

/** Transient on the provider side, including capacity shortages (another zone or a later cycle may do). */
const RETRYABLE = new Set([
  'InternalError',
  'InternalFailure',
  'InternalServiceError',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'Unavailable',
  'InsufficientInstanceCapacity',
  'InsufficientDBInstanceCapacity',
  'InsufficientHostCapacity',
  'RequestTimeout',
  'RequestTimeoutException',
  // ARC zonal shift
  'InternalServerException',
]);

/** Node.js and undici network error codes: the request may not have reached AWS at all. */
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'ERR_SOCKET_CONNECTION_TIMEOUT']);

/** What the adapter knows about the failed call, for the message. */
export interface AwsCallSite {
  readonly provider: string;
  readonly operation: string;
  readonly region?: string;
  /** The call's signal: once it fired, the failure is a `timeout` whatever the SDK threw. */
  readonly signal?: AbortSignal;
  /** Secret values to scrub from messages (the credentials in use, when known). */
  readonly secrets?: readonly string[];
}

interface SdkErrorShape {
  name?: unknown;
  /** The wire error code, when the SDK maps it to a modeled exception of another name (`DBInstanceNotFound` -> `DBInstanceNotFoundFault`). */
  Code?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
  $response?: { headers?: Record<string, string | undefined> };
}

/**
 * Translates anything an AWS SDK call threw into exactly one
 * {@link ProviderError} kind. The SDK error itself is not kept as `cause`
 * (it may carry the raw HTTP exchange); the cause is a plain summary of
 * name, code, status and request id, and every message is scrubbed of
 * credentials.
 */
export function toAwsProviderError(error: unknown, site: AwsCallSite): ProviderError {
  if (isProviderError(error)) return error;
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name = typeof shape.name === 'string' ? shape.name : undefined;
  const errno = typeof shape.code === 'string' ? shape.code : undefined;
  const status = typeof shape.$metadata?.httpStatusCode === 'number' ? shape.$metadata.httpStatusCode : undefined;
  const requestId = typeof shape.$metadata?.requestId === 'string' ? shape.$metadata.requestId : undefined;
  const where = site.region === undefined ? site.operation : `${site.operation} (${site.region})`;
  const make = (kind: ProviderErrorKind, message: string, code: string | undefined, retryAfterMs?: number) =>
    new ProviderError(kind, redactAwsSecrets(message, site.secrets), {
      provider: site.provider,
      operation: site.operation,
      ...(code === undefined ? {} : { code }),
      ...(status === undefined ? {} : { status }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      cause: { name, code: code ?? errno, status, requestId },
    });

  if (site.signal?.aborted || name === 'AbortError') {
    return make('timeout', `${where} was cut off: ${abortError(site.signal).message}`, 'AbortError');
  }
  // The SDK names a reset socket `TimeoutError` too (it retries both alike); for us a reset is a network fault.
  if (errno !== undefined && NETWORK.has(errno)) return make('retryable', `${where}: network error ${errno}`, errno);
  if (name === 'TimeoutError' || errno === 'ETIMEDOUT' || errno === 'TimeoutError') {
    return make('timeout', `${where} timed out waiting for AWS`, name ?? errno);
  }
  const wireCode = typeof shape.Code === 'string' ? shape.Code : undefined;
  const code = wireCode ?? (name !== undefined && name !== 'Error' && name !== 'TypeError' ? name : errno);
  const serviceMessage = typeof shape.message === 'string' ? shape.message : String(error);
  const detail = `${where} failed: ${code ?? 'error'}: ${serviceMessage}`;

  if (code !== undefined && AUTH.has(code)) {
    // Never the service's own text here: some services echo the canonical request, which can hold a session token.
    return make(
      'terminal',
      `${where}: AWS refused the credentials or their permissions (${code}). Check the credentials the adapter resolved and the IAM policy in adapters/aws/README.md.`,
      code,
    );
  }
  if ((code !== undefined && THROTTLED.has(code)) || status === 429) {
    return make('throttled', detail, code, retryAfter(shape.$response?.headers));
  }
  if (code !== undefined && INVALID_INPUT.has(code)) return make('invalid-input', detail, code);
  if (code !== undefined && TERMINAL.has(code)) return make('terminal', detail, code);
  if ((code !== undefined && RETRYABLE.has(code)) || (status !== undefined && status >= 500) || shape.$fault === 'server') {
    return make('retryable', detail, code);
  }
  if (status !== undefined && status >= 400) return make('terminal', detail, code);
  // No HTTP status: the request failed before or while talking to AWS (socket, DNS, parsing). Assume transient.
  return make('retryable', detail, code);
}

function retryAfter(headers: Record<string, string | undefined> | undefined): number | undefined {
  const value = headers?.['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}
