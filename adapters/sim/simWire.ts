import type { ProviderErrorKind } from '../../src/core/contract/errors.js';
import { MUTATING_OPERATIONS, READ_OPERATIONS, type Capabilities, type OperationName } from '../../src/core/contract/types.js';

/** Provider methods a remote sim serves: every operation of the contract (`close` is not one). */
export const SIM_METHODS: readonly OperationName[] = [...READ_OPERATIONS, ...MUTATING_OPERATIONS];

/** A method name of {@link SIM_METHODS}. */
export type SimMethod = OperationName;

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
