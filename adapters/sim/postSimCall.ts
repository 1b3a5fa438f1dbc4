import { ProviderError } from '../../src/core/contract/errors.js';
import type { SimCallResponse } from './simWire.js';

/**
 * One request to a {@link SimServer}, its answer unwrapped: a refusal comes
 * back as the world's own {@link ProviderError}; an unreachable server or a
 * bad answer is `retryable`, and one cut off by `signal` a `timeout`, as a
 * real cloud's would be.
 */
export async function postSimCall(url: string, body: unknown, signal: AbortSignal, provider: string, operation: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, signal });
  } catch (error) {
    if (signal.aborted) throw new ProviderError('timeout', `${operation} cut off`, { provider, operation, cause: error });
    throw new ProviderError('retryable', `sim server unreachable: ${(error as Error).message}`, { provider, operation, cause: error });
  }
  let parsed: SimCallResponse;
  try {
    parsed = (await response.json()) as SimCallResponse;
  } catch (error) {
    if (signal.aborted) throw new ProviderError('timeout', `${operation} cut off`, { provider, operation, cause: error });
    throw new ProviderError('retryable', `sim server sent a bad answer (${response.status})`, { provider, operation, cause: error });
  }
  if (parsed.ok) return parsed.value;
  const { kind, message, code, retryAfterMs } = parsed.error;
  throw new ProviderError(kind, message, { provider, operation, ...(code !== undefined ? { code } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
}

