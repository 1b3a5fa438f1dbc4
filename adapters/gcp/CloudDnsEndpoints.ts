import { isProviderError, ProviderError } from '../../src/core/contract/errors.js';
import type { CallOptions } from '../../src/core/contract/Provider.js';
import type { DatabaseEndpoint, EndpointFilter } from '../../src/core/contract/types.js';
import { clusterOf } from '../shared/clusterOf.js';
import type { CloudDns, DnsRecordSet } from './CloudDns.js';
import type { CloudSqlInstance } from './CloudSqlInstance.js';
import { CLOUD_SQL_CLUSTER_VIEW } from './cloudSqlClusterView.js';
import type { GcpCallRunner } from './GcpCallRunner.js';
import type { GcpEndpointConfig } from './GcpEndpointConfig.js';

/** TTL of a record the adapter creates when the config names none. */
const DEFAULT_TTL = 60;

/** A change this adapter made and has not yet seen `done`. */
interface TrackedChange {
  readonly managedZone: string;
  readonly id: string;
  /** The address before the change (undefined: the record did not exist). */
  readonly from: string | undefined;
  readonly to: string;
}

/** What the endpoints need from the rest of the adapter. */
export interface CloudSqlLookup {
  /** Every Cloud SQL instance of the project (one listing). */
  instances(operation: string, project: string, signal: AbortSignal): Promise<CloudSqlInstance[]>;
  /** One instance by name; undefined when Cloud SQL does not know it. */
  instance(operation: string, project: string, name: string, signal: AbortSignal): Promise<CloudSqlInstance | undefined>;
  /** One instance as last read, without a request (for what does not change: its cluster, its addresses). */
  described(name: string): CloudSqlInstance | undefined;
}

/**
 * Writer endpoints as Cloud DNS `A` record sets (capability `endpoints`):
 * the configured records, each answering with the address of a Cloud SQL
 * instance. The target is the instance whose address the record holds.
 *
 * Cloud DNS shows a record's new data as soon as a change is accepted and
 * says only on the change whether it is served yet (`pending`, `done`). So
 * the adapter remembers the changes it made: while one is `pending`
 * (`changes.get`), the listing reports the old instance as `target` and the
 * new one as `pendingTarget`. A restarted adapter has forgotten them and
 * reports the new instance as the target at once (the change is accepted,
 * so it will be served; the contract's re-issue is a no-op either way).
 */
export class CloudDnsEndpoints {
  private readonly tracked = new Map<string, TrackedChange>();
  /** Each endpoint's record set as last read or written (by bare name). */
  private readonly lastRecords = new Map<string, DnsRecordSet | undefined>();
  private readonly byName: ReadonlyMap<string, GcpEndpointConfig>;

  constructor(
    private readonly runner: GcpCallRunner,
    private readonly dns: CloudDns,
    private readonly sql: CloudSqlLookup,
    configs: readonly GcpEndpointConfig[],
  ) {
    this.byName = new Map(configs.map((config) => [bareName(config.name), config]));
  }

  async listEndpoints(filter: EndpointFilter, options: CallOptions): Promise<DatabaseEndpoint[]> {
    const { signal } = options;
    const names = filter.names === undefined ? undefined : new Set(filter.names.map(bareName));
    const configs = [...this.byName.entries()].filter(
      ([name, config]) => (filter.database === undefined || config.database === filter.database) && (names === undefined || names.has(name)),
    );
    const project = await this.runner.projectId('listEndpoints', signal);
    if (configs.length === 0) return [];
    const instances = await this.sql.instances('listEndpoints', project, signal);
    const instanceAt = (address: string | undefined): string | undefined =>
      address === undefined ? undefined : instances.find((each) => (each.ipAddresses ?? []).some((ip) => ip.ipAddress === address))?.name;
    const out: DatabaseEndpoint[] = [];
    for (const [name, config] of configs) {
      const record = await this.runner.call('listEndpoints', signal, () => this.dns.recordSet(project, config.managedZone, fqdn(name), 'A'));
      this.lastRecords.set(name, record);
      // A configured name without its record serves nobody yet: `updateEndpoint` creates it.
      if (record === undefined) continue;
      const address = record.rrdatas?.[0];
      const pending = await this.pendingChange(name, project, signal);
      const servedAddress = pending === undefined ? address : pending.from;
      const served = instanceAt(servedAddress);
      out.push({
        name,
        provider: this.runner.provider,
        database: config.database,
        // An address no Cloud SQL instance holds is reported as itself: it matches no instance, so the controller re-points it.
        target: served ?? servedAddress ?? '',
        ...(pending === undefined ? {} : { pendingTarget: instanceAt(pending.to) ?? pending.to }),
        ttlSeconds: record.ttl ?? DEFAULT_TTL,
        extra: {
          managedZone: config.managedZone,
          address: servedAddress,
          ...(served === undefined ? { unknownAddress: true } : {}),
          ...(pending === undefined ? {} : { change: pending.id }),
        },
      });
    }
    return out;
  }

