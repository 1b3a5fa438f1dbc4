import { getEventListeners } from 'node:events';
import type { Clock } from '../clock/Clock.js';
import type { ProbeResult, ProbeTarget, Prober } from '../contract/Prober.js';

const PROBE_TIMEOUT = Object.assign(new Error('probe round timed out'), { name: 'AbortError' });

function nothingToCancel(): void {}

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
   * `results`, then call `cancel` (the timer) whatever happened.
   */
  start(targets: readonly ProbeTarget[], parent: AbortSignal, timeoutMs: number): { readonly results: Promise<ProbeResult[]>; readonly cancel: () => void } {
    if (this.prober.probeAtOnce !== undefined) return this.startAtOnce(targets, parent, timeoutMs);
    const round = this.signalFor(parent);
    const cancel = this.clock.setTimer(timeoutMs, () => round.abort(PROBE_TIMEOUT));
    return { results: this.prober.probe(targets, round.signal), cancel };
  }

  /**
   * A round of a prober that answers at once: resolved as `probe` would
   * resolve it, at once when every target answered, else when the timeout
   * ends (or the parent fires), one promise continuation after the timer.
   */
  private startAtOnce(targets: readonly ProbeTarget[], parent: AbortSignal, timeoutMs: number): { readonly results: Promise<ProbeResult[]>; readonly cancel: () => void } {
    const { results, timedOut } = this.prober.probeAtOnce!(targets);
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
      cancelTimer = this.clock.setTimer(timeoutMs, release);
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
    if (this.probeRoundParent && this.unlinkProbeRound) this.probeRoundParent.removeEventListener('abort', this.unlinkProbeRound);
    const next = new AbortController();
    const onParentAbort = () => next.abort(parent.reason);
    if (parent.aborted) next.abort(parent.reason);
    else parent.addEventListener('abort', onParentAbort, { once: true });
    this.probeRound = next;
    this.probeRoundParent = parent;
    this.unlinkProbeRound = onParentAbort;
    return next;
  }
}
