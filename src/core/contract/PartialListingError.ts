import { ProviderError, type ProviderErrorOptions } from './errors.js';

/** Cross-realm brand: works even when two copies of this package are loaded. */
const BRAND = Symbol.for('lifeboat.PartialListingError');

/** What a listing could not read, by scope. Zone and region ids as in the contract's value objects. */
export interface UnreachableScopes {
  /** Zones whose resources the provider could not list (Compute `unreachables: ["zones/..."]`). */
  readonly zones: readonly string[];
  /** Regions whose resources the provider could not list (Cloud SQL `REGION_UNREACHABLE`, Compute `unreachables: ["regions/..."]`). */
  readonly regions: readonly string[];
}

/**
 * A listing that answered, but not for every scope it covers: the provider
 * said so itself (Cloud SQL `instances.list` `warnings` with
 * `REGION_UNREACHABLE`, Compute `aggregatedList` `unreachables`). It carries
 * what was listed (already filtered like a complete answer) and the zones and
 * regions that could not be read. A resource in one of those scopes that is
 * missing from {@link listed} may well exist: its absence says nothing.
 *
 * It is a `retryable` {@link ProviderError}, so a caller that does not know
 * it treats the whole listing as failed and keeps its previous picture
 * (stale, never "gone"). The controller's reader takes {@link listed} in and
 * keeps its last picture of the unreachable scopes as `unknown` (see
 * {@link Provider.listNodes}).
 */
export class PartialListingError<T> extends ProviderError {
  /** Everything the provider could list, matching the request's filter. */
  readonly listed: readonly T[];
  /** Where the listing could not look. */
  readonly unreachable: UnreachableScopes;
  readonly [BRAND] = true;

  constructor(message: string, listed: readonly T[], unreachable: UnreachableScopes, options: ProviderErrorOptions = {}) {
    super('retryable', message, { code: 'PartialListing', ...options });
    this.name = 'PartialListingError';
    this.listed = listed;
    this.unreachable = unreachable;
  }
}

/** True for any {@link PartialListingError}, from any copy of this package. */
export function isPartialListing<T = unknown>(value: unknown): value is PartialListingError<T> {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
