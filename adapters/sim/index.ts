/**
 * The simulated world and its `sim` adapter: a deterministic peer of the real
 * adapters, used by `lifeboat replay` and by the conformance suite.
 */
export { SimWorld } from './SimWorld.js';
export { SimProvider } from './SimProvider.js';
export { SimProber } from './SimProber.js';
export { defaultLatencySeconds } from './defaultLatencySeconds.js';
export { simSizes } from './simSizes.js';
export { simFactory, simConfigSchema, type SimConfig } from './simFactory.js';
export { RealtimeSimDriver } from './RealtimeSimDriver.js';
export { SimServer } from './SimServer.js';
export { RemoteSimProvider } from './RemoteSimProvider.js';
export { RemoteSimProber } from './RemoteSimProber.js';
export type { SimWorldOptions } from './SimWorldOptions.js';
export type { CallRecord } from './CallRecord.js';
export type { PromotionRecord } from './PromotionRecord.js';
export type { WorldTimelineEntry } from './WorldTimelineEntry.js';
export type { DatabaseSpec, EndpointSpec, GroupSpec, LatencyMap, LoadBalancerSpec, ProviderSpec, RegionSpec, ReplicaSpec, Topology } from './Topology.js';
export type { ApiFaultKind, ImpairMode, ScenarioEvent, ScenarioEventKind } from './ScenarioEvent.js';
export type { ClientTruth, DatabaseClientTruth } from './ClientTruth.js';
export type { FencedAnswer, Stretch, WriteIncident } from './ClusterGroundTruth.js';
