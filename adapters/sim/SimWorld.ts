import type { VirtualClock } from '../../src/core/clock/VirtualClock.js';
import type { Prober } from '../../src/core/contract/Prober.js';
import type { Provider } from '../../src/core/contract/Provider.js';
import { MUTATING_OPERATIONS, READ_OPERATIONS, type OperationName } from '../../src/core/contract/types.js';
import type { ImpairMode, ScenarioEvent } from './ScenarioEvent.js';
import type { DatabaseSpec, GroupSpec, LoadBalancerSpec, Topology } from './Topology.js';
import type { CallRecord } from './CallRecord.js';
import type { ClientTruth, DatabaseClientTruth } from './ClientTruth.js';
import { ClusterGroundTruth } from './ClusterGroundTruth.js';
import { defaultLatencySeconds } from './defaultLatencySeconds.js';
import type { PromotionRecord } from './PromotionRecord.js';
import { SimCloud } from './SimCloud.js';
import { SimCluster } from './SimCluster.js';
import { SimDatabase } from './SimDatabase.js';
import { SimEndpoint } from './SimEndpoint.js';
import { SimLoadBalancer } from './SimLoadBalancer.js';
import { SimNode } from './SimNode.js';
import { SimProber } from './SimProber.js';
import { SimProvider } from './SimProvider.js';
import { SimRegion } from './SimRegion.js';
import { simSizes } from './simSizes.js';
import type { SimWorldOptions } from './SimWorldOptions.js';
import { SimZone } from './SimZone.js';
import type { WorldTimelineEntry } from './WorldTimelineEntry.js';
import { WorldState } from './WorldState.js';

const OPERATION_NAMES = new Set<string>([...READ_OPERATIONS, ...MUTATING_OPERATIONS]);
/** What an `apiFault` may name besides operations: all, every mutating one, every read (r2). */
const OPERATION_WILDCARDS = new Set<string>(['*', '*mutating', '*read']);

/**
 * The deterministic simulated world that replay runs the controller against
 * (scenario spec sections 2, 4 and 5): nodes, replicated databases and zones
 * of every provider in a topology, on a virtual clock, changed by scenario
 * events and by calls through its {@link SimProvider}s.
 *
 * The controller sees it only through {@link SimWorld.provider} and
 * {@link SimWorld.prober}. The rest of this class (calls, promotions, health
 * counts, timeline) is ground truth for the replay harness and must never be
 * handed to the controller.
 *
 * Same topology, events, seed and sequence of calls give the same world.
 * Where it differs from real clouds is listed in `adapters/sim/README.md`.
 */
export class SimWorld {
  private readonly state: WorldState;
  private readonly clock: VirtualClock;
  private readonly durationSeconds: number;
  private readonly adapters = new Map<string, SimProvider>();
  private readonly recordViews = new Map<string, SimProvider>();
  private readonly simProber: SimProber;
  private readonly groups = new Map<string, GroupSpec>();
  private readonly endpointNames = new Set<string>();

  /** Builds the world at t = 0 from the topology. Throws on a topology that names unknown providers, regions or zones. */
  constructor(options: SimWorldOptions) {
    this.clock = options.clock;
    this.durationSeconds = options.durationSeconds ?? Infinity;
    this.state = new WorldState(options.clock, options.seed ?? 0);
    this.buildClouds(options.topology);
    this.buildGroups(options.topology);
    for (const spec of options.topology.databases) this.buildDatabase(spec);
    for (const spec of options.topology.loadBalancers ?? []) this.buildLoadBalancer(spec);
    for (const cluster of this.state.clusters.values()) this.state.recomputeCluster(cluster);
    for (const cloud of this.state.clouds.values()) {
      this.adapters.set(cloud.id, new SimProvider(this.state, cloud));
      this.recordViews.set(cloud.id, new SimProvider(this.state, cloud, true));
    }
    this.simProber = new SimProber(this.state);
  }

