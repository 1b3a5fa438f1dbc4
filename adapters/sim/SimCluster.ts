import type { SimDatabase } from './SimDatabase.js';

/** A replicated database (scenario `databases[]` entry): the instances that share its data. */
export class SimCluster {
  readonly instances: SimDatabase[] = [];
  /** Two or more writable primaries are reachable right now. */
  splitBrain = false;

  constructor(
    readonly id: string,
    readonly engine: string,
    /** Committed writes per second (for `PromotionRecord.dataLossWrites`). */
    readonly writesPerSecond: number,
  ) {}
}
