import type { DBInstance } from '@aws-sdk/client-rds';
import type { DatabaseInstance, ReplicationState, ReplicationStatus } from '../../src/core/contract/types.js';
import { toDatabaseState } from './rdsStatusTable.js';

/** The tag that carries an instance's logical database across promotions (RDS forgets the source when it promotes). */
export const CLUSTER_TAG = 'lifeboat:cluster';

/**
 * The `read replication` status RDS reports in `StatusInfos`, to the
 * contract's replication state. RDS documents `replicating`, `replication
 * degraded` (receiving, some databases not updated), `replication stop point
 * set` / `reached` (delayed replication), `error` (replication stopped for
 * any reason; RDS keeps trying to resume it), `stopped` (stopped by the
 * customer) and `terminated` (RDS gave up: it will not resume). A replica
 * that still receives from its source is `streaming`; one that stopped but
 * may resume is `disconnected`; only `terminated` is `broken`. Anything else
 * is `unknown`.
 */
export const RDS_REPLICATION_STATES: Readonly<Record<string, ReplicationState>> = Object.freeze({
  replicating: 'streaming',
  'replication degraded': 'streaming',
  'replication stop point set': 'streaming',
  'replication stop point reached': 'disconnected',
  error: 'disconnected',
  stopped: 'disconnected',
  terminated: 'broken',
});

/** A replica lag reading from CloudWatch, when the adapter made one. */
export interface LagReading {
  /** The datapoint's value; negative when RDS says replication is not active (see {@link lagOf}). */
  readonly seconds: number;
  /** When the datapoint was taken: the start of its period (ms since the epoch). */
  readonly at: number;
  /** Seconds from {@link LagReading.at} to when the adapter read it. */
  readonly ageSeconds: number;
}

/**
 * Engines for which RDS documents `ReplicaLag` -1 as "replication is not
 * active" (it reports `Seconds_Behind_Master`, and -1 stands for its NULL):
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_MySQL.Replication.ReadReplicas.Monitor.html
 * (MySQL: -1 means replication is currently not active) and
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_MariaDB.Replication.ReadReplicas.Monitor.html
 * (the same for MariaDB). RDS for PostgreSQL computes it as the time since
 * the last replayed transaction, which only grows while the source is away
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.Monitor.html):
 * a negative value there is undocumented, so it is read as unknown only.
 */
const INACTIVE_AT_MINUS_ONE = /^(mysql|mariadb)/;

/**
 * Lag, measurement age and replication state of a replica from its
 * CloudWatch reading and the state `StatusInfos` gave. A negative reading
 * is no lag: unknown (`null`); on MySQL and MariaDB it also says the
 * replica is not replicating now, whatever `StatusInfos` still shows
 * (`disconnected`, or `broken` when RDS already gave up on it).
 */
export function lagOf(engine: string, reading: LagReading | null | undefined, state: ReplicationState): { lagSeconds: number | null; lagAgeSeconds?: number; state: ReplicationState } {
  if (reading === undefined || reading === null) return { lagSeconds: null, state };
  if (reading.seconds >= 0) return { lagSeconds: reading.seconds, lagAgeSeconds: reading.ageSeconds, state };
  const inactive = INACTIVE_AT_MINUS_ONE.test(engine) && state !== 'broken';
  return { lagSeconds: null, state: inactive ? 'disconnected' : state };
}

/** An RDS identifier from an identifier or an ARN (cross-region replicas name their source by ARN). */
export function rdsIdentifier(value: string): string {
  const match = /^arn:aws[\w-]*:rds:[^:]*:[^:]*:db:(.+)$/.exec(value);
  return match === null ? value : match[1]!;
}

/**
 * An RDS DB instance as a contract {@link DatabaseInstance}. RDS read
 * replicas are asynchronous; RDS reports neither the time of last contact
 * nor lag in bytes, so those are `null`, and lag is `null` unless a
 * CloudWatch reading is given. `cluster` is resolved by the caller (tag,
 * then replication root).
 */
export function toDatabaseInstance(db: DBInstance, provider: string, region: string, cluster: string, lag: LagReading | null | undefined): DatabaseInstance {
  const id = db.DBInstanceIdentifier ?? '';
  const source = db.ReadReplicaSourceDBInstanceIdentifier;
  const replicationInfo = db.StatusInfos?.find((info) => info.StatusType === 'read replication');
  const endpoint = db.Endpoint?.Address === undefined ? undefined : db.Endpoint.Port === undefined ? db.Endpoint.Address : `${db.Endpoint.Address}:${db.Endpoint.Port}`;
  const extra: Record<string, unknown> = {
    rawStatus: db.DBInstanceStatus,
    arn: db.DBInstanceArn,
    instanceClass: db.DBInstanceClass,
    engineVersion: db.EngineVersion,
    multiAZ: db.MultiAZ,
    secondaryAvailabilityZone: db.SecondaryAvailabilityZone,
    replicaIds: db.ReadReplicaDBInstanceIdentifiers ?? [],
    replicationStatus: replicationInfo?.Status,
    replicationMessage: replicationInfo?.Message,
    dbSubnetGroup: db.DBSubnetGroup?.DBSubnetGroupName,
    vpcSecurityGroups: (db.VpcSecurityGroups ?? []).map((group) => group.VpcSecurityGroupId ?? ''),
    kmsKeyId: db.KmsKeyId,
  };
  let replication: ReplicationStatus | undefined;
  if (source !== undefined && source !== '') {
    if (lag !== undefined && lag !== null) {
      extra['replicaLagAt'] = lag.at;
      extra['replicaLag'] = lag.seconds;
    }
    const measured = lagOf(db.Engine ?? '', lag, replicationStateOf(replicationInfo?.Status));
    replication = {
      upstream: rdsIdentifier(source),
      mode: 'async',
      state: measured.state,
      lagSeconds: measured.lagSeconds,
      lastContactSeconds: null,
      lagBytes: null,
      ...(measured.lagAgeSeconds === undefined ? {} : { lagAgeSeconds: measured.lagAgeSeconds }),
    };
  }
  return {
    id,
    cluster,
    provider,
    region,
    zone: db.AvailabilityZone ?? '',
    engine: db.Engine ?? 'unknown',
    role: replication === undefined ? 'primary' : 'replica',
    state: toDatabaseState(db.DBInstanceStatus),
    ...(replication === undefined ? {} : { replication }),
    ...(endpoint === undefined ? {} : { endpoint }),
    extra,
  };
}

function replicationStateOf(status: string | undefined): ReplicationState {
  return (status !== undefined && Object.hasOwn(RDS_REPLICATION_STATES, status) ? RDS_REPLICATION_STATES[status] : undefined) ?? 'unknown';
}