  /**
   * Schedules scenario events on the clock at their `at` (seconds); events
   * with equal `at` apply in the given order. Events after the scenario's
   * duration are dropped. Throws, before scheduling anything, on an event
   * naming something the topology does not have.
   */
  scheduleEvents(events: readonly ScenarioEvent[]): void {
    events.forEach((event, position) => this.check(event, position));
    for (const event of events) {
      if (event.at > this.durationSeconds) continue;
      this.clock.schedule(event.at * 1000, () => this.apply(event));
    }
  }

  /** The adapter for one provider of the topology (the same instance on every call). */
  provider(id: string): Provider {
    const adapter = this.adapters.get(id);
    if (adapter === undefined) throw new Error(`the simulated world has no provider ${id}`);
    return adapter;
  }

  /**
   * One provider's records, read the way its service reads them while
   * serving a request (an emulator's own lookups): the same answers as
   * {@link provider}'s reads, but no call is recorded, no API fault hits
   * them and they take no time. Only reads.
   */
  records(id: string): Pick<Provider, 'listNodes' | 'listDatabases' | 'zoneStatus' | 'listEndpoints' | 'listLoadBalancers'> {
    const view = this.recordViews.get(id);
    if (view === undefined) throw new Error(`the simulated world has no provider ${id}`);
    return view;
  }

  /** Every provider's adapter, in topology order. */
  providers(): Provider[] {
    return [...this.adapters.values()];
  }

  /** The controller's own probes. */
  prober(): Prober {
    return this.simProber;
  }

  /** Ground truth: every adapter call, reads included, in issue order. */
  get calls(): readonly CallRecord[] {
    return this.state.calls;
  }

  /** Ground truth: every promotion that took effect, in order. */
  get promotions(): readonly PromotionRecord[] {
    return this.state.promotions;
  }

  /**
   * Ground truth: nodes of the group that are running and would answer
   * probes. Observer partitions do not make a node down, nor does a
   * `degraded` zone; an `unreachable` or `power` zone does.
   */
  groupHealthyCount(groupId: string): number {
    const members = this.state.groupNodes.get(groupId);
    if (members === undefined) return 0;
    let count = 0;
    for (const node of members) if (node.up) count++;
    return count;
  }

  /**
   * Ground truth: the zones of provider `id` whose physical condition cuts
   * them off now (`unreachable` or `power`, from an impairment or a flap's
   * phase), with their region and mode. For emulators that answer like a
   * control plane that cannot reach a zone or a region; never for the
   * controller.
   */
  zonesCutOff(id: string): { zone: string; region: string; mode: 'unreachable' | 'power' }[] {
    const cloud = this.cloud(id, 'zonesCutOff');
    const out: { zone: string; region: string; mode: 'unreachable' | 'power' }[] = [];
    for (const zone of cloud.zones.values()) {
      const mode = zone.mode;
      if (mode === 'unreachable' || mode === 'power') out.push({ zone: zone.id, region: zone.region, mode });
    }
    return out;
  }

  /**
   * Ground truth: instances of the cluster that accept writes from clients
   * right now (role primary, available, zone neither cut off nor with
   * stalled storage). More than one is split brain.
   */
  writablePrimaries(cluster: string): string[] {
    const instances = this.state.clusters.get(cluster)?.instances ?? [];
    return instances.filter((db) => db.role === 'primary' && db.accepting).map((db) => db.id);
  }

