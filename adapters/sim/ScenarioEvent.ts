/**
 * A timed outage event (spec section 3) as the simulated world applies it,
 * already validated, with durations in seconds.
 */
export type ImpairMode = 'unreachable' | 'degraded' | 'power' | 'storage';

/** What an `apiFault` does to a call it hits (spec 4; `lostReply` is r2). */
export type ApiFaultKind = 'error' | 'throttle' | 'hang' | 'lostReply';

/** One event; `at` is seconds from the start. `index` is its position in the file's `events` list. */
export type ScenarioEvent =
  | { readonly at: number; readonly index: number; readonly kind: 'impair'; readonly zone: string; readonly mode: ImpairMode; readonly errorRate: number }
  | { readonly at: number; readonly index: number; readonly kind: 'impairRegion'; readonly region: string; readonly mode: ImpairMode; readonly errorRate: number }
  | { readonly at: number; readonly index: number; readonly kind: 'recover'; readonly zone?: string; readonly region?: string }
  | {
      readonly at: number;
      readonly index: number;
      readonly kind: 'apiFault';
      readonly provider: string;
      readonly region?: string;
      readonly zone?: string;
      /** Operation names, or `*` for all, `*mutating` or `*read` for every mutating or read operation. */
      readonly operations: readonly string[];
      readonly fault: ApiFaultKind;
      readonly rate: number;
      /** Absolute seconds; `undefined` means until the end of the scenario. */
      readonly until?: number;
    }
  | { readonly at: number; readonly index: number; readonly kind: 'providerStatus'; readonly provider: string; readonly zone: string; readonly status: 'available' | 'impaired' | 'unavailable' }
  | { readonly at: number; readonly index: number; readonly kind: 'replication'; readonly database: string; readonly replica: string; readonly lagSeconds?: number; readonly broken?: boolean }
  | { readonly at: number; readonly index: number; readonly kind: 'nodeFailure'; readonly group: string; readonly count: number; readonly zone?: string }
  | { readonly at: number; readonly index: number; readonly kind: 'observerPartition'; readonly zone: string; readonly until?: number }
  | { readonly at: number; readonly index: number; readonly kind: 'flap'; readonly zone: string; readonly mode: 'unreachable' | 'degraded'; readonly periodSeconds: number; readonly until: number };

export type ScenarioEventKind = ScenarioEvent['kind'];
