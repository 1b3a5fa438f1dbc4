import { ALL_CAPABILITIES } from '../../src/core/contract/allCapabilities.js';
import type { CallOptions, Provider } from '../../src/core/contract/Provider.js';
import type {
  Capabilities,
  CreateNodeRequest,
  CreateReplicaRequest,
  DatabaseEndpoint,
  DatabaseFilter,
  DatabaseInstance,
  EndpointFilter,
  LoadBalancer,
  LoadBalancerFilter,
  Node,
  NodeFilter,
  OperationName,
  Region,
  Size,
  TrafficShiftRequest,
  Zone,
} from '../../src/core/contract/types.js';
import { SimCallBoundary, type Located } from './SimCallBoundary.js';
import type { SimCloud } from './SimCloud.js';
import { SimDatabase } from './SimDatabase.js';
import { SimNode } from './SimNode.js';
import type { SimRegion } from './SimRegion.js';
import { SimRejection } from './SimRejection.js';
import { SimTrafficOperations } from './SimTrafficOperations.js';
import type { SimZone } from './SimZone.js';
import type { WorldState } from './WorldState.js';

/** Lag of a replica created through the API: same-provider async streaming, about a second behind. */
const CREATED_REPLICA_LAG_SECONDS = 1;

const SIM_CAPABILITIES: Capabilities = Object.freeze({ ...ALL_CAPABILITIES, endpoints: true, loadBalancers: true });

/**
 * The `sim` adapter: one simulated provider of a {@link SimWorld}, behind the
 * same contract as the real adapters. Every call is recorded for the replay
 * harness, may be hit by an active `apiFault`, and changes the world only
 * through accepted requests whose effects show up after the operation's
 * latency. Obtain one with {@link SimWorld.provider}.
 */
export class SimProvider implements Provider {
  readonly id: string;
  readonly capabilities: Capabilities = SIM_CAPABILITIES;

  private readonly boundary: SimCallBoundary;
  private readonly traffic: SimTrafficOperations;

  /** @internal Use {@link SimWorld.provider} (or {@link SimWorld.records}: `records` true). */
  constructor(
    private readonly world: WorldState,
    private readonly cloud: SimCloud,
    records = false,
  ) {
    this.id = cloud.id;
    this.boundary = new SimCallBoundary(world, cloud, records);
    this.traffic = new SimTrafficOperations(world, cloud, this.boundary, (id) => this.region(id));
  }

  listLocations(options: CallOptions): Promise<Region[]> {
    return this.call(
      'listLocations',
      options.signal,
      undefined,
      () => ({ resource: undefined }),
      () => this.cloud.regionList.map((region) => region.snapshot()),
    );
  }

  zoneStatus(query: { region?: string }, options: CallOptions): Promise<Zone[]> {
    return this.call(
      'zoneStatus',
      options.signal,
      undefined,
      () => {
        const region = query.region === undefined ? undefined : this.region(query.region);
        return { region: region?.id, resource: region };
      },
      (region) => {
        const zones: Zone[] = [];
        for (const each of region === undefined ? this.cloud.regionList : [region]) {
          for (const zone of each.zones) zones.push(zone.snapshot());
        }
        return zones;
      },
    );
  }

  listSizes(query: { region?: string }, options: CallOptions): Promise<Size[]> {
    return this.call(
      'listSizes',
      options.signal,
      undefined,
      () => ({ region: query.region === undefined ? undefined : this.region(query.region).id, resource: undefined }),
      () => [...this.cloud.sizes],
    );
  }

  listNodes(filter: NodeFilter, options: CallOptions): Promise<Node[]> {
    return this.call(
      'listNodes',
      options.signal,
      filter.zone,
      () => this.locateList(filter),
      (scope) => this.collectNodes(filter, scope.region, scope.zone),
    );
  }

