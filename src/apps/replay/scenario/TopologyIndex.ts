import { didYouMean } from './didYouMean.js';
import type { PathSegment } from './formatPath.js';
import type { IssueList } from './IssueList.js';

interface ZoneHome {
  readonly provider: string;
  readonly region: string;
  readonly path: readonly PathSegment[];
}

interface GroupHome {
  readonly provider: unknown;
  readonly region: unknown;
}

/** Where a zone is expected to be, and why, for a reference that has a scope. */
export interface ZoneScope {
  readonly provider?: string;
  readonly region?: string;
  /** Appended to a region mismatch, to say which rule it breaks. */
  readonly reason?: string;
}

/**
 * The names a topology declares (providers, regions, zones, groups,
 * databases and their instances), and the checks of every reference to them.
 *
 * It is harvested from the raw topology, leniently: a group with a wrong
 * field still declares its id, so the events that name it are not reported
 * as unknown on top of the real mistake. Duplicate ids are reported while
 * harvesting.
 */
export class TopologyIndex {
  /** provider -> region -> zones, in declaration order. */
  private readonly providers = new Map<string, Map<string, string[]>>();
  private readonly zones = new Map<string, ZoneHome>();
  private readonly groups = new Map<string, GroupHome>();
  /** database -> its replica ids. */
  private readonly databases = new Map<string, string[]>();
  /** Databases that declare an endpoint (r2). */
  private readonly withEndpoint = new Set<string>();
  private readonly loadBalancers = new Set<string>();

  private constructor(
    private readonly issues: IssueList,
    /** False when the topology was too broken to harvest: references are then not checked. */
    private readonly trusted: boolean,
  ) {}

  /** An index that accepts every reference: used when `topology` itself is unusable, to avoid a cascade of errors. */
  static untrusted(issues: IssueList): TopologyIndex {
    return new TopologyIndex(issues, false);
  }

  /** Harvests the declared names from the lists of a `topology` mapping, reporting duplicates. */
  static build(
    topology: {
      readonly providers: readonly unknown[];
      readonly groups?: readonly unknown[];
      readonly databases?: readonly unknown[];
      readonly loadBalancers?: readonly unknown[];
    },
    issues: IssueList,
  ): TopologyIndex {
    const index = new TopologyIndex(issues, true);
    index.harvestProviders(topology.providers);
    index.harvestGroups(topology.groups ?? []);
    index.harvestDatabases(topology.databases ?? []);
    index.harvestEndpoints(topology.databases ?? []);
    index.harvestLoadBalancers(topology.loadBalancers ?? []);
    return index;
  }

  /** True when `id` is a declared load balancer; records an issue otherwise. */
  loadBalancer(path: readonly PathSegment[], id: string): boolean {
    if (!this.trusted || this.loadBalancers.has(id)) return true;
    this.issues.add(path, unknownName('load balancer', id, [...this.loadBalancers]));
    return false;
  }

  /**
   * True when `database` is declared and has an `endpoint` (expectations on
   * what its clients saw need one); records an issue otherwise.
   */
  databaseWithEndpoint(path: readonly PathSegment[], database: string): boolean {
    if (!this.database(path, database)) return false;
    if (!this.trusted || this.withEndpoint.has(database)) return true;
    const with_ = [...this.withEndpoint];
    this.issues.add(
      path,
      `database ${database} has no endpoint: declare topology.databases[].endpoint for it (databases with one: ${with_.length > 0 ? with_.join(', ') : 'none'})`,
    );
    return false;
  }

  /** True when `id` is a declared provider; records an issue at `path` otherwise. */
  provider(path: readonly PathSegment[], id: string): boolean {
    if (!this.trusted || this.providers.has(id)) return true;
    this.issues.add(path, unknownName('provider', id, [...this.providers.keys()]));
    return false;
  }

  /**
   * True when `region` is declared (by `provider` when given, else by any
   * provider); records an issue at `path` otherwise.
   */
  region(path: readonly PathSegment[], region: string, provider?: string): boolean {
    if (!this.trusted) return true;
    if (provider !== undefined) {
      const regions = this.providers.get(provider);
      if (!regions || regions.has(region)) return true;
      this.issues.add(path, unknownName('region', region, [...regions.keys()], ` in provider ${provider}`));
      return false;
    }
    const all = [...new Set([...this.providers.values()].flatMap((regions) => [...regions.keys()]))];
    if (all.includes(region)) return true;
    this.issues.add(path, unknownName('region', region, all));
    return false;
  }

