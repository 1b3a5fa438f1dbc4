/**
 * Value objects of the provider contract. All are plain, serialisable data:
 * they never hold a reference to their adapter and never do I/O.
 * Provider-specific data goes in `extra`; provider states the adapter cannot
 * map become `unknown`.
 */

/** Life-cycle state of a compute node, after the adapter's state table. */
export type NodeState =
  | 'pending'
  | 'running'
  | 'rebooting'
  | 'stopping'
  | 'stopped'
  | 'terminated'
  | 'error'
  | 'unknown';

/** A compute node (VM or process) as the provider reports it. */
export interface Node {
  /** Provider-unique id (`i-0abc...`, a GCE instance name, a process id tag). */
  readonly id: string;
  readonly name: string;
  readonly provider: string;
  readonly region: string;
  readonly zone: string;
  readonly state: NodeState;
  /** Node group this node belongs to (from tags/labels), if any. */
  readonly group?: string;
  /** Size id (`m5.large`, `e2-standard-4`). */
  readonly size?: string;
  /** `host:port` the controller's probes use, when the node has one. */
  readonly endpoint?: string;
  /** Creation time, milliseconds since the epoch of the adapter's clock. */
  readonly createdAt?: number;
  /** Provider-only data (raw state, image, tags, ...). */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** Filter for {@link Provider.listNodes}; all fields are ANDed. */
export interface NodeFilter {
  readonly region?: string;
  readonly zone?: string;
  readonly group?: string;
  readonly states?: readonly NodeState[];
  readonly ids?: readonly string[];
}

/** Request for {@link Provider.createNode}. */
export interface CreateNodeRequest {
  readonly name: string;
  readonly region: string;
  /** Target zone; omit to let the provider place the node ("untargeted"). */
  readonly zone?: string;
  readonly size?: string;
  readonly group?: string;
  /**
   * Idempotency token: a second create with the same token returns the node
   * created by the first instead of creating another (EC2 ClientToken,
   * GCE requestId).
   */
  readonly clientToken?: string;
}

/** The provider's own view of a zone's health (its status page / API). */
export type ZoneProviderStatus = 'available' | 'impaired' | 'unavailable' | 'unknown';

/** A zone inside a region. Zone ids are unique across a provider. */
export interface Zone {
  readonly id: string;
  readonly region: string;
  readonly provider: string;
  readonly status: ZoneProviderStatus;
  readonly extra: Readonly<Record<string, unknown>>;
}

/** A region and its zones. */
export interface Region {
  readonly id: string;
  readonly provider: string;
  readonly zones: readonly Zone[];
  readonly extra: Readonly<Record<string, unknown>>;
}

/** A node size with its on-demand price. */
export interface Size {
  readonly id: string;
  readonly provider: string;
  readonly vcpus: number;
  readonly memoryMiB: number;
  /** On-demand price in USD per hour; `null` when the provider has none. */
  readonly pricePerHour: number | null;
  /** Where the price comes from (price list name and date). */
  readonly priceSource?: string;
  readonly extra: Readonly<Record<string, unknown>>;
}

/** Role of a database instance inside its replication cluster. */
export type DatabaseRole = 'primary' | 'replica' | 'unknown';

/** Life-cycle state of a database instance. */
export type DatabaseState =
  | 'creating'
  | 'available'
  | 'promoting'
  | 'rebooting'
  | 'stopping'
  | 'stopped'
  | 'failed'
  | 'unknown';

/** Replication mode of a replica. */
export type ReplicationMode = 'sync' | 'async';

/** State of the stream from a replica's upstream, seen from the replica. */
export type ReplicationState = 'streaming' | 'disconnected' | 'broken' | 'unknown';

/**
 * Replication as the replica sees it: the controller's second vantage point on
 * the upstream's zone. A replica still in contact with its upstream is proof
 * that the upstream is alive, whatever the controller's own probes say.
 */
export interface ReplicationStatus {
  /** Instance id this replica streams from. */
  readonly upstream: string;
  readonly mode: ReplicationMode;
  readonly state: ReplicationState;
  /**
   * How far behind the upstream's committed data this replica is, in seconds
   * of writes (replay lag). Grows while disconnected. `null` when unknown.
   */
  readonly lagSeconds: number | null;
  /**
   * Seconds since the replica last heard from its upstream (a WAL record or a
   * keepalive). Small while streaming; grows when the upstream is cut off.
   * `null` when the provider cannot tell.
   */
  readonly lastContactSeconds: number | null;
  /** Bytes of WAL not yet replayed, when the provider reports it. */
  readonly lagBytes?: number | null;
  /**
   * How old the measurement behind {@link ReplicationStatus.lagSeconds} is
   * at listing time, in seconds, when the provider reports lag from a
   * sampled metric (CloudWatch, Cloud Monitoring) rather than from the
   * replica now. Absent: measured at listing time. The controller places
   * the replica's position on its upstream's timeline from it (see
   * `ControllerMemory.appliedThrough`).
   */
  readonly lagAgeSeconds?: number;
}

/** One database instance (a primary or a replica). */
export interface DatabaseInstance {
  readonly id: string;
  /** The logical database (replication cluster) this instance belongs to. */
  readonly cluster: string;
  readonly provider: string;
  readonly region: string;
  readonly zone: string;
  readonly engine: string;
  readonly role: DatabaseRole;
  readonly state: DatabaseState;
  /** Present on replicas. */
  readonly replication?: ReplicationStatus;
  /** `host:port` the controller's probes use, when it has one. */
  readonly endpoint?: string;
  readonly extra: Readonly<Record<string, unknown>>;
}

/** Filter for {@link Provider.listDatabases}; all fields are ANDed. */
export interface DatabaseFilter {
  readonly region?: string;
  readonly zone?: string;
  readonly cluster?: string;
  readonly ids?: readonly string[];
}

/** Request for {@link Provider.createReplica}. */
export interface CreateReplicaRequest {
  /** Instance to replicate from (normally the cluster's primary). */
  readonly source: string;
  /** Id of the new replica instance. */
  readonly id: string;
  readonly region: string;
  readonly zone?: string;
  readonly mode?: ReplicationMode;
}

/**
 * Optional operations an adapter may implement. The planner only plans steps
 * whose capability the target provider declares; there is no runtime
 * "not implemented".
 */
export interface Capabilities {
  readonly nodes: boolean;
  readonly startStopNodes: boolean;
  readonly databases: boolean;
  readonly createReplica: boolean;
  readonly promoteReplica: boolean;
  /** Re-point a replica to a new upstream without rebuilding it. */
  readonly repointReplica: boolean;
  readonly stopDatabase: boolean;
  readonly rebootDatabase: boolean;
  /** Delete a database instance for good (retire a replica the cluster no longer needs). */
  readonly destroyDatabase: boolean;
  /**
   * `stopDatabase` is refused (`terminal`) on an instance that still has
   * replicas, and on a replica (RDS). The planner then retires the replicas
   * left behind by a failover before it fences their old primary, instead of
   * sending a stop it knows will be refused. Absent means false.
   */
  readonly stopRefusedWithReplicas?: boolean;
  /** The provider publishes its own per-zone status. */
  readonly zoneStatus: boolean;
  /** Replicas report their lag and contact with the upstream. */
  readonly replicationStatus: boolean;
  /**
   * Database writer endpoints (`listEndpoints`, `updateEndpoint`): the names
   * clients connect to, pointed at an instance (Route 53 and Cloud DNS
   * records, a local proxy). Absent means false.
   */
  readonly endpoints?: boolean;
  /**
   * Zonal load balancers (`listLoadBalancers`, `shiftTraffic`): zones taken
   * out of rotation and put back (ARC zonal shift, backend capacity per
   * zone, HAProxy backends in maintenance). Absent means false.
   */
  readonly loadBalancers?: boolean;
}

/**
 * A database's writer endpoint: the name its clients connect to (a DNS
 * record, a proxy's address), resolving to one instance.
 */
export interface DatabaseEndpoint {
  /** The name clients use (`orders.db.internal.example.com`); the endpoint's id in the contract. */
  readonly name: string;
  /** Provider serving the name; it may differ from the database's (a DNS zone often does). */
  readonly provider: string;
  /** The logical database (replication cluster) whose clients use it. */
  readonly database: string;
  /**
   * Instance the provider answers with now. After an `updateEndpoint` this
   * stays the old instance until the change is served everywhere (Route 53
   * `INSYNC`, Cloud DNS `done`).
   */
  readonly target: string;
  /** Instance an accepted change will point at once it is served; absent when nothing is in flight. */
  readonly pendingTarget?: string;
  /** How long clients keep an old answer after the provider serves a new one, in seconds. */
  readonly ttlSeconds: number;
  readonly extra: Readonly<Record<string, unknown>>;
}

/** Filter for {@link Provider.listEndpoints}; all fields are ANDed. */
export interface EndpointFilter {
  readonly database?: string;
  readonly names?: readonly string[];
}

/** One zone behind a load balancer, as the load balancer sees it. */
export interface LoadBalancerZone {
  readonly zone: string;
  /** False while the zone is shifted away: the load balancer sends it no new requests. */
  readonly inRotation: boolean;
  /** The active shift away from this zone, if any. */
  readonly shift?: {
    /** When the shift ends by itself, milliseconds since the epoch of the adapter's clock. */
    readonly expiresAt: number;
  };
  /**
   * Targets in this zone that the load balancer's own health checks see
   * answering: a vantage point of its own, apart from the controller's
   * probes (ELB target health, backend-service health). `null` when unknown.
   */
  readonly healthyTargets: number | null;
  /** Targets registered in this zone; `null` when unknown. */
  readonly targets: number | null;
}

/** A zonal load balancer in front of a node group. */
export interface LoadBalancer {
  readonly id: string;
  readonly provider: string;
  readonly region: string;
  /** The node group it sends requests to. */
  readonly group: string;
  /** Every zone of the group, in rotation or not. */
  readonly zones: readonly LoadBalancerZone[];
  readonly extra: Readonly<Record<string, unknown>>;
}

/** Filter for {@link Provider.listLoadBalancers}; all fields are ANDed. */
export interface LoadBalancerFilter {
  readonly region?: string;
  readonly group?: string;
  readonly ids?: readonly string[];
}

/** Request for {@link Provider.shiftTraffic}. */
export interface TrafficShiftRequest {
  readonly loadBalancer: string;
  readonly zone: string;
  /** True: take the zone out of rotation; false: put it back (cancel the shift). */
  readonly away: boolean;
  /**
   * With `away: true`, required: seconds until the shift ends by itself
   * (the safety net for a controller that dies). Shifting an already
   * shifted zone replaces its expiry (renewal).
   */
  readonly expiresInSeconds?: number;
}

/** Read operations of the contract (scenario spec section 4.1). */
export const READ_OPERATIONS = [
  'listNodes',
  'listDatabases',
  'listLocations',
  'listSizes',
  'zoneStatus',
  'listEndpoints',
  'listLoadBalancers',
] as const;
/** Mutating operations of the contract (scenario spec section 4.1): every one the controller may call. */
export const MUTATING_OPERATIONS = [
  'createNode',
  'rebootNode',
  'destroyNode',
  'startNode',
  'stopNode',
  'promoteReplica',
  'createReplica',
  'rebootDatabase',
  'stopDatabase',
  'repointReplica',
  'destroyDatabase',
  'updateEndpoint',
  'shiftTraffic',
] as const;

export type ReadOperation = (typeof READ_OPERATIONS)[number];
export type MutatingOperation = (typeof MUTATING_OPERATIONS)[number];
/** Any adapter-level operation name. */
export type OperationName = ReadOperation | MutatingOperation;

const MUTATING = new Set<string>(MUTATING_OPERATIONS);
/** True for operations that change the world. */
export function isMutatingOperation(op: string): op is MutatingOperation {
  return MUTATING.has(op);
}
