/**
 * The `gcp` adapter: Compute Engine through `@google-cloud/compute` and
 * Cloud SQL Admin through its REST API. How to point it at a real project,
 * and the permissions it needs, are in `adapters/gcp/README.md`.
 */
export { GcpProvider } from './GcpProvider.js';
export type { GcpProviderOptions } from './GcpProviderOptions.js';
export { createGcpProvider } from './createGcpProvider.js';
export { gcpFactory, gcpConfigSchema, type GcpConfig } from './gcpFactory.js';
export type { GcpAuth } from './GcpAuth.js';
export { StaticTokenAuth } from './StaticTokenAuth.js';
export { gcpSizes, GCP_PRICE_SOURCE, PRICED_REGION } from './gcpSizes.js';
export { GCE_STATUSES, toGceNodeState, toGceZoneStatus } from './gceStatusTable.js';
export { CLOUD_SQL_STATES, toCloudSqlState } from './cloudSqlStateTable.js';
export { toGcpProviderError, type GcpCallSite } from './toGcpProviderError.js';
export { toGceNode, GROUP_LABEL } from './toGceNode.js';
export { toCloudSqlDatabase, CLUSTER_LABEL, CLOUD_SQL_REPLICATION_STATES } from './toCloudSqlDatabase.js';
export {
  CloudMonitoring,
  replicationReadings,
  instanceOfSeries,
  REPLICA_LAG_METRIC,
  REPLICATION_STATE_METRIC,
  NETWORK_LAG_METRIC,
  type MonitoringPoint,
  type MonitoringTimeSeries,
  type ReplicationReading,
} from './CloudMonitoring.js';
export type { CloudSqlInstance, CloudSqlOperation } from './CloudSqlInstance.js';
export { formatNodeId, parseNodeId, instanceNameFor, requestIdFor, regionOfZone } from './gceNames.js';
export { operationErrorKind } from './operationErrorKind.js';
export { redactGcpSecrets } from './redactGcpSecrets.js';