  createNode(request: CreateNodeRequest, options: CallOptions): Promise<Node> {
    return this.call(
      'createNode',
      options.signal,
      request.zone,
      () => {
        if (typeof request.name !== 'string' || request.name === '') {
          throw new SimRejection('invalid-input', 'InvalidParameterValue', 'createNode needs a non-empty name');
        }
        const region = this.region(request.region);
        const zone = request.zone === undefined ? undefined : this.zone(request.zone, region);
        if (request.size !== undefined && !this.cloud.sizeIds.has(request.size)) {
          throw new SimRejection(
            'invalid-input',
            'InvalidParameterValue',
            `unknown size ${request.size}; ${this.id} offers ${[...this.cloud.sizeIds].join(', ')}`,
          );
        }
        return { region: region.id, zone: zone?.id, resource: { region, zone } };
      },
      ({ region, zone }) => {
        const token = request.clientToken;
        if (token !== undefined) {
          const previous = this.cloud.clientTokens.get(token);
          if (previous !== undefined) {
            if (!sameCreate(previous.request, request)) {
              throw new SimRejection(
                'invalid-input',
                'IdempotentParameterMismatch',
                `client token ${token} was used for a different createNode request`,
              );
            }
            return previous.node.snapshot();
          }
        }
        const node = new SimNode(
          this.world.nextNodeId(),
          request.name,
          this.id,
          zone ?? this.place(region),
          request.group,
          request.size,
          this.world.clock.now(),
        );
        this.world.addNode(node);
        this.world.moveNode(node, 'pending', 'pending', 'running', this.latency('createNode'));
        if (token !== undefined) this.cloud.clientTokens.set(token, { node, request: { ...request } });
        return node.snapshot();
      },
    );
  }

  rebootNode(id: string, options: CallOptions): Promise<void> {
    return this.nodeCall('rebootNode', id, options, (node) => {
      if (node.state === 'rebooting' || node.state === 'pending') return;
      if (node.state !== 'running') throw wrongNodeState(node, 'only a running node can be rebooted');
      this.world.moveNode(node, 'rebooting', 'rebooting', 'running', this.latency('rebootNode'));
    });
  }

  startNode(id: string, options: CallOptions): Promise<void> {
    return this.nodeCall('startNode', id, options, (node) => {
      if (node.state === 'running' || node.state === 'pending' || node.state === 'rebooting') return;
      if (node.state !== 'stopped' || node.destroying) throw wrongNodeState(node, 'only a stopped node can be started');
      this.world.moveNode(node, 'pending', 'pending', 'running', this.latency('startNode'));
    });
  }

  stopNode(id: string, options: CallOptions): Promise<void> {
    return this.nodeCall('stopNode', id, options, (node) => {
      if (node.destroying || node.state === 'terminated') throw wrongNodeState(node, 'it is being destroyed');
      if (node.state === 'stopped' || node.state === 'stopping') return;
      this.world.moveNode(node, 'stopping', 'stopping', 'stopped', this.latency('stopNode'));
    });
  }

  destroyNode(id: string, options: CallOptions): Promise<void> {
    return this.nodeCall('destroyNode', id, options, (node) => {
      if (node.destroying || node.state === 'terminated') return;
      node.destroying = true;
      this.world.moveNode(node, 'stopping', 'shutting-down', 'terminated', this.latency('destroyNode'));
    });
  }

  listDatabases(filter: DatabaseFilter, options: CallOptions): Promise<DatabaseInstance[]> {
    return this.call(
      'listDatabases',
      options.signal,
      filter.zone,
      () => this.locateList(filter),
      (scope) => this.collectDatabases(filter, scope.region, scope.zone),
    );
  }

