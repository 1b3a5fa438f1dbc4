/**
 * The `aws` adapter: EC2, RDS and CloudWatch through the AWS SDK v3.
 * How to point it at a real account, and the IAM policy it needs, are in
 * `adapters/aws/README.md`.
 */
export { AwsProvider } from './AwsProvider.js';
export type { AwsProviderOptions, AwsReplicaOptions } from './AwsProviderOptions.js';
export { createAwsProvider } from './createAwsProvider.js';
export { awsFactory, awsConfigSchema, type AwsConfig } from './awsFactory.js';
export { awsSizes, AWS_PRICE_SOURCE, PRICED_REGION } from './awsSizes.js';
export { EC2_STATES, toNodeState, ec2StatesFor } from './ec2StateTable.js';
export { RDS_STATUSES, toDatabaseState } from './rdsStatusTable.js';
export { ZONE_STATES, toZoneStatus } from './zoneStateTable.js';
export { toAwsProviderError, type AwsCallSite } from './toAwsProviderError.js';
export { toNode, GROUP_TAG } from './toNode.js';
export { toZone, isAvailabilityZone } from './toZone.js';
export { ReplicationStopWatch } from './ReplicationStopWatch.js';
export { toDatabaseInstance, CLUSTER_TAG, RDS_REPLICATION_STATES, type LagReading } from './toDatabaseInstance.js';
export { redactAwsSecrets } from './redactAwsSecrets.js';
