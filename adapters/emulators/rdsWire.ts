import type { DatabaseInstance, DatabaseState, ReplicationState } from '../../src/contract/types.js';
import { fakeAddress } from './fakeAddress.js';
import { el, list, opt, type XmlChild } from './xml.js';

/** The tag that carries an instance's logical database, on the wire and in the adapter. */
export const CLUSTER_TAG = 'lifeboat:cluster';

/**
 * `DBInstanceStatus` for a contract state. RDS has no `promoting` status: a
 * replica being promoted shows `modifying`, as on RDS.
 */
const STATUSES: Readonly<Record<DatabaseState, string>> = {
  creating: 'creating',
  available: 'available',
  promoting: 'modifying',
  rebooting: 'rebooting',
  stopping: 'stopping',
  stopped: 'stopped',
  failed: 'failed',
  unknown: 'unknown',
};

/**
 * The `read replication` status RDS shows for a replica. RDS reports
 * `error` when replication itself fails; a replica cut off from its source
 * keeps `replicating` while its lag grows, so `disconnected` shows as
 * `replicating` here too.
 */
const REPLICATION: Readonly<Record<ReplicationState, string | undefined>> = {
  streaming: 'replicating',
  disconnected: 'replicating',
  broken: 'error',
  unknown: undefined,
};

/** Default port per engine, for the `Endpoint` RDS reports. */
function portOf(engine: string): number {
  if (engine.includes('mysql') || engine.includes('maria')) return 3306;
  if (engine.includes('sqlserver')) return 1433;
  if (engine.includes('oracle')) return 1521;
  return 5432;
}

/** The RDS ARN of an instance. */
export function dbArn(region: string, accountId: string, id: string): string {
  return `arn:aws:rds:${region}:${accountId}:db:${id}`;
}

/**
 * A `<DBInstance>`'s children, shaped like RDS's. `replicas` are the ids of
 * instances of the same listing that replicate from this one.
 */
export function dbInstanceFields(db: DatabaseInstance, replicas: readonly string[], accountId: string): XmlChild[] {
  const replication = db.replication;
  const replicationStatus = replication === undefined ? undefined : REPLICATION[replication.state];
  return [
    el('DBInstanceIdentifier', db.id),
    el('DBInstanceClass', 'db.m5.large'),
    el('Engine', db.engine),
    el('DBInstanceStatus', STATUSES[db.state]),
    el('Endpoint', el('Address', `${db.id}.${fakeAddress(db.id).replaceAll('.', '-')}.${db.region}.rds.amazonaws.com`), el('Port', portOf(db.engine))),
    el('AvailabilityZone', db.zone),
    el('MultiAZ', false),
    opt('ReadReplicaSourceDBInstanceIdentifier', replication?.upstream),
    list('ReadReplicaDBInstanceIdentifiers', 'ReadReplicaDBInstanceIdentifier', replicas, (id) => [id]),
    replicationStatus === undefined
      ? undefined
      : list('StatusInfos', 'DBInstanceStatusInfo', [replicationStatus], (status) => [
          el('StatusType', 'read replication'),
          el('Normal', status === 'replicating'),
          el('Status', status),
        ]),
    el('DBInstanceArn', dbArn(db.region, accountId, db.id)),
    list('TagList', 'Tag', [[CLUSTER_TAG, db.cluster]], ([key, value]) => [el('Key', key), el('Value', value)]),
  ];
}
