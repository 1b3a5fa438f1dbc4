import type { OperationName } from '../../src/core/contract/types.js';

/**
 * A request an emulator refused itself, on a rule of the real service that
 * the world behind it does not model (RDS refusing to stop an instance that
 * has read replicas). The world never saw the call, so it is not in the
 * world's call records; an emulator reports it through
 * `onRefusal` so that a replay can count it as the failed call it was.
 */
export interface FrontEndRefusal {
  /** The contract operation the request stands for (`stopDatabase`). */
  readonly operation: OperationName;
  /** The resource id the request named. */
  readonly target: string;
  /** The region the request was sent to. */
  readonly region: string;
  /** The target's zone, when the emulator knows it. */
  readonly zone?: string;
  /** The service's error code (`InvalidDBInstanceState`). */
  readonly code: string;
  readonly message: string;
}
