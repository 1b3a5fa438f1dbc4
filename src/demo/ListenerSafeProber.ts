import { setMaxListeners } from 'node:events';
import type { ProbeResult, ProbeTarget, Prober } from '../contract/Prober.js';

/**
 * Passes probe batches to `inner` after raising the batch signal's listener
 * limit to fit the batch. The local prober adds one abort listener per
 * target to the one signal it is given, so a batch of more than ten targets
 * makes Node print a `MaxListenersExceededWarning` (harmless: the listeners
 * are removed when each probe ends, but it would clutter the demo's output).
 */
export class ListenerSafeProber implements Prober {
  constructor(private readonly inner: Prober) {}

  /** Probes through `inner`; never rejects when `inner` does not. */
  probe(targets: readonly ProbeTarget[], signal: AbortSignal): Promise<ProbeResult[]> {
    setMaxListeners(Math.max(10, targets.length + 10), signal);
    return this.inner.probe(targets, signal);
  }
}
