import type { Prober, ProbeResult, ProbeTarget } from '../../../core/contract/Prober.js';

/** Sends each probe target to the prober of its provider; targets of unknown providers are refused. */
export class RoutingProber implements Prober {
  constructor(private readonly byProvider: ReadonlyMap<string, Prober>) {}

  async probe(targets: readonly ProbeTarget[], signal: AbortSignal): Promise<ProbeResult[]> {
    const batches = new Map<Prober, number[]>();
    const results = new Array<ProbeResult>(targets.length).fill({ ok: false, failure: 'refused' });
    targets.forEach((t, i) => {
      const prober = this.byProvider.get(t.provider);
      if (!prober) return;
      let list = batches.get(prober);
      if (!list) batches.set(prober, (list = []));
      list.push(i);
    });
    await Promise.all(
      [...batches].map(async ([prober, indexes]) => {
        const answers = await prober.probe(indexes.map((i) => targets[i]!), signal);
        indexes.forEach((i, k) => (results[i] = answers[k] ?? { ok: false, failure: 'error' }));
      }),
    );
    return results;
  }
}
