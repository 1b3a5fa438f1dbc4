import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/core/clock/VirtualClock.js';
import type { ProbeResult, ProbeTarget, Prober } from '../../../src/core/contract/Prober.js';
import { ProbeRound } from '../../../src/core/controller/ProbeRound.js';

/**
 * A prober that records the signal of each batch: targets named `hung-*`
 * answer only when the signal fires; with `leaveListener` it also leaves a
 * listener on the signal, as a prober still waiting on a late answer would.
 */
function recordingProber(): Prober & { readonly signals: AbortSignal[]; leaveListener: boolean } {
  const signals: AbortSignal[] = [];
  return {
    signals,
    leaveListener: false,
    probe(targets: readonly ProbeTarget[], signal: AbortSignal): Promise<ProbeResult[]> {
      signals.push(signal);
      if (this.leaveListener) signal.addEventListener('abort', () => undefined);
      const results = targets.map((t): ProbeResult => (t.id.startsWith('hung') ? { ok: false, failure: 'timeout' } : { ok: true }));
      if (!targets.some((t) => t.id.startsWith('hung')) || signal.aborted) return Promise.resolve(results);
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve(results), { once: true }));
    },
  };
}

const target = (id: string): ProbeTarget => ({ kind: 'node', provider: 'sim', id, zone: 'z' });

/** Runs one round to its end on the virtual clock, cancelled as soon as it ends (as the controller does). */
async function runRound(probes: ProbeRound, clock: VirtualClock, ids: string[], parent: AbortSignal): Promise<void> {
  const round = probes.start(ids.map(target), parent, 1000);
  let ended = false;
  void round.results.then(() => {
    ended = true;
    round.cancel();
  });
  await new Promise((resolve) => setImmediate(resolve));
  await clock.runUntil(clock.now() + 2000);
  expect(ended).toBe(true);
}

describe('ProbeRound signal', () => {
  it('serves round after round with one signal while none times out and no listener is left on it', async () => {
    const clock = new VirtualClock(0);
    const prober = recordingProber();
    const probes = new ProbeRound(prober, clock);
    const parent = new AbortController();
    await runRound(probes, clock, ['a', 'b'], parent.signal);
    await runRound(probes, clock, ['a', 'b'], parent.signal);
    expect(prober.signals[1]).toBe(prober.signals[0]);

    await runRound(probes, clock, ['a', 'hung-b'], parent.signal);
    expect(prober.signals[2]).toBe(prober.signals[0]);
    expect(prober.signals[2]!.aborted).toBe(true);
    await runRound(probes, clock, ['a'], parent.signal);
    expect(prober.signals[3]).not.toBe(prober.signals[2]);

    prober.leaveListener = true;
    await runRound(probes, clock, ['a'], parent.signal);
    await runRound(probes, clock, ['a'], parent.signal);
    expect(prober.signals[5]).not.toBe(prober.signals[4]);
    expect(prober.signals[4]!.aborted).toBe(false);
  });

  it('puts one listener on the parent for the reused signal and the failing batch, and both fire with it', async () => {
    const clock = new VirtualClock(0);
    const prober = recordingProber();
    const probes = new ProbeRound(prober, clock);
    const parent = new AbortController();
    for (let i = 0; i < 5; i++) await runRound(probes, clock, ['hung-a'], parent.signal);
    const round = probes.start(['hung-a', 'hung-b'].map(target), parent.signal, 1000, { marks: [true, false], timeoutMs: 600 });
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    const [failingBatch, others] = prober.signals.slice(-2);
    parent.abort(new Error('stopping'));
    await round.results;
    round.cancel();
    expect(failingBatch!.reason).toMatchObject({ message: 'stopping' });
    expect(others!.reason).toMatchObject({ message: 'stopping' });
  });

  it('leaves a replaced signal alone when the parent fires later', async () => {
    const clock = new VirtualClock(0);
    const prober = recordingProber();
    const probes = new ProbeRound(prober, clock);
    const parent = new AbortController();
    prober.leaveListener = true;
    await runRound(probes, clock, ['a'], parent.signal);
    await runRound(probes, clock, ['a'], parent.signal);
    parent.abort();
    expect(prober.signals[0]!.aborted).toBe(false);
    expect(prober.signals[1]!.aborted).toBe(true);
  });
});
