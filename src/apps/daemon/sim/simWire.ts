import type { ProviderErrorKind } from '../../../core/contract/errors.js';
import type { Capabilities } from '../../../core/contract/types.js';

/** Provider methods a remote sim serves (every method of the contract but `close`). */
export const SIM_METHODS = [
  'listLocations',
  'zoneStatus',
  'listSizes',
  'listNodes',
  'createNode',
  'rebootNode',
  'startNode',
  'stopNode',
  'destroyNode',
  'listDatabases',
  'createReplica',
  'promoteReplica',
  'repointReplica',
  'rebootDatabase',
  'stopDatabase',
  'destroyDatabase',
] as const;

/** A method name of {@link SIM_METHODS}. */
export type SimMethod = (typeof SIM_METHODS)[number];

/** Body of `POST /call`. The last argument of the method (its `CallOptions`) is not sent. */
export interface SimCallRequest {
  readonly provider: string;
  readonly method: SimMethod;
  readonly args: readonly unknown[];
}

/** Answer of `POST /call` and `POST /probe`. */
export type SimCallResponse =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: { readonly kind: ProviderErrorKind; readonly message: string; readonly code?: string; readonly retryAfterMs?: number } };

/** Answer of `GET /providers`. */
export interface SimProvidersResponse {
  readonly providers: readonly { readonly id: string; readonly capabilities: Capabilities }[];
}
