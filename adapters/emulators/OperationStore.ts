/**
 * Long-running operations the GCP emulator handed out. The world carries a
 * request out when it accepts it, so operations are `DONE` from the start,
 * unless the emulator was told to report them `RUNNING` for a number of
 * polls first (to exercise a client's waiting). They are kept so that `get`
 * and `wait` find them.
 */
export class OperationStore {
  private readonly operations = new Map<string, { operation: Record<string, unknown>; pendingPolls: number }>();
  private counter = 0;

  constructor(private readonly pollsUntilDone = 0) {}

  /** A fresh operation name (`operation-000001`), deterministic per emulator. */
  nextName(): string {
    return `operation-${String(++this.counter).padStart(6, '0')}`;
  }

  /** Stores a finished operation; returns it as the client first sees it. */
  put(scope: string, operation: Record<string, unknown>): Record<string, unknown> {
    this.operations.set(`${scope}/${String(operation['name'])}`, { operation, pendingPolls: this.pollsUntilDone });
    return this.pollsUntilDone > 0 ? running(operation) : operation;
  }

  /** The operation as of this poll (each poll of a pending operation brings it one step closer to `DONE`). */
  get(scope: string, name: string): Record<string, unknown> | undefined {
    const entry = this.operations.get(`${scope}/${name}`);
    if (entry === undefined) return undefined;
    if (entry.pendingPolls <= 0) return entry.operation;
    entry.pendingPolls--;
    return entry.pendingPolls > 0 ? running(entry.operation) : entry.operation;
  }
}

function running(operation: Record<string, unknown>): Record<string, unknown> {
  return { ...operation, status: 'RUNNING', progress: 50 };
}
