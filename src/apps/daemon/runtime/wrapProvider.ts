import type { Provider } from '../../../core/contract/Provider.js';
import { MUTATING_OPERATIONS, READ_OPERATIONS, type OperationName } from '../../../core/contract/types.js';

/** One contract operation of a provider, as a wrapper sees it. */
export type ProviderCall = (...args: unknown[]) => Promise<unknown>;

/**
 * `inner` with each contract operation it has replaced by what `around`
 * makes of it (given the operation's name and the inner call, bound to
 * `inner`). An optional operation the adapter lacks stays absent, so the
 * capability guards (`hasEndpoints`, ...) still tell; `id`, `capabilities`
 * and `close` pass through.
 */
export function wrapProvider(inner: Provider, around: (operation: OperationName, call: ProviderCall) => ProviderCall): Provider {
  const wrapped: Record<string, unknown> = { id: inner.id, capabilities: inner.capabilities };
  const source = inner as unknown as Partial<Record<OperationName, ProviderCall>>;
  for (const operation of [...READ_OPERATIONS, ...MUTATING_OPERATIONS]) {
    const call = source[operation];
    if (typeof call !== 'function') continue;
    wrapped[operation] = around(operation, (...args) => call.apply(inner, args));
  }
  if (inner.close) wrapped['close'] = () => inner.close!();
  return wrapped as unknown as Provider;
}
