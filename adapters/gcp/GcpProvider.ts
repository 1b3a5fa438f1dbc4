import { AsyncLocalStorage } from 'node:async_hooks';
import { ALL_CAPABILITIES } from '../../src/core/contract/allCapabilities.js';
import { matchesDatabaseFilter, matchesNodeFilter } from '../../src/core/contract/filters.js';
import { raceAbort } from '../../src/core/clock/raceAbort.js';
import { createHash } from 'node:crypto';
import type { InstancesClient, protos } from '@google-cloud/compute';
import { COMPUTE_PAGE, ComputeClients, NO_RETRY } from './ComputeClients.js';
import { GoogleAuth } from 'google-auth-library';
import { abortError, type Clock } from '../../src/core/clock/Clock.js';
import { SystemClock } from '../../src/core/clock/SystemClock.js';
import { isProviderError, ProviderError } from '../../src/core/contract/errors.js';
import { PartialListingError, type UnreachableScopes } from '../../src/core/contract/PartialListingError.js';
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
  Region,
  Size,
  TrafficShiftRequest,
  Zone,
} from '../../src/core/contract/types.js';
import { BackendServiceLoadBalancers } from './BackendServiceLoadBalancers.js';
import { CloudDns } from './CloudDns.js';
import { CloudDnsEndpoints } from './CloudDnsEndpoints.js';
import type { GcpCallRunner } from './GcpCallRunner.js';
import { CloudMonitoring, REPLICA_LAG_METRIC, REPLICATION_STATE_METRIC, replicationReadings, type MonitoringTimeSeries, type ReplicationReading } from './CloudMonitoring.js';
import { CloudSqlAdmin } from './CloudSqlAdmin.js';
import type { CloudSqlInstance, CloudSqlOperation } from './CloudSqlInstance.js';
import type { GcpAuth } from './GcpAuth.js';
import type { GcpCallScope } from './GcpCallScope.js';
import { toGceZoneStatus } from './gceStatusTable.js';
import { formatNodeId, instanceNameFor, isLabelValue, lastSegment, parseNodeId, regionOfZone, requestIdFor } from './gceNames.js';
import { gcpSizes } from './gcpSizes.js';
import { DEFAULT_OPERATION_WAIT_MS, DEFAULT_POLL_MS, GcpOperationWaiter } from './GcpOperationWaiter.js';
import type { GcpProviderOptions } from './GcpProviderOptions.js';
import { ScopedAuth } from './ScopedAuth.js';
import { toCloudSqlDatabase, upstreamName, CLUSTER_LABEL } from './toCloudSqlDatabase.js';
import { CLOUD_SQL_CLUSTER_VIEW } from './cloudSqlClusterView.js';
import { clusterOf } from '../shared/clusterOf.js';
import { paginate } from '../shared/paginate.js';
import { GROUP_LABEL, toGceNode } from './toGceNode.js';
import { toGcpProviderError } from './toGcpProviderError.js';
import { cloudSqlReplicaBody } from './cloudSqlReplicaBody.js';
import { GoogleRestApi } from './GoogleRestApi.js';
import {
  anyUnreachable,
  cloudSqlUnreachables,
  computeUnreachables,
  mergeScopes,
  relevantScopes,
  zonalUnreachables,
  type CloudSqlApiWarning,
  type ComputeAggregatedPage,
} from './unreachableScopes.js';

type IInstance = protos.google.cloud.compute.v1.IInstance;
type IOperation = protos.google.cloud.compute.v1.IOperation;

/** Cloud SQL page size. */
const SQL_PAGE = 500;
/** How far back to look for replication samples: Cloud SQL samples every 60 s and shows them up to 165 s later. */
const METRIC_WINDOW_MS = 5 * 60_000;
/** Instances remembered as last read (a shortcut only); past this many the memory starts over rather than grow without bound. */
const MAX_REMEMBERED_INSTANCES = 200_000;

/**
 * The `gcp` adapter: Compute Engine for nodes and zones through
 * `@google-cloud/compute` (REST transport), Cloud SQL Admin for databases
 * through its REST API, with Application Default Credentials.
 *
 * - Node ids are `<zone>/<instance name>` (GCE names are unique per zone
 *   only); created instances get a suffix derived from the client token.
 * - Every request carries the call's `AbortSignal` (through
 *   {@link ScopedAuth}); client-library retries are off.
 * - Mutating calls wait up to `operationWaitMs` for their long-running
 *   operation, so quota and capacity failures surface as errors; past that
 *   they return as accepted.
 * - GCE zones are only UP or DOWN (no "impaired"). The Cloud SQL Admin API
 *   reports no replica lag or replication state: with `replicationMetrics`
 *   `monitoring` (the default) they come from Cloud Monitoring (two
 *   `timeSeries.list` reads per listing) and `replicationStatus` is
 *   declared. Cloud SQL cannot re-point a replica, so `repointReplica` is
 *   not declared.
 * - With `endpoints` configured, writer endpoints are Cloud DNS record sets
 *   ({@link CloudDnsEndpoints}); with `loadBalancers`, zonal load balancers
 *   are backend services ({@link BackendServiceLoadBalancers}). Each
 *   capability, and its two methods, exist only when configured.
 */
