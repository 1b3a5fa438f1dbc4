import type { DatabaseState } from '../../src/core/contract/types.js';

/**
 * RDS `DBInstanceStatus` values (the table at
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.DBInstance.Status.html,
 * which says what each status means and whether the instance serves) to contract
 * states. Statuses in which the instance keeps serving are `available`;
 * statuses it comes back from by itself are `rebooting` (RDS has no
 * `promoting`: a promotion shows `modifying`, then `rebooting`); `deleting`
 * is `stopping` (it is going away and will not come back); statuses that need
 * an operator are `failed`. Anything else maps to `unknown`.
 */
export const RDS_STATUSES: Readonly<Record<string, DatabaseState>> = Object.freeze({
  available: 'available',
  'backing-up': 'available',
  'configuring-enhanced-monitoring': 'available',
  'configuring-iam-database-auth': 'available',
  'configuring-log-exports': 'available',
  'converting-to-vpc': 'available',
  modifying: 'available',
  'moving-to-vpc': 'available',
  renaming: 'available',
  'resetting-master-credentials': 'available',
  'storage-optimization': 'available',
  // Serving while its storage is loaded from a snapshot, or while its storage configuration is upgraded.
  'storage-initialization': 'available',
  'storage-config-upgrade': 'available',
  creating: 'creating',
  rebooting: 'rebooting',
  starting: 'rebooting',
  maintenance: 'rebooting',
  upgrading: 'rebooting',
  stopping: 'stopping',
  deleting: 'stopping',
  // RDS checks that the replicas are healthy before it deletes: going away, not coming back.
  'delete-precheck': 'stopping',
  stopped: 'stopped',
  failed: 'failed',
  'inaccessible-encryption-credentials': 'failed',
  'inaccessible-encryption-credentials-recoverable': 'failed',
  'incompatible-create': 'failed',
  'incompatible-network': 'failed',
  'incompatible-option-group': 'failed',
  'incompatible-parameters': 'failed',
  'incompatible-restore': 'failed',
  'insufficient-capacity': 'failed',
  'restore-error': 'failed',
  'storage-full': 'failed',
  upgrade_failed: 'failed',
  'upgrade-failed': 'failed',
});

/**
 * Statuses in which RDS refuses `PromoteReadReplica` for now but will take
 * it once the instance is `available` again: a promotion refused in one of
 * them is retryable, not final. PromoteReadReplica's reference says the
 * replica must not be backing up
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html).
 */
export const PROMOTE_LATER_STATUSES: ReadonlySet<string> = new Set([
  'backing-up',
  'modifying',
  'rebooting',
  'starting',
  'configuring-enhanced-monitoring',
  'configuring-iam-database-auth',
  'configuring-log-exports',
  'storage-optimization',
  'storage-initialization',
  'storage-config-upgrade',
  'maintenance',
  'upgrading',
  'renaming',
  'resetting-master-credentials',
]);

/** The contract state for an RDS status. */
export function toDatabaseState(status: string | undefined): DatabaseState {
  return (status !== undefined && Object.hasOwn(RDS_STATUSES, status) ? RDS_STATUSES[status] : undefined) ?? 'unknown';
}
