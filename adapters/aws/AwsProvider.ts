import { createHash } from 'node:crypto';
import { ALL_CAPABILITIES } from '../../src/core/contract/allCapabilities.js';
import { matchesDatabaseFilter, matchesNodeFilter } from '../../src/core/contract/filters.js';
import { raceAbort } from '../../src/core/clock/raceAbort.js';
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import {
  DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand,
  DescribeInstanceStatusCommand,
  EC2Client,
  RebootInstancesCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type Filter,
  type Instance,
  type InstanceStatus,
  type RunInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import {
  CreateDBInstanceReadReplicaCommand,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  PromoteReadReplicaCommand,
  RDSClient,
  RebootDBInstanceCommand,
  StopDBInstanceCommand,
  type DBInstance,
} from '@aws-sdk/client-rds';
import { abortError, type Clock } from '../../src/core/clock/Clock.js';
import { SystemClock } from '../../src/core/clock/SystemClock.js';
import { isProviderError, ProviderError } from '../../src/core/contract/errors.js';
import type { CallOptions, Provider } from '../../src/core/contract/Provider.js';
import type {
  Capabilities,
  CreateNodeRequest,
  CreateReplicaRequest,
  DatabaseFilter,
  DatabaseInstance,
  Node,
  NodeFilter,
  Region,
  Size,
  Zone,
} from '../../src/core/contract/types.js';
import { awsSizes } from './awsSizes.js';
import type { AwsProviderOptions } from './AwsProviderOptions.js';
import { ec2StatesFor } from './ec2StateTable.js';
import { toAwsProviderError } from './toAwsProviderError.js';
import { CLUSTER_TAG, rdsIdentifier, toDatabaseInstance, type LagReading } from './toDatabaseInstance.js';
import { RDS_CLUSTER_VIEW } from './rdsClusterView.js';
import { clusterOf } from '../shared/clusterOf.js';
import { paginate } from '../shared/paginate.js';
import { ReplicationStopWatch } from './ReplicationStopWatch.js';
import { GROUP_TAG, toNode } from './toNode.js';
import { toZoneStatus } from './zoneStateTable.js';

/** EC2's largest page. */
const INSTANCE_PAGE = 1000;
/** RDS's largest page. */
const DB_PAGE = 100;
/** Values per EC2/RDS filter: the services cap them (EC2 at 200), so long id lists go in chunks. */
const FILTER_VALUES = 100;
/** Queries per `GetMetricData` call (the API's limit). */
const METRIC_QUERIES = 500;
/** How far back to look for a `ReplicaLag` datapoint: RDS publishes it every minute. */
const LAG_WINDOW_MS = 5 * 60_000;
/** Id-to-region memory is only a shortcut; past this size it starts over rather than grow without bound. */
const MAX_REMEMBERED = 200_000;
/** Connection setup bound: a black-holed endpoint fails fast; the call's signal bounds the rest. */
const CONNECTION_TIMEOUT_MS = 5_000;

interface RegionClients {
  readonly ec2: EC2Client;
  readonly rds: RDSClient;
  readonly cloudWatch: CloudWatchClient;
}

/** One RDS instance as found, with the region it was found in. */
interface FoundDatabase {
  readonly db: DBInstance;
  readonly region: string;
}

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
 *   adapter remembers where it saw each id and looks it up (one filtered
 *   describe per region) when it has not.
 * - RDS cannot re-point a replica to another source, so `repointReplica`
 *   is not declared. RDS refuses to stop an instance that has read replicas
 *   or is one; `stopDatabase` then fails `terminal`, and the capability
 *   `stopRefusedWithReplicas` tells the planner so.
 * - RDS promotes the replicas of an instance it deletes to standalone
 *   primaries, so `destroyDatabase` refuses an instance that has replicas
 *   before asking.
 */
export class AwsProvider implements Provider {
  readonly id: string;
  readonly capabilities: Capabilities;
  private readonly clock: Clock;
  private readonly clients = new Map<string, RegionClients>();
  private readonly nodeRegions = new Map<string, string>();
  private readonly dbRegions = new Map<string, string>();
  /** Zone name to region, as `DescribeAvailabilityZones` reported them. */
  private readonly zoneRegions = new Map<string, string>();
  private readonly stopWatch: ReplicationStopWatch | undefined;
  private regionList: Promise<readonly string[]> | undefined;
  private closed = false;

  constructor(private readonly options: AwsProviderOptions = {}) {
    this.id = options.id ?? 'aws';
    this.clock = options.clock ?? new SystemClock();
    this.stopWatch = (options.replicationContact ?? 'observed') === 'observed' ? new ReplicationStopWatch() : undefined;
    const lag = (options.replicaLag ?? 'cloudwatch') === 'cloudwatch';
    this.capabilities = Object.freeze({
      ...ALL_CAPABILITIES,
      // RDS cannot point a read replica at another source: the planner replaces such replicas instead.
      repointReplica: false,
      // StopDBInstance refuses an instance that has read replicas, or is one.
      stopRefusedWithReplicas: true,
      replicationStatus: lag,
    });
  }

  // ---- locations ------------------------------------------------------------

  async listLocations(options: CallOptions): Promise<Region[]> {
    const regions = await this.regions('listLocations', options.signal);
    const out: Region[] = [];
    for (const region of regions) {
      const zones = await this.describeZones('listLocations', region, options.signal);
      out.push({ id: region, provider: this.id, zones, extra: {} });
    }
    return out;
  }

  async zoneStatus(query: { region?: string }, options: CallOptions): Promise<Zone[]> {
    const regions = await this.regionsFor('zoneStatus', query.region, undefined, options.signal);
    const out: Zone[] = [];
    for (const region of regions) out.push(...(await this.describeZones('zoneStatus', region, options.signal)));
    return out;
  }

  async listSizes(query: { region?: string }, options: CallOptions): Promise<Size[]> {
    const [region] = await this.regionsFor('listSizes', query.region, undefined, options.signal);
    return awsSizes(this.id, query.region ?? region!);
  }

  // ---- nodes ----------------------------------------------------------------

  async listNodes(filter: NodeFilter, options: CallOptions): Promise<Node[]> {
    const { signal } = options;
    const regions = await this.regionsFor('listNodes', filter.region, filter.zone, signal);
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
      for (const ids of idChunks) {
        const chunkFilters = ids === undefined ? filters : [...filters, { Name: 'instance-id', Values: ids }];
        instances.push(...(await this.describeInstances('listNodes', region, chunkFilters, signal)));
      }
      const statuses = this.options.instanceStatus ? await this.describeStatuses(region, filter.zone, signal) : undefined;
      for (const instance of instances) {
        const node = toNode(instance, this.id, region, this.options.probePort, statuses?.get(instance.InstanceId ?? ''));
        this.remember(this.nodeRegions, node.id, region);
        if (matchesNodeFilter(node, filter)) nodes.push(node);
      }
    }
    return nodes;
  }

  async createNode(request: CreateNodeRequest, options: CallOptions): Promise<Node> {
    const { signal } = options;
    const [region] = await this.regionsFor('createNode', request.region, request.zone, signal);
    if (request.zone !== undefined && !(await this.zoneInRegion('createNode', request.zone, region!, signal))) {
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
      // A subnet fixes the zone by itself; EC2 refuses a Placement that contradicts it.
      ...(subnet !== undefined ? { SubnetId: subnet } : request.zone === undefined ? {} : { Placement: { AvailabilityZone: request.zone } }),
      ...(request.clientToken === undefined ? {} : { ClientToken: ec2ClientToken(request.clientToken) }),
      TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
    };
    const output = await this.send('createNode', region!, signal, (clients, requestSignal) =>
      clients.ec2.send(new RunInstancesCommand(input), { abortSignal: requestSignal }),
    );
    const instance = output.Instances?.[0];
    if (instance === undefined) {
      throw new ProviderError('retryable', `createNode (${region}): RunInstances returned no instance`, { provider: this.id, operation: 'createNode' });
    }
    const node = toNode(instance, this.id, region!, this.options.probePort);
    this.remember(this.nodeRegions, node.id, region!);
    return node;
  }

  async rebootNode(id: string, options: CallOptions): Promise<void> {
    const region = await this.nodeRegion('rebootNode', id, options.signal);
    await this.send('rebootNode', region, options.signal, (clients, requestSignal) =>
      clients.ec2.send(new RebootInstancesCommand({ InstanceIds: [id] }), { abortSignal: requestSignal }),
    );
  }

  async startNode(id: string, options: CallOptions): Promise<void> {
    const region = await this.nodeRegion('startNode', id, options.signal);
    await this.send('startNode', region, options.signal, (clients, requestSignal) =>
      clients.ec2.send(new StartInstancesCommand({ InstanceIds: [id] }), { abortSignal: requestSignal }),
    );
  }

  async stopNode(id: string, options: CallOptions): Promise<void> {
    const region = await this.nodeRegion('stopNode', id, options.signal);
    await this.send('stopNode', region, options.signal, (clients, requestSignal) =>
      clients.ec2.send(new StopInstancesCommand({ InstanceIds: [id] }), { abortSignal: requestSignal }),
    );
  }

  async destroyNode(id: string, options: CallOptions): Promise<void> {
    const region = await this.nodeRegion('destroyNode', id, options.signal);
    await this.send('destroyNode', region, options.signal, (clients, requestSignal) =>
      clients.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }), { abortSignal: requestSignal }),
    );
  }

  // ---- databases ------------------------------------------------------------

  async listDatabases(filter: DatabaseFilter, options: CallOptions): Promise<DatabaseInstance[]> {
    const { signal } = options;
    const regions = await this.regionsFor('listDatabases', filter.region, filter.zone, signal);
    if (filter.ids !== undefined && filter.ids.length === 0) return this.checked('listDatabases', signal, []);
    const found: FoundDatabase[] = [];
    for (const region of regions) {
      for (const db of await this.describeDatabases('listDatabases', region, filter.ids, signal)) {
        found.push({ db, region });
        this.remember(this.dbRegions, db.DBInstanceIdentifier ?? '', region);
      }
    }
    const clusters = clusterOf(found.map((each) => each.db), RDS_CLUSTER_VIEW);
    const kept = found
      .map(({ db, region }) => ({ db, region, instance: toDatabaseInstance(db, this.id, region, clusters(db), undefined) }))
      .filter(({ instance }) => matchesDatabaseFilter(instance, filter));
    if (!this.capabilities.replicationStatus) {
      return kept.map(({ db, region }) => this.withContact(toDatabaseInstance(db, this.id, region, clusters(db), null), region));
    }
    const lags = await this.replicaLags(kept.filter(({ instance }) => instance.role === 'replica'), signal);
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
    const [region] = await this.regionsFor('createReplica', request.region, request.zone, signal);
    if (request.zone !== undefined && !(await this.zoneInRegion('createReplica', request.zone, region!, signal))) {
      throw this.invalid('createReplica', `zone ${request.zone} is not in region ${request.region}`, 'InvalidAvailabilityZone');
    }
    const source = await this.findDatabase('createReplica', request.source, signal);
    if (source === undefined) throw this.invalid('createReplica', `unknown source database ${request.source}`, 'DBInstanceNotFound');
    const cluster = clusterOf([source.db], RDS_CLUSTER_VIEW)(source.db);
    const crossRegion = source.region !== region;
    try {
      const output = await this.send('createReplica', region!, signal, (clients, requestSignal) =>
        clients.rds.send(
          new CreateDBInstanceReadReplicaCommand({
            DBInstanceIdentifier: request.id,
            // Another region's source must be named by ARN; RDS then needs SourceRegion to presign the copy.
            SourceDBInstanceIdentifier: crossRegion ? (source.db.DBInstanceArn ?? request.source) : request.source,
            ...(crossRegion ? { SourceRegion: source.region } : {}),
            ...(request.zone === undefined ? {} : { AvailabilityZone: request.zone }),
            Tags: [{ Key: CLUSTER_TAG, Value: cluster }],
          }),
          { abortSignal: requestSignal },
        ),
      );
      this.remember(this.dbRegions, request.id, region!);
      const created = output.DBInstance ?? { DBInstanceIdentifier: request.id, DBInstanceStatus: 'creating', ReadReplicaSourceDBInstanceIdentifier: request.source };
      return toDatabaseInstance(created, this.id, region!, cluster, null);
    } catch (error) {
      if (!isProviderError(error) || (error.code !== 'DBInstanceAlreadyExists' && error.code !== 'DBInstanceAlreadyExistsFault')) throw error;
      // Idempotent by id: an existing replica of the same source is the answer to a repeated request.
      const existing = await this.findDatabase('createReplica', request.id, signal);
      const upstream = existing?.db.ReadReplicaSourceDBInstanceIdentifier;
      if (existing === undefined || upstream === undefined || rdsIdentifier(upstream) !== request.source) throw error;
      return toDatabaseInstance(existing.db, this.id, existing.region, cluster, null);
    }
  }

  async promoteReplica(id: string, options: CallOptions): Promise<void> {
    const { signal } = options;
    const found = await this.findDatabase('promoteReplica', id, signal);
    if (found === undefined) throw this.invalid('promoteReplica', `unknown database ${id}`, 'DBInstanceNotFound');
    // A standalone instance is already the primary of its cluster: promoting it is a no-op.
    if (found.db.ReadReplicaSourceDBInstanceIdentifier === undefined) return;
    try {
      await this.send('promoteReplica', found.region, signal, (clients, requestSignal) =>
        clients.rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: id }), { abortSignal: requestSignal }),
      );
    } catch (error) {
      if (!isInvalidState(error)) throw error;
      // RDS refuses a second promotion while the first runs: read again to tell "done or in progress" from "cannot".
      const again = await this.findDatabase('promoteReplica', id, signal);
      if (again !== undefined && again.db.ReadReplicaSourceDBInstanceIdentifier === undefined) return;
      if (again?.db.DBInstanceStatus === 'modifying' || again?.db.DBInstanceStatus === 'rebooting') {
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
    const region = await this.databaseRegion('rebootDatabase', id, signal);
    try {
      await this.send('rebootDatabase', region, signal, (clients, requestSignal) =>
        clients.rds.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: id }), { abortSignal: requestSignal }),
      );
    } catch (error) {
      if (!isInvalidState(error)) throw error;
      const again = await this.findDatabase('rebootDatabase', id, signal);
      if (again?.db.DBInstanceStatus === 'rebooting') return;
      throw error;
    }
  }

  async stopDatabase(id: string, options: CallOptions): Promise<void> {
    const { signal } = options;
    const region = await this.databaseRegion('stopDatabase', id, signal);
    try {
      await this.send('stopDatabase', region, signal, (clients, requestSignal) =>
        clients.rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: id }), { abortSignal: requestSignal }),
      );
    } catch (error) {
      if (!isInvalidState(error)) throw error;
      // RDS refuses to stop what is already stopping or stopped; the contract calls that success.
      const again = await this.findDatabase('stopDatabase', id, signal);
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
    const found = await this.findDatabase('destroyDatabase', id, signal);
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
      await this.send('destroyDatabase', found.region, signal, (clients, requestSignal) =>
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
      const again = await this.findDatabase('destroyDatabase', id, signal);
      if (again === undefined || again.db.DBInstanceStatus === 'deleting') return;
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const clients of this.clients.values()) {
      clients.ec2.destroy();
      clients.rds.destroy();
      clients.cloudWatch.destroy();
    }
    this.clients.clear();
  }

  // ---- requests -------------------------------------------------------------

  /**
   * Runs one SDK request for `operation` in `region`: refuses at once when
   * the signal already fired, and translates whatever fails. The request
   * is also raced against the signal, because the SDK only watches it once
   * the HTTP request is under way (credential resolution is not).
   */
  private async send<T>(
    operation: string,
    region: string,
    signal: AbortSignal,
    run: (clients: RegionClients, requestSignal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    // The request gets a signal of its own, tied to the call's by one listener: the SDK hangs several
    // listeners on the signal it is given, and callers share one signal across concurrent calls.
    const request = new AbortController();
    const forward = () => request.abort(signal.reason);
    try {
      if (signal.aborted) throw abortError(signal);
      if (this.closed) throw new ProviderError('terminal', `${operation}: the adapter is closed`, { provider: this.id, operation });
      signal.addEventListener('abort', forward, { once: true });
      return await raceAbort(run(this.clientsFor(region), request.signal), request.signal);
    } catch (error) {
      throw toAwsProviderError(error, { provider: this.id, operation, region, signal, secrets: this.secrets() });
    } finally {
      signal.removeEventListener('abort', forward);
    }
  }

  private clientsFor(region: string): RegionClients {
    let clients = this.clients.get(region);
    if (clients === undefined) {
      const config = {
        region,
        maxAttempts: this.options.maxAttempts ?? 1,
        requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS },
        ...(this.options.endpoint === undefined ? {} : { endpoint: this.options.endpoint }),
        ...(this.options.credentials === undefined ? {} : { credentials: this.options.credentials }),
        ...(this.options.profile === undefined ? {} : { profile: this.options.profile }),
      };
      clients = { ec2: new EC2Client(config), rds: new RDSClient(config), cloudWatch: new CloudWatchClient(config) };
      this.clients.set(region, clients);
    }
    return clients;
  }

  /** Secret values to scrub from messages: the static credentials, when the adapter was given some. */
  private secrets(): string[] {
    const credentials = this.options.credentials;
    if (credentials === undefined || typeof credentials === 'function') return [];
    return [credentials.secretAccessKey, credentials.sessionToken ?? ''];
  }

  private async describeInstances(operation: string, region: string, filters: Filter[], signal: AbortSignal): Promise<Instance[]> {
    return paginate(
      async (token) => {
        const output = await this.send(operation, region, signal, (clients, requestSignal) =>
          clients.ec2.send(
            new DescribeInstancesCommand({ MaxResults: INSTANCE_PAGE, ...(filters.length > 0 ? { Filters: filters } : {}), ...(token === undefined ? {} : { NextToken: token }) }),
            { abortSignal: requestSignal },
          ),
        );
        return { items: (output.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []), next: output.NextToken };
      },
      { provider: this.id, operation, listing: `${operation} (${region}): DescribeInstances` },
    );
  }

  private async describeStatuses(region: string, zone: string | undefined, signal: AbortSignal): Promise<Map<string, InstanceStatus>> {
    const listed = await paginate(
      async (token) => {
        const output = await this.send('listNodes', region, signal, (clients, requestSignal) =>
          clients.ec2.send(
            new DescribeInstanceStatusCommand({
              MaxResults: INSTANCE_PAGE,
              ...(zone === undefined ? {} : { Filters: [{ Name: 'availability-zone', Values: [zone] }] }),
              ...(token === undefined ? {} : { NextToken: token }),
            }),
            { abortSignal: requestSignal },
          ),
        );
        return { items: output.InstanceStatuses ?? [], next: output.NextToken };
      },
      { provider: this.id, operation: 'listNodes', listing: `listNodes (${region}): DescribeInstanceStatus` },
    );
    const statuses = new Map<string, InstanceStatus>();
    for (const status of listed) if (status.InstanceId !== undefined) statuses.set(status.InstanceId, status);
    return statuses;
  }

  private async describeZones(operation: string, region: string, signal: AbortSignal): Promise<Zone[]> {
    const output = await this.send(operation, region, signal, (clients, requestSignal) =>
      clients.ec2.send(new DescribeAvailabilityZonesCommand({}), { abortSignal: requestSignal }),
    );
    for (const zone of output.AvailabilityZones ?? []) {
      if (zone.ZoneName !== undefined && zone.ZoneName !== '') this.remember(this.zoneRegions, zone.ZoneName, zone.RegionName ?? region);
    }
    return (output.AvailabilityZones ?? []).map((zone) => ({
      id: zone.ZoneName ?? '',
      region: zone.RegionName ?? region,
      provider: this.id,
      status: toZoneStatus(zone.State),
      extra: {
        rawState: zone.State,
        zoneId: zone.ZoneId,
        zoneType: zone.ZoneType,
        messages: (zone.Messages ?? []).map((message) => message.Message ?? ''),
      },
    }));
  }

  private async describeDatabases(operation: string, region: string, ids: readonly string[] | undefined, signal: AbortSignal): Promise<DBInstance[]> {
    const out: DBInstance[] = [];
    for (const chunk of ids === undefined ? [undefined] : chunks([...new Set(ids)], FILTER_VALUES)) {
      const listed = await paginate(
        async (marker) => {
          const output = await this.send(operation, region, signal, (clients, requestSignal) =>
            clients.rds.send(
              new DescribeDBInstancesCommand({
                MaxRecords: DB_PAGE,
                ...(chunk === undefined ? {} : { Filters: [{ Name: 'db-instance-id', Values: chunk }] }),
                ...(marker === undefined ? {} : { Marker: marker }),
              }),
              { abortSignal: requestSignal },
            ),
          );
          return { items: output.DBInstances ?? [], next: output.Marker };
        },
        { provider: this.id, operation, listing: `${operation} (${region}): DescribeDBInstances` },
      );
      out.push(...listed);
    }
    return out;
  }

  /**
   * Latest `ReplicaLag` per replica (keyed `region/id`), one `GetMetricData`
   * call per region and 500 replicas. A CloudWatch failure does not fail the
   * listing: lag becomes unknown (`null`) and the error kind is kept.
   */
  private async replicaLags(
    replicas: readonly { db: DBInstance; region: string }[],
    signal: AbortSignal,
  ): Promise<{ readings: Map<string, LagReading>; error?: string }> {
    const readings = new Map<string, LagReading>();
    const byRegion = new Map<string, string[]>();
    for (const { db, region } of replicas) {
      const ids = byRegion.get(region) ?? [];
      ids.push(db.DBInstanceIdentifier ?? '');
      byRegion.set(region, ids);
    }
    const end = this.clock.now();
    try {
      for (const [region, ids] of byRegion) {
        for (const chunk of chunks(ids, METRIC_QUERIES)) {
          const queries: MetricDataQuery[] = chunk.map((id, i) => ({
            Id: `q${i}`,
            ReturnData: true,
            MetricStat: {
              Metric: { Namespace: 'AWS/RDS', MetricName: 'ReplicaLag', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: id }] },
              Period: 60,
              Stat: 'Maximum',
            },
          }));
          const results = await paginate(
            async (token) => {
              const output = await this.send('listDatabases', region, signal, (clients, requestSignal) =>
                clients.cloudWatch.send(
                  new GetMetricDataCommand({
                    MetricDataQueries: queries,
                    StartTime: new Date(end - LAG_WINDOW_MS),
                    EndTime: new Date(end),
                    ScanBy: 'TimestampDescending',
                    ...(token === undefined ? {} : { NextToken: token }),
                  }),
                  { abortSignal: requestSignal },
                ),
              );
              return { items: output.MetricDataResults ?? [], next: output.NextToken };
            },
            { provider: this.id, operation: 'listDatabases', listing: `listDatabases (${region}): GetMetricData` },
          );
          for (const result of results) {
            const index = Number((result.Id ?? '').slice(1));
            const id = chunk[index];
            const seconds = result.Values?.[0];
            const at = result.Timestamps?.[0];
            const key = `${region}/${id}`;
            // RDS reports -1 when replication is not active: no lag is known then.
            if (id === undefined || seconds === undefined || seconds < 0 || readings.has(key)) continue;
            readings.set(key, { seconds, at: at?.getTime() ?? end });
          }
        }
      }
      return { readings };
    } catch (error) {
      if (signal.aborted || !isProviderError(error)) throw error;
      return { readings, error: error.kind };
    }
  }

  // ---- regions and ids ------------------------------------------------------

  /** The configured regions, or the SDK's default region. */
  private regions(operation: string, signal: AbortSignal): Promise<readonly string[]> {
    if (this.options.regions !== undefined) {
      if (this.options.regions.length === 0) throw new ProviderError('terminal', `${operation}: options.regions is empty`, { provider: this.id, operation });
      return Promise.resolve(this.options.regions);
    }
    this.regionList ??= (async () => {
      const probe = new EC2Client(this.options.profile === undefined ? {} : { profile: this.options.profile });
      try {
        const region = await probe.config.region();
        if (!region) throw new Error('no region');
        return [region];
      } catch {
        this.regionList = undefined;
        throw new ProviderError('terminal', `${operation}: no AWS region configured (set options.regions, AWS_REGION or a profile region)`, {
          provider: this.id,
          operation,
          code: 'NoRegion',
        });
      } finally {
        probe.destroy();
      }
    })();
    return raceAbort(this.regionList, signal).catch((error: unknown) => {
      throw toAwsProviderError(error, { provider: this.id, operation, signal });
    });
  }

  /**
   * The regions a call addresses: `region` when given (it must be one of
   * ours), else the one `zone` belongs to (AZ names start with their
   * region's), else all.
   */
  private async regionsFor(operation: string, region: string | undefined, zone: string | undefined, signal: AbortSignal): Promise<readonly string[]> {
    const all = await this.regions(operation, signal);
    if (signal.aborted) throw toAwsProviderError(abortError(signal), { provider: this.id, operation, signal });
    if (region !== undefined) {
      if (!all.includes(region)) throw this.invalid(operation, `unknown region ${region}; ${this.id} manages ${all.join(', ')}`, 'InvalidRegion');
      return [region];
    }
    if (zone !== undefined) {
      const known = this.zoneRegions.get(zone);
      if (known !== undefined && all.includes(known)) return [known];
      const owner = all.filter((each) => zone.startsWith(each)).sort((a, b) => b.length - a.length)[0];
      if (owner !== undefined) return [owner];
      // Not named after its region (an emulator's or a test's zone names): ask each region.
      for (const each of all) {
        await this.describeZones(operation, each, signal);
        if (this.zoneRegions.get(zone) === each) return [each];
      }
      throw this.invalid(operation, `zone ${zone} is in none of ${all.join(', ')}`, 'InvalidAvailabilityZone');
    }
    return all;
  }

  /**
   * Whether `zone` belongs to `region`: as `DescribeAvailabilityZones` last
   * said, else by name (AZ names start with their region's), else after
   * asking the region once.
   */
  private async zoneInRegion(operation: string, zone: string, region: string, signal: AbortSignal): Promise<boolean> {
    const known = this.zoneRegions.get(zone);
    if (known !== undefined) return known === region;
    if (zone.startsWith(region)) return true;
    await this.describeZones(operation, region, signal);
    return this.zoneRegions.get(zone) === region;
  }

  private async nodeRegion(operation: string, id: string, signal: AbortSignal): Promise<string> {
    const all = await this.regions(operation, signal);
    if (all.length === 1) return all[0]!;
    const known = this.nodeRegions.get(id);
    if (known !== undefined) return known;
    for (const region of all) {
      const [instance] = await this.describeInstances(operation, region, [{ Name: 'instance-id', Values: [id] }], signal);
      if (instance !== undefined) {
        this.remember(this.nodeRegions, id, region);
        return region;
      }
    }
    throw this.invalid(operation, `unknown node ${id} in ${all.join(', ')}`, 'InvalidInstanceID.NotFound');
  }

  private async databaseRegion(operation: string, id: string, signal: AbortSignal): Promise<string> {
    const all = await this.regions(operation, signal);
    if (all.length === 1) return all[0]!;
    const known = this.dbRegions.get(id);
    if (known !== undefined) return known;
    const found = await this.findDatabase(operation, id, signal);
    if (found === undefined) throw this.invalid(operation, `unknown database ${id} in ${all.join(', ')}`, 'DBInstanceNotFound');
    return found.region;
  }

  /** One instance by id, searched in the remembered region first, then in every region. */
  private async findDatabase(operation: string, id: string, signal: AbortSignal): Promise<FoundDatabase | undefined> {
    const all = await this.regions(operation, signal);
    const known = this.dbRegions.get(id);
    const order = known === undefined ? all : [known, ...all.filter((region) => region !== known)];
    for (const region of order) {
      const [db] = await this.describeDatabases(operation, region, [id], signal);
      if (db !== undefined) {
        this.remember(this.dbRegions, id, region);
        return { db, region };
      }
    }
    return undefined;
  }

  private remember(map: Map<string, string>, id: string, region: string): void {
    if (id === '') return;
    if (map.size >= MAX_REMEMBERED && !map.has(id)) map.clear();
    map.set(id, region);
  }

  private invalid(operation: string, message: string, code: string): ProviderError {
    return new ProviderError('invalid-input', `${operation}: ${message}`, { provider: this.id, operation, code });
  }

  /** A result computed without a request still honours a signal that already fired. */
  private checked<T>(operation: string, signal: AbortSignal, value: T): T {
    if (signal.aborted) throw toAwsProviderError(abortError(signal), { provider: this.id, operation, signal });
    return value;
  }
}

/** EC2 client tokens are at most 64 ASCII characters; longer tokens are hashed (deterministically, so retries still match). */
function ec2ClientToken(token: string): string {
  return token.length <= 64 && /^[\x20-\x7e]+$/.test(token) ? token : createHash('sha256').update(token).digest('hex');
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function isInvalidState(error: unknown): boolean {
  return isProviderError(error) && (error.code === 'InvalidDBInstanceState' || error.code === 'InvalidDBInstanceStateFault');
}


