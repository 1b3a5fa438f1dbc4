import type { WireErrorInfo } from './GcpCallScope.js';

/** A non-2xx answer from a Google REST API the adapter calls directly (Cloud SQL Admin). */
export class GcpHttpError extends Error {
  constructor(readonly wire: WireErrorInfo) {
    super(wire.message ?? `HTTP ${wire.status}`);
    this.name = 'GcpHttpError';
  }
}
