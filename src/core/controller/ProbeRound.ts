import { getEventListeners } from 'node:events';
import { followSignal, timeoutSignal, type Clock } from '../clock/Clock.js';
import type { ProbeResult, ProbeRoundAnswer, ProbeTarget, Prober } from '../contract/Prober.js';

const PROBE_TIMEOUT = Object.assign(new Error('probe round timed out'), { name: 'AbortError' });

function nothingToCancel(): void {}

/**
 * The targets of a round that failed last round (`marks`, by target index),
 * probed apart and given up after their own `timeoutMs`.
 */
export interface FailingBatch {
  readonly marks: readonly boolean[];
  readonly timeoutMs: number;
}

/** The failing batch {@link ProbeRound.start} probes apart: only when it ends sooner than the round and marks a target. */
function splitOff(
  timeoutMs: number,
  failing: FailingBatch | undefined,
): FailingBatch | undefined {
  return failing !== undefined && failing.timeoutMs < timeoutMs && failing.marks.includes(true) ? failing : undefined;
}

/**
 * Runs the controller's probe rounds, each cut off after the probe timeout.
 * One AbortController serves round after round while no round times out and
 * the prober leaves no listener behind: a fresh one per round is the largest
 * cost of a quiet round. A prober that answers at once
 * ({@link Prober.probeAtOnce}) needs no signal at all: a round with a silent
 * target is held on a clock timer instead.
 */
export class ProbeRound {
  private probeRound: AbortController | undefined;
  private probeRoundParent: AbortSignal | undefined;
  private unlinkProbeRound: (() => void) | undefined;
  /** Ends the held round early (its parent fired); set while one is held. */
  private releaseHeld: (() => void) | undefined;
  /** The parent signal whose abort releases held rounds (one listener for all of them). */
  private heldParent: AbortSignal | undefined;
  private readonly onHeldParentAbort = (): void => this.releaseHeld?.();

  constructor(
    private readonly prober: Prober,
    private readonly clock: Clock,
  ) {}

  /**
   * Starts one round over `targets`, given up after `timeoutMs`: await
   * `results`, then call `cancel` (the timers) whatever happened. With
   * `failing`, the targets it marks (those that failed last round) are
   * probed in a batch of their own, given up after `failing.timeoutMs`
   * when that is sooner: a target already failing that has not answered by
   * a pending confirmation's deadline counts as failed at the deadline
   * (without it a hung target holds the verdict until the round's own
   * timeout), while the others keep `timeoutMs`, so those that answer
   * still do. `answered`: the prober's {@link Prober.probeAtOnce} answer
   * for `targets` at this instant, already taken (a round's probes are sent
   * once); the round then only waits out its silent targets.
   */
  start(
    targets: readonly ProbeTarget[],
    parent: AbortSignal,
    timeoutMs: number,
    failing?: FailingBatch,
    answered?: ProbeRoundAnswer,
  ): { readonly results: Promise<ProbeResult[]>; readonly cancel: () => void } {
    if (this.prober.probeAtOnce !== undefined) {
      const answer = answered ?? this.prober.probeAtOnce(targets);
      return this.startAtOnce(answer, parent, this.heldFor(answer, timeoutMs, failing));
    }
    const split = splitOff(timeoutMs, failing);
    if (split !== undefined) return this.split(targets, parent, timeoutMs, split.marks, split.timeoutMs);
    const round = this.signalFor(parent);
    const cancel = this.clock.setTimer(timeoutMs, () => round.abort(PROBE_TIMEOUT));
    return { results: this.prober.probe(targets, round.signal), cancel };
  }

