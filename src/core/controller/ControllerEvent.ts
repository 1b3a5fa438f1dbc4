import type { HeldStep, Step } from './Plan.js';

/** Kinds of events the controller emits. */
export type ControllerEventKind =
  | 'zone.impaired'
  | 'zone.recovered'
  | 'zone.degraded'
  | 'zone.healthy'
  | 'failover.planned'
  | 'failover.step'
  | 'failover.completed'
  | 'failover.failed'
  | 'failover.approved'
  | 'node.replaced'
  | 'capacity.create'
  | 'switchover.requested'
  | 'switchover.promoting'
  | 'switchover.refused'
  | 'switchover.abandoned'
  | 'memory.restored'
  | 'memory.corrected'
  | 'action';

/** One thing the controller noticed or did. `t` is the controller clock's time in ms. */
export interface ControllerEvent {
  readonly t: number;
  readonly kind: ControllerEventKind;
  readonly provider?: string;
  readonly region?: string;
  readonly zone?: string;
  /** Database cluster, for failover events. */
  readonly database?: string;
  readonly group?: string;
  /** Human-readable summary. */
  readonly detail: string;
  /** The step, for action and step events. */
  readonly step?: Step;
  /** Outcome of an executed step. */
  readonly result?: StepOutcome;
}

/** How an adapter call for a step ended (same words as the replay report's `actions[].result`). */
export type StepOutcome = 'ok' | 'error' | 'throttled' | 'timeout';

/** Events the controller emits (eventemitter3 typing): each kind, and `event` for all of them. */
export type ControllerEventTypes = {
  [K in ControllerEventKind | 'event']: (event: ControllerEvent) => void;
} & {
  /** After every cycle, with the plan it made (`decided` false for a quiet round that skipped health and decide). */
  cycle: (info: { t: number; steps: readonly Step[]; held: readonly HeldStep[]; notes: readonly string[]; decided: boolean }) => void;
};