  /**
   * Ground truth: the standbys of the cluster's writable primary right now,
   * each with its zone: replicas that are available, not broken and
   * streaming from it, directly or through other such replicas. And how many
   * instances the cluster holds (deleted ones no longer count). `undefined`
   * when the cluster has not exactly one writable primary.
   */
  standbys(cluster: string): { readonly primary: { readonly id: string; readonly provider: string; readonly zone: string }; readonly standbys: readonly { readonly id: string; readonly zone: string }[]; readonly instances: number } | undefined {
    const instances = this.state.clusters.get(cluster)?.instances ?? [];
    const primaries = instances.filter((db) => db.role === 'primary' && db.accepting);
    if (primaries.length !== 1) return undefined;
    const primary = primaries[0]!;
    const serves = (db: SimDatabase): boolean => {
      const seen = new Set<SimDatabase>();
      for (let at: SimDatabase | undefined = db; at !== undefined && !seen.has(at); at = at.upstream) {
        seen.add(at);
        if (at === primary) return true;
        if (at.role !== 'replica' || at.state !== 'available' || at.broken || !at.connected || at.destroying) return false;
      }
      return false;
    };
    const standbys = instances.filter((db) => db !== primary && db.role === 'replica' && serves(db)).map((db) => ({ id: db.id, zone: db.zone.id }));
    return { primary: { id: primary.id, provider: primary.provider, zone: primary.zone.id }, standbys, instances: instances.filter((db) => !db.destroying).length };
  }

  /** Ground truth: how many instances {@link writablePrimaries} would list, without building the list (sampled every tick). */
  writablePrimaryCount(cluster: string): number {
    const instances = this.state.clusters.get(cluster)?.instances;
    if (instances === undefined) return 0;
    let count = 0;
    for (const db of instances) if (db.role === 'primary' && db.accepting) count++;
    return count;
  }

  /**
   * Ground truth of what clients saw (spec 2.2, r2): per database, its
   * endpoint's answers, write-unavailability incidents, split brain
   * stretches and diverged writes; per load balancer, its request errors.
   * Call it once, at the end of the run: it closes every open stretch at
   * the current virtual time.
   */
  clientTruth(): ClientTruth {
    const t = this.state.now();
    this.state.trafficChanging();
    const databases = new Map<string, DatabaseClientTruth>();
    for (const cluster of this.state.clusters.values()) {
      const truth = cluster.truth;
      truth.finish(t);
      const endpoint = cluster.endpoint;
      databases.set(cluster.id, {
        ...(endpoint === undefined
          ? {}
          : {
              endpoint: {
                name: endpoint.name,
                ttlSeconds: endpoint.ttlSeconds,
                answers: endpoint.answers.map((answer) => ({ from: Math.max(0, answer.from), target: answer.target.id })),
                fencedAnswers: truth.fencedAnswers,
                incidents: truth.incidents,
              },
            }),
        splitBrains: truth.splitBrains,
        chosenPrimary: truth.chosenPrimary().id,
        divergedWrites: truth.divergedWrites(),
      });
    }
    const requestErrorSeconds = new Map<string, number>();
    for (const lb of this.state.loadBalancers.values()) requestErrorSeconds.set(lb.id, lb.errorSeconds);
    return { databases, requestErrorSeconds };
  }

  /** Calls `listener` for every timeline entry from now on; returns a function that unsubscribes. */
  onTimeline(listener: (entry: WorldTimelineEntry) => void): () => void {
    return this.state.onTimeline(listener);
  }

  // ---- construction -------------------------------------------------------

  private buildClouds(topology: Topology): void {
    for (const spec of topology.providers) {
      if (this.state.clouds.has(spec.id)) throw new Error(`provider ${spec.id} is declared twice`);
      const latency: Record<OperationName, number> = { ...defaultLatencySeconds };
      for (const [operation, seconds] of Object.entries(spec.latency)) {
        if (!OPERATION_NAMES.has(operation)) throw new Error(`provider ${spec.id}: latency of unknown operation ${operation}`);
        if (typeof seconds !== 'number' || !(seconds >= 0)) throw new Error(`provider ${spec.id}: latency of ${operation} must be >= 0`);
        latency[operation as OperationName] = seconds;
      }
      const namedSizes = topology.groups.filter((group) => group.provider === spec.id && group.size !== undefined);
      const cloud = new SimCloud(spec.id, Object.freeze(latency), simSizes(spec.id, namedSizes.map((group) => group.size!)));
      for (const regionSpec of spec.regions) {
        if (cloud.regions.has(regionSpec.id)) throw new Error(`provider ${spec.id}: region ${regionSpec.id} is declared twice`);
        const zones = regionSpec.zones.map((id) => {
          if (this.state.zones.has(id) || cloud.zones.has(id)) throw new Error(`zone ${id} is declared twice`);
          return new SimZone(id, regionSpec.id, spec.id);
        });
        cloud.addRegion(new SimRegion(regionSpec.id, spec.id, zones));
      }
      this.state.addCloud(cloud);
    }
  }