export class GcpProvider implements Provider {
  readonly id: string;
  readonly capabilities: Capabilities;
  private readonly scopes = new AsyncLocalStorage<GcpCallScope>();
  private readonly auth: ScopedAuth;
  private readonly clock: Clock;
  private readonly sql: CloudSqlAdmin;
  /** Compute's REST API, for the one listing whose client-library iterator drops a field we need (see {@link aggregatedList}). */
  private readonly computeRest: GoogleRestApi;
  private readonly monitoring: CloudMonitoring | undefined;
  private readonly operations: GcpOperationWaiter;
  private readonly gce: ComputeClients;
  private project: Promise<string> | undefined;
  private closed = false;
  /** Each Cloud SQL instance as last read, by name (see {@link describedInstance}). */
  private readonly sqlRecords = new Map<string, CloudSqlInstance>();
  /** The load balancers' part, whose shift expiry timers stop on close. */
  private loadBalancers: BackendServiceLoadBalancers | undefined;

  /** Cloud DNS record sets (only with `options.endpoints`). */
  declare readonly listEndpoints?: (filter: EndpointFilter, options: CallOptions) => Promise<DatabaseEndpoint[]>;
  declare readonly updateEndpoint?: (name: string, target: string, options: CallOptions) => Promise<void>;
  /** Backend services (only with `options.loadBalancers`). */
  declare readonly listLoadBalancers?: (filter: LoadBalancerFilter, options: CallOptions) => Promise<LoadBalancer[]>;
  declare readonly shiftTraffic?: (request: TrafficShiftRequest, options: CallOptions) => Promise<void>;

  constructor(private readonly options: GcpProviderOptions = {}) {
    this.id = options.id ?? 'gcp';
    this.clock = options.clock ?? new SystemClock();
    this.operations = new GcpOperationWaiter(this.id, this.clock, options.operationWaitMs ?? DEFAULT_OPERATION_WAIT_MS, options.pollIntervalMs ?? DEFAULT_POLL_MS);
    const inner: GcpAuth = 
      options.auth ??
      (new GoogleAuth({
        scopes: ['https://www.googleapis.com/auth/cloud-platform'],
        ...(options.keyFile === undefined ? {} : { keyFilename: options.keyFile }),
      }) as unknown as GcpAuth);
    this.auth = new ScopedAuth(inner, this.scopes);
    this.gce = new ComputeClients(this.auth, options);
    const base =
      options.apiEndpoint === undefined
        ? 'https://sqladmin.googleapis.com'
        : `${options.protocol ?? 'https'}://${options.apiEndpoint}${options.port === undefined ? '' : `:${options.port}`}`;
    this.sql = new CloudSqlAdmin(this.auth, base);
    this.computeRest = new GoogleRestApi(this.auth, options.apiEndpoint === undefined ? 'https://compute.googleapis.com' : base, 'compute/v1');
    const metrics = (options.replicationMetrics ?? 'monitoring') === 'monitoring';
    this.monitoring = metrics
      ? new CloudMonitoring(this.auth, options.apiEndpoint === undefined ? 'https://monitoring.googleapis.com' : base)
      : undefined;
    const runner: GcpCallRunner = {
      provider: this.id,
      call: (operation, signal, run) => this.call(operation, signal, run),
      withSignal: (signal, run) => this.scopes.run({ signal }, run),
      projectId: (operation, signal) => this.projectId(operation, signal),
    };
    const endpoints = options.endpoints ?? [];
    if (endpoints.length > 0) {
      const dns = new CloudDns(this.auth, options.apiEndpoint === undefined ? 'https://dns.googleapis.com' : base);
      const lookup = {
        instances: (operation: string, project: string, signal: AbortSignal) => this.call(operation, signal, () => this.sqlInstances(operation, project)),
        instance: (operation: string, project: string, name: string, signal: AbortSignal) => this.getInstance(operation, project, name, signal),
        described: (name: string) => this.describedInstance(name),
      };
      const part = new CloudDnsEndpoints(runner, dns, lookup, endpoints);
      this.listEndpoints = (filter, callOptions) => part.listEndpoints(filter, callOptions);
      this.updateEndpoint = (name, target, callOptions) => part.updateEndpoint(name, target, callOptions);
    }
    const loadBalancers = options.loadBalancers ?? [];
    if (loadBalancers.length > 0) {
      const part = new BackendServiceLoadBalancers(runner, this.gce, this.operations, this.clock, loadBalancers);
      this.loadBalancers = part;
      this.listLoadBalancers = (filter, callOptions) => part.listLoadBalancers(filter, callOptions);
      this.shiftTraffic = (request, callOptions) => part.shiftTraffic(request, callOptions);
    }
    this.capabilities = Object.freeze({
      ...ALL_CAPABILITIES,
      // Cloud SQL cannot point a read replica at another primary: the planner replaces such replicas instead.
      repointReplica: false,
      replicationStatus: metrics,
      ...(endpoints.length > 0 ? { endpoints: true } : {}),
      ...(loadBalancers.length > 0 ? { loadBalancers: true } : {}),
    });
  }

