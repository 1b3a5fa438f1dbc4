import { describe, expect, it } from 'vitest';
import { CallGate } from '../../../src/core/controller/CallGate.js';
import { DEFAULT_POLICY, resolvePolicy } from '../../../src/core/controller/Policy.js';

const EAST = CallGate.scope('aws', 'us-east-1', true);
const WEST = CallGate.scope('aws', 'us-west-2', true);
const GCP_EAST = CallGate.scope('gcp', 'us-east-1', true);

/** A gate whose jitter draws are the given values, in order (then the last one again). */
function gate(draws: number[], policy = DEFAULT_POLICY) {
  let i = 0;
  return new CallGate(policy, () => draws[Math.min(i++, draws.length - 1)]!);
}

/**
 * Asserts the scope is backed off until exactly `at` (ms): refused a millisecond before, admitted at `at`.
 * Being admitted takes the half-open trial slot, as a real call would.
 */
function expectReopensAt(g: CallGate, scope: string, at: number): void {
  expect(g.admit(scope, at - 1)).toMatch(/^backed off for \d+s$/);
  expect(g.admit(scope, at)).toBeUndefined();
}

describe('CallGate: token bucket per provider and region', () => {
  const policy = resolvePolicy({ mutationsPerMinute: 5 });

  it('lets a burst of mutationsPerMinute calls through, then refuses until a token refills', () => {
    const g = gate([0.5], policy);
    for (let i = 0; i < 5; i++) expect(g.takeToken(EAST, 0)).toBe(true);
    expect(g.hasToken(EAST, 0)).toBe(false);
    expect(g.takeToken(EAST, 0)).toBe(false);
    // One token every 60 s / 5 = 12 s.
    expect(g.hasToken(EAST, 11_999)).toBe(false);
    expect(g.hasToken(EAST, 12_000)).toBe(true);
    expect(g.takeToken(EAST, 12_000)).toBe(true);
    expect(g.takeToken(EAST, 12_000)).toBe(false);
  });

  it('never banks more than a burst, however long the scope was idle', () => {
    const g = gate([0.5], policy);
    expect(g.takeToken(EAST, 0)).toBe(true);
    let taken = 0;
    while (g.takeToken(EAST, 3_600_000) && taken < 100) taken++;
    expect(taken).toBe(5);
  });

  it('keeps one bucket per provider and region: spending one leaves the others whole', () => {
    const g = gate([0.5], policy);
    for (let i = 0; i < 5; i++) g.takeToken(EAST, 0);
    expect(g.takeToken(EAST, 0)).toBe(false);
    expect(g.hasToken(WEST, 0)).toBe(true);
    expect(g.hasToken(GCP_EAST, 0)).toBe(true);
    for (let i = 0; i < 5; i++) expect(g.takeToken(WEST, 0)).toBe(true);
    expect(g.takeToken(GCP_EAST, 0)).toBe(true);
  });

  it('hasToken only looks: it takes nothing', () => {
    const g = gate([0.5], resolvePolicy({ mutationsPerMinute: 1 }));
    expect(g.takeToken(EAST, 0)).toBe(true);
    expect(g.hasToken(EAST, 60_000)).toBe(true);
    expect(g.hasToken(EAST, 60_000)).toBe(true);
    expect(g.takeToken(EAST, 60_000)).toBe(true);
    expect(g.takeToken(EAST, 60_000)).toBe(false);
  });
});

describe('CallGate: exponential backoff with full jitter', () => {
  it('admits everything while nothing failed', () => {
    expect(gate([0.5]).admit(EAST, 0)).toBeUndefined();
  });

  it('doubles the ceiling with every failure, from backoffBase up to backoffMax', () => {
    // A draw of 0.5 waits half the ceiling: ceilings 2, 4, 8, ... s, capped at backoffMax (300 s).
    const g = gate([0.5]);
    let now = 0;
    const expected = [1, 2, 4, 8, 16, 32, 64, 128, 150, 150];
    for (const waitSeconds of expected) {
      g.record(EAST, 'error', now);
      now += waitSeconds * 1000;
      expectReopensAt(g, EAST, now); // and the trial call fails again
    }
  });

  it('jitters over the whole range: the wait is the draw times the ceiling', () => {
    const g = gate([0.25]);
    for (let i = 0; i < 5; i++) g.record(EAST, 'throttled', 0);
    // Fifth failure: ceiling 2 s x 2^4 = 32 s; a draw of 0.25 waits 8 s.
    expectReopensAt(g, EAST, 8_000);
  });

  it('never comes straight back: a draw of 0 still waits half of backoffBase', () => {
    const g = gate([0]);
    g.record(EAST, 'timeout', 1_000);
    expect(g.admit(EAST, 1_000)).toBe('backed off for 1s');
    expectReopensAt(g, EAST, 2_000);
  });

  it("honours the provider's Retry-After when it asks for longer than the jitter drew", () => {
    const g = gate([0.5]);
    g.record(EAST, 'throttled', 0, 45_000);
    expect(g.admit(EAST, 0)).toBe('backed off for 45s');
    expectReopensAt(g, EAST, 45_000);
    // A Retry-After shorter than the drawn wait does not shorten it: third failure, ceiling 8 s, draw 0.5.
    const h = gate([0.5]);
    for (let i = 0; i < 3; i++) h.record(EAST, 'throttled', 0, 1);
    expectReopensAt(h, EAST, 4_000);
  });

  it('backs off one scope only', () => {
    const g = gate([0.5]);
    g.record(EAST, 'error', 0);
    expect(g.admit(EAST, 100)).toMatch(/^backed off/);
    expect(g.admit(WEST, 100)).toBeUndefined();
    expect(g.admit(CallGate.scope('aws', 'us-east-1', false), 100)).toBeUndefined();
  });

  it('a rejected request (bad input) does not back the scope off', () => {
    const g = gate([0.5]);
    g.record(EAST, 'rejected', 0);
    expect(g.admit(EAST, 0)).toBeUndefined();
    expect(g.admit(EAST, 0)).toBeUndefined();
  });
});

describe('CallGate: half-open after a backoff', () => {
  it('lets one trial call through when the backoff is over, and holds the rest until it returns', () => {
    const g = gate([0.5]);
    g.record(EAST, 'error', 0);
    const open = 1_000;
    expectReopensAt(g, EAST, open);
    expect(g.admit(EAST, open)).toBe('waiting for a trial call after failures');
    expect(g.admit(EAST, open + 3_600_000)).toBe('waiting for a trial call after failures');
    // The trial succeeds: the scope is closed again, every call goes.
    g.record(EAST, 'ok', open + 10);
    expect(g.admit(EAST, open + 10)).toBeUndefined();
    expect(g.admit(EAST, open + 10)).toBeUndefined();
  });

  it('a failed trial backs off longer than the failure before it', () => {
    const g = gate([1]);
    g.record(EAST, 'error', 0);
    expectReopensAt(g, EAST, 2_000);
    g.record(EAST, 'error', 2_000);
    expectReopensAt(g, EAST, 2_000 + 4_000);
  });

  it('a trial refused as bad input frees the slot for another trial, without a new backoff', () => {
    const g = gate([0.5]);
    g.record(EAST, 'error', 0);
    const open = 1_000;
    expectReopensAt(g, EAST, open);
    g.record(EAST, 'rejected', open);
    expect(g.admit(EAST, open)).toBeUndefined();
    expect(g.admit(EAST, open)).toBe('waiting for a trial call after failures');
  });
});
