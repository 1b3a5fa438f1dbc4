import { GoogleRestApi } from './GoogleRestApi.js';
import type { ScopedAuth } from './ScopedAuth.js';

/** The fields of a Cloud DNS v1 `ResourceRecordSet` the adapter reads and writes. */
export interface DnsRecordSet {
  readonly name: string;
  readonly type: string;
  readonly ttl?: number;
  readonly rrdatas?: readonly string[];
}

/** A Cloud DNS v1 `Change`: `pending` until every authoritative server serves it, then `done`. */
export interface DnsChange {
  readonly id?: string;
  readonly status?: string;
  readonly additions?: readonly DnsRecordSet[];
  readonly deletions?: readonly DnsRecordSet[];
}

/**
 * The Cloud DNS v1 REST API, called directly through the auth object's
 * `fetch` like Cloud SQL Admin. Why not `@google-cloud/dns`: the adapter
 * needs three methods (`resourceRecordSets.list`, `changes.create`,
 * `changes.get`), and the package would bring a second auth and retry stack
 * (its own `@google-cloud/common` requests, retried on their own) that the
 * call's signal, the adapter's no-retry rule and `toGcpProviderError` would
 * have to be threaded through again.
 */
export class CloudDns extends GoogleRestApi {
  constructor(auth: ScopedAuth, baseUrl: string) {
    super(auth, baseUrl, 'dns/v1');
  }

  /** The record set of `type` named `name` (a fully qualified name, final dot included), if any. */
  async recordSet(project: string, managedZone: string, name: string, type: string): Promise<DnsRecordSet | undefined> {
    const page = await this.call<{ rrsets?: DnsRecordSet[] }>('GET', `${zonePath(project, managedZone)}/rrsets`, { query: { name, type } });
    return page.rrsets?.find((each) => each.name === name && each.type === type);
  }

  /** Creates a change (its deletions and additions are applied together, or not at all). */
  createChange(project: string, managedZone: string, change: DnsChange): Promise<DnsChange> {
    return this.call<DnsChange>('POST', `${zonePath(project, managedZone)}/changes`, { body: change });
  }

  /** A change as it is now. */
  getChange(project: string, managedZone: string, id: string): Promise<DnsChange> {
    return this.call<DnsChange>('GET', `${zonePath(project, managedZone)}/changes/${encodeURIComponent(id)}`);
  }
}

function zonePath(project: string, managedZone: string): string {
  return `projects/${encodeURIComponent(project)}/managedZones/${encodeURIComponent(managedZone)}`;
}
