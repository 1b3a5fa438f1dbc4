import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand,
  DescribeInstanceStatusCommand,
  EC2Client,
  type AvailabilityZone,
  type Filter,
  type Instance,
  type InstanceStatus,
} from '@aws-sdk/client-ec2';
import { DescribeDBInstancesCommand, RDSClient, type DBInstance } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { abortError } from '../../src/core/clock/Clock.js';
import { raceAbort } from '../../src/core/clock/raceAbort.js';
import { isProviderError, ProviderError } from '../../src/core/contract/errors.js';
import { chunks } from '../shared/chunks.js';
import { paginate } from '../shared/paginate.js';
import type { AwsProviderOptions } from './AwsProviderOptions.js';
import { toAwsProviderError } from './toAwsProviderError.js';
import { ZonalShiftClient } from './ZonalShiftClient.js';

/** EC2's largest page. */
const INSTANCE_PAGE = 1000;
/** RDS's largest page. */
const DB_PAGE = 100;
/** Values per EC2/RDS filter: the services cap them (EC2 at 200), so long id lists go in chunks. */
export const FILTER_VALUES = 100;
/** Connection setup bound: a black-holed endpoint fails fast; the call's signal bounds the rest. */
const CONNECTION_TIMEOUT_MS = 5_000;

/** One region's SDK clients. */
export interface RegionClients {
  readonly ec2: EC2Client;
  readonly rds: RDSClient;
  readonly cloudWatch: CloudWatchClient;
  /** Route 53 is global: whatever the region, its client signs for the partition's (`us-east-1`). */
  readonly route53: Route53Client;
  /** ARC zonal shift, on the same credential chain as the SDK clients. */
  readonly zonalShift: ZonalShiftClient;
}

/**
 * The AWS APIs as the `aws` adapter calls them: one set of SDK clients per
 * region, each request bound to the call's signal with every error
 * translated ({@link toAwsProviderError}, credentials scrubbed), and the
 * paged `Describe*` reads the adapter and its region directory share.
 */
export class AwsApi {
  private readonly clients = new Map<string, RegionClients>();
  private closed = false;

  constructor(
    private readonly provider: string,
    private readonly options: AwsProviderOptions,
  ) {}

  /** Destroys every client; later requests fail `terminal`. */
  close(): void {
    this.closed = true;
    for (const clients of this.clients.values()) {
      clients.ec2.destroy();
      clients.rds.destroy();
      clients.cloudWatch.destroy();
      clients.route53.destroy();
    }
    this.clients.clear();
  }

  /**
   * Runs one SDK request for `operation` in `region`: refuses at once when
   * the signal already fired, and translates whatever fails. The request
   * is also raced against the signal, because the SDK only watches it once
   * the HTTP request is under way (credential resolution is not).
   */
  async send<T>(
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
      if (this.closed) throw new ProviderError('terminal', `${operation}: the adapter is closed`, { provider: this.provider, operation });
      signal.addEventListener('abort', forward, { once: true });
      return await raceAbort(run(this.clientsFor(region), request.signal), request.signal);
    } catch (error) {
      throw toAwsProviderError(error, { provider: this.provider, operation, region, signal, secrets: this.secrets() });
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
      const ec2 = new EC2Client(config);
      clients = {
        ec2,
        rds: new RDSClient(config),
        cloudWatch: new CloudWatchClient(config),
        route53: new Route53Client(config),
        zonalShift: new ZonalShiftClient({
          region,
          ...(this.options.endpoint === undefined ? {} : { endpoint: this.options.endpoint }),
          credentials: () => ec2.config.credentials(),
        }),
      };
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

  async describeInstances(operation: string, region: string, filters: Filter[], signal: AbortSignal): Promise<Instance[]> {
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
      { provider: this.provider, operation, listing: `${operation} (${region}): DescribeInstances` },
    );
  }

  /**
   * Instances by id (the `InstanceId` parameter, not a filter): what EC2
   * still answers for ids in unaffected zones while a zone of the region
   * is disrupted, when a request naming no ids fails
   * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html).
   * EC2 refuses the whole request when one id does not exist
   * (`InvalidInstanceID.NotFound`, naming the ids): those are returned as
   * `missing` and the rest asked again, once.
   */
  async describeInstancesById(operation: string, region: string, ids: readonly string[], signal: AbortSignal): Promise<{ instances: Instance[]; missing: string[] }> {
    const ask = async (wanted: readonly string[]) => {
      const output = await this.send(operation, region, signal, (clients, requestSignal) =>
        clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [...wanted] }), { abortSignal: requestSignal }),
      );
      return (output.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []);
    };
    try {
      return { instances: await ask(ids), missing: [] };
    } catch (error) {
      if (!isProviderError(error) || error.code !== 'InvalidInstanceID.NotFound') throw error;
      const named = new Set((/'([^']*)'/.exec(error.message)?.[1] ?? '').split(/[\s,]+/).filter((id) => ids.includes(id)));
      if (named.size === 0) throw error;
      const rest = ids.filter((id) => !named.has(id));
      return { instances: rest.length === 0 ? [] : await ask(rest), missing: [...named] };
    }
  }

  async describeStatuses(region: string, zone: string | undefined, signal: AbortSignal): Promise<Map<string, InstanceStatus>> {
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
      { provider: this.provider, operation: 'listNodes', listing: `listNodes (${region}): DescribeInstanceStatus` },
    );
    const statuses = new Map<string, InstanceStatus>();
    for (const status of listed) if (status.InstanceId !== undefined) statuses.set(status.InstanceId, status);
    return statuses;
  }

  /** The region's availability zones, as `DescribeAvailabilityZones` lists them. */
  async describeZones(operation: string, region: string, signal: AbortSignal): Promise<AvailabilityZone[]> {
    const output = await this.send(operation, region, signal, (clients, requestSignal) =>
      clients.ec2.send(new DescribeAvailabilityZonesCommand({}), { abortSignal: requestSignal }),
    );
    return output.AvailabilityZones ?? [];
  }

  async describeDatabases(operation: string, region: string, ids: readonly string[] | undefined, signal: AbortSignal): Promise<DBInstance[]> {
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
        { provider: this.provider, operation, listing: `${operation} (${region}): DescribeDBInstances` },
      );
      out.push(...listed);
    }
    return out;
  }
}
