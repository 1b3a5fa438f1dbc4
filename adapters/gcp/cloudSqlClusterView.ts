import type { ClusterView } from '../shared/clusterOf.js';
import type { CloudSqlInstance } from './CloudSqlInstance.js';
import { CLUSTER_LABEL, upstreamName } from './toCloudSqlDatabase.js';

/** How `clusterOf` reads a Cloud SQL instance: its cluster label, and the primary a replica names (`project:name` across projects). */
export const CLOUD_SQL_CLUSTER_VIEW: ClusterView<CloudSqlInstance> = {
  id: (sql) => sql.name ?? '',
  label: (sql) => sql.settings?.userLabels?.[CLUSTER_LABEL],
  upstream: (sql) => (sql.masterInstanceName === undefined ? undefined : upstreamName(sql.masterInstanceName)),
};
