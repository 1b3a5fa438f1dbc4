import type { ProviderErrorKind } from '../../src/core/contract/errors.js';

/**
 * How the simulated cloud refuses a request, before the adapter boundary
 * translates it into a {@link ProviderError} carrying the provider id and the
 * operation (the same split as a real SDK error and its translation).
 */
export class SimRejection extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    /** The cloud's error code, in the style of EC2/RDS codes. */
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SimRejection';
  }
}
