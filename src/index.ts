/**
 * Lifeboat: provider contract, health-aware failover controller and outage replay.
 * Adapters live in their own entry points (`lifeboat/adapters/sim`, ...).
 */
export * from './core/contract/errors.js';
export { isPartialListing, PartialListingError, type UnreachableScopes } from './core/contract/PartialListingError.js';
export * from './core/contract/types.js';
export { ALL_CAPABILITIES } from './core/contract/allCapabilities.js';
export type { Provider, CallOptions } from './core/contract/Provider.js';
export type { Prober, ProbeTarget, ProbeResult, ProbeReplication, ProbeRoundAnswer } from './core/contract/Prober.js';
export { waitUntilRunning } from './core/contract/waitUntilRunning.js';
export { hasEndpoints, hasLoadBalancers, type EndpointProvider, type LoadBalancerProvider } from './core/contract/trafficCapabilities.js';
export type { Clock } from './core/clock/Clock.js';
export { timeoutSignal } from './core/clock/Clock.js';
export { SystemClock } from './core/clock/SystemClock.js';
export { VirtualClock } from './core/clock/VirtualClock.js';
export { Controller, type ControllerOptions, type CycleOptions, type CycleOutcome, type WatchedRegion } from './core/controller/Controller.js';
export type { ControllerEvent, ControllerEventKind, StepOutcome } from './core/controller/ControllerEvent.js';
export { emptyMemory, memoryFromJson, memoryToJson, type ControllerMemory, type FailoverApproval, type SwitchoverIntent } from './core/controller/ControllerMemory.js';
export { decide } from './core/controller/decide.js';
export { chooseCandidate, type Candidate } from './core/controller/chooseCandidate.js';
export { checkSwitchover } from './core/controller/planSwitchover.js';
export type { HeldStep, Plan, Step } from './core/controller/Plan.js';
export { NO_PAUSES, type OperatorPauses, type Pause } from './core/controller/OperatorPauses.js';
export { DEFAULT_POLICY, policyOverridesSchema, resolvePolicy, type Policy, type PolicyOverrides } from './core/controller/Policy.js';
export type { GroupConfig, Snapshot } from './core/controller/Snapshot.js';
export { HealthTracker } from './core/health/HealthTracker.js';
export type { ZoneHealth, ZoneState, TargetHealth } from './core/health/types.js';
export { replayScenario } from './apps/replay/replayScenario.js';
export type { ReplayReport } from './apps/replay/ReplayReport.js';
export { loadScenarioFile, parseScenario } from './apps/replay/scenario/loadScenario.js';
export { isScenarioError, ScenarioError } from './apps/replay/scenario/ScenarioError.js';
export type { Scenario } from './apps/replay/scenario/Scenario.js';