  // ---- locations ------------------------------------------------------------

  async listLocations(options: CallOptions): Promise<Region[]> {
    const zones = await this.listZones('listLocations', options.signal);
    const regions = new Map<string, Zone[]>();
    for (const zone of zones) regions.set(zone.region, [...(regions.get(zone.region) ?? []), zone]);
    return [...regions].map(([id, members]) => ({ id, provider: this.id, zones: members, extra: {} }));
  }

  async zoneStatus(query: { region?: string }, options: CallOptions): Promise<Zone[]> {
    if (query.region !== undefined) this.checkRegion('zoneStatus', query.region);
    const zones = await this.listZones('zoneStatus', options.signal);
    if (query.region !== undefined && !zones.some((zone) => zone.region === query.region)) {
      throw this.invalid('zoneStatus', `unknown region ${query.region}`, 'InvalidRegion');
    }
    return query.region === undefined ? zones : zones.filter((zone) => zone.region === query.region);
  }

  async listSizes(query: { region?: string }, options: CallOptions): Promise<Size[]> {
    if (options.signal.aborted) throw this.timeout('listSizes', options.signal);
    if (query.region !== undefined) this.checkRegion('listSizes', query.region);
    return gcpSizes(this.id, query.region ?? 'us-central1');
  }

  // ---- nodes ----------------------------------------------------------------

  async listNodes(filter: NodeFilter, options: CallOptions): Promise<Node[]> {
    const { signal } = options;
    if (filter.region !== undefined) this.checkRegion('listNodes', filter.region);
    if (filter.zone !== undefined && filter.region !== undefined && regionOfZone(filter.zone) !== filter.region) {
      throw this.invalid('listNodes', `zone ${filter.zone} is not in region ${filter.region}`, 'InvalidZone');
    }
    const parsed = filter.ids?.map((id) => parseNodeId(id));
    // Ids that are not `<zone>/<name>` name no instance: they cannot match.
    const ids = parsed?.filter((each): each is { zone: string; name: string } => each !== undefined);
    if (ids !== undefined && ids.length === 0) {
      if (signal.aborted) throw this.timeout('listNodes', signal);
      return [];
    }
    const zones = new Set(ids?.map((each) => each.zone) ?? (filter.zone === undefined ? [] : [filter.zone]));
    const terms: string[] = [];
    if (filter.group !== undefined) terms.push(`(labels.${GROUP_LABEL} = ${quote(filter.group)})`);
    if (ids?.length === 1) terms.push(`(name = ${quote(ids[0]!.name)})`);
    const request = { filter: terms.join(' '), maxResults: COMPUTE_PAGE };
    const listing =
      zones.size === 1 ? await this.zonalList([...zones][0]!, request, signal) : await this.aggregatedList(request, signal);
    const regions = this.options.regions;
    const nodes = listing.instances
      .map((instance) => toGceNode(instance, this.id, this.options.probePort))
      .filter((node) => (regions === undefined || regions.includes(node.region)) && matchesNodeFilter(node, filter));
    const missing = relevantScopes(listing.unreachable, filter, regions);
    if (anyUnreachable(missing)) throw this.partial('listNodes', nodes, missing);
    return nodes;
  }

