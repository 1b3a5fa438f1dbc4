/**
 * What an emulator fault hook may do to one request, on top of whatever the
 * world's own `apiFault` events do:
 * - `error`: answer with this HTTP status and provider error code (rendered
 *   in the service's own error format);
 * - `hang`: never answer; the request ends only when the client gives up;
 * - `reset`: destroy the connection without a response (a network error).
 */
export type WireFault =
  | { readonly kind: 'error'; readonly status: number; readonly code: string; readonly message: string }
  | { readonly kind: 'hang' }
  | { readonly kind: 'reset' };

/** One request as a fault hook sees it. */
export interface WireRequestInfo {
  /** `ec2`, `rds`, `monitoring`, `compute` or `sqladmin`. */
  readonly service: string;
  /** The API action (`DescribeInstances`, `instances.aggregatedList`, ...). */
  readonly action: string;
  /** The region the request was signed for (AWS), when known. */
  readonly region?: string;
  /** Request headers, lower-cased names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** Decides, per request, whether to inject a {@link WireFault}; `undefined` lets the request through. */
export type WireFaultHook = (request: WireRequestInfo) => WireFault | undefined;
