import type { DatabaseInstance, ReplicationStatus } from '../../src/contract/types.js';
import { toCloudSqlState } from './cloudSqlStateTable.js';
import type { CloudSqlInstance } from './CloudSqlInstance.js';

/** The label that carries an instance's logical database across promotions. */
export const CLUSTER_LABEL = 'lifeboat-cluster';

/** The instance name in a `masterInstanceName` (`project:instance`). */
export function upstreamName(master: string): string {
  return master.slice(master.lastIndexOf(':') + 1);
}

function portOf(engine: string): number {
  if (engine === 'mysql') return 3306;
  if (engine === 'sqlserver') return 1433;
  return 5432;
}

/**
 * A Cloud SQL instance as a contract {@link DatabaseInstance}. The Admin
 * API reports neither replica lag nor contact with the primary (those are
 * Cloud Monitoring metrics), so replication lag and last contact are `null`
 * and the state is `unknown` unless replication was switched off
 * (`databaseReplicationEnabled: false`, then `disconnected`). Cloud SQL read
 * replicas are asynchronous. `cluster` is resolved by the caller.
 */
export function toCloudSqlDatabase(sql: CloudSqlInstance, provider: string, cluster: string): DatabaseInstance {
  const engine = (sql.databaseVersion ?? 'unknown').split('_')[0]!.toLowerCase();
  const ip = (sql.ipAddresses ?? []).find((each) => each.type === 'PRIMARY') ?? sql.ipAddresses?.[0];
  const isReplica = sql.instanceType === 'READ_REPLICA_INSTANCE' || (sql.masterInstanceName !== undefined && sql.masterInstanceName !== '');
  let replication: ReplicationStatus | undefined;
  if (isReplica && sql.masterInstanceName !== undefined) {
    replication = {
      upstream: upstreamName(sql.masterInstanceName),
      mode: 'async',
      state: sql.settings?.databaseReplicationEnabled === false ? 'disconnected' : 'unknown',
      lagSeconds: null,
      lastContactSeconds: null,
      lagBytes: null,
    };
  }
  const zone = sql.gceZone ?? '';
  return {
    id: sql.name ?? '',
    cluster,
    provider,
    region: sql.region ?? '',
    zone,
    engine,
    role: isReplica ? 'replica' : 'primary',
    state: toCloudSqlState(sql.state, sql.settings?.activationPolicy),
    ...(replication === undefined ? {} : { replication }),
    ...(ip?.ipAddress === undefined ? {} : { endpoint: `${ip.ipAddress}:${portOf(engine)}` }),
    extra: {
      rawState: sql.state,
      activationPolicy: sql.settings?.activationPolicy,
      databaseVersion: sql.databaseVersion,
      tier: sql.settings?.tier,
      availabilityType: sql.settings?.availabilityType,
      secondaryZone: sql.secondaryGceZone,
      replicaNames: sql.replicaNames ?? [],
      connectionName: sql.connectionName,
    },
  };
}
