import { ProviderError } from '../../src/core/contract/errors.js';

/** The `invalid-input` error an adapter raises for a request it refuses before asking the cloud (an unknown region, zone or id). */
export function invalidInput(provider: string, operation: string, message: string, code: string): ProviderError {
  return new ProviderError('invalid-input', `${operation}: ${message}`, { provider, operation, code });
}