  async updateEndpoint(name: string, target: string, options: CallOptions): Promise<void> {
    const { signal } = options;
    const config = this.byName.get(bareName(name));
    if (config === undefined) {
      throw this.invalid(`unknown endpoint ${name}; ${this.runner.provider} serves ${[...this.byName.keys()].join(', ') || 'none'}`, 'UnknownEndpoint');
    }
    const project = await this.runner.projectId('updateEndpoint', signal);
    // An instance's cluster and addresses do not change: as last read, the change needs no Cloud SQL read
    // (reads are what fail first when a region's API struggles, exactly when the endpoint must move).
    const described = this.sql.described(target);
    const instance = described !== undefined && addressOf(described) !== undefined ? described : await this.sql.instance('updateEndpoint', project, target, signal);
    if (instance === undefined) throw this.invalid(`unknown database instance ${target}`, 'InstanceNotFound');
    const cluster = clusterOf([instance], CLOUD_SQL_CLUSTER_VIEW)(instance);
    if (cluster !== config.database) throw this.invalid(`${target} belongs to ${cluster}; ${name} is the endpoint of ${config.database}`, 'WrongDatabase');
    const address = addressOf(instance);
    if (address === undefined) throw this.invalid(`${target} has no IP address to point ${name} at`, 'NoAddress');
    const fullName = fqdn(bareName(name));
    const key = bareName(name);
    const read = await this.currentRecord(key, project, config.managedZone, fullName, signal);
    const current = read.record;
    // Already the answer (served or pending): nothing to change.
    if (read.fresh && current?.rrdatas?.length === 1 && current.rrdatas[0] === address) return;
    const addition: DnsRecordSet = { name: fullName, type: 'A', ttl: config.ttl ?? current?.ttl ?? DEFAULT_TTL, rrdatas: [address] };
    // The deletion must match the record exactly: a concurrent change makes Cloud DNS refuse this one (412, terminal) instead of losing either.
    const change = await this.runner.call('updateEndpoint', signal, () =>
      this.dns.createChange(project, config.managedZone, { additions: [addition], ...(current === undefined ? {} : { deletions: [current] }) }),
    );
    this.lastRecords.set(key, addition);
    if (change.status === 'done' || change.id === undefined) this.tracked.delete(key);
    else this.tracked.set(key, { managedZone: config.managedZone, id: change.id, from: current?.rrdatas?.[0], to: address });
  }

  /**
   * The record set now, or, when Cloud DNS's read fails or times out (a
   * throttled one is not worked around), as last read or written: the change deletes exactly that
   * record, so Cloud DNS refuses it (412) if the record changed since, and
   * nothing is lost.
   */
  private async currentRecord(
    key: string,
    project: string,
    managedZone: string,
    fullName: string,
    signal: AbortSignal,
  ): Promise<{ record: DnsRecordSet | undefined; fresh: boolean }> {
    try {
      const record = await this.runner.call('updateEndpoint', signal, () => this.dns.recordSet(project, managedZone, fullName, 'A'));
      this.lastRecords.set(key, record);
      return { record, fresh: true };
    } catch (error) {
      if (!this.lastRecords.has(key) || signal.aborted || !isProviderError(error) || (error.kind !== 'retryable' && error.kind !== 'timeout')) throw error;
      return { record: this.lastRecords.get(key), fresh: false };
    }
  }

  /** The tracked change of `name` while Cloud DNS still reports it `pending`; forgotten once `done`. */
  private async pendingChange(name: string, project: string, signal: AbortSignal): Promise<TrackedChange | undefined> {
    const tracked = this.tracked.get(name);
    if (tracked === undefined) return undefined;
    const change = await this.runner.call('listEndpoints', signal, () => this.dns.getChange(project, tracked.managedZone, tracked.id));
    if (change.status === 'pending') return tracked;
    if (this.tracked.get(name) === tracked) this.tracked.delete(name);
    return undefined;
  }

  private invalid(message: string, code: string): ProviderError {
    return new ProviderError('invalid-input', `updateEndpoint: ${message}`, { provider: this.runner.provider, operation: 'updateEndpoint', code });
  }
}

/** The address an endpoint points at: the instance's private address (what clients in the VPC reach), else its public one. */
function addressOf(instance: CloudSqlInstance): string | undefined {
  const addresses = instance.ipAddresses ?? [];
  return (addresses.find((each) => each.type === 'PRIVATE') ?? addresses.find((each) => each.type === 'PRIMARY'))?.ipAddress;
}

/** A DNS name without its final dot: the endpoint's id in the contract. */
function bareName(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** The fully qualified form Cloud DNS uses. */
function fqdn(name: string): string {
  return `${name}.`;
}
