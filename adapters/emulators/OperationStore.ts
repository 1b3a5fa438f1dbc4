import type { Clock } from '../../src/core/clock/Clock.js';

/** How long Compute's `*Operations.wait` blocks at most before answering with a running operation (its reference says about two minutes). */
export const OPERATION_WAIT_MS = 120_000;

/** Virtual time: when operations end, by the emulator's clock. */
export interface OperationTiming {
  readonly clock: Clock;
  /** How long an operation of this `operationType` runs before it is `DONE`, in milliseconds. */
  readonly durationMs: (operationType: string) => number;
}

interface Entry {
  readonly operation: Record<string, unknown>;
  pendingPolls: number;
  /** Clock time at which the operation is `DONE` (timed operations only). */
  readonly doneAt: number;
}

/**
 * Long-running operations the GCP emulator handed out. The world carries a
 * request out when it accepts it; the operation reports it `RUNNING` until
 * its duration has passed on the emulator's clock (with {@link OperationTiming};
 * in a replay that clock is virtual, so a two-minute operation costs no real
 * time), or for a number of polls (`pollsUntilDone`, to exercise a client's
 * waiting without a clock), then `DONE`, with its `error` if it failed.
 * They are kept so that `get` and `wait` find them.
 */
export class OperationStore {
  private readonly operations = new Map<string, Entry>();
  private counter = 0;

  constructor(
    private readonly pollsUntilDone = 0,
    private readonly timing?: OperationTiming,
  ) {}

  /** A fresh operation name (`operation-000001`), deterministic per emulator. */
  nextName(): string {
    return `operation-${String(++this.counter).padStart(6, '0')}`;
  }

  /** Stores an operation (as it will be once `DONE`); returns it as the client first sees it. */
  put(scope: string, operation: Record<string, unknown>): Record<string, unknown> {
    const now = this.timing?.clock.now() ?? 0;
    const doneAt = now + (this.timing?.durationMs(String(operation['operationType'])) ?? 0);
    const entry: Entry = { operation, pendingPolls: this.pollsUntilDone, doneAt };
    this.operations.set(`${scope}/${String(operation['name'])}`, entry);
    return this.pollsUntilDone > 0 || now < doneAt ? running(operation) : operation;
  }

  /** The operation as of this poll (each poll of an operation pending by polls brings it one step closer to `DONE`). */
  get(scope: string, name: string): Record<string, unknown> | undefined {
    const entry = this.operations.get(`${scope}/${name}`);
    if (entry === undefined) return undefined;
    if (entry.pendingPolls > 0) {
      entry.pendingPolls--;
      if (entry.pendingPolls > 0) return running(entry.operation);
    }
    return this.timing !== undefined && this.timing.clock.now() < entry.doneAt ? running(entry.operation) : entry.operation;
  }

  /**
   * Compute's `wait`: answers once the operation is `DONE`, or after
   * {@link OPERATION_WAIT_MS} with it still running. The sleep goes through
   * `park` (the emulator's wait on the world), so virtual time may move
   * while it lasts.
   */
  async wait(scope: string, name: string, park: <T>(pending: Promise<T>) => Promise<T>, signal: AbortSignal): Promise<Record<string, unknown> | undefined> {
    const entry = this.operations.get(`${scope}/${name}`);
    const timing = this.timing;
    if (entry !== undefined && timing !== undefined && entry.pendingPolls <= 0) {
      const left = entry.doneAt - timing.clock.now();
      if (left > 0) await park(timing.clock.sleep(Math.min(left, OPERATION_WAIT_MS), signal));
    }
    return this.get(scope, name);
  }
}

function running(operation: Record<string, unknown>): Record<string, unknown> {
  // A running operation has no error yet, and no end time.
  const { error: _error, httpErrorStatusCode: _status, httpErrorMessage: _message, endTime: _end, ...rest } = operation;
  return { ...rest, status: 'RUNNING', progress: 50 };
}
