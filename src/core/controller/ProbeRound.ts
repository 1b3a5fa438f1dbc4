import { getEventListeners } from 'node:events';
import type { Clock } from '../clock/Clock.js';
import type { ProbeResult, ProbeTarget, Prober } from '../contract/Prober.js';

const PROBE_TIMEOUT = Object.assign(new Error('probe round timed out'), { name: 'AbortError' });

/**
 * Runs the controller's probe rounds, each cut off after the probe timeout.
 * One AbortController serves round after round while no round times out and
 * the prober leaves no listener behind: a fresh one per round is the largest
 * cost of a quiet round.
 */
export class ProbeRound {
  private probeRound: AbortController | undefined;
  private probeRoundParent: AbortSignal | undefined;
  private unlinkProbeRound: (() => void) | undefined;

  constructor(
    private readonly prober: Prober,
    private readonly clock: Clock,
  ) {}

  /**
   * Starts one round over `targets`, given up after `timeoutMs`: await
   * `results`, then call `cancel` (the timer) whatever happened.
   */
  start(targets: readonly ProbeTarget[], parent: AbortSignal, timeoutMs: number): { readonly results: Promise<ProbeResult[]>; readonly cancel: () => void } {
    const round = this.signalFor(parent);
    const cancel = this.clock.setTimer(timeoutMs, () => round.abort(PROBE_TIMEOUT));
    return { results: this.prober.probe(targets, round.signal), cancel };
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
