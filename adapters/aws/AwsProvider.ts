import { createHash } from 'node:crypto';
import { ALL_CAPABILITIES } from '../../src/core/contract/allCapabilities.js';
import { matchesDatabaseFilter, matchesNodeFilter } from '../../src/core/contract/filters.js';
import {
  RebootInstancesCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type Filter,
  type Instance,
  type RunInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import {
  CreateDBInstanceReadReplicaCommand,
  DeleteDBInstanceCommand,
  PromoteReadReplicaCommand,
  RebootDBInstanceCommand,
  StartDBInstanceCommand,
  StopDBInstanceCommand,
  type CreateDBInstanceReadReplicaCommandInput,
} from '@aws-sdk/client-rds';
import { abortError, type Clock } from '../../src/core/clock/Clock.js';
import { SystemClock } from '../../src/core/clock/SystemClock.js';
import { isProviderError, ProviderError } from '../../src/core/contract/errors.js';
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
import { chunks } from '../shared/chunks.js';
import { invalidInput } from '../shared/invalidInput.js';
import { AwsApi, FILTER_VALUES } from './AwsApi.js';
import { AwsRegionDirectory } from './AwsRegionDirectory.js';
import { awsSizes } from './awsSizes.js';
import { CloudWatchLag } from './CloudWatchLag.js';
import type { FoundDatabase } from './FoundDatabase.js';
import type { AwsProviderOptions, AwsReplicaOptions } from './AwsProviderOptions.js';
import { ec2StatesFor } from './ec2StateTable.js';
import { toAwsProviderError } from './toAwsProviderError.js';
import { CLUSTER_TAG, rdsIdentifier, toDatabaseInstance } from './toDatabaseInstance.js';
import { RDS_CLUSTER_VIEW } from './rdsClusterView.js';
import { PROMOTE_LATER_STATUSES } from './rdsStatusTable.js';
import { clusterOf } from '../shared/clusterOf.js';
import { LaunchedInstances } from './LaunchedInstances.js';
import { ReplicationStopWatch } from './ReplicationStopWatch.js';
import { Route53Endpoints } from './Route53Endpoints.js';
import { ZonalLoadBalancers } from './ZonalLoadBalancers.js';
import { GROUP_TAG, toNode } from './toNode.js';
import { isAvailabilityZone, toZone } from './toZone.js';


/**
 * The `aws` adapter: EC2 for nodes and zones, RDS for databases, CloudWatch
 * for replica lag, through the AWS SDK v3 with the default credential chain.
 *
 * - Every request carries the call's `AbortSignal`; SDK retries are off by
 *   default (`maxAttempts` 1), so one contract call costs a known number of
 *   requests: one per page for listings, one or two for mutations.
 * - Every SDK error leaves as a {@link ProviderError} (see
 *   {@link toAwsProviderError}); messages never carry credentials.
 * - EC2 and RDS ids do not name their region: with several regions the
 *   adapter remembers where it saw each id ({@link AwsRegionDirectory}) and looks it up (one filtered
 *   describe per region) when it has not.
 * - RDS cannot re-point a replica to another source, so `repointReplica`
 *   is not declared. RDS refuses to stop an instance that has read replicas
 *   or is one; `stopDatabase` then fails `terminal`, and the capability
 *   `stopRefusedWithReplicas` tells the planner so.
 * - RDS promotes the replicas of an instance it deletes to standalone
 *   primaries, so `destroyDatabase` refuses an instance that has replicas
 *   before asking.
 * - Writer endpoints are Route 53 records ({@link Route53Endpoints}) and
 *   load balancers move with ARC zonal shift ({@link ZonalLoadBalancers}):
 *   each capability, and its methods, only when the options configure some.
 */
/** A region's replica options as CreateDBInstanceReadReplica parameters. */
function replicaOptionsFor(options: AwsReplicaOptions | undefined): Partial<CreateDBInstanceReadReplicaCommandInput> {
  if (options === undefined) return {};
  return {
    ...(options.kmsKeyId === undefined ? {} : { KmsKeyId: options.kmsKeyId }),
    ...(options.dbSubnetGroupName === undefined ? {} : { DBSubnetGroupName: options.dbSubnetGroupName }),
    ...(options.vpcSecurityGroupIds === undefined ? {} : { VpcSecurityGroupIds: [...options.vpcSecurityGroupIds] }),
  };
}

/** `DescribeInstances` takes at most 1000 ids per request; a smaller batch keeps each request quick. */
const INSTANCE_IDS_PER_REQUEST = 200;

export class AwsProvider implements Provider {
  readonly id: string;
  readonly capabilities: Capabilities;
  private readonly clock: Clock;
  private readonly api: AwsApi;
  private readonly directory: AwsRegionDirectory;
  private readonly lag: CloudWatchLag;
  private readonly stopWatch: ReplicationStopWatch | undefined;
  private readonly instances = new LaunchedInstances();
  private closed = false;
  /** Present exactly when `options.endpoints` names at least one (capability `endpoints`). */
  readonly listEndpoints?: (filter: EndpointFilter, options: CallOptions) => Promise<DatabaseEndpoint[]>;
  readonly updateEndpoint?: (name: string, target: string, options: CallOptions) => Promise<void>;
  /** Present exactly when `options.loadBalancers` names at least one (capability `loadBalancers`). */
  readonly listLoadBalancers?: (filter: LoadBalancerFilter, options: CallOptions) => Promise<LoadBalancer[]>;
  readonly shiftTraffic?: (request: TrafficShiftRequest, options: CallOptions) => Promise<void>;

  constructor(private readonly options: AwsProviderOptions = {}) {
    this.id = options.id ?? 'aws';
    this.clock = options.clock ?? new SystemClock();
    this.api = new AwsApi(this.id, options);
    this.directory = new AwsRegionDirectory(this.id, options, this.api);
    this.lag = new CloudWatchLag(this.id, this.api, this.clock);
    this.stopWatch = (options.replicationContact ?? 'observed') === 'observed' ? new ReplicationStopWatch() : undefined;
    const lag = (options.replicaLag ?? 'cloudwatch') === 'cloudwatch';
    this.capabilities = Object.freeze({
      ...ALL_CAPABILITIES,
      // RDS cannot point a read replica at another source: the planner replaces such replicas instead.
      repointReplica: false,
      // StopDBInstance refuses an instance that has read replicas, or is one.
      stopRefusedWithReplicas: true,
      replicationStatus: lag,
      endpoints: (options.endpoints ?? []).length > 0,
      loadBalancers: (options.loadBalancers ?? []).length > 0,
    });
    if (this.capabilities.endpoints) {
      const endpoints = new Route53Endpoints(this.id, options.endpoints!, this.api, this.directory);
      this.listEndpoints = (filter, call) => endpoints.listEndpoints(filter, call);
      this.updateEndpoint = (name, target, call) => endpoints.updateEndpoint(name, target, call);
    }
    if (this.capabilities.loadBalancers) {
      const loadBalancers = new ZonalLoadBalancers(this.id, options.loadBalancers!, this.api, this.directory);
      this.listLoadBalancers = (filter, call) => loadBalancers.listLoadBalancers(filter, call);
      this.shiftTraffic = (request, call) => loadBalancers.shiftTraffic(request, call);
    }
  }

  // ---- locations ------------------------------------------------------------

  async listLocations(options: CallOptions): Promise<Region[]> {
    const regions = await this.directory.regions('listLocations', options.signal);
    const out: Region[] = [];
    for (const region of regions) {
      const zones = await this.describeZones('listLocations', region, options.signal);
      out.push({ id: region, provider: this.id, zones, extra: {} });
    }
    return out;
  }

  /**
   * The region's Availability Zones, mapped to the contract's (the directory remembers the region of every zone
   * listed, Local and Wavelength Zones included, so nodes found there still resolve to their region).
   */
  private async describeZones(operation: string, region: string, signal: AbortSignal): Promise<Zone[]> {
    const zones = await this.directory.describeZones(operation, region, signal);
    return zones.filter((zone) => isAvailabilityZone(zone, region)).map((zone) => toZone(zone, this.id, region));
  }

  async zoneStatus(query: { region?: string }, options: CallOptions): Promise<Zone[]> {
    const regions = await this.directory.regionsFor('zoneStatus', query.region, undefined, options.signal);
    const out: Zone[] = [];
    for (const region of regions) out.push(...(await this.describeZones('zoneStatus', region, options.signal)));
    return out;
  }

  async listSizes(query: { region?: string }, options: CallOptions): Promise<Size[]> {
    const [region] = await this.directory.regionsFor('listSizes', query.region, undefined, options.signal);
    return awsSizes(this.id, query.region ?? region!);
  }

  // ---- nodes ----------------------------------------------------------------

  async listNodes(filter: NodeFilter, options: CallOptions): Promise<Node[]> {
    const { signal } = options;
    const regions = await this.directory.regionsFor('listNodes', filter.region, filter.zone, signal);
    const filters: Filter[] = [];
    if (filter.zone !== undefined) filters.push({ Name: 'availability-zone', Values: [filter.zone] });
    if (filter.group !== undefined) filters.push({ Name: `tag:${GROUP_TAG}`, Values: [filter.group] });
    if (filter.states !== undefined) {
      const names = ec2StatesFor(filter.states);
      // No EC2 state maps to the requested ones (`rebooting`, `error`): nothing can match.
      if (names !== undefined && names.length === 0) return this.checked('listNodes', signal, []);
      if (names !== undefined) filters.push({ Name: 'instance-state-name', Values: names });
    }
    const idChunks = filter.ids === undefined ? [undefined] : chunks([...new Set(filter.ids)], FILTER_VALUES);
    if (filter.ids !== undefined && filter.ids.length === 0) return this.checked('listNodes', signal, []);
    const nodes: Node[] = [];
    for (const region of regions) {
      const instances: Instance[] = [];
      let unread: Node[] = [];
      try {
        for (const ids of idChunks) {
          const chunkFilters = ids === undefined ? filters : [...filters, { Name: 'instance-id', Values: ids }];
          instances.push(...(await this.api.describeInstances('listNodes', region, chunkFilters, signal)));
        }
      } catch (error) {
        const byIds = await this.listKnownInstances(region, error, signal);
        instances.push(...byIds.instances);
        unread = byIds.unread;
      }
      const statuses = this.options.instanceStatus && unread.length === 0 ? await this.api.describeStatuses(region, filter.zone, signal) : undefined;
      for (const instance of instances) {
        const node = toNode(instance, this.id, region, this.options.probePort, statuses?.get(instance.InstanceId ?? ''));
        this.directory.rememberNode(node.id, region);
        this.instances.seen(region, instance);
        if (matchesNodeFilter(node, filter)) nodes.push(node);
      }
      for (const node of unread) if (matchesNodeFilter(node, filter)) nodes.push(node);
    }
    return nodes;
  }

  /**
   * When a region's filtered `DescribeInstances` fails (EC2 fails a request
   * naming no instance ids while one of the region's zones is disrupted:
   * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html),
   * the instances the adapter knows (listed before, or launched) are asked
   * for by id, zone by zone: EC2 answers for ids in unaffected zones. A
   * zone whose request fails too keeps its instances as last seen, marked
   * `extra.listing` (never dropped: missing would read as gone; nor made
   * `unknown`: the controller would replace them, where a failed listing
   * leaves its picture as it was). When no zone can be read the listing
   * fails as it did. Ids EC2 says do not exist are forgotten, unless the
   * adapter launched them moments ago. Throttling is not retried this way
   * (more requests would not help), nor anything when the adapter knows no
   * instance of the region.
   */
  private async listKnownInstances(region: string, error: unknown, signal: AbortSignal): Promise<{ instances: Instance[]; unread: Node[] }> {
    if (signal.aborted || !isProviderError(error) || (error.kind !== 'retryable' && error.kind !== 'timeout')) throw error;
    const zones = this.instances.byZone(region);
    if (zones.size === 0) throw error;
    const instances: Instance[] = [];
    const unread: Node[] = [];
    const now = this.clock.now();
    for (const [zone, known] of zones) {
      try {
        for (const ids of chunks(known.map((each) => each.instance.InstanceId!), INSTANCE_IDS_PER_REQUEST)) {
          const answer = await this.api.describeInstancesById('listNodes', region, ids, signal);
          instances.push(...answer.instances);
          for (const id of answer.missing) if (!this.instances.launchedRecently(id, now)) this.instances.forget(id);
        }
      } catch (zoneError) {
        if (signal.aborted || !isProviderError(zoneError) || zoneError.kind === 'invalid-input') throw zoneError;
        for (const each of known) {
          const node = toNode(each.instance, this.id, region, this.options.probePort);
          unread.push({ ...node, extra: { ...node.extra, listing: `as last seen: zone ${zone} could not be read (${zoneError.message})` } });
        }
      }
    }
    if (instances.length === 0 && unread.length > 0) throw error;
    return { instances, unread };
  }

  async createNode(request: CreateNodeRequest, options: CallOptions): Promise<Node> {
    const { signal } = options;
    const [region] = await this.directory.regionsFor('createNode', request.region, request.zone, signal);
    if (request.zone !== undefined && !(await this.directory.zoneInRegion('createNode', request.zone, region!, signal))) {
      throw this.invalid('createNode', `zone ${request.zone} is not in region ${request.region}`, 'InvalidAvailabilityZone');
    }
    const image = this.options.images?.[region!];
    const template = this.options.launchTemplates?.[region!];
    if (image === undefined && template === undefined) {
      throw this.invalid('createNode', `no AMI or launch template is configured for ${region} (options.images / options.launchTemplates)`, 'MissingParameter');
    }
    const subnet = request.zone === undefined ? undefined : this.options.subnets?.[request.zone];
    const size = request.size ?? this.options.defaultSize;
    const tags = [{ Key: 'Name', Value: request.name }];
    if (request.group !== undefined) tags.push({ Key: GROUP_TAG, Value: request.group });
    const input: RunInstancesCommandInput = {
      MinCount: 1,
      MaxCount: 1,
      ...(image === undefined ? {} : { ImageId: image }),
      ...(template === undefined ? {} : { LaunchTemplate: { LaunchTemplateName: template } }),
      ...(size === undefined ? {} : { InstanceType: size as RunInstancesCommandInput['InstanceType'] }),
      // A subnet fixes the zone by itself; EC2 refuses a Placement that contradicts it, and a SubnetId next to
      // network interfaces (a template's included): the subnet then goes in the primary interface.
      ...(subnet === undefined
        ? request.zone === undefined
          ? {}
          : { Placement: { AvailabilityZone: request.zone } }
        : template !== undefined && this.options.launchTemplateNetworkInterfaces
          ? { NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnet }] }
          : { SubnetId: subnet }),
      ...(request.clientToken === undefined ? {} : { ClientToken: ec2ClientToken(request.clientToken) }),
      TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
    };
    const output = await this.api.send('createNode', region!, signal, (clients, requestSignal) =>
      clients.ec2.send(new RunInstancesCommand(input), { abortSignal: requestSignal }),
    );
    const instance = output.Instances?.[0];
    if (instance === undefined) {
      throw new ProviderError('retryable', `createNode (${region}): RunInstances returned no instance`, { provider: this.id, operation: 'createNode' });
    }
    const node = toNode(instance, this.id, region!, this.options.probePort);
    this.directory.rememberNode(node.id, region!);
    this.instances.launched(region!, instance, this.clock.now());
    return node;
  }

  async rebootNode(id: string, options: CallOptions): Promise<void> {
    const region = await this.directory.nodeRegion('rebootNode', id, options.signal);
    await this.instanceCall('rebootNode', id, () =>
      this.api.send('rebootNode', region, options.signal, (clients, requestSignal) =>
        clients.ec2.send(new RebootInstancesCommand({ InstanceIds: [id] }), { abortSignal: requestSignal }),
      ),
    );
  }

  async startNode(id: string, options: CallOptions): Promise<void> {
    const region = await this.directory.nodeRegion('startNode', id, options.signal);
    await this.instanceCall('startNode', id, () =>
      this.api.send('startNode', region, options.signal, (clients, requestSignal) =>
        clients.ec2.send(new StartInstancesCommand({ InstanceIds: [id] }), { abortSignal: requestSignal }),
      ),
    );
  }

  async stopNode(id: string, options: CallOptions): Promise<void> {
    const region = await this.directory.nodeRegion('stopNode', id, options.signal);
    await this.instanceCall('stopNode', id, () =>
      this.api.send('stopNode', region, options.signal, (clients, requestSignal) =>
        clients.ec2.send(new StopInstancesCommand({ InstanceIds: [id] }), { abortSignal: requestSignal }),
      ),
    );
  }

  async destroyNode(id: string, options: CallOptions): Promise<void> {
    const region = await this.directory.nodeRegion('destroyNode', id, options.signal);
    await this.instanceCall('destroyNode', id, () =>
      this.api.send('destroyNode', region, options.signal, (clients, requestSignal) =>
        clients.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }), { abortSignal: requestSignal }),
      ),
    );
  }

  /**
   * A call on one instance. EC2 is eventually consistent: right after a
   * launch it may answer `InvalidInstanceID.NotFound` for the new instance
   * (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html).
   * For an instance the adapter launched moments ago that is not "gone"
   * (a terminate would otherwise count as done and leak it) but retryable.
   */
  private async instanceCall(operation: string, id: string, call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (error) {
      if (!isProviderError(error) || error.code !== 'InvalidInstanceID.NotFound' || !this.instances.launchedRecently(id, this.clock.now())) throw error;
      throw new ProviderError('retryable', `${operation}: ${id} was launched moments ago and EC2 does not show it yet (eventual consistency); try again`, {
        provider: this.id,
        operation,
        code: 'InvalidInstanceID.NotFound',
        cause: { code: error.code },
      });
    }
  }

  // ---- databases ------------------------------------------------------------

  async listDatabases(filter: DatabaseFilter, options: CallOptions): Promise<DatabaseInstance[]> {
    const { signal } = options;
    const regions = await this.directory.regionsFor('listDatabases', filter.region, filter.zone, signal);
    if (filter.ids !== undefined && filter.ids.length === 0) return this.checked('listDatabases', signal, []);
    const found: FoundDatabase[] = [];
    for (const region of regions) {
      for (const db of await this.api.describeDatabases('listDatabases', region, filter.ids, signal)) {
        found.push({ db, region });
        this.directory.sawDatabase(db, region);
      }
    }
    const clusters = clusterOf(found.map((each) => each.db), RDS_CLUSTER_VIEW);
    const kept = found
      .map(({ db, region }) => ({ db, region, instance: toDatabaseInstance(db, this.id, region, clusters(db), undefined) }))
      .filter(({ instance }) => matchesDatabaseFilter(instance, filter));
    if (!this.capabilities.replicationStatus) {
      return kept.map(({ db, region }) => this.withContact(toDatabaseInstance(db, this.id, region, clusters(db), null), region));
    }
    const lags = await this.lag.read(kept.filter(({ instance }) => instance.role === 'replica'), signal);
    return kept.map(({ db, region }) => {
      const lag = lags.readings.get(`${region}/${db.DBInstanceIdentifier}`) ?? null;
      const instance = this.withContact(toDatabaseInstance(db, this.id, region, clusters(db), lag), region);
      return lags.error === undefined || instance.role !== 'replica' ? instance : { ...instance, extra: { ...instance.extra, replicaLagError: lags.error } };
    });
  }

  /**
   * A replica's `lastContactSeconds` from the adapter's own observations
   * (see {@link ReplicationStopWatch}): RDS does not report it.
   */
  private withContact(instance: DatabaseInstance, region: string): DatabaseInstance {
    const replication = instance.replication;
    if (replication === undefined || this.stopWatch === undefined) return instance;
    const contact = this.stopWatch.observe(`${region}/${instance.id}`, replication.state, this.clock.now());
    return contact === null ? instance : { ...instance, replication: { ...replication, lastContactSeconds: contact } };
  }

  async createReplica(request: CreateReplicaRequest, options: CallOptions): Promise<DatabaseInstance> {
    const { signal } = options;
    if (request.mode === 'sync') {
      throw this.invalid('createReplica', 'RDS read replicas are asynchronous; a synchronous standby is Multi-AZ, not a replica', 'InvalidParameterCombination');
    }
    const [region] = await this.directory.regionsFor('createReplica', request.region, request.zone, signal);
    if (request.zone !== undefined && !(await this.directory.zoneInRegion('createReplica', request.zone, region!, signal))) {
      throw this.invalid('createReplica', `zone ${request.zone} is not in region ${request.region}`, 'InvalidAvailabilityZone');
    }
    // The source's ARN and cluster tag do not change: as last described, no read needed (reads fail first in an outage).
    const source = this.directory.describedDatabase(request.source) ?? (await this.directory.findDatabase('createReplica', request.source, signal));
    if (source === undefined) throw this.invalid('createReplica', `unknown source database ${request.source}`, 'DBInstanceNotFound');
    const cluster = clusterOf([source.db], RDS_CLUSTER_VIEW)(source.db);
    const crossRegion = source.region !== region;
    try {
      const output = await this.api.send('createReplica', region!, signal, (clients, requestSignal) =>
        clients.rds.send(
          new CreateDBInstanceReadReplicaCommand({
            DBInstanceIdentifier: request.id,
            // Another region's source must be named by ARN; RDS then needs SourceRegion to presign the copy.
            SourceDBInstanceIdentifier: crossRegion ? (source.db.DBInstanceArn ?? request.source) : request.source,
            ...(crossRegion ? { SourceRegion: source.region } : {}),
            ...(request.zone === undefined ? {} : { AvailabilityZone: request.zone }),
            ...replicaOptionsFor(this.options.replicaOptions?.[region!]),
            Tags: [{ Key: CLUSTER_TAG, Value: cluster }],
          }),
          { abortSignal: requestSignal },
        ),
      );
      this.directory.rememberDatabase(request.id, region!);
      const created = output.DBInstance ?? { DBInstanceIdentifier: request.id, DBInstanceStatus: 'creating', ReadReplicaSourceDBInstanceIdentifier: request.source };
      return toDatabaseInstance(created, this.id, region!, cluster, null);
    } catch (error) {
      if (!isProviderError(error) || (error.code !== 'DBInstanceAlreadyExists' && error.code !== 'DBInstanceAlreadyExistsFault')) throw error;
      // Idempotent by id: an existing replica of the same source is the answer to a repeated request.
      const existing = await this.readRefused('createReplica', request.id, error, `whether it is a replica of ${request.source}`, signal);
      const upstream = existing?.db.ReadReplicaSourceDBInstanceIdentifier;
      if (existing === undefined || upstream === undefined || rdsIdentifier(upstream) !== request.source) throw error;
      return toDatabaseInstance(existing.db, this.id, existing.region, cluster, null);
    }
  }

  async promoteReplica(id: string, options: CallOptions): Promise<void> {
    const { signal } = options;
    // No read first: PromoteReadReplica needs only the identifier, and a failover is exactly when the
    // region's reads may fail while its mutations still go through (us-east-1, December 2021). RDS
    // refuses a standalone instance (already the primary) with InvalidDBInstanceState, handled below.
    const region = await this.directory.databaseRegion('promoteReplica', id, signal);
    try {
      await this.api.send('promoteReplica', region, signal, (clients, requestSignal) =>
        clients.rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: id }), { abortSignal: requestSignal }),
      );
    } catch (error) {
      if (!isInvalidState(error)) throw error;
      // RDS refuses a standalone instance and a second promotion while the first runs: read to tell
      // "done or in progress" (a standalone instance is already the primary of its cluster) from "cannot".
      const again = await this.readRefused('promoteReplica', id, error, 'whether it is already the primary or busy', signal);
      if (again !== undefined && again.db.ReadReplicaSourceDBInstanceIdentifier === undefined) return;
      if (again?.db.DBInstanceStatus !== undefined && PROMOTE_LATER_STATUSES.has(again.db.DBInstanceStatus)) {
        throw new ProviderError('retryable', `promoteReplica (${again.region}): ${id} is ${again.db.DBInstanceStatus}; try again when it is available`, {
          provider: this.id,
          operation: 'promoteReplica',
          code: 'InvalidDBInstanceState',
        });
      }
      throw error;
    }
  }

  async repointReplica(id: string, _upstream: string, _options: CallOptions): Promise<void> {
    throw new ProviderError('terminal', `repointReplica: RDS cannot re-point read replica ${id} to another source (capability not declared)`, {
      provider: this.id,
      operation: 'repointReplica',
      code: 'Unsupported',
    });
  }

  async rebootDatabase(id: string, options: CallOptions): Promise<void> {
    const { signal } = options;
    const region = await this.directory.databaseRegion('rebootDatabase', id, signal);
    try {
      await this.api.send('rebootDatabase', region, signal, (clients, requestSignal) =>
        clients.rds.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: id }), { abortSignal: requestSignal }),
      );
    } catch (error) {
      if (!isInvalidState(error)) throw error;
      const again = await this.readRefused('rebootDatabase', id, error, 'whether it is already rebooting or stopped', signal);
      const status = again?.db.DBInstanceStatus;
      if (status === 'rebooting' || status === 'starting') return;
      // RDS reboots only an available instance; a stopped one (a fence) is brought back with StartDBInstance.
      if (status !== 'stopped') throw error;
      await this.api.send('rebootDatabase', region, signal, (clients, requestSignal) =>
        clients.rds.send(new StartDBInstanceCommand({ DBInstanceIdentifier: id }), { abortSignal: requestSignal }),
      );
    }
  }

  /**
   * `StopDBInstance`, its refusals classified from the error codes its API
   * reference documents, with a read only where a code leaves the answer
   * open
   * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StopDBInstance.html):
   *
   * - `DBInstanceNotFound` (404): `invalid-input`, no read.
   * - `InvalidDBClusterStateFault` (400): `terminal`, no read: RDS will not
   *   stop the instance in its DB cluster's state. (An Aurora instance is
   *   refused `InvalidParameterCombination`, `invalid-input`: RDS stops
   *   Aurora only by cluster, with `StopDBCluster`.)
   * - `InvalidDBInstanceState` (400): RDS answers it alike for an instance
   *   already `stopping` or `stopped` (success to the contract), for a read
   *   replica and for an instance that has read replicas (neither can be
   *   stopped: "Stopping an Amazon RDS DB instance temporarily", user
   *   guide), and for one in a status RDS does not stop from (`creating`,
   *   `backing-up`, ...). One `DescribeDBInstances` tells them apart:
   *   success, or `terminal` saying why. When that read fails (reads fail
   *   first when a region's API struggles: us-east-1, December 2021), the
   *   refusal stands as its code alone classifies it, `terminal`: it may
   *   then be an instance already stopping, which the next listing shows
   *   (the controller sends a refused fence again only after its backoff).
   *
   * What stays `retryable`: StopDBInstance's own failures that are no
   * answer (5xx, network errors), since RDS has not decided and the same
   * request may go through. A refusal never becomes `retryable` because the
   * read after it failed: that would count as a control-plane fault,
   * holding back the region's other changes, and send the stop again at
   * once to be refused again. A read cut off by the call's own signal is a
   * `timeout`, as any call the caller stopped waiting for.
   */
  async stopDatabase(id: string, options: CallOptions): Promise<void> {
    const { signal } = options;
    const region = await this.directory.databaseRegion('stopDatabase', id, signal);
    try {
      await this.api.send('stopDatabase', region, signal, (clients, requestSignal) =>
        clients.rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: id }), { abortSignal: requestSignal }),
      );
    } catch (error) {
      if (!isInvalidState(error)) throw error;
      // RDS refuses to stop what is already stopping or stopped; the contract calls that success.
      const again = await this.readRefused('stopDatabase', id, error, 'whether it is already stopping', signal);
      const status = again?.db.DBInstanceStatus;
      if (status === 'stopped' || status === 'stopping') return;
      const replicas = again?.db.ReadReplicaDBInstanceIdentifiers?.length ?? 0;
      const why =
        again?.db.ReadReplicaSourceDBInstanceIdentifier !== undefined
          ? 'RDS cannot stop a read replica'
          : replicas > 0
            ? `RDS cannot stop an instance that has read replicas (${replicas})`
            : `it is ${status ?? 'in a state RDS will not stop'}`;
      throw new ProviderError('terminal', `stopDatabase (${region}): ${id} cannot be stopped: ${why}`, {
        provider: this.id,
        operation: 'stopDatabase',
        code: 'InvalidDBInstanceState',
        cause: { code: isProviderError(error) ? error.code : undefined },
      });
    }
  }

  async destroyDatabase(id: string, options: CallOptions): Promise<void> {
    const { signal } = options;
    // Read now, even while the region's reads fail: whether it has replicas decides whether deleting is safe,
    // and a record as last described may be stale (the delete waits for the reads instead).
    const found = await this.directory.findDatabase('destroyDatabase', id, signal);
    // RDS forgets a deleted instance: one it does not know is gone already.
    if (found === undefined || found.db.DBInstanceStatus === 'deleting') return;
    const replicas = found.db.ReadReplicaDBInstanceIdentifiers ?? [];
    if (replicas.length > 0) {
      // Deleting it would promote them to standalone, writable primaries.
      throw new ProviderError('terminal', `destroyDatabase (${found.region}): ${id} has read replicas (${replicas.join(', ')}); delete them first`, {
        provider: this.id,
        operation: 'destroyDatabase',
        code: 'InvalidDBInstanceState',
      });
    }
    // A replica has no final snapshot (RDS refuses one); anything else keeps one, so its data survives.
    const replica = found.db.ReadReplicaSourceDBInstanceIdentifier !== undefined;
    try {
      await this.api.send('destroyDatabase', found.region, signal, (clients, requestSignal) =>
        clients.rds.send(
          new DeleteDBInstanceCommand({
            DBInstanceIdentifier: id,
            SkipFinalSnapshot: replica,
            ...(replica ? {} : { FinalDBSnapshotIdentifier: `lifeboat-final-${id}-${Math.floor(this.clock.now() / 1000)}` }),
          }),
          { abortSignal: requestSignal },
        ),
      );
    } catch (error) {
      if (isProviderError(error) && (error.code === 'DBInstanceNotFound' || error.code === 'DBInstanceNotFoundFault')) return;
      if (!isInvalidState(error)) throw error;
      // "Already being deleted" is what the contract calls success.
      const again = await this.readRefused('destroyDatabase', id, error, 'whether it is already being deleted', signal);
      if (again === undefined || again.db.DBInstanceStatus === 'deleting') return;
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.api.close();
  }

  private invalid(operation: string, message: string, code: string): ProviderError {
    return invalidInput(this.id, operation, message, code);
  }

  /** A result computed without a request still honours a signal that already fired. */
  private checked<T>(operation: string, signal: AbortSignal, value: T): T {
    if (signal.aborted) throw toAwsProviderError(abortError(signal), { provider: this.id, operation, signal });
    return value;
  }

  /**
   * Instance `id`, read to tell what RDS's `refusal` of `operation` means
   * (`question`: what the read decides). A read that fails does not replace
   * RDS's answer: the refusal stands, classified by its code alone (see
   * {@link toAwsProviderError}), and its message says the read failed. A
   * read cut off by the call's own signal is that read's `timeout`.
   */
  private async readRefused(operation: string, id: string, refusal: ProviderError, question: string, signal: AbortSignal): Promise<FoundDatabase | undefined> {
    try {
      return await this.directory.findDatabase(operation, id, signal);
    } catch (readError) {
      if (signal.aborted || !isProviderError(readError)) throw readError;
      const read = { kind: readError.kind, code: readError.code, status: readError.status };
      throw new ProviderError(refusal.kind, `${refusal.message}; ${id} could not be read to tell ${question} (${read.kind}${read.code === undefined ? '' : ` ${read.code}`}), so RDS's refusal stands`, {
        provider: this.id,
        operation,
        ...(refusal.code === undefined ? {} : { code: refusal.code }),
        ...(refusal.status === undefined ? {} : { status: refusal.status }),
        cause: { refusal: refusal.cause, read },
      });
    }
  }
}

/** EC2 client tokens are at most 64 ASCII characters; longer tokens are hashed (deterministically, so retries still match). */
function ec2ClientToken(token: string): string {
  return token.length <= 64 && /^[\x20-\x7e]+$/.test(token) ? token : createHash('sha256').update(token).digest('hex');
}


function isInvalidState(error: unknown): error is ProviderError {
  return isProviderError(error) && (error.code === 'InvalidDBInstanceState' || error.code === 'InvalidDBInstanceStateFault');
}