  /**
   * True when `zone` is declared and, when a scope is given, belongs to that
   * provider and region; records an issue at `path` otherwise.
   */
  zone(path: readonly PathSegment[], zone: string, scope: ZoneScope = {}): boolean {
    if (!this.trusted) return true;
    const home = this.zones.get(zone);
    if (!home) {
      this.issues.add(path, unknownName('zone', zone, [...this.zones.keys()]));
      return false;
    }
    if (scope.provider !== undefined && home.provider !== scope.provider) {
      this.issues.add(path, `zone "${zone}" belongs to provider ${home.provider}, not ${scope.provider}`);
      return false;
    }
    if (scope.region !== undefined && home.region !== scope.region) {
      const reason = scope.reason !== undefined ? ` (${scope.reason})` : '';
      this.issues.add(path, `zone "${zone}" is in region ${home.region}, not in ${scope.region}${reason}`);
      return false;
    }
    return true;
  }

  /**
   * Checks a provider/region/zone triple against the declared topology,
   * reporting each wrong part at its own key under `path`.
   */
  location(path: readonly PathSegment[], where: { readonly provider: string; readonly region: string; readonly zone: string }): void {
    if (!this.provider([...path, 'provider'], where.provider)) return;
    const regionKnown = this.region([...path, 'region'], where.region, where.provider);
    this.zone([...path, 'zone'], where.zone, regionKnown ? { provider: where.provider, region: where.region } : { provider: where.provider });
  }

  /** True when `id` is a declared node group; records an issue otherwise. */
  group(path: readonly PathSegment[], id: string): boolean {
    if (!this.trusted || this.groups.has(id)) return true;
    this.issues.add(path, unknownName('group', id, [...this.groups.keys()]));
    return false;
  }

  /**
   * The home region of a declared group, when its provider and region are
   * themselves valid (so a scope check against it is meaningful).
   */
  groupHome(id: string): { readonly provider: string; readonly region: string } | undefined {
    const home = this.groups.get(id);
    if (!home || typeof home.provider !== 'string' || typeof home.region !== 'string') return undefined;
    return this.providers.get(home.provider)?.has(home.region) ? { provider: home.provider, region: home.region } : undefined;
  }

  /** True when `id` is a declared database; records an issue otherwise. */
  database(path: readonly PathSegment[], id: string): boolean {
    if (!this.trusted || this.databases.has(id)) return true;
    this.issues.add(path, unknownName('database', id, [...this.databases.keys()]));
    return false;
  }

  /** True when `replica` is one of `database`'s replicas (the database must be known); records an issue otherwise. */
  replica(path: readonly PathSegment[], database: string, replica: string): boolean {
    const replicas = this.databases.get(database);
    if (!this.trusted || !replicas || replicas.includes(replica)) return true;
    const guess = didYouMean(replica, replicas);
    const hint = guess !== undefined ? `did you mean ${guess}? ` : '';
    const list = replicas.length > 0 ? `its replicas: ${replicas.join(', ')}` : 'it has no replicas';
    this.issues.add(path, `"${replica}" is not a replica of database ${database} (${hint}${list})`);
    return false;
  }

  private harvestProviders(providers: readonly unknown[]): void {
    const firstProvider = new Map<string, readonly PathSegment[]>();
    providers.forEach((provider, p) => {
      const providerPath = ['topology', 'providers', p];
      if (!isRecord(provider) || typeof provider['id'] !== 'string') return;
      const providerId = provider['id'];
      const previous = firstProvider.get(providerId);
      if (previous) {
        this.issues.add([...providerPath, 'id'], `duplicate provider id "${providerId}" (${this.alreadyAt(previous)})`);
        return;
      }
      firstProvider.set(providerId, [...providerPath, 'id']);
      const regions = new Map<string, string[]>();
      this.providers.set(providerId, regions);
      const firstRegion = new Map<string, readonly PathSegment[]>();
      asList(provider['regions']).forEach((region, r) => {
        const regionPath = [...providerPath, 'regions', r];
        if (!isRecord(region) || typeof region['id'] !== 'string') return;
        const regionId = region['id'];
        const previousRegion = firstRegion.get(regionId);
        if (previousRegion) {
          this.issues.add([...regionPath, 'id'], `duplicate region id "${regionId}" in provider ${providerId} (${this.alreadyAt(previousRegion)})`);
          return;
        }
        firstRegion.set(regionId, [...regionPath, 'id']);
        const zones: string[] = [];
        regions.set(regionId, zones);
        asList(region['zones']).forEach((zone, z) => {
          if (typeof zone !== 'string') return;
          const zonePath = [...regionPath, 'zones', z];
          const home = this.zones.get(zone);
          if (home) {
            this.issues.add(
              zonePath,
              `duplicate zone id "${zone}" (${this.alreadyAt(home.path)}, in ${home.provider}/${home.region}); zone ids are unique across the whole topology`,
            );
            return;
          }
          zones.push(zone);
          this.zones.set(zone, { provider: providerId, region: regionId, path: zonePath });
        });
      });
    });
  }

