import { timeoutSignal, type Clock } from '../clock/Clock.js';
import { TimeoutBudget } from '../clock/TimeoutBudget.js';
import { resourceKey, zoneKey } from '../contract/keys.js';
import type { ProbeTarget } from '../contract/Prober.js';
import type { Provider } from '../contract/Provider.js';
import { toProviderError, isInvalidInput, isTerminal, isThrottled, isTimeout } from '../contract/errors.js';
import type { DatabaseEndpoint, DatabaseInstance, LoadBalancer, Node, Region, ZoneProviderStatus } from '../contract/types.js';
import { hasEndpoints, hasLoadBalancers } from '../contract/trafficCapabilities.js';
import { isPartialListing, type UnreachableScopes } from '../contract/PartialListingError.js';
import type { KnownZone } from '../health/HealthTracker.js';
import { CallGate } from './CallGate.js';
import { mergePartialListing } from './mergePartialListing.js';
import type { Policy } from './Policy.js';

/** A provider region the controller watches. */
export interface WatchedRegion {
  readonly provider: string;
  readonly region: string;
}

/** Everything listed, merged across regions, with precomputed resource keys. */
export interface Listings {
  readonly allNodes: readonly Node[];
  readonly allDatabases: readonly DatabaseInstance[];
  /** Writer endpoints, from every provider that serves them. */
  readonly endpoints: readonly DatabaseEndpoint[];
  /** Zonal load balancers of the watched regions. */
  readonly loadBalancers: readonly LoadBalancer[];
  readonly zones: readonly KnownZone[];
  readonly nodeKeys: readonly string[];
  readonly databaseKeys: readonly string[];
}

/** The probe targets of what is listed, with their resource and zone keys (the same arrays while the set is unchanged). */
export interface ProbeSet {
  readonly targets: readonly ProbeTarget[];
  readonly keys: readonly string[];
  readonly zoneKeys: readonly string[];
}

const LOCATIONS_REFRESH_MS = 600_000;