  createReplica(request: CreateReplicaRequest, options: CallOptions): Promise<DatabaseInstance> {
    return this.call(
      'createReplica',
      options.signal,
      request.id,
      () => {
        if (typeof request.id !== 'string' || request.id === '') {
          throw new SimRejection('invalid-input', 'InvalidParameterValue', 'createReplica needs a non-empty id');
        }
        if (request.mode !== undefined && request.mode !== 'sync' && request.mode !== 'async') {
          throw new SimRejection('invalid-input', 'InvalidParameterValue', `unknown replication mode ${String(request.mode)}`);
        }
        const source = this.world.databases.get(request.source);
        if (source === undefined) {
          throw new SimRejection('invalid-input', 'DBInstanceNotFound', `unknown source database ${request.source}`);
        }
        const region = this.region(request.region);
        const zone = request.zone === undefined ? undefined : this.zone(request.zone, region);
        return { region: region.id, zone: zone?.id, resource: { source, region, zone } };
      },
      ({ source, region, zone }) => {
        const existing = this.world.databases.get(request.id);
        if (existing !== undefined) {
          if (existing.role === 'replica' && existing.upstream === source && existing.provider === this.id) {
            return existing.snapshot(this.world.now());
          }
          throw new SimRejection('invalid-input', 'DBInstanceAlreadyExists', `database ${request.id} already exists`);
        }
        if (source.state !== 'available') {
          throw new SimRejection(
            'terminal',
            'InvalidDBInstanceState',
            `source ${source.id} is ${source.state}; replicas can only be created from an available instance`,
          );
        }
        const now = this.world.now();
        const replica = new SimDatabase(request.id, source.cluster, this.id, zone ?? this.place(region), 'replica', 'creating', now);
        replica.upstream = source;
        replica.mode = request.mode ?? 'async';
        replica.baseLag = replica.mode === 'sync' ? 0 : CREATED_REPLICA_LAG_SECONDS;
        // The base backup: what the source holds now.
        replica.frozenPos = source.dataAt(now);
        this.world.addDatabase(replica);
        this.world.moveDatabase(replica, 'creating', 'available', this.latency('createReplica'));
        return replica.snapshot(now);
      },
    );
  }

  promoteReplica(id: string, options: CallOptions): Promise<void> {
    return this.databaseCall('promoteReplica', id, options, (db) => {
      if (db.role === 'primary' || db.state === 'promoting') return;
      if (db.broken || db.state !== 'available') {
        throw new SimRejection(
          'terminal',
          'InvalidDBInstanceState',
          `${db.id} is ${db.broken ? 'broken' : db.state}; only an available replica can be promoted`,
        );
      }
      this.world.requestPromotion(db, this.latency('promoteReplica'));
    });
  }

  repointReplica(id: string, upstream: string, options: CallOptions): Promise<void> {
    return this.call(
      'repointReplica',
      options.signal,
      id,
      () => {
        const located = this.locateDatabase(id);
        const target = this.world.databases.get(upstream);
        if (target === undefined) {
          throw new SimRejection('invalid-input', 'DBInstanceNotFound', `unknown upstream database ${upstream}`);
        }
        if (target.cluster !== located.resource.cluster) {
          throw new SimRejection(
            'invalid-input',
            'InvalidParameterCombination',
            `${upstream} belongs to ${target.cluster.id}, not to ${located.resource.cluster.id}`,
          );
        }
        if (followsBack(target, located.resource)) {
          const why = `${upstream} is ${id} or replicates from it: that would make a cycle`;
          throw new SimRejection('invalid-input', 'InvalidParameterCombination', why);
        }
        return { ...located, resource: { db: located.resource, target } };
      },
      ({ db, target }) => {
        if (db.role !== 'replica') throw new SimRejection('terminal', 'InvalidDBInstanceState', `${id} is a primary, not a replica`);
        if (db.destroying) throw new SimRejection('terminal', 'InvalidDBInstanceState', `${id} is being deleted`);
        if (db.upstream === target) return;
        if (db.state === 'creating' || db.state === 'promoting') {
          throw new SimRejection('terminal', 'InvalidDBInstanceState', `${id} is ${db.state}; repoint it once it is available`);
        }
        this.world.requestRepoint(db, target, this.latency('repointReplica'));
      },
    );
  }

  rebootDatabase(id: string, options: CallOptions): Promise<void> {
    return this.databaseCall('rebootDatabase', id, options, (db) => {
      if (db.destroying) throw new SimRejection('terminal', 'InvalidDBInstanceState', `${db.id} is being deleted`);
      if (db.state === 'rebooting') return;
      if (db.state !== 'available' && db.state !== 'stopped') {
        throw new SimRejection('terminal', 'InvalidDBInstanceState', `${db.id} is ${db.state}; it cannot be rebooted now`);
      }
      // The contract has no startDatabase: rebooting a stopped instance starts it.
      db.fenced = false;
      this.world.moveDatabase(db, 'rebooting', 'available', this.latency('rebootDatabase'));
    });
  }

