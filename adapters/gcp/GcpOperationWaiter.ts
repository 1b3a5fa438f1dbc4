import type { protos } from '@google-cloud/compute';
import { abortError, timeoutSignal, type Clock } from '../../src/core/clock/Clock.js';
import { raceAbort } from '../../src/core/clock/raceAbort.js';
import { ProviderError } from '../../src/core/contract/errors.js';
import type { CloudSqlOperation } from './CloudSqlInstance.js';
import { operationErrorKind } from './operationErrorKind.js';
import { toGcpProviderError } from './toGcpProviderError.js';

type IOperation = protos.google.cloud.compute.v1.IOperation;

/** How long a mutating call waits for its operation by default (see `GcpProviderOptions.operationWaitMs`). */
export const DEFAULT_OPERATION_WAIT_MS = 10_000;
/** Pause between two polls of a Cloud SQL operation by default. */
export const DEFAULT_POLL_MS = 1_000;

/**
 * Waits for the long-running operations the gcp adapter's mutations start:
 * Compute's through `*Operations.wait`, Cloud SQL's by polling
 * (its API has no blocking wait), each for at most `waitMs` of `clock`. An
 * operation that finished with an error fails the call with the matching
 * {@link ProviderError}; one still running when the budget is spent is
 * returned as accepted.
 */
export class GcpOperationWaiter {
  constructor(
    private readonly provider: string,
    private readonly clock: Clock,
    private readonly waitMs: number,
    private readonly pollMs: number,
  ) {}

  /**
   * Waits for a Compute operation (zonal, regional or global) with `waitOnce`
   * (`zoneOperations.wait` / `regionOperations.wait` / `globalOperations.wait`,
   * which blocks on the server until the operation is done or about two
   * minutes pass; it is given the wait budget's signal). Returns the
   * operation as last seen: `DONE`, or still running (accepted) once the
   * budget is spent. With `untilDone` the budget is the call's own signal:
   * for operations whose failure only the operation reports (a stockout is
   * `ZONE_RESOURCE_POOL_EXHAUSTED` in the zonal operation's `error`, after
   * the insert call was accepted).
   */
  async compute(
    operation: IOperation,
    waitOnce: (name: string, budget: AbortSignal) => Promise<IOperation>,
    signal: AbortSignal,
    untilDone = false,
    contractOperation = 'operation',
  ): Promise<IOperation> {
    let current = operation;
    // To its end: only the call's own deadline cuts the wait (and the call then times out, its effect unknown).
    const budget = untilDone ? { signal, dispose: () => undefined } : timeoutSignal(this.clock, this.waitMs, signal);
    try {
      while (current.status !== 'DONE' && !budget.signal.aborted) {
        const name = current.name ?? '';
        try {
          current = await raceAbort(waitOnce(name, budget.signal), budget.signal);
        } catch (error) {
          if (signal.aborted || !budget.signal.aborted) throw error;
        }
      }
    } finally {
      budget.dispose();
    }
    if (current.status === 'DONE') this.throwOperationError(current.error?.errors, current.httpErrorStatusCode ?? undefined, contractOperation);
    return current;
  }

  /** Polls a Cloud SQL operation with `getOnce` (`operations.get`) until it is `DONE` or the budget is spent. */
  async cloudSql(operation: string, started: CloudSqlOperation, getOnce: (name: string) => Promise<CloudSqlOperation>, signal: AbortSignal): Promise<void> {
    let current = started;
    const budget = timeoutSignal(this.clock, this.waitMs, signal);
    try {
      while (current.status !== 'DONE' && !budget.signal.aborted) {
        try {
          await this.clock.sleep(this.pollMs, budget.signal);
        } catch {
          break;
        }
        current = await getOnce(current.name ?? '');
      }
    } finally {
      budget.dispose();
    }
    if (signal.aborted) throw toGcpProviderError(abortError(signal), { provider: this.provider, operation, signal });
    if (current.status === 'DONE') this.throwOperationError(current.error?.errors, undefined, operation);
  }

  /** An operation that finished with errors becomes the matching {@link ProviderError}. */
  private throwOperationError(
    errors: readonly { code?: string | null; message?: string | null }[] | null | undefined,
    httpStatus: number | undefined,
    operation = 'operation',
  ): void {
    const first = errors?.[0];
    if (first === undefined) return;
    const code = first.code ?? 'OPERATION_FAILED';
    throw new ProviderError(operationErrorKind(code, httpStatus), `${operation}: the operation failed: ${code}: ${first.message ?? ''}`, {
      provider: this.provider,
      operation,
      code,
      ...(httpStatus === undefined ? {} : { status: httpStatus }),
    });
  }
}
