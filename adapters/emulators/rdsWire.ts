import type { DatabaseInstance, DatabaseState, ReplicationState } from '../../src/core/contract/types.js';
import { fakeHex } from './fakeAddress.js';
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
 * The `read replication` entry of `StatusInfos` RDS shows for a replica, from
 * the world's replication state. RDS sets the replication state to `error`
 * when replication stops for any reason (the replica no longer applies its
 * source's changes; RDS keeps trying to resume it), and to `terminated` when
 * it has given up on the replica (it will not resume by itself). So a replica
 * cut off from its source shows `error`, a broken one `terminated`.
 */
const REPLICATION: Readonly<Record<ReplicationState, { status: string; normal: boolean; message?: string } | undefined>> = {
  streaming: { status: 'replicating', normal: true },
  disconnected: { status: 'error', normal: false, message: 'Streaming replication has stopped: the read replica lost its connection to the source DB instance.' },
  broken: { status: 'terminated', normal: false, message: 'Replication was terminated: the read replica can no longer catch up with the source DB instance.' },
  unknown: undefined,
};

/** Default port per engine, for the `Endpoint` RDS reports. */
function portOf(engine: string): number {
  if (engine.includes('mysql') || engine.includes('maria')) return 3306;
  if (engine.includes('sqlserver')) return 1433;
  if (engine.includes('oracle')) return 1521;
  return 5432;
}

/** The suffix of every instance address the emulator hands out. */
const ADDRESS_SUFFIX = '.rds.amazonaws.com';

/**
 * The DNS name RDS reports as an instance's `Endpoint.Address`, and Route 53
 * records point at: `<id>.<hash>.rds.amazonaws.com`. Unlike RDS's, it does
 * not name the region, so that a record's value can be rendered and read
 * back from the instance id alone (no second world call).
 */
export function rdsAddress(id: string): string {
  return `${id.toLowerCase()}.c${fakeHex(id, 12)}${ADDRESS_SUFFIX}`;
}

/**
 * The instance whose {@link rdsAddress} `address` is, or `undefined` when it
 * is no such address. Instance ids are lower case, as RDS keeps them.
 */
export function rdsInstanceOf(address: string): string | undefined {
  const normal = address.toLowerCase().replace(/\.$/, '');
  const id = normal.split('.')[0]!;
  return rdsAddress(id) === normal ? id : undefined;
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
  const replicationInfo = replication === undefined ? undefined : REPLICATION[replication.state];
  return [
    el('DBInstanceIdentifier', db.id),
    el('DBInstanceClass', 'db.m5.large'),
    el('Engine', db.engine),
    // The contract calls an instance being deleted `stopping`, and one being backed up `available`: RDS shows `deleting`, `backing-up`.
    el('DBInstanceStatus', db.extra['rawState'] === 'deleting' || db.extra['rawState'] === 'backing-up' ? db.extra['rawState'] : STATUSES[db.state]),
    el('Endpoint', el('Address', rdsAddress(db.id)), el('Port', portOf(db.engine))),
    el('AvailabilityZone', db.zone),
    el('MultiAZ', false),
    opt('ReadReplicaSourceDBInstanceIdentifier', replication?.upstream),
    list('ReadReplicaDBInstanceIdentifiers', 'ReadReplicaDBInstanceIdentifier', replicas, (id) => [id]),
    replicationInfo === undefined
      ? undefined
      : list('StatusInfos', 'DBInstanceStatusInfo', [replicationInfo], (info) => [
          el('StatusType', 'read replication'),
          el('Normal', info.normal),
          el('Status', info.status),
          opt('Message', info.message),
        ]),
    el('DBInstanceArn', dbArn(db.region, accountId, db.id)),
    list('TagList', 'Tag', [[CLUSTER_TAG, db.cluster]], ([key, value]) => [el('Key', key), el('Value', value)]),
  ];
}
