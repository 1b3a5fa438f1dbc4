import type { ControllerEventKind } from '../../../core/controller/ControllerEvent.js';

/** Event kinds a webhook can subscribe to: the controller's, and the daemon's own. */
export const WEBHOOK_EVENT_KINDS = [
  'zone.impaired',
  'zone.recovered',
  'zone.degraded',
  'zone.healthy',
  'failover.planned',
  'failover.step',
  'failover.completed',
  'failover.failed',
  'failover.approved',
  'node.replaced',
  'capacity.create',
  'switchover.requested',
  'switchover.promoting',
  'switchover.refused',
  'switchover.abandoned',
  'memory.restored',
  'memory.corrected',
  'action',
  'role.changed',
  'hook.result',
  'config.reloaded',
  'config.refused',
  'operator.paused',
  'operator.resumed',
] as const satisfies readonly (ControllerEventKind | `${string}.${string}`)[];

/** One kind of {@link WEBHOOK_EVENT_KINDS}. */
export type WebhookEventKind = (typeof WEBHOOK_EVENT_KINDS)[number];

/**
 * The JSON body of one webhook delivery. Fields other than `id`, `kind`,
 * `time`, `daemon` and `detail` are present when the event has them.
 */
export interface WebhookEvent {
  /** Unique per event (the same across retries and restarts, and sent as `X-Lifeboat-Delivery`: receivers de-duplicate on it). */
  readonly id: string;
  readonly kind: WebhookEventKind;
  /** ISO time of the event. */
  readonly time: string;
  /** The daemon that sent it. */
  readonly daemon: string;
  readonly detail: string;
  readonly database?: string;
  readonly provider?: string;
  readonly region?: string;
  readonly zone?: string;
  readonly group?: string;
  /** For step events: the step (operation, target, reason, key). */
  readonly step?: Readonly<Record<string, unknown>>;
  readonly result?: string;
  /** For failover and role-change events: the facts the command hooks get too. */
  readonly facts?: Readonly<Record<string, string>>;
}
