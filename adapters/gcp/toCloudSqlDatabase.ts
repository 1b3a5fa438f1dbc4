import type { DatabaseInstance, ReplicationState, ReplicationStatus } from '../../src/core/contract/types.js';
import type { ReplicationReading } from './CloudMonitoring.js';
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
 * Cloud Monitoring's `replication/state` labels to the contract's
 * replication state: `Running` (replication active) is `streaming`;
 * `Stopped` (inactive) and `Error` (an error stopped it; Cloud SQL keeps
 * trying) are `disconnected`: the replica no longer follows its primary but
 * has not been given up on. Anything else is `unknown`.
 */
export const CLOUD_SQL_REPLICATION_STATES: Readonly<Record<string, ReplicationState>> = Object.freeze({
  Running: 'streaming',
  Stopped: 'disconnected',
  Error: 'disconnected',
});

/**
 * A Cloud SQL instance as a contract {@link DatabaseInstance}. The Admin
 * API reports neither replica lag nor replication state: those come from
 * Cloud Monitoring (`reading`, when the adapter made one): lag from
 * `replica_lag` (`null` without a sample or while it is negative, which
 * means replication is inactive: then `disconnected`, unless a newer
 * `replication/state` sample says otherwise), state from `replication/state`.
 * Replication switched off (`databaseReplicationEnabled: false`) is
 * `disconnected` whatever the metrics say. Neither API reports the time of
 * last contact, so `lastContactSeconds` is `null`. Cloud SQL read replicas
 * are asynchronous. `cluster` is resolved by the caller.
 */
export function toCloudSqlDatabase(sql: CloudSqlInstance, provider: string, cluster: string, reading?: ReplicationReading): DatabaseInstance {
  const engine = (sql.databaseVersion ?? 'unknown').split('_')[0]!.toLowerCase();
  const ip = (sql.ipAddresses ?? []).find((each) => each.type === 'PRIMARY') ?? sql.ipAddresses?.[0];
  const isReplica = sql.instanceType === 'READ_REPLICA_INSTANCE' || (sql.masterInstanceName !== undefined && sql.masterInstanceName !== '');
  let replication: ReplicationStatus | undefined;
  if (isReplica && sql.masterInstanceName !== undefined) {
    const stateMetric = reading?.state === undefined ? undefined : Object.hasOwn(CLOUD_SQL_REPLICATION_STATES, reading.state) ? CLOUD_SQL_REPLICATION_STATES[reading.state] : undefined;
    // A negative replica_lag (newer than any state sample) says replication is inactive: disconnected, lag unknown.
    const metricState = reading?.inactive === true ? 'disconnected' : stateMetric;
    replication = {
      upstream: upstreamName(sql.masterInstanceName),
      mode: 'async',
      state: sql.settings?.databaseReplicationEnabled === false ? 'disconnected' : (metricState ?? 'unknown'),
      lagSeconds: reading?.lagSeconds ?? null,
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
      ...(reading === undefined ? {} : { replicationMetricState: reading.state, replicationMetricAt: reading.at }),
    },
  };
}
