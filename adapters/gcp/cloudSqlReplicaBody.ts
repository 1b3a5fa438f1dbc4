import type { CreateReplicaRequest } from '../../src/core/contract/types.js';
import type { CloudSqlInstance } from './CloudSqlInstance.js';
import { CLUSTER_LABEL } from './toCloudSqlDatabase.js';

/**
 * The `instances.insert` body of a read replica of `source`
 * (https://cloud.google.com/sql/docs/mysql/admin-api/rest/v1/instances/insert;
 * read replicas: https://cloud.google.com/sql/docs/postgres/replication/create-replica).
 * What the replica must share with its primary is copied, since Cloud SQL
 * fills what is left out with its own defaults rather than the primary's:
 * database version and tier; the `edition` (a tier is valid for one edition
 * only, and a PostgreSQL 16 instance defaults to Enterprise Plus, whose tiers
 * a custom tier is not); and the IP configuration (`ipv4Enabled`,
 * `privateNetwork`, `allocatedIpRange`), so that a primary reachable on a
 * private IP only gets a replica reachable the same way, not one with a
 * public address and none on the private network.
 */
export function cloudSqlReplicaBody(source: CloudSqlInstance, request: CreateReplicaRequest, cluster: string): Record<string, unknown> {
  const settings = source.settings;
  const ip = settings?.ipConfiguration;
  const ipConfiguration =
    ip === undefined
      ? undefined
      : {
          ...(ip.ipv4Enabled === undefined ? {} : { ipv4Enabled: ip.ipv4Enabled }),
          ...(ip.privateNetwork === undefined ? {} : { privateNetwork: ip.privateNetwork }),
          ...(ip.allocatedIpRange === undefined ? {} : { allocatedIpRange: ip.allocatedIpRange }),
        };
  return {
    name: request.id,
    masterInstanceName: request.source,
    region: request.region,
    ...(source.databaseVersion === undefined ? {} : { databaseVersion: source.databaseVersion }),
    settings: {
      ...(settings?.tier === undefined ? {} : { tier: settings.tier }),
      ...(settings?.edition === undefined ? {} : { edition: settings.edition }),
      ...(ipConfiguration === undefined || Object.keys(ipConfiguration).length === 0 ? {} : { ipConfiguration }),
      ...(request.zone === undefined ? {} : { locationPreference: { zone: request.zone } }),
      userLabels: { [CLUSTER_LABEL]: cluster },
    },
  };
}
