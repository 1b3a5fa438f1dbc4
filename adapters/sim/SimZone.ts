import type { Zone, ZoneProviderStatus } from '../../src/core/contract/types.js';
import type { ImpairMode } from './ScenarioEvent.js';
import { emptyExtra } from './emptyExtra.js';
import type { SimDatabase } from './SimDatabase.js';
import type { SimNode } from './SimNode.js';

/** Scenario spec 4: a `degraded` zone fails this share of probes unless the event says otherwise. */
const DEFAULT_ERROR_RATE = 0.5;

/**
 * One zone of the simulated world: its physical condition (which only the
 * world knows), the provider's own status for it (which the provider
 * reports), and what lives in it.
 */
export class SimZone {
  /** Set by `impair`/`impairRegion`, cleared by `recover`. */
  impairment: ImpairMode | undefined = undefined;
  impairmentErrorRate = DEFAULT_ERROR_RATE;
  /** The active flap (identity token, so that timers of an older flap do nothing), and its current phase. */
  flap: object | undefined = undefined;
  flapMode: 'unreachable' | 'degraded' | undefined = undefined;
  /** Virtual ms until which the controller's own probes cannot reach this zone. */
  partitionedUntilMs = -Infinity;
  providerStatus: ZoneProviderStatus = 'available';
  readonly nodes = new Set<SimNode>();
  readonly databases = new Set<SimDatabase>();
  /** Effects waiting for the zone to come back (started again, with their full latency, on recovery). */
  deferred: (() => void)[] = [];
  private cached: Zone | undefined;

  constructor(
    readonly id: string,
    readonly region: string,
    readonly provider: string,
  ) {}

  /** The physical condition now: an impairment wins over a flap's phase. */
  get mode(): ImpairMode | undefined {
    return this.impairment ?? this.flapMode;
  }

  /** Share of probes that fail while the zone is `degraded`. */
  get errorRate(): number {
    return this.impairment === 'degraded' ? this.impairmentErrorRate : DEFAULT_ERROR_RATE;
  }

  /**
   * Network cut or power off: nothing here answers or replicates, and the
   * provider's control plane cannot carry out work here (effects wait).
   */
  get cutOff(): boolean {
    const mode = this.mode;
    return mode === 'unreachable' || mode === 'power';
  }

  /** Storage stalled: databases here neither commit nor replay; nodes are fine. */
  get storageStalled(): boolean {
    return this.mode === 'storage';
  }

  /** Whether the controller's vantage point is cut off from this zone at virtual time `nowMs`. */
  isPartitioned(nowMs: number): boolean {
    return nowMs < this.partitionedUntilMs;
  }

  setProviderStatus(status: ZoneProviderStatus): void {
    this.providerStatus = status;
    this.cached = undefined;
  }

  snapshot(): Zone {
    this.cached ??= Object.freeze({
      id: this.id,
      region: this.region,
      provider: this.provider,
      status: this.providerStatus,
      extra: emptyExtra,
    });
    return this.cached;
  }
}