  private buildGroups(topology: Topology): void {
    const now = this.clock.now();
    for (const group of topology.groups) {
      if (this.groups.has(group.id)) throw new Error(`group ${group.id} is declared twice`);
      this.groups.set(group.id, group);
      const cloud = this.cloud(group.provider, `group ${group.id}`);
      if (!cloud.regions.has(group.region)) throw new Error(`group ${group.id}: ${group.provider} has no region ${group.region}`);
      for (const [zoneId, count] of Object.entries(group.nodes)) {
        const zone = cloud.zones.get(zoneId);
        if (zone === undefined || zone.region !== group.region) {
          throw new Error(`group ${group.id}: ${zoneId} is not a zone of ${group.provider} ${group.region}`);
        }
        for (let i = 1; i <= count; i++) {
          const node = new SimNode(`${group.id}-${zoneId}-${i}`, `${group.id}-${zoneId}-${i}`, cloud.id, zone, group.id, group.size, now);
          node.set('running');
          this.state.addNode(node);
        }
      }
    }
  }

  private buildDatabase(spec: DatabaseSpec): void {
    if (this.state.clusters.has(spec.id)) throw new Error(`database ${spec.id} is declared twice`);
    const now = this.state.now();
    const cluster = new SimCluster(spec.id, spec.engine ?? 'postgres', spec.writes);
    this.state.clusters.set(spec.id, cluster);
    const place = (id: string, where: { provider: string; region: string; zone: string }): SimZone => {
      if (this.state.databases.has(id)) throw new Error(`database instance ${id} is declared twice`);
      const zone = this.cloud(where.provider, `database ${id}`).zones.get(where.zone);
      if (zone === undefined || zone.region !== where.region) {
        throw new Error(`database ${id}: ${where.zone} is not a zone of ${where.provider} ${where.region}`);
      }
      return zone;
    };
    const primary = new SimDatabase(spec.id, cluster, spec.primary.provider, place(spec.id, spec.primary), 'primary', 'available', now);
    cluster.truth = new ClusterGroundTruth(cluster, primary);
    this.state.addDatabase(primary);
    if (spec.endpoint !== undefined) {
      const cloud = this.cloud(spec.endpoint.provider, `endpoint of ${spec.id}`);
      if (this.endpointNames.has(spec.endpoint.name)) throw new Error(`endpoint ${spec.endpoint.name} is declared twice`);
      this.endpointNames.add(spec.endpoint.name);
      cluster.endpoint = new SimEndpoint(spec.endpoint.name, cloud.id, cluster, spec.endpoint.ttlSeconds, primary);
      cloud.endpoints.set(spec.endpoint.name, cluster.endpoint);
    }
    for (const replicaSpec of spec.replicas) {
      const zone = place(replicaSpec.id, replicaSpec);
      const replica = new SimDatabase(replicaSpec.id, cluster, replicaSpec.provider, zone, 'replica', 'available', now);
      replica.upstream = primary;
      replica.mode = replicaSpec.mode;
      replica.baseLag = replicaSpec.mode === 'sync' ? 0 : replicaSpec.lagSeconds;
      this.state.addDatabase(replica);
    }
  }