  /** One round as two batches, the marked targets with the shorter timeout; results in `targets`' order. */
  private split(
    targets: readonly ProbeTarget[],
    parent: AbortSignal,
    timeoutMs: number,
    marks: readonly boolean[],
    failingTimeoutMs: number,
  ): { readonly results: Promise<ProbeResult[]>; readonly cancel: () => void } {
    const failingIndexes: number[] = [];
    const otherIndexes: number[] = [];
    for (let i = 0; i < targets.length; i++) (marks[i] === true ? failingIndexes : otherIndexes).push(i);
    // The failing batch's signal is its own (it fires early); the others share the reused one.
    const failingRound = timeoutSignal(this.clock, Math.max(0, failingTimeoutMs), parent);
    const batches: Promise<ProbeResult[]>[] = [this.prober.probe(failingIndexes.map((i) => targets[i]!), failingRound.signal)];
    let cancelOthers = () => {};
    if (otherIndexes.length > 0) {
      const round = this.signalFor(parent);
      cancelOthers = this.clock.setTimer(timeoutMs, () => round.abort(PROBE_TIMEOUT));
      batches.push(this.prober.probe(otherIndexes.map((i) => targets[i]!), round.signal));
    }
    const results = Promise.all(batches).then(([failed, others]) => {
      const merged = new Array<ProbeResult>(targets.length);
      failingIndexes.forEach((index, k) => (merged[index] = failed![k]!));
      otherIndexes.forEach((index, k) => (merged[index] = others![k]!));
      return merged;
    });
    const cancel = () => {
      failingRound.dispose();
      cancelOthers();
    };
    return { results, cancel };
  }

  /**
   * How long a round of a prober that answers at once lasts when it got
   * `answer` (ms), with {@link start}'s `timeoutMs` and `failing`: 0 when
   * every target answered; else until the timeout, or, split as
   * {@link split} would, only until the failing batch's timeout when every
   * silent target is one it marks.
   */
  heldFor(answer: ProbeRoundAnswer, timeoutMs: number, failing?: FailingBatch): number {
    if (!answer.timedOut) return 0;
    const split = splitOff(timeoutMs, failing);
    if (split === undefined) return timeoutMs;
    const results = answer.results;
    let holdMs = 0;
    for (let i = 0; i < results.length && holdMs < timeoutMs; i++) {
      const r = results[i]!;
      if (!r.ok && r.failure === 'timeout') holdMs = Math.max(holdMs, split.marks[i] === true ? Math.max(0, split.timeoutMs) : timeoutMs);
    }
    return holdMs;
  }

  /**
   * A round of a prober that answers at once: resolved as `probe` would
   * resolve it, at once when every target answered, else after `holdMs`
   * ({@link heldFor}) or when the parent fires, one promise continuation
   * after the timer.
   */
  private startAtOnce(answer: ProbeRoundAnswer, parent: AbortSignal, holdMs: number): { readonly results: Promise<ProbeResult[]>; readonly cancel: () => void } {
    const { results, timedOut } = answer;
    if (!timedOut || parent.aborted) return { results: Promise.resolve(results), cancel: nothingToCancel };
    if (this.heldParent !== parent) {
      this.heldParent?.removeEventListener('abort', this.onHeldParentAbort);
      parent.addEventListener('abort', this.onHeldParentAbort, { once: true });
      this.heldParent = parent;
    }
    let cancelTimer = nothingToCancel;
    const held = new Promise<ProbeResult[]>((resolve) => {
      const release = () => {
        this.releaseHeld = undefined;
        cancelTimer();
        resolve(results);
      };
      this.releaseHeld = release;
      cancelTimer = this.clock.setTimer(holdMs, release);
    });
    return {
      results: held,
      cancel: () => {
        cancelTimer();
        this.releaseHeld = undefined;
      },
    };
  }

  /**
   * The signal for a probe round. One controller serves round after round
   * while no round times out and the prober leaves no listener behind: a
   * fresh AbortController per round is the largest cost of a quiet round.
   */
  private signalFor(parent: AbortSignal): AbortController {
    const current = this.probeRound;
    if (current && !current.signal.aborted && this.probeRoundParent === parent && getEventListeners(current.signal, 'abort').length === 0) {
      return current;
    }
    this.unlinkProbeRound?.();
    const next = new AbortController();
    // Through the parent's one shared listener, as the failing batch's and the calls' timeout signals: none of its own.
    this.unlinkProbeRound = followSignal(parent, next);
    this.probeRound = next;
    this.probeRoundParent = parent;
    return next;
  }
}
