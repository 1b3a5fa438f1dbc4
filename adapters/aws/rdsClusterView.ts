import type { DBInstance } from '@aws-sdk/client-rds';
import type { ClusterView } from '../shared/clusterOf.js';
import { CLUSTER_TAG, rdsIdentifier } from './toDatabaseInstance.js';

/** How `clusterOf` reads an RDS instance: its `lifeboat:cluster` tag, and the source a read replica names (an ARN for another region's). */
export const RDS_CLUSTER_VIEW: ClusterView<DBInstance> = {
  id: (db) => db.DBInstanceIdentifier ?? '',
  label: (db) => db.TagList?.find((each) => each.Key === CLUSTER_TAG)?.Value,
  upstream: (db) => (db.ReadReplicaSourceDBInstanceIdentifier === undefined ? undefined : rdsIdentifier(db.ReadReplicaSourceDBInstanceIdentifier)),
};