  private buildLoadBalancer(spec: LoadBalancerSpec): void {
    if (this.state.loadBalancers.has(spec.id)) throw new Error(`load balancer ${spec.id} is declared twice`);
    const cloud = this.cloud(spec.provider, `load balancer ${spec.id}`);
    const group = this.groups.get(spec.group);
    if (group === undefined) throw new Error(`load balancer ${spec.id}: unknown group ${spec.group}`);
    if (group.provider !== spec.provider || group.region !== spec.region) {
      throw new Error(`load balancer ${spec.id}: group ${spec.group} lives in ${group.provider} ${group.region}, not ${spec.provider} ${spec.region}`);
    }
    const lb = new SimLoadBalancer(spec.id, spec.provider, spec.region, spec.group);
    // The group's declared zones, then any zone its nodes are in.
    for (const zoneId of Object.keys(group.nodes)) lb.addZone(cloud.zones.get(zoneId)!);
    for (const node of this.state.groupNodes.get(spec.group) ?? []) lb.addZone(node.zone);
    this.state.loadBalancers.set(spec.id, lb);
    cloud.loadBalancers.set(spec.id, lb);
  }

  private cloud(id: string, who: string): SimCloud {
    const cloud = this.state.clouds.get(id);
    if (cloud === undefined) throw new Error(`${who}: unknown provider ${id}`);
    return cloud;
  }

  // ---- events -------------------------------------------------------------

  private check(event: ScenarioEvent, position: number): void {
    const fail = (message: string): never => {
      throw new Error(`events[${position}] (${event.kind} at ${event.at}s): ${message}`);
    };
    const zone = (id: string): void => {
      if (!this.state.zones.has(id)) fail(`unknown zone ${id}`);
    };
    const region = (id: string): void => {
      if (this.zonesOfRegion(id).length === 0) fail(`unknown region ${id}`);
    };
    switch (event.kind) {
      case 'impair':
      case 'observerPartition':
        return zone(event.zone);
      case 'flap':
        if (!(event.periodSeconds > 0)) fail('period must be positive');
        return zone(event.zone);
      case 'impairRegion':
        return region(event.region);
      case 'recover':
        if (event.zone !== undefined) zone(event.zone);
        if (event.region !== undefined) region(event.region);
        if (event.zone === undefined && event.region === undefined) fail('needs a zone or a region');
        return;
      case 'apiFault': {
        const cloud = this.state.clouds.get(event.provider) ?? fail(`unknown provider ${event.provider}`);
        if (event.region !== undefined && !cloud.regions.has(event.region)) fail(`${event.provider} has no region ${event.region}`);
        if (event.zone !== undefined && !cloud.zones.has(event.zone)) fail(`${event.provider} has no zone ${event.zone}`);
        for (const operation of event.operations) {
          if (!OPERATION_WILDCARDS.has(operation) && !OPERATION_NAMES.has(operation)) fail(`unknown operation ${operation}`);
        }
        return;
      }
      case 'providerStatus': {
        const cloud = this.state.clouds.get(event.provider) ?? fail(`unknown provider ${event.provider}`);
        if (!cloud.zones.has(event.zone)) fail(`${event.provider} has no zone ${event.zone}`);
        return;
      }
      case 'replication': {
        const db = this.state.databases.get(event.replica);
        if (db === undefined || db.cluster.id !== event.database) fail(`${event.database} has no instance ${event.replica}`);
        return;
      }
      case 'nodeFailure':
        if (event.zone !== undefined) zone(event.zone);
        return;
    }
  }