  stopDatabase(id: string, options: CallOptions): Promise<void> {
    return this.databaseCall('stopDatabase', id, options, (db) => {
      if (db.state === 'stopped' || db.state === 'stopping') {
        db.fenced = true;
        return;
      }
      if (db.state === 'creating' || db.state === 'promoting') {
        throw new SimRejection('terminal', 'InvalidDBInstanceState', `${db.id} is ${db.state}; it cannot be stopped now`);
      }
      // `stopping` refuses writes at once: the fence bites before the instance is down.
      db.fenced = true;
      this.world.moveDatabase(db, 'stopping', 'stopped', this.latency('stopDatabase'));
    });
  }

  destroyDatabase(id: string, options: CallOptions): Promise<void> {
    return this.call(
      'destroyDatabase',
      options.signal,
      id,
      () => {
        const db = this.cloud.databases.get(id);
        // Providers forget deleted instances: an id nobody knows is already gone.
        if (db === undefined) return { resource: undefined };
        return { region: db.zone.region, zone: db.zone.id, resource: db };
      },
      (db) => {
        if (db === undefined || db.destroying) return;
        const followers = db.cluster.instances.filter((each) => each.role === 'replica' && each.upstream === db && !each.destroying);
        if (followers.length > 0) {
          const names = followers.map((each) => each.id).join(', ');
          throw new SimRejection('terminal', 'InvalidDBInstanceState', `${id} has replicas (${names}); delete them first`);
        }
        if (db.state === 'creating' || db.state === 'promoting') {
          throw new SimRejection('terminal', 'InvalidDBInstanceState', `${id} is ${db.state}; it cannot be deleted now`);
        }
        db.fenced = true;
        this.world.requestDestroy(db, this.latency('destroyDatabase'));
      },
    );
  }

  listEndpoints(filter: EndpointFilter, options: CallOptions): Promise<DatabaseEndpoint[]> {
    return this.traffic.listEndpoints(filter, options);
  }

  updateEndpoint(name: string, target: string, options: CallOptions): Promise<void> {
    return this.traffic.updateEndpoint(name, target, options);
  }

  listLoadBalancers(filter: LoadBalancerFilter, options: CallOptions): Promise<LoadBalancer[]> {
    return this.traffic.listLoadBalancers(filter, options);
  }

  shiftTraffic(request: TrafficShiftRequest, options: CallOptions): Promise<void> {
    return this.traffic.shiftTraffic(request, options);
  }

  async close(): Promise<void> {}

  /** Every call goes through the boundary ({@link SimCallBoundary.call}). */
  private call<R, T>(
    operation: OperationName,
    signal: AbortSignal,
    target: string | undefined,
    locate: () => Located<R>,
    run: (resource: R) => T,
  ): Promise<T> {
    return this.boundary.call(operation, signal, target, locate, run);
  }

  private nodeCall(operation: OperationName, id: string, options: CallOptions, run: (node: SimNode) => void): Promise<void> {
    return this.call(
      operation,
      options.signal,
      id,
      () => {
        const node = this.cloud.nodes.get(id);
        if (node === undefined) throw new SimRejection('invalid-input', 'InvalidInstanceID.NotFound', `unknown node ${id}`);
        return { region: node.zone.region, zone: node.zone.id, resource: node };
      },
      run,
    );
  }

  private databaseCall(operation: OperationName, id: string, options: CallOptions, run: (db: SimDatabase) => void): Promise<void> {
    return this.call(operation, options.signal, id, () => this.locateDatabase(id), run);
  }

  private locateDatabase(id: string): Located<SimDatabase> & { readonly region: string; readonly zone: string } {
    const db = this.cloud.databases.get(id);
    if (db === undefined) throw new SimRejection('invalid-input', 'DBInstanceNotFound', `unknown database ${id}`);
    return { region: db.zone.region, zone: db.zone.id, resource: db };
  }

  private locateList(filter: { readonly region?: string; readonly zone?: string }): Located<{
    region: SimRegion | undefined;
    zone: SimZone | undefined;
  }> {
    const region = filter.region === undefined ? undefined : this.region(filter.region);
    const zone = filter.zone === undefined ? undefined : this.zone(filter.zone);
    return { region: region?.id ?? zone?.region, zone: zone?.id, resource: { region, zone } };
  }

  private region(id: string): SimRegion {
    const region = this.cloud.regions.get(id);
    if (region === undefined) {
      throw new SimRejection(
        'invalid-input',
        'InvalidParameterValue',
        `unknown region ${id}; ${this.id} has ${this.cloud.regionList.map((each) => each.id).join(', ')}`,
      );
    }
    return region;
  }

