/** What the HTTP layer saw of a failed response: the parts Google's client libraries drop. */
export interface WireErrorInfo {
  readonly status: number;
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