  private apply(event: ScenarioEvent): void {
    const state = this.state;
    const kind = `world.${event.kind}`;
    switch (event.kind) {
      case 'impair': {
        const zone = state.zones.get(event.zone)!;
        state.emit({ kind, zone: zone.id, region: zone.region, detail: `${zone.id}: ${describeMode(event.mode, event.errorRate)}` });
        this.impair(zone, event.mode, event.errorRate);
        return;
      }
      case 'impairRegion':
        state.emit({ kind, region: event.region, detail: `every zone of ${event.region}: ${describeMode(event.mode, event.errorRate)}` });
        for (const zone of this.zonesOfRegion(event.region)) this.impair(zone, event.mode, event.errorRate);
        return;
      case 'recover': {
        state.emit({ kind, ...where(event), detail: `${event.zone ?? event.region!} recovered` });
        const zones = event.zone !== undefined ? [state.zones.get(event.zone)!] : this.zonesOfRegion(event.region!);
        for (const zone of zones) {
          state.updateZone(zone, () => {
            zone.impairment = undefined;
            zone.flap = undefined;
            zone.flapMode = undefined;
          });
        }
        return;
      }
      case 'apiFault': {
        const untilMs = event.until === undefined ? Infinity : event.until * 1000;
        state.clouds.get(event.provider)!.faults.push({
          operations: new Set(event.operations),
          fault: event.fault,
          rate: event.rate,
          region: event.region,
          zone: event.zone,
          untilMs,
        });
        const what = `${event.provider} ${event.fault} on ${event.operations.join(', ')} (${event.zone ?? event.region ?? 'everywhere'})`;
        const until = event.until === undefined ? '' : ` until ${event.until}s`;
        state.emit({ kind, ...where(event), detail: `${what}, rate ${event.rate}${until}` });
        this.scheduleEnd(untilMs, () => state.emit({ kind: 'world.apiFaultEnded', ...where(event), detail: `${what} ended` }));
        return;
      }
      case 'providerStatus': {
        const cloud = state.clouds.get(event.provider)!;
        const zone = cloud.zones.get(event.zone)!;
        zone.setProviderStatus(event.status);
        cloud.regions.get(zone.region)!.invalidate();
        state.emit({ kind, zone: zone.id, region: zone.region, detail: `${event.provider} reports ${zone.id} ${event.status}` });
        return;
      }
      case 'replication':
        return this.applyReplication(event);
      case 'nodeFailure':
        return this.applyNodeFailure(event);
      case 'observerPartition': {
        const zone = state.zones.get(event.zone)!;
        const untilMs = event.until === undefined ? Infinity : event.until * 1000;
        zone.partitionedUntilMs = Math.max(zone.partitionedUntilMs, untilMs);
        const until = event.until === undefined ? '' : ` until ${event.until}s`;
        state.emit({ kind, zone: zone.id, region: zone.region, detail: `the observer cannot reach ${zone.id}${until}` });
        this.scheduleEnd(untilMs, () => {
          if (!zone.isPartitioned(this.clock.now())) {
            const detail = `the observer reaches ${zone.id} again`;
            state.emit({ kind: 'world.observerPartitionEnded', zone: zone.id, region: zone.region, detail });
          }
        });
        return;
      }
      case 'flap':
        return this.applyFlap(event);
    }
  }

  private impair(zone: SimZone, mode: ImpairMode, errorRate: number): void {
    this.state.updateZone(zone, () => {
      zone.impairment = mode;
      zone.impairmentErrorRate = errorRate;
    });
  }

  private applyReplication(event: Extract<ScenarioEvent, { kind: 'replication' }>): void {
    const db = this.state.databases.get(event.replica);
    if (db === undefined) {
      this.state.emit({ kind: 'world.replication', database: event.database, detail: `${event.replica}: ignored: it was deleted` });
      return;
    }
    const parts: string[] = [];
    if (db.role !== 'replica') parts.push(`ignored: ${db.id} is a primary now`);
    else {
      if (event.lagSeconds !== undefined) parts.push(db.mode === 'async' ? `lag ${event.lagSeconds}s` : 'lag ignored (sync replica)');
      if (event.broken !== undefined) parts.push(event.broken ? 'replication broken' : 'replication resumed');
    }
    this.state.emit({
      kind: 'world.replication',
      zone: db.zone.id,
      region: db.zone.region,
      database: db.cluster.id,
      detail: `${db.id}: ${parts.join(', ') || 'no change'}`,
    });
    if (db.role !== 'replica') return;
    // Sync replicas have no lag while healthy (spec 2): the key is ignored for them.
    if (event.lagSeconds !== undefined && db.mode === 'async') db.baseLag = event.lagSeconds;
    if (event.broken !== undefined) db.broken = event.broken;
    this.state.recomputeCluster(db.cluster);
  }

