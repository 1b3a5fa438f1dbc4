/**
 * The `google.rpc.ErrorInfo` entry of an error's `details[]`
 * (https://cloud.google.com/apis/design/errors, "Error details"): the
 * machine-readable cause current Google APIs give, unique within `domain`.
 */
export interface GoogleErrorInfoDetail {
  /** UPPER_SNAKE_CASE cause (`RATE_LIMIT_EXCEEDED`, `CONCURRENT_OPERATIONS_QUOTA_EXCEEDED`, `STOCKOUT`, ...). */
  readonly reason: string;
  /** The service the reason belongs to (`compute.googleapis.com`, or `googleapis.com` for Google's API infrastructure). */
  readonly domain?: string;
  /** String pairs about this occurrence (`quota_metric`, `zone`, ...). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** What the HTTP layer saw of a failed response: the parts Google's client libraries drop. */
export interface WireErrorInfo {
  readonly status: number;
  /** The first `ErrorInfo` of `error.details[]`, when the API sends one: the reason that wins over the others. */
  readonly errorInfo?: GoogleErrorInfoDetail;
  /** The legacy `errors[0].reason` (`rateLimitExceeded`, `resourceNotReady`, ...). */
  readonly reason?: string;
  /** `error.status` (`RESOURCE_EXHAUSTED`, ...), when the API sends it. */
  readonly grpcStatus?: string;
  readonly message?: string;
}

/**
 * Per contract call, carried through the client library by
 * `AsyncLocalStorage`: the call's signal (the Compute client takes none, so
 * the HTTP layer adds it to every request of the call) and the last error
 * response seen on the wire.
 */
export interface GcpCallScope {
  readonly signal: AbortSignal;
  wire?: WireErrorInfo;
}
