import type { NodeState } from '../../src/core/contract/types.js';

/**
 * GCE instance statuses to contract states
 * (https://cloud.google.com/compute/docs/instances/instance-life-cycle: the
 * life cycle's states and what moves an instance between them). GCE's
 * `TERMINATED` means stopped (a deleted instance is gone, not terminated);
 * `REPAIRING` comes back by itself, like a reboot; a reset keeps `RUNNING`.
 * `PENDING` (waiting for resources before provisioning) is on its way up;
 * `PENDING_STOP` and `DEPROVISIONING` (resources being released before the
 * instance is stopped or deleted) are on their way down. `STOPPED` ("The
 * instance has stopped successfully", Compute's API definition of
 * `Instance.Status`, next to `TERMINATED`, "stopped either by explicit
 * action or underlying failure") is stopped too. Anything not listed
 * maps to `unknown` (an unmapped status once crashed libcloud's driver).
 */
export const GCE_STATUSES: Readonly<Record<string, NodeState>> = Object.freeze({
  PENDING: 'pending',
  PENDING_STOP: 'stopping',
  DEPROVISIONING: 'stopping',
  PROVISIONING: 'pending',
  STAGING: 'pending',
  RUNNING: 'running',
  STOPPING: 'stopping',
  SUSPENDING: 'stopping',
  SUSPENDED: 'stopped',
  REPAIRING: 'rebooting',
  STOPPED: 'stopped',
  TERMINATED: 'stopped',
});

/** The contract state for a GCE status. */
export function toGceNodeState(status: string | null | undefined): NodeState {
  return (typeof status === 'string' && Object.hasOwn(GCE_STATUSES, status) ? GCE_STATUSES[status] : undefined) ?? 'unknown';
}

/** GCE zone statuses: only `UP` and `DOWN` exist; GCE shows a partly impaired zone as `UP`. */
export function toGceZoneStatus(status: string | null | undefined): 'available' | 'unavailable' | 'unknown' {
  return status === 'UP' ? 'available' : status === 'DOWN' ? 'unavailable' : 'unknown';
}
