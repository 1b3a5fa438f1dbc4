import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import type { DBInstance } from '@aws-sdk/client-rds';
import { isProviderError } from '../../src/core/contract/errors.js';
import type { CallOptions } from '../../src/core/contract/Provider.js';
import type { DatabaseEndpoint, EndpointFilter } from '../../src/core/contract/types.js';
import { invalidInput } from '../shared/invalidInput.js';
import type { AwsApi } from './AwsApi.js';
import type { AwsEndpointOptions } from './AwsProviderOptions.js';
import type { AwsRegionDirectory } from './AwsRegionDirectory.js';
import { CLUSTER_TAG } from './toDatabaseInstance.js';

/** TTL written when the config names none: short, as writer endpoints need. */
const DEFAULT_TTL_SECONDS = 60;
/** The record type of a writer endpoint: a name for an RDS instance's own DNS name. */
const RECORD_TYPE = 'CNAME';

/** A change this adapter submitted and has not seen `INSYNC` yet. */
interface SubmittedChange {
  readonly changeId: string;
  /** The record's value it writes. */
  readonly value: string;
  /** The value it replaced (what Route 53 keeps answering with until the change is in sync). */
  readonly previous: string | undefined;
}

/**
 * Writer endpoints as Route 53 records (capability `endpoints`): one CNAME
 * per configured endpoint, whose value is the RDS address of the instance
 * clients should write to.
 *
 * - `ListResourceRecordSets` shows a change as soon as it is accepted, while
 *   Route 53's servers keep answering the old value until `GetChange` says
 *   `INSYNC`. So for a change it submitted itself, the adapter reports the
 *   old instance as `target` and the new one as `pendingTarget` while the
 *   change is `PENDING`. After a restart it no longer knows its change, and
 *   reports the record's value as served.
 * - A record's value is mapped to an instance by the RDS address
 *   `DescribeDBInstances` reports; a value that is no instance's address is
 *   reported as it is (`extra.matched` false), so the planner moves it.
 */
export class Route53Endpoints {
  private readonly changes = new Map<string, SubmittedChange>();
  /** Each endpoint's record value as last read (by normalized name). */
  private readonly lastValues = new Map<string, string | undefined>();

  constructor(
    private readonly provider: string,
    private readonly configured: readonly AwsEndpointOptions[],
    private readonly api: AwsApi,
    private readonly directory: AwsRegionDirectory,
  ) {}

  async listEndpoints(filter: EndpointFilter, options: CallOptions): Promise<DatabaseEndpoint[]> {
    const { signal } = options;
    const names = filter.names === undefined ? undefined : new Set(filter.names.map(normalName));
    const wanted = this.configured.filter(
      (endpoint) => (filter.database === undefined || endpoint.database === filter.database) && (names === undefined || names.has(normalName(endpoint.name))),
    );
    if (wanted.length === 0) return [];
    const records = new Map<AwsEndpointOptions, ResourceRecordSet>();
    for (const endpoint of wanted) {
      const record = await this.readRecord('listEndpoints', endpoint, signal);
      records.set(endpoint, record);
      this.lastValues.set(normalName(endpoint.name), recordValue(record));
    }
    const pending = new Map<AwsEndpointOptions, SubmittedChange>();
    for (const endpoint of wanted) {
      const change = this.changes.get(normalName(endpoint.name));
      if (change === undefined) continue;
      if (change.value !== recordValue(records.get(endpoint)!)) {
        // Someone else changed the record since: their change is what counts now.
        this.changes.delete(normalName(endpoint.name));
        continue;
      }
      if (await this.isPending('listEndpoints', change, signal)) pending.set(endpoint, change);
      else this.changes.delete(normalName(endpoint.name));
    }
    const values = new Set<string>();
    for (const endpoint of wanted) {
      const value = recordValue(records.get(endpoint)!);
      if (value !== undefined) values.add(value);
      const previous = pending.get(endpoint)?.previous;
      if (previous !== undefined) values.add(previous);
    }
    const instances = await this.instancesAt('listEndpoints', values, signal);
    return wanted.map((endpoint) => {
      const record = records.get(endpoint)!;
      const value = recordValue(record) ?? '';
      const change = pending.get(endpoint);
      const served = change?.previous ?? value;
      const out: DatabaseEndpoint = {
        name: endpoint.name,
        provider: this.provider,
        database: endpoint.database,
        target: instances.get(served) ?? served,
        ...(change === undefined ? {} : { pendingTarget: instances.get(value) ?? value }),
        ttlSeconds: record.TTL ?? endpoint.ttl ?? DEFAULT_TTL_SECONDS,
        extra: {
          hostedZoneId: endpoint.hostedZoneId,
          recordType: RECORD_TYPE,
          recordValue: value,
          matched: instances.has(served),
          ...(change === undefined ? {} : { changeId: change.changeId }),
        },
      };
      return out;
    });
  }

