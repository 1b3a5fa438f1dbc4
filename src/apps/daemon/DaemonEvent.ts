import type { ControllerEvent } from '../../core/controller/ControllerEvent.js';

/** Kinds of events the daemon records itself, beside the controller's: operators' pauses and config reloads. */
export type DaemonOwnEventKind = 'operator.paused' | 'operator.resumed' | 'config.reloaded' | 'config.refused';

/** The daemon's own events: no step, no outcome; `by` names who asked. */
export interface DaemonOwnEvent extends Omit<ControllerEvent, 'kind' | 'step' | 'result'> {
  readonly kind: DaemonOwnEventKind;
  readonly by?: string;
}

/**
 * One entry of the daemon's event timeline (`/events`, the dashboard, post-
 * mortems): what the controller noticed and did, and what operators and
 * reloads changed, in the order it happened.
 */
export type DaemonEvent = ControllerEvent | DaemonOwnEvent;