  private applyNodeFailure(event: Extract<ScenarioEvent, { kind: 'nodeFailure' }>): void {
    const candidates: SimNode[] = [];
    for (const cloud of this.state.clouds.values()) {
      for (const node of cloud.groups.get(event.group) ?? []) {
        if (node.state === 'running' && (event.zone === undefined || node.zone.id === event.zone)) candidates.push(node);
      }
    }
    // Partial Fisher-Yates: `count` distinct nodes, each draw from the seeded stream.
    const count = Math.min(event.count, candidates.length);
    for (let i = 0; i < count; i++) {
      const j = i + this.state.failureRandom.int(candidates.length - i);
      [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
    }
    const victims = candidates.slice(0, count);
    for (const node of victims) this.state.moveNode(node, 'terminated', 'terminated');
    this.state.emit({
      kind: 'world.nodeFailure',
      ...(event.zone === undefined ? {} : { zone: event.zone, region: this.state.zones.get(event.zone)!.region }),
      detail: `${victims.length} node(s) of ${event.group} died: ${victims.map((node) => node.id).join(', ') || 'none running'}`,
    });
  }

  private applyFlap(event: Extract<ScenarioEvent, { kind: 'flap' }>): void {
    const state = this.state;
    const zone = state.zones.get(event.zone)!;
    const token = {};
    const startMs = this.clock.now();
    const periodMs = event.periodSeconds * 1000;
    const untilMs = event.until * 1000;
    const end = (): void => {
      if (zone.flap !== token) return;
      state.emit({ kind: 'world.flapEnded', zone: zone.id, region: zone.region, detail: `${zone.id} stopped flapping` });
      state.updateZone(zone, () => {
        zone.flap = undefined;
        zone.flapMode = undefined;
      });
    };
    // Phase k starts at start + k * period: even phases impaired, odd ones healthy.
    const phase = (k: number): void => {
      const atMs = startMs + k * periodMs;
      if (atMs >= untilMs) {
        this.clock.schedule(untilMs, end);
        return;
      }
      this.clock.schedule(atMs, () => {
        if (zone.flap !== token) return;
        state.updateZone(zone, () => (zone.flapMode = k % 2 === 0 ? event.mode : undefined));
        phase(k + 1);
      });
    };
    state.emit({
      kind: 'world.flap',
      zone: zone.id,
      region: zone.region,
      detail: `${zone.id} flaps ${event.mode}/healthy every ${event.periodSeconds}s until ${event.until}s`,
    });
    state.updateZone(zone, () => {
      zone.flap = token;
      zone.flapMode = event.mode;
    });
    phase(1);
  }

  /** Schedules the end of a timed condition, unless it outlasts the scenario. */
  private scheduleEnd(untilMs: number, fn: () => void): void {
    if (untilMs !== Infinity && untilMs <= this.durationSeconds * 1000) this.clock.schedule(untilMs, fn);
  }

  /**
   * Zones of `provider`'s `region` whose status API says impaired or
   * unavailable, read from the world's state (no call recorded, no fault
   * applies): what an emulator needs to know of its own service's health.
   */
  disruptedZones(provider: string, region: string): string[] {
    const zones = this.state.clouds.get(provider)?.regions.get(region)?.zones ?? [];
    return zones.filter((zone) => zone.providerStatus !== 'available').map((zone) => zone.id);
  }

  private zonesOfRegion(region: string): SimZone[] {
    const zones: SimZone[] = [];
    for (const cloud of this.state.clouds.values()) zones.push(...(cloud.regions.get(region)?.zones ?? []));
    return zones;
  }
}

function describeMode(mode: string, errorRate: number): string {
  return mode === 'degraded' ? `degraded (probe error rate ${errorRate})` : mode;
}

function where(event: { readonly zone?: string; readonly region?: string }): { zone?: string; region?: string } {
  return {
    ...(event.zone === undefined ? {} : { zone: event.zone }),
    ...(event.region === undefined ? {} : { region: event.region }),
  };
}
