import { ProviderError, toProviderError } from '../../src/core/contract/errors.js';
import { isMutatingOperation, type OperationName } from '../../src/core/contract/types.js';
import type { CallRecord } from './CallRecord.js';
import type { SimCloud } from './SimCloud.js';
import { SimRejection } from './SimRejection.js';
import type { WorldState } from './WorldState.js';

/** What a call is about, found before any fault is drawn (faults match on region and zone). */
export interface Located<R> {
  readonly region?: string | undefined;
  readonly zone?: string | undefined;
  readonly resource: R;
}

/**
 * The boundary of one simulated provider's API, as a real cloud's front end
 * and an SDK's error translation are: every call is recorded for the replay
 * harness, may be hit by an active `apiFault`, and leaves with a
 * {@link ProviderError}. {@link SimProvider} and its traffic operations call
 * through it.
 */
export class SimCallBoundary {
  /**
   * @param records A boundary for the service's own reads of its records
   *   (what an emulator looks up while it serves a request): not an API call,
   *   so it is neither recorded nor hit by faults nor delayed.
   */
  constructor(
    private readonly world: WorldState,
    private readonly cloud: SimCloud,
    private readonly records = false,
  ) {}

  /**
   * Every call goes through here: it is recorded, cancelled if its signal
   * already fired, checked (`invalid-input` before anything else, since
   * faults match on the target's region and zone), exposed to active API
   * faults, and only then carried out. Errors leave as {@link ProviderError}s.
   */
  async call<R, T>(
    operation: OperationName,
    signal: AbortSignal,
    target: string | undefined,
    locate: () => Located<R>,
    run: (resource: R) => T,
  ): Promise<T> {
    if (this.records) return this.readRecords(operation, signal, locate, run);
    const record = this.world.beginCall(this.cloud.id, operation, target);
    try {
      if (signal.aborted) throw new SimRejection('timeout', 'RequestCanceled', `${operation} was cancelled before it was sent`);
      const located = locate();
      record.region = located.region;
      record.zone = located.zone;
      const fault = this.world.drawFault(this.cloud, operation, located.region, located.zone);
      if (fault !== undefined && fault !== 'lostReply') await injectFault(fault, operation, signal);
      const readLatency = isMutatingOperation(operation) ? 0 : this.cloud.latencySeconds[operation];
      if (readLatency > 0) await this.world.clock.sleep(readLatency * 1000, signal);
      const result = run(located.resource);
      // The request took effect; its answer is lost on the way back.
      if (fault === 'lostReply') await hangUntilCancelled(operation, signal, 'took effect, but its answer was lost (injected)');
      this.world.settle(record, 'ok');
      return result;
    } catch (error) {
      const failure = this.translate(error, operation);
      this.world.settle(record, resultOf(failure));
      throw failure;
    }
  }

  /** A read of the provider's own records: checked like a call, never recorded, faulted or delayed. */
  private async readRecords<R, T>(operation: OperationName, signal: AbortSignal, locate: () => Located<R>, run: (resource: R) => T): Promise<T> {
    try {
      if (isMutatingOperation(operation)) throw new Error(`${operation} changes the world; the records view only reads`);
      if (signal.aborted) throw new SimRejection('timeout', 'RequestCanceled', `${operation} was cancelled before it was sent`);
      return run(locate().resource);
    } catch (error) {
      throw this.translate(error, operation);
    }
  }

  private translate(error: unknown, operation: string): ProviderError {
    if (error instanceof SimRejection) {
      return new ProviderError(error.kind, error.message, {
        provider: this.cloud.id,
        operation,
        code: error.code,
        ...(error.status === undefined ? {} : { status: error.status }),
      });
    }
    return toProviderError(error, this.cloud.id, operation);
  }
}

async function injectFault(fault: 'error' | 'throttle' | 'hang', operation: string, signal: AbortSignal): Promise<void> {
  if (fault === 'error') throw new SimRejection('retryable', 'InternalError', `${operation}: internal error (injected)`, 500);
  if (fault === 'throttle') throw new SimRejection('throttled', 'Throttling', `${operation}: rate exceeded (injected)`, 400);
  await hangUntilCancelled(operation, signal, 'hung until it was cancelled (injected)');
}

/** A call that never answers: only the caller's signal ends it, with a `timeout`. */
function hangUntilCancelled(operation: string, signal: AbortSignal, why: string): Promise<never> {
  return new Promise<never>((_, reject) => {
    const fail = () => reject(new SimRejection('timeout', 'RequestTimeout', `${operation} ${why}`));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

function resultOf(error: ProviderError): CallRecord['result'] {
  switch (error.kind) {
    case 'invalid-input':
      return 'invalid';
    case 'throttled':
      return 'throttled';
    case 'timeout':
      return 'timeout';
    default:
      return 'error';
  }
}