  async createNode(request: CreateNodeRequest, options: CallOptions): Promise<Node> {
    const { signal } = options;
    this.checkRegion('createNode', request.region);
    if (request.zone !== undefined && regionOfZone(request.zone) !== request.region) {
      throw this.invalid('createNode', `zone ${request.zone} is not in region ${request.region}`, 'InvalidZone');
    }
    if (request.group !== undefined && !isLabelValue(request.group)) {
      throw this.invalid('createNode', `group ${request.group} is not a valid GCE label value ([a-z0-9_-], at most 63)`, 'InvalidLabel');
    }
    const { sourceImage, instanceTemplate } = this.options;
    if (sourceImage === undefined && instanceTemplate === undefined) {
      throw this.invalid('createNode', 'no boot image or instance template is configured (options.sourceImage / options.instanceTemplate)', 'MissingParameter');
    }
    const zone = request.zone ?? (await this.pickZone(request, signal));
    const name = instanceNameFor(request.name, request.clientToken);
    // With a template and no size asked for, the template's machine type applies.
    const size = request.size ?? this.options.defaultSize ?? (instanceTemplate === undefined ? 'e2-small' : undefined);
    const resource: IInstance = {
      name,
      ...(size === undefined ? {} : { machineType: `zones/${zone}/machineTypes/${size}` }),
      labels: request.group === undefined ? {} : { [GROUP_LABEL]: request.group },
      ...(sourceImage === undefined ? {} : { disks: [{ boot: true, autoDelete: true, initializeParams: { sourceImage } }] }),
      ...(instanceTemplate === undefined ? { networkInterfaces: [{ network: this.options.network ?? 'global/networks/default' }] } : {}),
    };
    const project = await this.projectId('createNode', signal);
    try {
      const operation = await this.call('createNode', signal, async () => {
        const [lro] = await this.gce.clients().instances.insert(
          {
            project,
            zone,
            instanceResource: resource,
            ...(request.clientToken === undefined ? {} : { requestId: requestIdFor(request.clientToken) }),
            ...(instanceTemplate === undefined ? {} : { sourceInstanceTemplate: instanceTemplate }),
          },
          NO_RETRY,
        );
        return this.awaitZoneOperation('createNode', project, zone, lro.latestResponse as IOperation, signal);
      });
      // The instance the operation made, as its target link names it (GCE: our name; the emulator: the world's id).
      const target = /\/zones\/([^/]+)\/instances\/([^/]+)$/.exec(operation.targetLink ?? '');
      const madeZone = target?.[1] ?? zone;
      const madeName = target?.[2] ?? name;
      return {
        id: formatNodeId(madeZone, madeName),
        name: madeName,
        provider: this.id,
        region: regionOfZone(madeZone),
        zone: madeZone,
        state: 'pending',
        ...(request.group === undefined ? {} : { group: request.group }),
        ...(size === undefined ? {} : { size }),
        extra: { operation: operation.name, operationStatus: operation.status },
      };
    } catch (error) {
      // A retried create after GCE forgot the request id: the instance with the token-derived name is the answer.
      if (!isProviderError(error) || error.status !== 409 || request.clientToken === undefined) throw error;
      const {
        instances: [existing],
      } = await this.zonalList(zone, { filter: `(name = ${quote(name)})`, maxResults: COMPUTE_PAGE }, signal);
      if (existing === undefined) throw error;
      return toGceNode(existing, this.id, this.options.probePort);
    }
  }

  rebootNode(id: string, options: CallOptions): Promise<void> {
    return this.nodeOperation('rebootNode', id, options.signal, (client, request) => client.reset(request, NO_RETRY));
  }

  startNode(id: string, options: CallOptions): Promise<void> {
    return this.nodeOperation('startNode', id, options.signal, (client, request) => client.start(request, NO_RETRY));
  }

  stopNode(id: string, options: CallOptions): Promise<void> {
    return this.nodeOperation('stopNode', id, options.signal, (client, request) => client.stop(request, NO_RETRY));
  }

  async destroyNode(id: string, options: CallOptions): Promise<void> {
    try {
      await this.nodeOperation('destroyNode', id, options.signal, (client, request) => client.delete(request, NO_RETRY));
    } catch (error) {
      // GCE forgets deleted instances: "not found" is what a finished destroy looks like.
      if (isProviderError(error) && error.status === 404) return;
      throw error;
    }
  }

  // ---- databases ------------------------------------------------------------

  async listDatabases(filter: DatabaseFilter, options: CallOptions): Promise<DatabaseInstance[]> {
    const { signal } = options;
    if (filter.region !== undefined) this.checkRegion('listDatabases', filter.region);
    const project = await this.projectId('listDatabases', signal);
    const { instances: all, unreachable } = await this.call('listDatabases', signal, () => this.sqlListing('listDatabases', project));
    const cluster = clusterOf(all, CLOUD_SQL_CLUSTER_VIEW);
    const regions = this.options.regions;
    const kept = all
      .map((each) => ({ sql: each, db: toCloudSqlDatabase(each, this.id, cluster(each)) }))
      .filter(({ db }) => (regions === undefined || regions.includes(db.region)) && matchesDatabaseFilter(db, filter));
    let databases = kept.map(({ db }) => db);
    if (this.monitoring !== undefined && kept.some(({ db }) => db.role === 'replica')) {
      const { readings, error } = await this.replicationReadings(project, signal);
      databases = kept.map(({ sql, db }) => {
        if (db.role !== 'replica') return db;
        const instance = toCloudSqlDatabase(sql, this.id, db.cluster, readings.get(db.id));
        return error === undefined ? instance : { ...instance, extra: { ...instance.extra, replicationMetricsError: error } };
      });
    }
    const missing = relevantScopes(unreachable, filter, regions);
    if (anyUnreachable(missing)) throw this.partial('listDatabases', databases, missing);
    return databases;
  }

