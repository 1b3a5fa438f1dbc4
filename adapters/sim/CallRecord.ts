/**
 * One adapter call as the simulated world saw it: ground truth for the replay
 * harness (`actions`, `metrics.calls`, the `never` and `maxCalls`
 * expectations). Never given to the controller.
 */
export interface CallRecord {
  /** Position in issue order, from 1. */
  readonly seq: number;
  /** Virtual seconds when the call was issued. */
  readonly t: number;
  readonly provider: string;
  /** Adapter-level operation name (scenario spec section 4.1). */
  readonly operation: string;
  /** The resource id the call names, or the zone a create or a list targets. */
  readonly target?: string;
  readonly region?: string;
  /**
   * The zone the call targets: the resource's zone, or a create's requested
   * zone. `undefined` for untargeted creates and region-wide lists.
   */
  readonly zone?: string;
  readonly mutating: boolean;
  /**
   * `pending` until the call settles (a hung call stays pending until its
   * signal fires); `invalid` for `invalid-input` rejections, `error` for every
   * other rejection except throttling and timeouts.
   */
  readonly result: 'pending' | 'ok' | 'error' | 'throttled' | 'timeout' | 'invalid';
  /** Virtual seconds when it settled. */
  readonly doneAt?: number;
}
