import { timeoutSignal, type Clock } from '../clock/Clock.js';
import { ProviderError, toProviderError } from './errors.js';
import type { Provider } from './Provider.js';
import type { Node } from './types.js';

/** Options for {@link waitUntilRunning}. */
export interface WaitUntilRunningOptions {
  /** Time source for the polling interval and the deadline (virtual in replay and tests). */
  readonly clock: Clock;
  /** Gives up as soon as it fires. */
  readonly signal?: AbortSignal;
  /** Overall budget, in milliseconds of `clock` time. */
  readonly timeoutMs: number;
  /** Pause between two listings, in milliseconds. Default 5,000 (libcloud's wait period). */
  readonly intervalMs?: number;
}

/** States a node does not leave on its own towards `running`. */
const DEAD_ENDS = new Set<Node['state']>(['terminated', 'error']);

/**
 * Waits until every node in `ids` is `running`, polling
 * {@link Provider.listNodes} (one call per round, filtered by `ids`) on the
 * injected clock.
 *
 * - Resolves with the nodes, in the order of `ids`, once all are running.
 * - A node missing from a listing is waited for: list APIs are eventually
 *   consistent right after a create.
 * - A `stopped` node is waited for too (a start may not show yet); one that
 *   is `terminated` or in `error` never will run: rejects with a `terminal`
 *   {@link ProviderError} at once.
 * - Transient listing errors (`retryable`, `throttled`, `timeout`) are
 *   tolerated until the deadline; `terminal` and `invalid-input` ones reject
 *   at once, unchanged.
 * - Rejects with a `timeout` ProviderError when `timeoutMs` has passed or
 *   `signal` fired.
 */
export async function waitUntilRunning(
  provider: Provider,
  ids: readonly string[],
  options: WaitUntilRunningOptions,
): Promise<Node[]> {
  if (ids.length === 0) return [];
  const { clock, timeoutMs } = options;
  const intervalMs = options.intervalMs ?? 5000;
  const deadline = timeoutSignal(clock, timeoutMs, options.signal);
  const timedOut = (last: string) =>
    new ProviderError('timeout', `nodes not running after ${timeoutMs} ms (${last})`, {
      provider: provider.id,
      operation: 'waitUntilRunning',
    });
  let last = 'no listing yet';
  try {
    for (;;) {
      if (deadline.signal.aborted) throw timedOut(last);
      try {
        const listed = await provider.listNodes({ ids }, { signal: deadline.signal });
        const byId = new Map(listed.map((node) => [node.id, node]));
        const ready: Node[] = [];
        const waiting: string[] = [];
        for (const id of ids) {
          const node = byId.get(id);
          if (node !== undefined && DEAD_ENDS.has(node.state)) {
            throw new ProviderError('terminal', `node ${id} is ${node.state}; it will not become running`, {
              provider: provider.id,
              operation: 'waitUntilRunning',
            });
          }
          if (node?.state === 'running') ready.push(node);
          else waiting.push(`${id}: ${node?.state ?? 'not listed'}`);
        }
        if (waiting.length === 0) return ready;
        last = waiting.join(', ');
      } catch (error) {
        const failure = toProviderError(error, provider.id, 'listNodes');
        if (failure.kind === 'terminal' || failure.kind === 'invalid-input') throw failure;
        if (deadline.signal.aborted) throw timedOut(last);
        last = `last listing failed: ${failure.message}`;
      }
      try {
        await clock.sleep(intervalMs, deadline.signal);
      } catch {
        throw timedOut(last);
      }
    }
  } finally {
    deadline.dispose();
  }
}
