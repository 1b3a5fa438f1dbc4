import type { Prober, ProbeResult, ProbeTarget } from '../../src/core/contract/Prober.js';
import { postSimCall } from './postSimCall.js';

/**
 * The served world's probes. Like the in-process prober, a round with a
 * timed-out target resolves only when the round's signal fires.
 */
export class RemoteSimProber implements Prober {
  constructor(private readonly url: string) {}

  async probe(targets: readonly ProbeTarget[], signal: AbortSignal): Promise<ProbeResult[]> {
    let results: ProbeResult[];
    try {
      results = (await postSimCall(new URL('/probe', this.url).href, { targets }, signal, 'sim', 'probe')) as ProbeResult[];
    } catch {
      results = targets.map(() => ({ ok: false, failure: 'timeout' as const }));
    }
    if (!results.some((r) => !r.ok && r.failure === 'timeout') || signal.aborted) return results;
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(results), { once: true }));
  }
}