  /** Every Cloud SQL instance of the project, every page followed (inside a {@link call}); a partial answer counts as whole here. */
  private async sqlInstances(operation: string, project: string): Promise<CloudSqlInstance[]> {
    return (await this.sqlListing(operation, project)).instances;
  }

  /** Every Cloud SQL instance of the project that `instances.list` could read, and the regions it could not. */
  private async sqlListing(operation: string, project: string): Promise<{ instances: CloudSqlInstance[]; unreachable: UnreachableScopes }> {
    let unreachable: UnreachableScopes = { zones: [], regions: [] };
    const instances = await paginate(
      async (token) => {
        const page = await this.sql.call<{ items?: CloudSqlInstance[]; nextPageToken?: string; warnings?: CloudSqlApiWarning[] }>('GET', `projects/${project}/instances`, {
          query: { maxResults: String(SQL_PAGE), pageToken: token },
        });
        unreachable = mergeScopes(unreachable, cloudSqlUnreachables(page.warnings, this.id, operation));
        for (const instance of page.items ?? []) this.sawInstance(instance);
        return { items: page.items ?? [], next: page.nextPageToken };
      },
      { provider: this.id, operation, listing: `${operation}: instances.list` },
    );
    return { instances, unreachable };
  }

  /** A listing that could not read every scope it covers: what it read, and where it could not look (see {@link PartialListingError}). */
  private partial<T>(operation: string, listed: readonly T[], missing: UnreachableScopes): PartialListingError<T> {
    const where = [...missing.zones.map((zone) => `zone ${zone}`), ...missing.regions.map((region) => `region ${region}`)].join(', ');
    return new PartialListingError(`${operation}: Google Cloud could not list ${where}; the rest is listed`, listed, missing, { provider: this.id, operation });
  }

  /**
   * Replica lag and replication state of every Cloud SQL replica of the
   * project, from Cloud Monitoring: one `timeSeries.list` per metric (and
   * page). A Monitoring failure does not fail the listing: readings are
   * then empty (lag and state unknown) and the error kind is kept.
   */
  private async replicationReadings(project: string, signal: AbortSignal): Promise<{ readings: Map<string, ReplicationReading>; error?: string }> {
    const monitoring = this.monitoring!;
    const end = this.clock.now();
    const series = (metric: string): Promise<MonitoringTimeSeries[]> =>
      paginate(
        async (token) => {
          const page = await monitoring.listTimeSeries(project, metric, end - METRIC_WINDOW_MS, end, token);
          return { items: page.timeSeries ?? [], next: page.nextPageToken };
        },
        { provider: this.id, operation: 'listDatabases', listing: 'listDatabases: timeSeries.list' },
      );
    try {
      const lag = await this.call('listDatabases', signal, () => series(REPLICA_LAG_METRIC));
      const state = await this.call('listDatabases', signal, () => series(REPLICATION_STATE_METRIC));
      return { readings: replicationReadings(lag, state) };
    } catch (error) {
      if (signal.aborted || !isProviderError(error)) throw error;
      return { readings: new Map(), error: error.kind };
    }
  }

  async createReplica(request: CreateReplicaRequest, options: CallOptions): Promise<DatabaseInstance> {
    const { signal } = options;
    if (request.mode === 'sync') {
      throw this.invalid('createReplica', 'Cloud SQL read replicas are asynchronous; synchronous standby is high availability, not a replica', 'InvalidParameterCombination');
    }
    this.checkRegion('createReplica', request.region);
    if (request.zone !== undefined && regionOfZone(request.zone) !== request.region) {
      throw this.invalid('createReplica', `zone ${request.zone} is not in region ${request.region}`, 'InvalidZone');
    }
    const project = await this.projectId('createReplica', signal);
    // What the replica copies from its source (version, tier, edition, IP configuration, cluster label) does not
    // change in an outage: as last read, no read needed (reads fail first when a region's API struggles).
    const source = this.describedInstance(request.source) ?? (await this.getInstance('createReplica', project, request.source, signal));
    if (source === undefined) throw this.invalid('createReplica', `unknown source database ${request.source}`, 'InstanceNotFound');
    const cluster = clusterOf([source], CLOUD_SQL_CLUSTER_VIEW)(source);
    const body = cloudSqlReplicaBody(source, request, cluster);
    try {
      const operation = await this.call('createReplica', signal, () =>
        this.sql.call<CloudSqlOperation>('POST', `projects/${project}/instances`, { body }),
      );
      await this.awaitSqlOperation('createReplica', project, operation, signal);
    } catch (error) {
      // Idempotent by id: an existing replica of the same source is the answer to a repeated request.
      if (!isProviderError(error) || error.status !== 409) throw error;
      const existing = await this.getInstance('createReplica', project, request.id, signal);
      if (existing?.masterInstanceName === undefined || upstreamName(existing.masterInstanceName) !== request.source) throw error;
      return toCloudSqlDatabase(existing, this.id, cluster);
    }
    return {
      id: request.id,
      cluster,
      provider: this.id,
      region: request.region,
      zone: request.zone ?? '',
      engine: (source.databaseVersion ?? 'unknown').split('_')[0]!.toLowerCase(),
      role: 'replica',
      state: 'creating',
      replication: { upstream: request.source, mode: 'async', state: 'unknown', lagSeconds: null, lastContactSeconds: null, lagBytes: null },
      extra: {},
    };
  }

