import type { ClusterGroundTruth } from './ClusterGroundTruth.js';
import type { SimDatabase } from './SimDatabase.js';
import type { SimEndpoint } from './SimEndpoint.js';

/** A replicated database (scenario `databases[]` entry): the instances that share its data. */
export class SimCluster {
  readonly instances: SimDatabase[] = [];
  /** Two or more writable primaries are reachable right now. */
  splitBrain = false;
  /** The writer endpoint its clients use, if the topology gives one. */
  endpoint: SimEndpoint | undefined = undefined;
  /** What its clients saw; set by the world right after it adds the original primary. */
  truth!: ClusterGroundTruth;

  constructor(
    readonly id: string,
    readonly engine: string,
    /** Committed writes per second (for `PromotionRecord.dataLossWrites`). */
    readonly writesPerSecond: number,
  ) {}
}
