/**
 * Lifeboat: provider contract, health-aware failover controller and outage replay.
 * Adapters live in their own entry points (`lifeboat/adapters/sim`, ...).
 */
export * from './contract/errors.js';
export * from './contract/types.js';
export type { Provider, CallOptions } from './contract/Provider.js';
export type { Prober, ProbeTarget, ProbeResult, ProbeReplication } from './contract/Prober.js';
export { waitUntilRunning } from './contract/waitUntilRunning.js';
export type { Clock } from './clock/Clock.js';
export { timeoutSignal } from './clock/Clock.js';
export { SystemClock } from './clock/SystemClock.js';
export { VirtualClock } from './clock/VirtualClock.js';
export { Controller, type ControllerOptions, type CycleOptions, type CycleOutcome, type WatchedRegion } from './controller/Controller.js';
export type { ControllerEvent, ControllerEventKind, StepOutcome } from './controller/ControllerEvent.js';
export { emptyMemory, type ControllerMemory } from './controller/ControllerMemory.js';
export { decide, chooseCandidate } from './controller/decide.js';
export type { Plan, Step } from './controller/Plan.js';
export { DEFAULT_POLICY, policyOverridesSchema, resolvePolicy, type Policy, type PolicyOverrides } from './controller/Policy.js';
export type { GroupConfig, Snapshot } from './controller/Snapshot.js';
export { HealthTracker } from './health/HealthTracker.js';
export type { ZoneHealth, ZoneState, TargetHealth } from './health/types.js';
export { replayScenario } from './replay/replayScenario.js';
export type { ReplayReport } from './replay/ReplayReport.js';
export { loadScenarioFile, parseScenario } from './replay/scenario/loadScenario.js';
export { isScenarioError, ScenarioError } from './replay/scenario/ScenarioError.js';
export type { Scenario } from './replay/scenario/Scenario.js';