  private harvestGroups(groups: readonly unknown[]): void {
    const first = new Map<string, readonly PathSegment[]>();
    groups.forEach((group, g) => {
      if (!isRecord(group) || typeof group['id'] !== 'string') return;
      const path = ['topology', 'groups', g, 'id'];
      const previous = first.get(group['id']);
      if (previous) {
        this.issues.add(path, `duplicate group id "${group['id']}" (${this.alreadyAt(previous)})`);
        return;
      }
      first.set(group['id'], path);
      this.groups.set(group['id'], { provider: group['provider'], region: group['region'] });
    });
  }

  /**
   * A database's primary instance takes the database's id and each replica
   * has its own, and the provider contract names instances by id: so the
   * ids of databases and of all replicas share one namespace.
   */
  private harvestDatabases(databases: readonly unknown[]): void {
    const instances = new Map<string, { readonly path: readonly PathSegment[]; readonly what: string }>();
    databases.forEach((database, d) => {
      if (!isRecord(database)) return;
      const databasePath = ['topology', 'databases', d];
      let replicas: string[] | undefined;
      if (typeof database['id'] === 'string') {
        const id = database['id'];
        const previous = instances.get(id);
        if (previous) {
          const message = previous.what.startsWith('database')
            ? `duplicate database id "${id}" (${this.alreadyAt(previous.path)})`
            : `duplicate database instance id "${id}": already the id of ${previous.what} (${this.alreadyAt(previous.path)})`;
          this.issues.add([...databasePath, 'id'], message);
        } else {
          instances.set(id, { path: [...databasePath, 'id'], what: `database ${id} (its primary)` });
          replicas = [];
          this.databases.set(id, replicas);
        }
      }
      asList(database['replicas']).forEach((replica, r) => {
        if (!isRecord(replica) || typeof replica['id'] !== 'string') return;
        const id = replica['id'];
        const path = [...databasePath, 'replicas', r, 'id'];
        const previous = instances.get(id);
        if (previous) {
          this.issues.add(path, `duplicate database instance id "${id}": already the id of ${previous.what} (${this.alreadyAt(previous.path)})`);
          return;
        }
        instances.set(id, { path, what: 'a replica' });
        replicas?.push(id);
      });
    });
  }

  /** Endpoint names are unique: two databases cannot be reached through one name. */
  private harvestEndpoints(databases: readonly unknown[]): void {
    const first = new Map<string, readonly PathSegment[]>();
    databases.forEach((database, d) => {
      if (!isRecord(database) || typeof database['id'] !== 'string' || !isRecord(database['endpoint'])) return;
      this.withEndpoint.add(database['id']);
      const name = database['endpoint']['name'];
      if (typeof name !== 'string') return;
      const path = ['topology', 'databases', d, 'endpoint', 'name'];
      const previous = first.get(name);
      if (previous) this.issues.add(path, `duplicate endpoint name "${name}" (${this.alreadyAt(previous)}): each database has its own`);
      else first.set(name, path);
    });
  }

  private harvestLoadBalancers(loadBalancers: readonly unknown[]): void {
    const first = new Map<string, readonly PathSegment[]>();
    loadBalancers.forEach((lb, l) => {
      if (!isRecord(lb) || typeof lb['id'] !== 'string') return;
      const path = ['topology', 'loadBalancers', l, 'id'];
      const previous = first.get(lb['id']);
      if (previous) {
        this.issues.add(path, `duplicate load balancer id "${lb['id']}" (${this.alreadyAt(previous)})`);
        return;
      }
      first.set(lb['id'], path);
      this.loadBalancers.add(lb['id']);
    });
  }

  private alreadyAt(path: readonly PathSegment[]): string {
    const line = this.issues.lineOf(path);
    return line !== undefined ? `first declared on line ${line}` : 'declared before';
  }
}

function unknownName(kind: string, value: string, declared: readonly string[], qualifier = ''): string {
  const guess = didYouMean(value, declared);
  const hint = guess !== undefined ? `did you mean ${guess}? ` : '';
  return `unknown ${kind} "${value}"${qualifier} (${hint}declared ${kind}s: ${declared.length > 0 ? declared.join(', ') : 'none'})`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asList(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}
