/**
 * Loopback HTTP emulators of the AWS (EC2, RDS, CloudWatch) and GCP
 * (Compute Engine, Cloud SQL Admin) APIs, as front ends over any
 * {@link Provider} (normally a `SimWorld`'s): each wire request becomes a
 * provider call, so the world's state, faults, latencies and call records
 * apply to real SDK traffic. Used by the adapter tests and by
 * `lifeboat replay --wire`.
 */
export { startAwsEmulator, type AwsEmulator, type AwsEmulatorOptions } from './startAwsEmulator.js';
export type { EmulatorHandle } from './EmulatorHandle.js';
export type { EmulatorStats } from './EmulatorStats.js';
export type { FrontEndRefusal } from './FrontEndRefusal.js';
export type { ServiceRecords } from './ServiceRecords.js';
export type { WireFault, WireFaultHook, WireRequestInfo } from './WireFault.js';
export { DEFAULT_OPERATION_SECONDS, startGcpEmulator, type GcpEmulator, type GcpEmulatorOptions } from './startGcpEmulator.js';
export { FULL_REACH, reachOfCutOffZones, type GcpControlPlaneReach } from './GcpControlPlaneReach.js';
export { WireQuiescence } from './WireQuiescence.js';
export { RDS_STOPPED_FOR_AT_MOST_MS, StoppedDatabaseRestarts } from './StoppedDatabaseRestarts.js';
export { EMULATOR_HOSTED_ZONE_ID } from './route53Routes.js';
export { loadBalancerArn } from './zonalShiftRoutes.js';
