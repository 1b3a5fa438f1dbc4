import { ProviderError } from '../../src/core/contract/errors.js';
import type { UnreachableScopes } from '../../src/core/contract/PartialListingError.js';
import { regionOfZone } from './gceNames.js';

/** The fields of one page of Compute's `instances.aggregatedList` (REST JSON) the adapter reads. */
export interface ComputeAggregatedPage<I> {
  readonly items?: Readonly<Record<string, { readonly instances?: readonly I[]; readonly warning?: { readonly code?: string } }>>;
  /** Scopes the service could not reach (`zones/us-east1-b`, or a longer path or URL ending so). */
  readonly unreachables?: readonly string[];
  readonly nextPageToken?: string;
}

/** A Cloud SQL Admin `ApiWarning`. */
export interface CloudSqlApiWarning {
  readonly code?: string;
  readonly message?: string;
  readonly region?: string;
}

const NONE: UnreachableScopes = Object.freeze({ zones: [], regions: [] });

/**
 * The zones and regions one page of `instances.aggregatedList` could not
 * read: its `unreachables` (filled when the request asks for
 * `returnPartialSuccess`), and any scope of `items` whose `warning` is
 * `UNREACHABLE`
 * (https://cloud.google.com/compute/docs/reference/rest/v1/instances/aggregatedList:
 * the response lists unreachable resources, and each scope may carry a
 * warning instead of instances).
 */
export function computeUnreachables(page: ComputeAggregatedPage<unknown>): UnreachableScopes {
  const scopes = [...(page.unreachables ?? [])];
  for (const [scope, listed] of Object.entries(page.items ?? {})) if (listed.warning?.code === 'UNREACHABLE') scopes.push(scope);
  if (scopes.length === 0) return NONE;
  const zones = new Set<string>();
  const regions = new Set<string>();
  for (const scope of scopes) {
    const match = /(?:^|\/)(zones|regions)\/([^/]+)$/.exec(scope);
    if (match === null) continue;
    (match[1] === 'zones' ? zones : regions).add(match[2]!);
  }
  return { zones: [...zones].sort(), regions: [...regions].sort() };
}

/**
 * The regions a Cloud SQL `instances.list` answer could not read: one
 * `REGION_UNREACHABLE` warning per region
 * (https://cloud.google.com/sql/docs/mysql/admin-api/rest/v1/ApiWarning:
 * the result set may then be incomplete; `region` names the region). A
 * warning that names no region leaves nothing of the listing to trust: the
 * call fails `retryable` and the caller keeps its previous picture.
 * `MAX_RESULTS_EXCEEDS_LIMIT` cannot happen (the adapter asks for at most
 * 500 per page, the limit being 1000); other warnings say nothing about the
 * listing.
 */
export function cloudSqlUnreachables(warnings: readonly CloudSqlApiWarning[] | undefined, provider: string, operation: string): UnreachableScopes {
  const unreachable = (warnings ?? []).filter((warning) => warning.code === 'REGION_UNREACHABLE');
  if (unreachable.length === 0) return NONE;
  const regions = new Set<string>();
  for (const warning of unreachable) {
    if (warning.region === undefined || warning.region === '') {
      throw new ProviderError('retryable', `${operation}: Cloud SQL could not reach some region and did not say which: ${warning.message ?? ''}`, {
        provider,
        operation,
        code: 'REGION_UNREACHABLE',
      });
    }
    regions.add(warning.region);
  }
  return { zones: [], regions: [...regions].sort() };
}

/** Merges scopes read from several pages. */
export function mergeScopes(a: UnreachableScopes, b: UnreachableScopes): UnreachableScopes {
  if (b.zones.length === 0 && b.regions.length === 0) return a;
  if (a.zones.length === 0 && a.regions.length === 0) return b;
  return { zones: [...new Set([...a.zones, ...b.zones])].sort(), regions: [...new Set([...a.regions, ...b.regions])].sort() };
}

/**
 * The scopes that matter to a listing limited to `region`/`zone` and to the
 * regions the adapter manages (all, when undefined): an unreachable zone in
 * a region nobody asked about leaves the answer complete.
 */
export function relevantScopes(
  scopes: UnreachableScopes,
  query: { readonly region?: string | undefined; readonly zone?: string | undefined },
  managed: readonly string[] | undefined,
): UnreachableScopes {
  const regionWanted = (region: string) =>
    (managed === undefined || managed.includes(region)) &&
    (query.region === undefined || query.region === region) &&
    (query.zone === undefined || regionOfZone(query.zone) === region);
  const zones = scopes.zones.filter((zone) => regionWanted(regionOfZone(zone)) && (query.zone === undefined || query.zone === zone));
  const regions = scopes.regions.filter(regionWanted);
  return zones.length === 0 && regions.length === 0 ? NONE : { zones, regions };
}

/** Whether any scope is unreachable. */
export function anyUnreachable(scopes: UnreachableScopes): boolean {
  return scopes.zones.length > 0 || scopes.regions.length > 0;
}