  async promoteReplica(id: string, options: CallOptions): Promise<void> {
    const { signal } = options;
    const project = await this.projectId('promoteReplica', signal);
    // No read first: promoteReplica needs only the name, and a failover is exactly when a region's reads may
    // fail while its changes still go through.
    try {
      await this.sqlOperation('promoteReplica', project, 'POST', `projects/${project}/instances/${encodeURIComponent(id)}/promoteReplica`, undefined, signal);
    } catch (error) {
      // Cloud SQL refuses an instance that is not a read replica (400): it is already the primary of its
      // cluster, which is what the contract calls success. Only then is the instance read, to tell.
      if (!isProviderError(error) || error.status !== 400) throw error;
      const found = await this.getInstance('promoteReplica', project, id, signal);
      if (found !== undefined && found.masterInstanceName === undefined && found.instanceType !== 'READ_REPLICA_INSTANCE') return;
      throw error;
    }
  }

  async repointReplica(id: string, _upstream: string, _options: CallOptions): Promise<void> {
    throw new ProviderError('terminal', `repointReplica: Cloud SQL cannot re-point replica ${id} to another primary (capability not declared)`, {
      provider: this.id,
      operation: 'repointReplica',
      code: 'Unsupported',
    });
  }

  async rebootDatabase(id: string, options: CallOptions): Promise<void> {
    const project = await this.projectId('rebootDatabase', options.signal);
    await this.sqlOperation('rebootDatabase', project, 'POST', `projects/${project}/instances/${encodeURIComponent(id)}/restart`, undefined, options.signal);
  }

  async stopDatabase(id: string, options: CallOptions): Promise<void> {
    const project = await this.projectId('stopDatabase', options.signal);
    // Cloud SQL stops an instance by its activation policy; setting NEVER twice is harmless, so this is idempotent.
    await this.sqlOperation(
      'stopDatabase',
      project,
      'PATCH',
      `projects/${project}/instances/${encodeURIComponent(id)}`,
      { settings: { activationPolicy: 'NEVER' } },
      options.signal,
    );
  }

