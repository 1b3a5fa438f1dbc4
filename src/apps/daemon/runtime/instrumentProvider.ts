import { isMutatingOperation } from '../../../core/contract/types.js';
import { wrapProvider } from './wrapProvider.js';
import { ProviderError, toProviderError } from '../../../core/contract/errors.js';
import type { Provider } from '../../../core/contract/Provider.js';
import type { DatabaseInstance } from '../../../core/contract/types.js';

/** What {@link instrumentProvider} reports and checks around each adapter call. */
export interface ProviderHooks {
  /** After every call, with its outcome (`ok`, or the error kind). */
  readonly onCall?: (provider: string, operation: string, result: string) => void;
  /**
   * Before every mutating call: throw (or reject) to refuse it (a deposed
   * leader, a fencing token that moved). The call waits for it, so an async
   * check (a transaction against etcd) completes before the call starts. The
   * refusal reaches the controller as a `retryable` error, so the step is
   * planned again later, never lost.
   */
  readonly beforeMutation?: (provider: string, operation: string) => void | Promise<void>;
  /** Protected clusters; when non-empty, other databases are not listed (so never touched). */
  readonly clusters?: ReadonlySet<string>;
}

/**
 * Wraps a provider with the daemon's cross-cutting concerns: per-call
 * metrics, the leadership check before every mutating call, and the
 * protected-databases filter. The wrapped object still honours the contract.
 */
export function instrumentProvider(inner: Provider, hooks: ProviderHooks): Provider {
  return wrapProvider(inner, (method, call) => async (...args) => {
    if (isMutatingOperation(method)) {
      try {
        await hooks.beforeMutation?.(inner.id, method);
      } catch (error) {
        hooks.onCall?.(inner.id, method, 'refused');
        throw new ProviderError('retryable', `not issued: ${(error as Error).message}`, { provider: inner.id, operation: method, cause: error });
      }
    }
    try {
      let value = await call(...args);
      if (method === 'listDatabases' && hooks.clusters && hooks.clusters.size > 0) {
        value = (value as DatabaseInstance[]).filter((d) => hooks.clusters!.has(d.cluster));
      }
      hooks.onCall?.(inner.id, method, 'ok');
      return value;
    } catch (error) {
      const e = toProviderError(error, inner.id, method);
      hooks.onCall?.(inner.id, method, e.kind);
      throw e;
    }
  });
}