  /** A zone of this provider (and of `region`, when given). */
  private zone(id: string, region?: SimRegion): SimZone {
    const zone = this.cloud.zones.get(id);
    if (zone === undefined) throw new SimRejection('invalid-input', 'InvalidParameterValue', `unknown zone ${id}`);
    if (region !== undefined && zone.region !== region.id) {
      throw new SimRejection('invalid-input', 'InvalidParameterValue', `zone ${id} is in ${zone.region}, not in ${region.id}`);
    }
    return zone;
  }

  /**
   * Untargeted placement: a seeded uniform pick among the zones the provider
   * itself believes available. Its belief may be stale, so it can pick a dead
   * zone, as a real placement engine during an outage can.
   */
  private place(region: SimRegion): SimZone {
    let count = 0;
    for (const zone of region.zones) if (zone.providerStatus === 'available') count++;
    if (count === 0) {
      throw new SimRejection(
        'retryable',
        'InsufficientInstanceCapacity',
        `no zone of ${region.id} is available for placement`,
        503,
      );
    }
    let pick = this.world.placementRandom.int(count);
    for (const zone of region.zones) {
      if (zone.providerStatus !== 'available') continue;
      if (pick-- === 0) return zone;
    }
    throw new Error('unreachable: placement pick out of range');
  }

  private latency(operation: OperationName): number {
    return this.cloud.latencySeconds[operation];
  }

  private collectNodes(filter: NodeFilter, region: SimRegion | undefined, zone: SimZone | undefined): Node[] {
    const { group, states, ids } = filter;
    const keep = (node: SimNode): boolean =>
      (zone === undefined || node.zone === zone) &&
      (region === undefined || node.zone.region === region.id) &&
      (group === undefined || node.group === group) &&
      (states === undefined || states.includes(node.state));
    const nodes: Node[] = [];
    const visit = (node: SimNode | undefined): void => {
      if (node !== undefined && keep(node)) nodes.push(node.snapshot());
    };
    // Walk the narrowest index the filter allows.
    if (ids !== undefined) for (const id of ids) visit(this.cloud.nodes.get(id));
    else if (zone !== undefined) for (const node of zone.nodes) visit(node);
    else if (group !== undefined) for (const node of this.cloud.groups.get(group) ?? []) visit(node);
    else if (region !== undefined) for (const each of region.zones) for (const node of each.nodes) visit(node);
    else for (const node of this.cloud.nodes.values()) visit(node);
    return nodes;
  }

  private collectDatabases(filter: DatabaseFilter, region: SimRegion | undefined, zone: SimZone | undefined): DatabaseInstance[] {
    const { cluster, ids } = filter;
    const keep = (db: SimDatabase): boolean =>
      db.provider === this.id &&
      (zone === undefined || db.zone === zone) &&
      (region === undefined || db.zone.region === region.id) &&
      (cluster === undefined || db.cluster.id === cluster);
    const t = this.world.now();
    const instances: DatabaseInstance[] = [];
    let source: Iterable<SimDatabase | undefined>;
    if (ids !== undefined) source = ids.map((id) => this.cloud.databases.get(id));
    else if (zone !== undefined) source = zone.databases;
    else if (cluster !== undefined) source = this.world.clusters.get(cluster)?.instances ?? [];
    else source = this.cloud.databases.values();
    for (const db of source) if (db !== undefined && keep(db)) instances.push(db.snapshot(t));
    return instances;
  }
}

function sameCreate(a: CreateNodeRequest, b: CreateNodeRequest): boolean {
  return a.name === b.name && a.region === b.region && a.zone === b.zone && a.size === b.size && a.group === b.group;
}

function wrongNodeState(node: SimNode, why: string): SimRejection {
  const state = node.destroying ? 'shutting-down' : node.state;
  return new SimRejection('terminal', 'IncorrectInstanceState', `node ${node.id} is ${state}: ${why}`);
}

/** True when `candidate` already replicates (directly or not) from `db`. */
function followsBack(candidate: SimDatabase, db: SimDatabase): boolean {
  for (let each: SimDatabase | undefined = candidate; each !== undefined; each = each.upstream) {
    if (each === db) return true;
  }
  return false;
}