  async updateEndpoint(name: string, target: string, options: CallOptions): Promise<void> {
    const { signal } = options;
    const endpoint = this.configured.find((each) => normalName(each.name) === normalName(name));
    if (endpoint === undefined) {
      const known = this.configured.map((each) => each.name).join(', ') || 'none (options.endpoints)';
      throw invalidInput(this.provider, 'updateEndpoint', `unknown endpoint ${name}; ${this.provider} serves ${known}`, 'UnknownEndpoint');
    }
    // An instance's address and cluster tag do not change: as last described, the change needs no RDS read
    // (reads are what fail first when a region's API struggles, exactly when the endpoint must move).
    const described = this.directory.describedDatabase(target);
    const found = described !== undefined && addressOf(described.db) !== undefined ? described : await this.directory.findDatabase('updateEndpoint', target, signal);
    if (found === undefined) throw invalidInput(this.provider, 'updateEndpoint', `unknown database instance ${target}`, 'DBInstanceNotFound');
    const cluster = found.db.TagList?.find((tag) => tag.Key === CLUSTER_TAG)?.Value;
    if (cluster !== undefined && cluster !== endpoint.database) {
      throw invalidInput(this.provider, 'updateEndpoint', `${target} belongs to ${cluster}; ${endpoint.name} is the endpoint of ${endpoint.database}`, 'InvalidInput');
    }
    const address = addressOf(found.db);
    if (address === undefined) {
      throw invalidInput(this.provider, 'updateEndpoint', `${target} has no address yet (status ${found.db.DBInstanceStatus ?? 'unknown'})`, 'InvalidDBInstanceState');
    }
    const read = await this.currentValue(endpoint, signal);
    // Already its value, served or pending: nothing to change (the contract's idempotency).
    if (read.fresh && read.value === address) return;
    const current = read.value;
    const region = await this.route53Region('updateEndpoint', signal);
    const output = await this.api.send('updateEndpoint', region, signal, (clients, requestSignal) =>
      clients.route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: endpoint.hostedZoneId,
          ChangeBatch: {
            Comment: `lifeboat: ${endpoint.database} writer endpoint to ${target}`,
            Changes: [
              {
                Action: 'UPSERT',
                ResourceRecordSet: { Name: endpoint.name, Type: RECORD_TYPE, TTL: endpoint.ttl ?? DEFAULT_TTL_SECONDS, ResourceRecords: [{ Value: address }] },
              },
            ],
          },
        }),
        { abortSignal: requestSignal },
      ),
    );
    const changeId = output.ChangeInfo?.Id;
    if (changeId !== undefined && output.ChangeInfo?.Status !== 'INSYNC') {
      this.changes.set(normalName(endpoint.name), { changeId, value: address, previous: current });
    }
  }

  /**
   * The record's value now, or, when Route 53's read fails or times out, as
   * last read (a throttled read says "slow down" and is not worked around): an UPSERT needs no read, and
   * sending one that changes nothing is harmless, so a failed read only costs
   * the shortcut for a value already in place.
   */
  private async currentValue(endpoint: AwsEndpointOptions, signal: AbortSignal): Promise<{ value: string | undefined; fresh: boolean }> {
    try {
      const value = recordValue(await this.readRecord('updateEndpoint', endpoint, signal));
      this.lastValues.set(normalName(endpoint.name), value);
      return { value, fresh: true };
    } catch (error) {
      if (signal.aborted || !isProviderError(error) || (error.kind !== 'retryable' && error.kind !== 'timeout')) throw error;
      return { value: this.lastValues.get(normalName(endpoint.name)), fresh: false };
    }
  }

  /** The endpoint's record, `invalid-input` when the hosted zone has none of that name and type. */
  private async readRecord(operation: string, endpoint: AwsEndpointOptions, signal: AbortSignal): Promise<ResourceRecordSet> {
    const region = await this.route53Region(operation, signal);
    // The listing starts at the name, in Route 53's order: the first record is ours only if it has our name and type.
    const output = await this.api.send(operation, region, signal, (clients, requestSignal) =>
      clients.route53.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: endpoint.hostedZoneId, StartRecordName: endpoint.name, StartRecordType: RECORD_TYPE, MaxItems: 1 }),
        { abortSignal: requestSignal },
      ),
    );
    const record = output.ResourceRecordSets?.[0];
    if (record === undefined || normalName(record.Name ?? '') !== normalName(endpoint.name) || record.Type !== RECORD_TYPE) {
      throw invalidInput(
        this.provider,
        operation,
        `hosted zone ${endpoint.hostedZoneId} has no ${RECORD_TYPE} record ${endpoint.name} (options.endpoints names it; create it pointing at the primary's address)`,
        'NoSuchRecord',
      );
    }
    return record;
  }

  private async isPending(operation: string, change: SubmittedChange, signal: AbortSignal): Promise<boolean> {
    const region = await this.route53Region(operation, signal);
    const output = await this.api.send(operation, region, signal, (clients, requestSignal) =>
      clients.route53.send(new GetChangeCommand({ Id: change.changeId }), { abortSignal: requestSignal }),
    );
    return output.ChangeInfo?.Status === 'PENDING';
  }

  /**
   * Instance id per record value, for the values that are an RDS instance's
   * address: RDS addresses start with the instance identifier, so each
   * region is asked only about those identifiers.
   */
  private async instancesAt(operation: string, values: ReadonlySet<string>, signal: AbortSignal): Promise<Map<string, string>> {
    const ids = new Set<string>();
    for (const value of values) ids.add(value.split('.')[0]!);
    const out = new Map<string, string>();
    if (ids.size === 0) return out;
    for (const region of await this.directory.regions(operation, signal)) {
      for (const db of await this.api.describeDatabases(operation, region, [...ids], signal)) {
        const address = addressOf(db);
        if (address !== undefined && values.has(address) && db.DBInstanceIdentifier !== undefined) {
          out.set(address, db.DBInstanceIdentifier);
          this.directory.sawDatabase(db, region);
        }
      }
    }
    return out;
  }

  /** Route 53 is global; its requests go through the clients of the first managed region (same partition). */
  private async route53Region(operation: string, signal: AbortSignal): Promise<string> {
    return (await this.directory.regions(operation, signal))[0]!;
  }
}

/** Record names compare without case and without the root's trailing dot, as DNS compares them. */
function normalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function recordValue(record: ResourceRecordSet): string | undefined {
  const value = record.ResourceRecords?.[0]?.Value;
  return value === undefined ? undefined : normalName(value);
}

function addressOf(db: DBInstance): string | undefined {
  const address = db.Endpoint?.Address;
  return address === undefined || address === '' ? undefined : normalName(address);
}
