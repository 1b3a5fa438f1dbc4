import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/core/clock/VirtualClock.js';
import type { ProbeResult, ProbeTarget, Prober } from '../../../src/core/contract/Prober.js';
import { ProbeRound } from '../../../src/core/controller/ProbeRound.js';

/**
 * A prober with the sim's timing: a target named `hung-*` never answers (its
 * probe is a `timeout` once the batch's signal fires), every other target
 * answers at once. It records each batch it was given.
 */
function hangingProber(): Prober & { readonly batches: string[][] } {
  const batches: string[][] = [];
  return {
    batches,
    probe(targets: readonly ProbeTarget[], signal: AbortSignal): Promise<ProbeResult[]> {
      batches.push(targets.map((t) => t.id));
      const results = targets.map((t): ProbeResult => (t.id.startsWith('hung') ? { ok: false, failure: 'timeout' } : { ok: true }));
      if (!targets.some((t) => t.id.startsWith('hung')) || signal.aborted) return Promise.resolve(results);
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve(results), { once: true }));
    },
  };
}

const target = (id: string): ProbeTarget => ({ kind: 'node', provider: 'sim', id, zone: 'z' });

/** Runs one round on a virtual clock; resolves with when it ended (ms) and its results. */
async function roundEnd(
  ids: string[],
  timeoutMs: number,
  failing?: { marks: boolean[]; timeoutMs: number },
): Promise<{ endedAt: number; results: ProbeResult[]; batches: string[][] }> {
  const clock = new VirtualClock(0);
  const prober = hangingProber();
  const round = new ProbeRound(prober, clock).start(ids.map(target), new AbortController().signal, timeoutMs, failing);
  let endedAt = -1;
  let results: ProbeResult[] = [];
  void round.results.then((r) => {
    endedAt = clock.now();
    results = r;
  });
  await clock.runUntil(10_000);
  round.cancel();
  return { endedAt, results, batches: prober.batches };
}

describe('ProbeRound', () => {
  it('waits out its timeout for a hung target when nothing is marked failing', async () => {
    const { endedAt, batches } = await roundEnd(['a', 'hung-b'], 1000);
    expect(endedAt).toBe(1000);
    expect(batches).toEqual([['a', 'hung-b']]);
  });

  it('gives the targets that failed last round only until the deadline, in a batch of their own, results in order', async () => {
    const { endedAt, results, batches } = await roundEnd(['a', 'hung-b', 'c'], 1000, { marks: [false, true, false], timeoutMs: 300 });
    expect(endedAt).toBe(300);
    expect(results).toEqual([{ ok: true }, { ok: false, failure: 'timeout' }, { ok: true }]);
    expect(batches).toEqual([['hung-b'], ['a', 'c']]);
  });

  it('counts a failing target failed at once when the deadline is already due', async () => {
    const { endedAt, results } = await roundEnd(['hung-a', 'b'], 1000, { marks: [true, false], timeoutMs: -50 });
    expect(endedAt).toBe(0);
    expect(results).toEqual([{ ok: false, failure: 'timeout' }, { ok: true }]);
  });

  it('still gives a target that was answering its whole timeout', async () => {
    const { endedAt } = await roundEnd(['hung-a', 'hung-new'], 1000, { marks: [true, false], timeoutMs: 300 });
    expect(endedAt).toBe(1000);
  });

  it('splits nothing when the deadline is not sooner than the timeout, or nothing is failing', async () => {
    expect(await roundEnd(['hung-a', 'b'], 1000, { marks: [true, false], timeoutMs: 1000 })).toMatchObject({ endedAt: 1000, batches: [['hung-a', 'b']] });
    expect(await roundEnd(['a', 'hung-b'], 1000, { marks: [false, false], timeoutMs: 300 })).toMatchObject({ endedAt: 1000, batches: [['a', 'hung-b']] });
  });

  it('ends both batches when the parent signal fires', async () => {
    const clock = new VirtualClock(0);
    const parent = new AbortController();
    const round = new ProbeRound(hangingProber(), clock).start(['hung-a', 'hung-b'].map(target), parent.signal, 1000, { marks: [true, false], timeoutMs: 600 });
    let endedAt = -1;
    void round.results.then(() => (endedAt = clock.now()));
    clock.setTimer(100, () => parent.abort());
    await clock.runUntil(10_000);
    round.cancel();
    expect(endedAt).toBe(100);
  });

  it('probes only the failing batch when every target is failing', async () => {
    expect(await roundEnd(['hung-a', 'hung-b'], 1000, { marks: [true, true], timeoutMs: 300 })).toMatchObject({ endedAt: 300, batches: [['hung-a', 'hung-b']] });
  });
});
