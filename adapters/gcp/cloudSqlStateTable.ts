import type { DatabaseState } from '../../src/core/contract/types.js';

/**
 * Cloud SQL instance `state` to contract states. Cloud SQL has no stopped
 * state: a stopped instance is `RUNNABLE` with activation policy `NEVER`
 * (see {@link toCloudSqlState}). `MAINTENANCE` and `REPAIRING` come back by
 * themselves; `SUSPENDED` (billing or abuse) needs an operator. Anything
 * else maps to `unknown`.
 */
export const CLOUD_SQL_STATES: Readonly<Record<string, DatabaseState>> = Object.freeze({
  RUNNABLE: 'available',
  ONLINE_MAINTENANCE: 'available',
  PENDING_CREATE: 'creating',
  MAINTENANCE: 'rebooting',
  REPAIRING: 'rebooting',
  PENDING_DELETE: 'stopping',
  STOPPED: 'stopped',
  FAILED: 'failed',
  SUSPENDED: 'failed',
});

/** The contract state of an instance from its `state` and `settings.activationPolicy`. */
export function toCloudSqlState(state: string | undefined, activationPolicy: string | undefined): DatabaseState {
  const mapped = (state !== undefined && Object.hasOwn(CLOUD_SQL_STATES, state) ? CLOUD_SQL_STATES[state] : undefined) ?? 'unknown';
  // Stopping sets the policy to NEVER at once; the API has no separate "stopping" to show.
  return mapped === 'available' && activationPolicy === 'NEVER' ? 'stopped' : mapped;
}
