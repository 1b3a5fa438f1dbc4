import { ProviderError } from '../../src/core/contract/errors.js';
import type { UnreachableScopes } from '../../src/core/contract/PartialListingError.js';
import { regionOfZone } from './gceNames.js';

/** A Compute list `Warning` (of a page, or of one scope of an aggregated page). */
export interface ComputeListWarning {
  readonly code?: string | null;
  readonly message?: string | null;
  /** Pairs about the warning; `scope` names the zone or region (`zones/us-east1-b`). */
  readonly data?: readonly { readonly key?: string | null; readonly value?: string | null }[] | null;
}

/** The fields of one page of Compute's `instances.aggregatedList` (REST JSON) the adapter reads. */
export interface ComputeAggregatedPage<I> {
  readonly items?: Readonly<Record<string, { readonly instances?: readonly I[]; readonly warning?: ComputeListWarning }>>;
  /** Scopes the service could not reach (`zones/us-east1-b`, or a longer path or URL ending so). */
  readonly unreachables?: readonly string[];
  /** The page's own warning: an `UNREACHABLE` one names its scopes in `data`. */
  readonly warning?: ComputeListWarning;
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
 * `returnPartialSuccess`), any scope of `items` whose `warning` is
 * `UNREACHABLE`, and the scopes an `UNREACHABLE` warning of the page itself
 * names in its `data`
 * (https://cloud.google.com/compute/docs/reference/rest/v1/instances/aggregatedList:
 * the response lists unreachable resources, each scope may carry a warning
 * instead of instances, and the page has a warning of the same type). A
 * page warning `UNREACHABLE` that names no scope, on a page that names none
 * elsewhere, leaves nothing of the listing to trust: the call fails
 * `retryable` and the caller keeps its previous picture.
 */
export function computeUnreachables(page: ComputeAggregatedPage<unknown>, provider: string, operation: string): UnreachableScopes {
  const scopes = [...(page.unreachables ?? [])];
  for (const [scope, listed] of Object.entries(page.items ?? {})) if (listed.warning?.code === 'UNREACHABLE') scopes.push(scope);
  if (page.warning?.code === 'UNREACHABLE') {
    const named = warningScopes(page.warning);
    if (named.length === 0 && scopes.length === 0) {
      throw new ProviderError('retryable', `${operation}: Compute could not reach some zone or region and did not say which: ${page.warning.message ?? ''}`, {
        provider,
        operation,
        code: 'UNREACHABLE',
      });
    }
    scopes.push(...named);
  }
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
 * The zone a page of Compute's zonal `instances.list` could not read: all of
 * it, when the page's `warning` is `UNREACHABLE` (a zonal list covers one
 * zone; its instances are then missing, not gone).
 */
export function zonalUnreachables(zone: string, warning: ComputeListWarning | null | undefined): UnreachableScopes {
  return warning?.code === 'UNREACHABLE' ? { zones: [zone], regions: [] } : NONE;
}

function warningScopes(warning: ComputeListWarning): string[] {
  return (warning.data ?? []).filter((pair) => pair.key === 'scope' && typeof pair.value === 'string' && pair.value !== '').map((pair) => pair.value!);
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
