import type { DatabaseRole } from './types.js';

/** Something the controller probes on its own, outside the provider's API. */
export interface ProbeTarget {
  readonly kind: 'node' | 'database';
  readonly provider: string;
  readonly id: string;
  readonly zone: string;
  /** `host:port`, when the provider reported one. */
  readonly endpoint?: string;
}

/** Outcome of one probe. */
export interface ProbeResult {
  /** The target answered within the time budget. */
  readonly ok: boolean;
  /** For databases that answered: whether it accepted a write (is a writable primary). */
  readonly writable?: boolean;
  /** For databases that answered: the role it reports for itself. */
  readonly role?: DatabaseRole;
  /** Why it failed, when it did. */
  readonly failure?: 'timeout' | 'refused' | 'error';
}

/**
 * The controller's own vantage point: health checks it sends straight to
 * nodes and databases (HTTP, TCP, a SQL round trip). One call probes a whole
 * batch so that 10,000 targets cost one round, not 10,000 awaits.
 */
export interface Prober {
  /**
   * Probes every target; the result at index i is for target i. Never
   * rejects: a probe that did not answer before `signal` fired is a
   * `timeout` failure.
   */
  probe(targets: readonly ProbeTarget[], signal: AbortSignal): Promise<ProbeResult[]>;
}
