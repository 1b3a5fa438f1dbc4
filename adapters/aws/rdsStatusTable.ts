import type { DatabaseState } from '../../src/core/contract/types.js';

/**
 * RDS `DBInstanceStatus` values (as documented for DB instances) to contract
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
  creating: 'creating',
  rebooting: 'rebooting',
  starting: 'rebooting',
  maintenance: 'rebooting',
  upgrading: 'rebooting',
  stopping: 'stopping',
  deleting: 'stopping',
  stopped: 'stopped',
  failed: 'failed',
  'inaccessible-encryption-credentials': 'failed',
  'inaccessible-encryption-credentials-recoverable': 'failed',
  'incompatible-network': 'failed',
  'incompatible-option-group': 'failed',
  'incompatible-parameters': 'failed',
  'incompatible-restore': 'failed',
  'insufficient-capacity': 'failed',
  'restore-error': 'failed',
  'storage-full': 'failed',
});

/** The contract state for an RDS status. */
export function toDatabaseState(status: string | undefined): DatabaseState {
  return (status !== undefined && Object.hasOwn(RDS_STATUSES, status) ? RDS_STATUSES[status] : undefined) ?? 'unknown';
}
