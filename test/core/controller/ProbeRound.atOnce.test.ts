import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/core/clock/VirtualClock.js';
import type { Prober, ProbeResult, ProbeTarget } from '../../../src/core/contract/Prober.js';
import { ProbeRound } from '../../../src/core/controller/ProbeRound.js';

const TARGETS: ProbeTarget[] = [
  { kind: 'node', provider: 'p', id: 'up', zone: 'z1' },
  { kind: 'node', provider: 'p', id: 'silent', zone: 'z2' },
];
const UP: ProbeResult = { ok: true };
const TIMEOUT: ProbeResult = { ok: false, failure: 'timeout' };

/** A prober that answers at once; `silent` lists the targets that time out. */
function atOnceProber(silent: Set<string>): Prober & { signalRounds: number } {
  const answer = (targets: readonly ProbeTarget[]) => {
    const results = targets.map((t) => (silent.has(t.id) ? TIMEOUT : UP));
    return { results, timedOut: results.includes(TIMEOUT) };
  };
  const prober = {
    signalRounds: 0,
    probe(targets: readonly ProbeTarget[], signal: AbortSignal): Promise<ProbeResult[]> {
      prober.signalRounds++;
      const { results, timedOut } = answer(targets);
      if (!timedOut || signal.aborted) return Promise.resolve(results);
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve(results), { once: true }));
    },
    probeAtOnce: answer,
  };
  return prober;
}

/** When (virtual ms) the round resolves, and with what. */
async function roundEnd(prober: Prober, timeoutMs: number, stopAtMs?: number): Promise<{ at: number; results: ProbeResult[] }> {
  const clock = new VirtualClock(0, { settle: 'microtasks' });
  const parent = new AbortController();
  if (stopAtMs !== undefined) clock.setTimer(stopAtMs, () => parent.abort());
  const round = new ProbeRound(prober, clock).start(TARGETS, parent.signal, timeoutMs);
  let ended: { at: number; results: ProbeResult[] } | undefined;
  void round.results.then((results) => {
    ended = { at: clock.now(), results };
    round.cancel();
  });
  await clock.runUntil(10_000);
  return ended!;
}

describe('ProbeRound', () => {
  it('holds a round with a silent target until its timeout when the prober answers at once, without the signal path', async () => {
    const prober = atOnceProber(new Set(['silent']));
    expect(await roundEnd(prober, 1_000)).toEqual({ at: 1_000, results: [UP, TIMEOUT] });
    expect(prober.signalRounds).toBe(0);
  });

  it('ends a round at once when every target answered', async () => {
    expect(await roundEnd(atOnceProber(new Set()), 1_000)).toEqual({ at: 0, results: [UP, UP] });
  });

  it('releases a held round when the parent signal fires', async () => {
    expect(await roundEnd(atOnceProber(new Set(['silent'])), 1_000, 300)).toEqual({ at: 300, results: [UP, TIMEOUT] });
  });

  it('ends each round when the signal path would: the same instants, round after round', async () => {
    const signalOnly = (silent: Set<string>): Prober => {
      const inner = atOnceProber(silent);
      return { probe: (targets, signal) => inner.probe(targets, signal) };
    };
    for (const silent of [new Set<string>(), new Set(['silent'])]) {
      for (const stopAt of [undefined, 250]) {
        expect(await roundEnd(atOnceProber(silent), 800, stopAt)).toEqual(await roundEnd(signalOnly(silent), 800, stopAt));
      }
    }
  });
});
