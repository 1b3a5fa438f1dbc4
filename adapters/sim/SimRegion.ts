import type { Region } from '../../src/core/contract/types.js';
import { emptyExtra } from './emptyExtra.js';
import type { SimZone } from './SimZone.js';

/** A region of one simulated provider. */
export class SimRegion {
  private cached: Region | undefined;

  constructor(
    readonly id: string,
    readonly provider: string,
    readonly zones: readonly SimZone[],
  ) {}

  /** Call when a zone's provider status changes: the region's snapshot embeds its zones'. */
  invalidate(): void {
    this.cached = undefined;
  }

  snapshot(): Region {
    this.cached ??= Object.freeze({
      id: this.id,
      provider: this.provider,
      zones: Object.freeze(this.zones.map((zone) => zone.snapshot())),
      extra: emptyExtra,
    });
    return this.cached;
  }
}