  async destroyDatabase(id: string, options: CallOptions): Promise<void> {
    const project = await this.projectId('destroyDatabase', options.signal);
    try {
      // Cloud SQL refuses to delete an instance that has replicas (`terminal`), which is the contract's rule.
      await this.sqlOperation('destroyDatabase', project, 'DELETE', `projects/${project}/instances/${encodeURIComponent(id)}`, undefined, options.signal);
    } catch (error) {
      // Deleted instances are forgotten: one Cloud SQL does not know is gone already.
      if (isProviderError(error) && error.status === 404) return;
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.loadBalancers?.close();
    await this.gce.close();
  }

  // ---- requests -------------------------------------------------------------

  /**
   * Runs `run` as one contract call: refuses at once when the signal already
   * fired, carries the signal to every HTTP request made inside (through
   * {@link ScopedAuth}), rejects as soon as the signal fires, and translates
   * whatever fails.
   */
  private async call<T>(operation: string, signal: AbortSignal, run: () => Promise<T>): Promise<T> {
    const scope: GcpCallScope = { signal };
    try {
      if (signal.aborted) throw abortError(signal);
      if (this.closed) throw new ProviderError('terminal', `${operation}: the adapter is closed`, { provider: this.id, operation });
      return await this.scopes.run(scope, () => raceAbort(run(), signal));
    } catch (error) {
      throw toGcpProviderError(error, { provider: this.id, operation, signal, ...(scope.wire === undefined ? {} : { wire: scope.wire }) });
    }
  }

  private projectId(operation: string, signal: AbortSignal): Promise<string> {
    if (this.options.project !== undefined) {
      if (signal.aborted) return Promise.reject(this.timeout(operation, signal));
      return Promise.resolve(this.options.project);
    }
    this.project ??= this.auth.getProjectId().then((project) => {
      if (project === '') throw new Error('no project');
      return project;
    });
    return this.call(operation, signal, () => this.project!).catch((error: unknown) => {
      this.project = undefined;
      if (isProviderError(error) && error.kind === 'timeout') throw error;
      throw new ProviderError('terminal', `${operation}: no Google Cloud project configured (set options.project, or a project in Application Default Credentials)`, {
        provider: this.id,
        operation,
        code: 'NoProject',
      });
    });
  }

  private async listZones(operation: string, signal: AbortSignal): Promise<Zone[]> {
    const project = await this.projectId(operation, signal);
    const zones = await this.call(operation, signal, () =>
      paginate(
        async (pageToken) => {
          const [items, next] = await this.gce.clients().zones.list({ project, maxResults: COMPUTE_PAGE, ...(pageToken === undefined ? {} : { pageToken }) }, { ...NO_RETRY, autoPaginate: false });
          return { items, next: next?.pageToken };
        },
        { provider: this.id, operation, listing: `${operation}: zones.list` },
      ),
    );
    const regions = this.options.regions;
    return zones
      .map((zone) => ({
        id: zone.name ?? '',
        region: lastSegment(zone.region),
        provider: this.id,
        status: toGceZoneStatus(zone.status),
        extra: { rawStatus: zone.status, deprecated: zone.deprecated?.state ?? undefined },
      }))
      .filter((zone) => regions === undefined || regions.includes(zone.region));
  }

  /** Untargeted create: GCE has no regional placement for one instance, so the adapter picks among the region's UP zones. */
  private async pickZone(request: CreateNodeRequest, signal: AbortSignal): Promise<string> {
    const zones = (await this.listZones('createNode', signal)).filter((zone) => zone.region === request.region);
    if (zones.length === 0) throw this.invalid('createNode', `unknown region ${request.region}`, 'InvalidRegion');
    const up = zones.filter((zone) => zone.status === 'available').sort((a, b) => a.id.localeCompare(b.id));
    if (up.length === 0) {
      throw new ProviderError('retryable', `createNode: no zone of ${request.region} is UP`, { provider: this.id, operation: 'createNode', code: 'NoZoneAvailable' });
    }
    // Deterministic for a given request (a retry lands where the first attempt did), spread across requests.
    const digest = createHash('sha256').update(`${request.name}\0${request.clientToken ?? ''}`).digest();
    return up[digest.readUInt32BE(0) % up.length]!.id;
  }

  /**
   * The instances of one zone, every page followed, and whether Compute said
   * it could not reach the zone (an `UNREACHABLE` page warning): its
   * instances are then missing from the answer, not gone.
   */
  private async zonalList(
    zone: string,
    request: { filter: string; maxResults: number },
    signal: AbortSignal,
  ): Promise<{ instances: IInstance[]; unreachable: UnreachableScopes }> {
    const project = await this.projectId('listNodes', signal);
    return this.call('listNodes', signal, async () => {
      let unreachable: UnreachableScopes = { zones: [], regions: [] };
      const instances = await paginate(
        async (pageToken) => {
          const [items, next, page] = await this.gce.clients().instances.list(
            { project, zone, maxResults: request.maxResults, ...(request.filter === '' ? {} : { filter: request.filter }), ...(pageToken === undefined ? {} : { pageToken }) },
            { ...NO_RETRY, autoPaginate: false },
          );
          unreachable = mergeScopes(unreachable, zonalUnreachables(zone, page?.warning));
          return { items, next: next?.pageToken };
        },
        { provider: this.id, operation: 'listNodes', listing: `listNodes (${zone}): instances.list` },
      );
      return { instances, unreachable };
    });
  }

  /**
   * Every instance of the project, one page (up to 500) per request, with
   * `returnPartialSuccess`: during a zone outage the rest of the project
   * stays visible, and the zones Compute could not reach are returned beside
   * the instances (`unreachables`, and `UNREACHABLE` scope warnings). Called
   * over REST rather than through `@google-cloud/compute`, whose
   * `aggregatedListAsync` yields the scopes only and drops the response's
   * `unreachables`, the one field that says the listing is partial.
   */
  private async aggregatedList(
    request: { filter: string; maxResults: number },
    signal: AbortSignal,
  ): Promise<{ instances: IInstance[]; unreachable: UnreachableScopes }> {
    const project = await this.projectId('listNodes', signal);
    return this.call('listNodes', signal, async () => {
      let unreachable: UnreachableScopes = { zones: [], regions: [] };
      const scoped = await paginate(
        async (pageToken) => {
          const page = await this.computeRest.call<ComputeAggregatedPage<IInstance>>('GET', `projects/${encodeURIComponent(project)}/aggregated/instances`, {
            query: {
              maxResults: String(request.maxResults),
              returnPartialSuccess: 'true',
              ...(request.filter === '' ? {} : { filter: request.filter }),
              pageToken,
            },
          });
          unreachable = mergeScopes(unreachable, computeUnreachables(page, this.id, 'listNodes'));
          return { items: Object.values(page.items ?? {}), next: page.nextPageToken };
        },
        { provider: this.id, operation: 'listNodes', listing: 'listNodes: instances.aggregatedList' },
      );
      return { instances: scoped.flatMap((scope) => [...(scope.instances ?? [])]), unreachable };
    });
  }

  private async nodeOperation(
    operation: string,
    id: string,
    signal: AbortSignal,
    send: (client: InstancesClient, request: { project: string; zone: string; instance: string }) => Promise<[{ latestResponse: unknown }, ...unknown[]]>,
  ): Promise<void> {
    const parsed = parseNodeId(id);
    if (parsed === undefined) throw this.invalid(operation, `unknown node ${id} (GCE node ids are <zone>/<instance name>)`, 'InvalidNodeId');
    const project = await this.projectId(operation, signal);
    await this.call(operation, signal, async () => {
      const [lro] = await send(this.gce.clients().instances, { project, zone: parsed.zone, instance: parsed.name });
      await this.awaitZoneOperation(operation, project, parsed.zone, lro.latestResponse as IOperation, signal);
    });
  }

  /**
   * Waits for a zonal operation to its end (see {@link GcpOperationWaiter.compute}), within the call's budget: a
   * zonal operation is where GCE reports what went wrong after it accepted the request (a stockout is
   * `ZONE_RESOURCE_POOL_EXHAUSTED` in the operation's `error`,
   * https://cloud.google.com/compute/docs/troubleshooting/troubleshooting-resource-availability), so returning
   * before it is done would report a create that never happens as accepted. Each wait request is cut at the
   * call's deadline.
   */
  private awaitZoneOperation(contractOperation: string, project: string, zone: string, operation: IOperation, signal: AbortSignal): Promise<IOperation> {
    return this.operations.compute(
      operation,
      async (name, budget) => {
        const [current] = await this.scopes.run({ signal: budget }, () => this.gce.clients().operations.wait({ project, zone, operation: name }, NO_RETRY));
        return current;
      },
      signal,
      true,
      contractOperation,
    );
  }

  /** Polls a Cloud SQL operation (see {@link GcpOperationWaiter.cloudSql}). */
  private awaitSqlOperation(operation: string, project: string, started: CloudSqlOperation, signal: AbortSignal): Promise<void> {
    return this.operations.cloudSql(
      operation,
      started,
      (name) => this.call(operation, signal, () => this.sql.call<CloudSqlOperation>('GET', `projects/${project}/operations/${encodeURIComponent(name)}`)),
      signal,
    );
  }

  /** One Cloud SQL request that returns an operation, waited on like Compute's. */
  private async sqlOperation(operation: string, project: string, method: string, path: string, body: unknown, signal: AbortSignal): Promise<void> {
    const started = await this.call(operation, signal, () =>
      this.sql.call<CloudSqlOperation>(method, path, body === undefined ? {} : { body }),
    );
    await this.awaitSqlOperation(operation, project, started, signal);
  }

  /**
   * Instance `name` as last read, for what does not change while it exists
   * (its version, tier, cluster label, addresses): a change that needs only
   * those needs no read (reads are what fail first in an outage).
   */
  private describedInstance(name: string): CloudSqlInstance | undefined {
    return this.sqlRecords.get(name);
  }

  private sawInstance(instance: CloudSqlInstance): void {
    if (instance.name === undefined) return;
    if (this.sqlRecords.size >= MAX_REMEMBERED_INSTANCES && !this.sqlRecords.has(instance.name)) this.sqlRecords.clear();
    this.sqlRecords.set(instance.name, instance);
  }

  private async getInstance(operation: string, project: string, name: string, signal: AbortSignal): Promise<CloudSqlInstance | undefined> {
    try {
      const instance = await this.call(operation, signal, () => this.sql.call<CloudSqlInstance>('GET', `projects/${project}/instances/${encodeURIComponent(name)}`));
      this.sawInstance(instance);
      return instance;
    } catch (error) {
      if (isProviderError(error) && error.status === 404) return undefined;
      throw error;
    }
  }

  private checkRegion(operation: string, region: string): void {
    const regions = this.options.regions;
    if (regions !== undefined && !regions.includes(region)) {
      throw this.invalid(operation, `unknown region ${region}; ${this.id} manages ${regions.join(', ')}`, 'InvalidRegion');
    }
  }

  private invalid(operation: string, message: string, code: string): ProviderError {
    return new ProviderError('invalid-input', `${operation}: ${message}`, { provider: this.id, operation, code });
  }

  private timeout(operation: string, signal: AbortSignal): ProviderError {
    return toGcpProviderError(abortError(signal), { provider: this.id, operation, signal });
  }
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}