/** Same elements, in order. */
function sameItems(a: readonly object[] | undefined, b: readonly object[]): boolean {
  if (a === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Same probe targets, field for field, in order. */
function sameTargets(a: readonly ProbeTarget[], b: readonly ProbeTarget[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.kind !== y.kind || x.provider !== y.provider || x.id !== y.id || x.zone !== y.zone || x.endpoint !== y.endpoint) return false;
  }
  return true;
}

/**
 * The controller's control-plane vantage point: locations every ten
 * minutes, and each watched region's nodes, databases and zone status every
 * `observeInterval` (`suspectObserveInterval` while something is unsettled),
 * through the read side of the call gate. Reads run beside the probe rounds
 * and each result is taken in as it lands; a failed read keeps the previous
 * picture, and a partial one keeps it for the scopes it could not read. Hands out the merged listings and the probe targets they imply,
 * the same objects for as long as nothing changed.
 */
export class ControlPlaneReader {
  private regions = new Map<string, readonly Region[]>();
  private locationsAt: number | undefined;
  /** When locations were last read, whether or not every provider answered (ms). */
  private locationsTriedAt: number | undefined;
  private readonly nodes = new Map<string, readonly Node[]>();
  private readonly databases = new Map<string, readonly DatabaseInstance[]>();
  /** Endpoints by provider, load balancers by `provider/region`. */
  private readonly endpoints = new Map<string, readonly DatabaseEndpoint[]>();
  private readonly loadBalancers = new Map<string, readonly LoadBalancer[]>();
  private readonly zoneStatus = new Map<string, ZoneProviderStatus>();
  private lastReadAt: number | undefined;
  /**
   * When the latest successful read of each listing started (ms), by
   * `kind:provider/region`: what a listing shows is the world as of then,
   * and an effect of a call accepted after it cannot show in it.
   */
  private readonly listingReadAt = new Map<string, number>();
  private listedAtByProvider: ReadonlyMap<string, number> | undefined;
  private databasesListedAtByRegion: ReadonlyMap<string, number> | undefined;
  /** Control-plane reads under way (they run beside probe rounds). */
  private readInFlight: Promise<void> | undefined;
  /** A read finished since the last cycle looked: its picture is new. */
  private readLanded = false;
  private targetsStale = true;
  private probes: ProbeSet = { targets: [], keys: [], zoneKeys: [] };
  private merged: Listings | undefined;
  /** The budget of each batch of reads (one signal, recycled while no batch times out). */
  private readonly readBudget: TimeoutBudget;

  constructor(
    private readonly providers: ReadonlyMap<string, Provider>,
    private readonly watch: readonly WatchedRegion[],
    private readonly clock: Clock,
    private readonly policy: Policy,
    private readonly gate: CallGate,
  ) {
    this.readBudget = new TimeoutBudget(clock);
  }

  /**
   * The locations are due for a read: never read in full, or older than ten
   * minutes, and not tried in the last `suspectObserveInterval` (a read that
   * some provider did not answer is tried again at the pace of a region's
   * reads while something is unsettled, not in every probe round).
   */
  locationsDue(now: number): boolean {
    const stale = this.locationsAt === undefined || now - this.locationsAt >= LOCATIONS_REFRESH_MS;
    return stale && (this.locationsTriedAt === undefined || now - this.locationsTriedAt >= this.policy.suspectObserveInterval * 1000);
  }

  /**
   * Starts the regions' reads when their interval has passed. The first
   * picture is returned to be waited for; later ones run beside the probe
   * rounds and land in whichever cycle follows (a control plane that answers
   * slowly, or a read that waits out a frozen server, must not slow the
   * quick confirmation rounds down).
   */
  startReadsIfDue(signal: AbortSignal, now: number, unsettled: boolean): Promise<void> | undefined {
    if (this.readInFlight !== undefined || !this.readsDue(now, unsettled)) return undefined;
    const first = this.lastReadAt === undefined;
    this.lastReadAt = now;
    const reading = this.readAll(signal, now).finally(() => {
      this.readInFlight = undefined;
      this.readLanded = true;
    });
    if (first) return reading;
    this.readInFlight = reading;
    return undefined;
  }

  /**
   * Nothing to read or take in at `now`: no read under way, none landed
   * that a cycle has not taken, and neither the locations nor the regions
   * due. A round then observes through its probes alone.
   */
  idleAt(now: number, unsettled: boolean): boolean {
    return this.nothingPendingAt(now) && !this.readLanded && !this.readsDue(now, unsettled);
  }

  /**
   * No read under way, the locations not due and the first picture taken:
   * a round may take in what landed, start the regions' reads if they are
   * due ({@link startReadsIfDue} then has nothing to wait for) and go on at
   * once; they land in a later round.
   */
  nothingPendingAt(now: number): boolean {
    return this.readInFlight === undefined && this.lastReadAt !== undefined && !this.locationsDue(now);
  }

  private readsDue(now: number, unsettled: boolean): boolean {
    const interval = (unsettled ? this.policy.suspectObserveInterval : this.policy.observeInterval) * 1000;
    return this.lastReadAt === undefined || now - this.lastReadAt >= interval;
  }

  /** True once per read that landed since the last call: the picture is new. */
  takeLanded(): boolean {
    const landed = this.readLanded;
    this.readLanded = false;
    return landed;
  }

  /** Resolves once the reads under way (if any) have landed. */
  async settled(): Promise<void> {
    await this.readInFlight;
  }

  /** Regions offered, by provider (a new map after each locations read, so views derived from it can tell). */
  get regionsByProvider(): ReadonlyMap<string, readonly Region[]> {
    return this.regions;
  }

  /** What to probe: every listed node and database that should answer (`fenced` ones stopped on purpose excepted). */
  probeSet(fenced: (key: string) => boolean): ProbeSet {
    if (this.targetsStale) this.rebuildTargets(fenced);
    return this.probes;
  }

  /** The merged listings, rebuilt only after a read changed them (the same arrays otherwise). */
  listings(): Listings {
    if (this.merged) return this.merged;
    const allNodes: Node[] = [];
    for (const list of this.nodes.values()) for (const n of list) allNodes.push(n);
    const allDatabases: DatabaseInstance[] = [];
    for (const list of this.databases.values()) for (const d of list) allDatabases.push(d);
    const endpoints = [...this.endpoints.values()].flat();
    const loadBalancers = [...this.loadBalancers.values()].flat();
    const zones: KnownZone[] = [];
    for (const [provider, regions] of this.regions) {
      for (const region of regions) {
        for (const zone of region.zones) {
          const key = zoneKey(provider, zone.id);
          zones.push({ provider, region: region.id, zone: zone.id, providerStatus: this.zoneStatus.get(key) ?? zone.status, key });
        }
      }
    }
    this.merged = {
      allNodes,
      allDatabases,
      endpoints,
      loadBalancers,
      zones,
      nodeKeys: allNodes.map((n) => resourceKey(n.provider, n.id)),
      databaseKeys: allDatabases.map((d) => resourceKey(d.provider, d.id)),
    };
    return this.merged;
  }

  private rebuildTargets(fenced: (key: string) => boolean): void {
    const targets: ProbeTarget[] = [];
    const keys: string[] = [];
    for (const list of this.nodes.values()) {
      for (const node of list) {
        // Pending and terminated nodes have nothing to answer; stopped ones we did not stop should.
        if (node.state === 'pending' || node.state === 'terminated') continue;
        targets.push({ kind: 'node', provider: node.provider, id: node.id, zone: node.zone, endpoint: node.endpoint });
        keys.push(resourceKey(node.provider, node.id));
      }
    }
    for (const list of this.databases.values()) {
      for (const db of list) {
        if (db.state === 'creating') continue;
        const key = resourceKey(db.provider, db.id);
        if (db.state === 'stopped' && fenced(key)) continue;
        targets.push({ kind: 'database', provider: db.provider, id: db.id, zone: db.zone, endpoint: db.endpoint });
        keys.push(key);
      }
    }
    this.targetsStale = false;
    // The same targets as before keep the same arrays (and key strings), so caches keyed on them hold.
    if (sameTargets(targets, this.probes.targets)) return;
    this.probes = { targets, keys, zoneKeys: targets.map((t) => zoneKey(t.provider, t.zone)) };
  }


  /** Reads every provider's locations (the watched regions only), under one `callTimeout` budget. */
  async readLocations(signal: AbortSignal): Promise<void> {
    const now = this.clock.now();
    let complete = true;
    const { signal: budget, dispose } = timeoutSignal(this.clock, this.policy.callTimeout * 1000, signal);
    for (const [id] of this.providers) {
      const regions = await this.guardedRead(id, '*', 'listLocations', budget, (p, options) => p.listLocations(options));
      if (regions) {
        const watched = new Set(this.watch.filter((w) => w.provider === id).map((w) => w.region));
        // A new map, so views derived from the old one are rebuilt.
        this.regions = new Map(this.regions).set(id, regions.filter((r) => watched.has(r.id)));
      } else complete = false;
    }
    dispose();
    this.locationsTriedAt = now;
    if (complete) this.locationsAt = now;
    this.targetsStale = true;
    this.merged = undefined;
  }

  /** Every watched region's reads, in parallel, under one `callTimeout` budget. */
  private async readAll(signal: AbortSignal, startedAt: number): Promise<void> {
    const { policy } = this;
    const { signal: readSignal, dispose } = this.readBudget.start(policy.callTimeout * 1000, signal);
    try {
      const watchedProviders = [...new Set(this.watch.map((w) => w.provider))];
      await Promise.all([
        ...this.watch.map((w) => this.readRegion(w, readSignal, startedAt)),
        ...watchedProviders.map((id) => this.readEndpoints(id, readSignal, startedAt)),
      ]);
    } finally {
      dispose();
    }
  }

  /**
   * One region's three reads, in parallel. Each result is taken in as soon as
   * it lands (and the next cycle looks at it): a listing that waits out a
   * frozen server must not hold back the zone status that already answered.
   */
  private async readRegion(w: WatchedRegion, signal: AbortSignal, startedAt: number): Promise<void> {
    const key = `${w.provider}/${w.region}`;
    const provider = this.providers.get(w.provider);
    if (!provider) return;
    // A failed read keeps the previous picture: stale is better than empty (empty would look like everything vanished).
    // A partial listing is taken in with the unreachable scopes' last picture kept as unknown (mergePartialListing).
    const nodesRead = provider.capabilities.nodes
      ? this.guardedListing(w.provider, w.region, 'listNodes', signal, (p, o) => p.listNodes({ region: w.region }, o)).then((read) => {
          if (!read) return;
          this.listed('nodes', key, startedAt);
          const before = this.nodes.get(key);
          const nodes = mergePartialListing(before, read.listed, read.unreachable);
          this.nodes.set(key, nodes);
          this.listingChanged(before, nodes);
        })
      : undefined;
    const databasesRead = provider.capabilities.databases
      ? this.guardedListing(w.provider, w.region, 'listDatabases', signal, (p, o) => p.listDatabases({ region: w.region }, o)).then(
          (read) => {
            if (!read) return;
            this.listed('databases', key, startedAt);
            const before = this.databases.get(key);
            const databases = mergePartialListing(before, read.listed, read.unreachable);
            this.databases.set(key, databases);
            this.listingChanged(before, databases);
          },
        )
      : undefined;
    const statusRead = provider.capabilities.zoneStatus
      ? this.guardedRead(w.provider, w.region, 'zoneStatus', signal, (p, o) => p.zoneStatus({ region: w.region }, o)).then((statuses) => {
          if (!statuses) return;
          for (const zone of statuses) {
            const zk = zoneKey(w.provider, zone.id);
            if (this.zoneStatus.get(zk) !== zone.status) {
              this.zoneStatus.set(zk, zone.status);
              this.merged = undefined;
            }
          }
          this.readLanded = true;
        })
      : undefined;
    const balancersRead = hasLoadBalancers(provider)
      ? this.guardedRead(w.provider, w.region, 'listLoadBalancers', signal, (_p, o) => provider.listLoadBalancers({ region: w.region }, o)).then((balancers) => {
          if (!balancers) return;
          this.listed('loadBalancers', key, startedAt);
          const before = this.loadBalancers.get(key);
          this.loadBalancers.set(key, balancers);
          if (!sameItems(before, balancers)) this.merged = undefined;
          this.readLanded = true;
        })
      : undefined;
    await Promise.all([nodesRead, databasesRead, statusRead, balancersRead]);
  }

  /** One provider's writer endpoints (they belong to no region: a DNS zone serves them all). */
  private async readEndpoints(id: string, signal: AbortSignal, startedAt: number): Promise<void> {
    const provider = this.providers.get(id);
    if (!provider || !hasEndpoints(provider)) return;
    const endpoints = await this.guardedRead(id, '*', 'listEndpoints', signal, (_p, o) => provider.listEndpoints({}, o));
    if (!endpoints) return;
    this.listed('endpoints', `${id}/*`, startedAt);
    const before = this.endpoints.get(id);
    this.endpoints.set(id, endpoints);
    if (!sameItems(before, endpoints)) this.merged = undefined;
    this.readLanded = true;
  }

  /**
   * Per provider, when the oldest of its latest listings was read (ms): every
   * resource listing of every watched region (nodes, databases, load
   * balancers, endpoints, as its capabilities have them) shows the world as
   * of then or later. A provider one of whose listings never succeeded is
   * absent. Zone status is no listing of resources and does not count. The
   * same map while no read landed.
   */
  listedAt(): ReadonlyMap<string, number> {
    if (this.listedAtByProvider) return this.listedAtByProvider;
    const oldest = new Map<string, number>();
    const missing = new Set<string>();
    const take = (provider: string, key: string) => {
      const at = this.listingReadAt.get(key);
      if (at === undefined) missing.add(provider);
      else oldest.set(provider, Math.min(oldest.get(provider) ?? Infinity, at));
    };
    for (const w of this.watch) {
      const provider = this.providers.get(w.provider);
      if (!provider) continue;
      const key = `${w.provider}/${w.region}`;
      if (provider.capabilities.nodes) take(w.provider, `nodes:${key}`);
      if (provider.capabilities.databases) take(w.provider, `databases:${key}`);
      if (hasLoadBalancers(provider)) take(w.provider, `loadBalancers:${key}`);
      if (hasEndpoints(provider)) take(w.provider, `endpoints:${w.provider}/*`);
    }
    for (const provider of missing) oldest.delete(provider);
    this.listedAtByProvider = oldest;
    return oldest;
  }

  /**
   * Per `provider/region`, when its latest database listing was read (ms):
   * the replication each replica reports there (lag, contact) is as of
   * then. A region never listed is absent. The same map while no database
   * listing landed.
   */
  databasesListedAt(): ReadonlyMap<string, number> {
    if (this.databasesListedAtByRegion) return this.databasesListedAtByRegion;
    const byRegion = new Map<string, number>();
    for (const w of this.watch) {
      const key = `${w.provider}/${w.region}`;
      const at = this.listingReadAt.get(`databases:${key}`);
      if (at !== undefined) byRegion.set(key, at);
    }
    this.databasesListedAtByRegion = byRegion;
    return byRegion;
  }

  private listed(kind: string, key: string, startedAt: number): void {
    this.listingReadAt.set(`${kind}:${key}`, startedAt);
    this.listedAtByProvider = undefined;
    if (kind === 'databases') this.databasesListedAtByRegion = undefined;
  }

  /**
   * A listing landed. The merged picture is rebuilt only if it holds other
   * objects than before (adapters hand back the same object for what did not
   * change), so caches keyed on it hold across reads that bring nothing new.
   */
  private listingChanged(before: readonly object[] | undefined, after: readonly object[]): void {
    this.targetsStale = true;
    if (!sameItems(before, after)) this.merged = undefined;
    this.readLanded = true;
  }


  /**
   * A listing through {@link guardedRead}: a {@link PartialListingError}
   * counts as an answer (the provider did answer, so no backoff), with what
   * it listed and the scopes it could not read.
   */
  private guardedListing<T>(
    providerId: string,
    region: string,
    operation: string,
    parent: AbortSignal,
    read: (provider: Provider, options: { signal: AbortSignal }) => Promise<readonly T[]>,
  ): Promise<{ listed: readonly T[]; unreachable?: UnreachableScopes } | undefined> {
    return this.guardedRead(providerId, region, operation, parent, async (provider, options) => {
      try {
        return { listed: await read(provider, options) };
      } catch (caught) {
        if (isPartialListing<T>(caught)) return { listed: caught.listed, unreachable: caught.unreachable };
        throw caught;
      }
    });
  }

  private async guardedRead<T>(
    providerId: string,
    region: string,
    operation: string,
    parent: AbortSignal,
    read: (provider: Provider, options: { signal: AbortSignal }) => Promise<T>,
  ): Promise<T | undefined> {
    const { clock } = this;
    const provider = this.providers.get(providerId);
    if (!provider) return undefined;
    const scope = CallGate.scope(providerId, region, false);
    if (this.gate.admit(scope, clock.now()) !== undefined) return undefined;
    const signal = parent;
    try {
      const value = await read(provider, { signal });
      this.gate.record(scope, 'ok', clock.now());
      return value;
    } catch (caught) {
      const error = toProviderError(caught, providerId, operation);
      const outcome = isThrottled(error) ? 'throttled' : isTimeout(error) ? 'timeout' : isTerminal(error) || isInvalidInput(error) ? 'rejected' : 'error';
      this.gate.record(scope, outcome, clock.now(), error.retryAfterMs);
      return undefined;
    }
  }

}
