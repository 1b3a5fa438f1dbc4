import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/core/clock/VirtualClock.js';
import type { ProbeResult, ProbeTarget, Prober } from '../../../src/core/contract/Prober.js';
import { ProbeRound } from '../../../src/core/controller/ProbeRound.js';

/**
 * A prober with the sim's timing: a target named `hung-*` never answers (its
 * probe is a `timeout` once the batch's signal fires), every other target
 * answers at once. It records each batch it was given.
 */
function hangingProber(atOnce = false): Prober & { readonly batches: string[][] } {
  const batches: string[][] = [];
  const answer = (targets: readonly ProbeTarget[]) => {
    const results = targets.map((t): ProbeResult => (t.id.startsWith('hung') ? { ok: false, failure: 'timeout' } : { ok: true }));
    return { results, timedOut: targets.some((t) => t.id.startsWith('hung')) };
  };
  return {
    batches,
    probe(targets: readonly ProbeTarget[], signal: AbortSignal): Promise<ProbeResult[]> {
      batches.push(targets.map((t) => t.id));
      const { results, timedOut } = answer(targets);
      if (!timedOut || signal.aborted) return Promise.resolve(results);
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve(results), { once: true }));
    },
    // The sim's way (Prober.probeAtOnce): one batch answered at once, the round held until its time is up.
    ...(atOnce ? { probeAtOnce: (targets: readonly ProbeTarget[]) => (batches.push(targets.map((t) => t.id)), answer(targets)) } : {}),
  };
}

const target = (id: string): ProbeTarget => ({ kind: 'node', provider: 'sim', id, zone: 'z' });

/** Runs one round on a virtual clock; resolves with when it ended (ms) and its results. */
async function roundEnd(
  ids: string[],
  timeoutMs: number,
  failing?: { marks: boolean[]; timeoutMs: number },
  atOnce = false,
): Promise<{ endedAt: number; results: ProbeResult[]; batches: string[][] }> {
  const clock = new VirtualClock(0);
  const prober = hangingProber(atOnce);
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

describe('ProbeRound with a prober that answers at once: the same ends as the split batches', () => {
  const end = async (ids: string[], failing?: { marks: boolean[]; timeoutMs: number }) => {
    const { endedAt, results } = await roundEnd(ids, 1000, failing, true);
    return { endedAt, results };
  };

  it('holds a round with a hung target until its timeout when nothing is marked failing', async () => {
    expect((await end(['a', 'hung-b'])).endedAt).toBe(1000);
  });

  it('holds a hung target that failed last round only until the deadline, results in order', async () => {
    expect(await end(['a', 'hung-b', 'c'], { marks: [false, true, false], timeoutMs: 300 })).toEqual({
      endedAt: 300,
      results: [{ ok: true }, { ok: false, failure: 'timeout' }, { ok: true }],
    });
  });

  it('ends at once when the deadline is already due', async () => {
    expect((await end(['hung-a', 'b'], { marks: [true, false], timeoutMs: -50 })).endedAt).toBe(0);
  });

  it('still gives a hung target that was answering its whole timeout', async () => {
    expect((await end(['hung-a', 'hung-new'], { marks: [true, false], timeoutMs: 300 })).endedAt).toBe(1000);
  });
});
