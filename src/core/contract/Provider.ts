import type {
  Capabilities,
  CreateNodeRequest,
  CreateReplicaRequest,
  DatabaseFilter,
  DatabaseEndpoint,
  DatabaseInstance,
  EndpointFilter,
  LoadBalancer,
  LoadBalancerFilter,
  Node,
  NodeFilter,
  Region,
  Size,
  TrafficShiftRequest,
  Zone,
} from './types.js';
import type { PartialListingError } from './PartialListingError.js';

/** Options every contract call takes. */
export interface CallOptions {
  /**
   * Cancels the call. Adapters must stop waiting (and abort the underlying
   * HTTP request or process wait) as soon as it fires, and reject with a
   * `timeout` {@link ProviderError}.
   */
  readonly signal: AbortSignal;
}

/**
 * The provider contract: one interface, many adapters (`sim`, `local`, `aws`,
 * `gcp`). Implementations live in `adapters/<provider>/`.
 *
 * General rules for every method:
 * - Errors are always {@link ProviderError}s (adapters translate SDK errors at
 *   the boundary). The controller reacts by kind: `throttled` backs off the
 *   whole provider/region; `retryable` and `timeout` are retried on a later
 *   cycle with jittered exponential backoff; `terminal` and `invalid-input`
 *   fail the step and the planner chooses again next cycle.
 * - Time budget: the controller cuts every call off through `signal`
 *   (policy `callTimeout`, 30 s by default). Adapters must not retry on their
 *   own beyond what fits in that budget.
 * - Mutating calls return once the provider has accepted the request; the
 *   effect (running, promoted, stopped) shows up in later reads.
 *
 * @typeParam - none; value objects are plain data ({@link Node},
 * {@link DatabaseInstance}, ...) and never hold the adapter.
 */
export interface Provider {
  /** Provider id, as used in scenarios and config (`aws`, `gcp`, `local`, `sim`). */
  readonly id: string;
  /** Optional operations this adapter implements. */
  readonly capabilities: Capabilities;

  /** Regions and their zones. Read-only; safe to call any time. */
  listLocations(options: CallOptions): Promise<Region[]>;
  /**
   * The provider's own status of each zone (of one region, or all). May lag
   * reality, or never change during an outage: the controller treats it as
   * one vantage point among three. Read-only.
   */
  zoneStatus(query: { region?: string }, options: CallOptions): Promise<Zone[]>;
  /** Node sizes with price per hour. Read-only. */
  listSizes(query: { region?: string }, options: CallOptions): Promise<Size[]>;

  /**
   * Nodes matching the filter, following every page. Read-only.
   *
   * - Partial answers: when the provider answers but says some zones or
   *   regions could not be read (Compute `aggregatedList` `unreachables`),
   *   the adapter rejects with a {@link PartialListingError} carrying what
   *   was listed and the scopes it could not read; it never returns the
   *   partial list as if it were complete. The controller then takes the
   *   listed nodes in, keeps its last picture of the unreachable scopes'
   *   nodes as `unknown` (never "gone"), and records the read as answered
   *   (no backoff). Callers that do not know the error see a `retryable`
   *   failure and keep their previous picture.
   * - Time budget: one call within `callTimeout`, every page followed.
   */
  listNodes(filter: NodeFilter, options: CallOptions): Promise<Node[]>;
  /**
   * Creates a node in a region, in `zone` when given. Idempotent when a
   * `clientToken` is passed. Returns the node (normally `pending`).
   * Errors: `invalid-input` for an unknown region, zone or size.
   */
  createNode(request: CreateNodeRequest, options: CallOptions): Promise<Node>;
  /** Reboots a node. Idempotent (rebooting a rebooting node is a no-op). */
  rebootNode(id: string, options: CallOptions): Promise<void>;
  /** Starts a stopped node. Idempotent on a running node. */
  startNode(id: string, options: CallOptions): Promise<void>;
  /** Stops a node. Idempotent on a stopped node. */
  stopNode(id: string, options: CallOptions): Promise<void>;
  /** Destroys a node. Idempotent: destroying a terminated node succeeds. */
  destroyNode(id: string, options: CallOptions): Promise<void>;

