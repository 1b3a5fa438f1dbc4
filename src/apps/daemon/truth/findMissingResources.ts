import type { DatabaseInstance, Node } from '../../../core/contract/types.js';
import type { WatchedRegion } from '../../../core/controller/Controller.js';
import type { GroupConfig } from '../../../core/controller/Snapshot.js';

/** What the config protects (`protect:`), as the daemon config holds it. */
export interface ProtectedResources {
  readonly watch: readonly WatchedRegion[];
  readonly groups: readonly GroupConfig[];
  readonly databases: readonly { readonly cluster: string; readonly provider?: string }[];
}

/** What the providers list, as far as it could be read. */
export interface ProviderListing {
  /** Regions per provider id; a provider absent here could not be read (nothing is concluded about it). */
  readonly regions: ReadonlyMap<string, ReadonlySet<string>>;
  /** Databases and nodes listed in the watched regions that could be read. */
  readonly databases: readonly DatabaseInstance[];
  readonly nodes: readonly Node[];
  /** `provider/region` pairs whose databases and nodes were listed. */
  readonly listed: ReadonlySet<string>;
}

/** A protected resource its provider does not list. */
export interface MissingResource {
  /** The config key that names it, e.g. `protect.databases[0].cluster`. */
  readonly path: string;
  readonly kind: 'region' | 'database' | 'group';
  readonly id: string;
  readonly message: string;
}

/**
 * The protected resources that the providers' listings show do not exist: a
 * watched region its provider does not have, a database cluster no watched
 * region lists, a group with no node in its region. Only what was listed is
 * judged: a provider or region that could not be read hides nothing and
 * accuses nothing (a daemon restarting during a cloud's outage must start).
 */
export function findMissingResources(protect: ProtectedResources, listing: ProviderListing): MissingResource[] {
  const missing: MissingResource[] = [];
  protect.watch.forEach((w, i) => {
    const regions = listing.regions.get(w.provider);
    if (regions && !regions.has(w.region)) {
      missing.push({ path: `protect.regions[${i}].region`, kind: 'region', id: `${w.provider}/${w.region}`, message: `provider ${w.provider} has no region ${w.region} (it lists: ${[...regions].sort().join(', ') || 'none'})` });
    }
  });
  protect.databases.forEach((d, i) => {
    const where = protect.watch.filter((w) => d.provider === undefined || w.provider === d.provider);
    const read = where.filter((w) => listing.listed.has(`${w.provider}/${w.region}`));
    // Judged only when every region it could live in was listed.
    if (read.length === 0 || read.length < where.length) return;
    if (listing.databases.some((db) => db.cluster === d.cluster && (d.provider === undefined || db.provider === d.provider))) return;
    const seen = [...new Set(listing.databases.filter((db) => d.provider === undefined || db.provider === d.provider).map((db) => db.cluster))].sort();
    missing.push({
      path: `protect.databases[${i}].cluster`,
      kind: 'database',
      id: d.cluster,
      message: `no database cluster ${d.cluster} in the watched regions (${where.map((w) => `${w.provider}/${w.region}`).join(', ')}); they list: ${seen.join(', ') || 'none'}`,
    });
  });
  protect.groups.forEach((g, i) => {
    if (!listing.listed.has(`${g.provider}/${g.region}`)) return;
    if (listing.nodes.some((n) => n.group === g.id && n.provider === g.provider && n.state !== 'terminated')) return;
    const seen = [...new Set(listing.nodes.filter((n) => n.provider === g.provider && n.group !== undefined).map((n) => n.group!))].sort();
    missing.push({ path: `protect.groups[${i}].id`, kind: 'group', id: g.id, message: `no node of group ${g.id} in ${g.provider}/${g.region} (groups there: ${seen.join(', ') || 'none'}); Lifeboat keeps a group at capacity, it does not create one from nothing` });
  });
  return missing;
}