  /**
   * Database instances matching the filter. Replicas carry their
   * {@link ReplicationStatus} when the adapter declares `replicationStatus`.
   * Read-only. A listing the provider reports incomplete (Cloud SQL
   * `instances.list` `warnings` with `REGION_UNREACHABLE`) rejects with a
   * {@link PartialListingError}, handled as for {@link Provider.listNodes}:
   * nothing is created or failed over because an instance is missing from
   * a scope that could not be read.
   */
  listDatabases(filter: DatabaseFilter, options: CallOptions): Promise<DatabaseInstance[]>;
  /**
   * Creates a replica of `source`. Returns the new instance (normally
   * `creating`). Idempotent by `id`: a second call for an existing replica
   * of the same source returns it.
   */
  createReplica(request: CreateReplicaRequest, options: CallOptions): Promise<DatabaseInstance>;
  /**
   * Promotes a replica to a writable primary of its cluster. Idempotent:
   * promoting the current primary is a no-op. Errors: `terminal` when the
   * instance is not a replica in a promotable state.
   */
  promoteReplica(id: string, options: CallOptions): Promise<void>;
  /** Points a replica at a new upstream (capability `repointReplica`). Idempotent. */
  repointReplica(id: string, upstream: string, options: CallOptions): Promise<void>;
  /** Reboots a database instance (capability `rebootDatabase`). */
  rebootDatabase(id: string, options: CallOptions): Promise<void>;
  /**
   * Stops a database instance (capability `stopDatabase`): it refuses new
   * writes at once and is `stopped` later. Used to fence an old primary.
   * Idempotent on a stopped instance.
   */
  stopDatabase(id: string, options: CallOptions): Promise<void>;
  /**
   * Deletes a database instance for good (capability `destroyDatabase`):
   * the controller retires replicas a failover left following a former
   * primary, once they are replaced. The instance stops replicating and
   * serving at once (`stopping`) and disappears from listings later.
   *
   * - Idempotent: destroying an instance that is being destroyed or is gone
   *   succeeds. Providers forget deleted instances, so an id the provider
   *   does not know counts as gone, not as `invalid-input`.
   * - Refused (`terminal`) while other instances replicate from it: delete
   *   them first. (Cloud SQL refuses such a delete itself; RDS would promote
   *   them to standalone, writable primaries, so its adapter refuses before
   *   asking.) Providers may also refuse it (`terminal`) while the instance
   *   is being created or promoted.
   * - Time budget: returns once the provider accepted the request, within
   *   `callTimeout`; `retryable`/`throttled`/`timeout` are retried on a
   *   later cycle with backoff, and a `timeout` may have taken effect (the
   *   next listing tells).
   */
  destroyDatabase(id: string, options: CallOptions): Promise<void>;

  /**
   * Writer endpoints this provider serves (capability `endpoints`; present
   * exactly when it is declared), with the instance each one answers with
   * now and the change in flight, if any. Read-only.
   *
   * - Time budget: one call within `callTimeout`, every page followed.
   * - Errors: `throttled` backs the provider off; `retryable`/`timeout` are
   *   retried next cycle, and until then the controller keeps its last
   *   reading and plans no endpoint change on a missing one.
   */
  listEndpoints?(filter: EndpointFilter, options: CallOptions): Promise<DatabaseEndpoint[]>;
  /**
   * Points a writer endpoint at an instance (capability `endpoints`): the
   * new answer is served after the provider's propagation (Route 53
   * `INSYNC`, Cloud DNS `done`, at once for a local proxy); clients follow
   * within the endpoint's TTL after that.
   *
   * - Idempotent: pointing an endpoint at its current or pending target is
   *   a no-op, so the controller may re-issue it every cycle until
   *   `listEndpoints` shows it served.
   * - Time budget: returns once the provider accepted the change, within
   *   `callTimeout`; it does not wait for propagation.
   * - Errors: `invalid-input` for an unknown endpoint or an instance the
   *   provider cannot point at (the step fails; the planner re-reads and
   *   chooses again). `terminal` when the provider refuses the change now
   *   (a conflicting change in flight): retried on a later cycle with
   *   backoff, never by undoing the failover it follows. `throttled`,
   *   `retryable` and `timeout` are retried with backoff; a `timeout` may
   *   have taken effect (the next listing tells).
   */
  updateEndpoint?(name: string, target: string, options: CallOptions): Promise<void>;
  /**
   * Zonal load balancers (capability `loadBalancers`; present exactly when
   * it is declared): per zone, whether it is in rotation, the active shift
   * and its expiry, and what the load balancer's own health checks see
   * (a vantage point apart from the controller's probes). Read-only.
   *
   * - Time budget: one call within `callTimeout`, every page followed.
   * - Errors: as {@link Provider.listEndpoints}; without a fresh reading the
   *   controller starts no new shift.
   */
  listLoadBalancers?(filter: LoadBalancerFilter, options: CallOptions): Promise<LoadBalancer[]>;
  /**
   * Takes a zone of a load balancer out of rotation until `expiresInSeconds`
   * (`away: true`), or puts it back (`away: false`) (capability
   * `loadBalancers`). The expiry is the safety net: if the controller dies,
   * traffic returns by itself, so a controller keeps renewing a shift while
   * the zone stays impaired.
   *
   * - Idempotent: shifting a shifted zone again replaces its expiry (the
   *   renewal); putting back a zone in rotation is a no-op.
   * - Time budget: returns once the provider accepted the change, within
   *   `callTimeout`; traffic moves later (connections drain, DNS).
   * - Errors: `terminal` when the shift would leave no zone of the load
   *   balancer in rotation: the step fails and is not retried for that
   *   zone while the others are out. `invalid-input` for an unknown load
   *   balancer or zone, or `away: true` without a positive expiry.
   *   `throttled`, `retryable` and `timeout` are retried with backoff; a
   *   `timeout` may have taken effect (the next listing tells).
   */
  shiftTraffic?(request: TrafficShiftRequest, options: CallOptions): Promise<void>;

  /** Releases everything the adapter started (processes, sockets). Idempotent. */
  close?(): Promise<void>;
}
