import type { FencedAnswer, Stretch, WriteIncident } from './ClusterGroundTruth.js';

/**
 * What the clients of one database saw over a whole run (spec 2.2 and 5,
 * r2): ground truth for the replay harness, never given to the controller.
 * Times are virtual seconds.
 */
export interface DatabaseClientTruth {
  /** The writer endpoint's history, when the database has one. */
  readonly endpoint?: {
    readonly name: string;
    readonly ttlSeconds: number;
    /** Answers the provider served, in order; the first is from t = 0 (the primary). */
    readonly answers: readonly { readonly from: number; readonly target: string }[];
    /** Stretches when it served an instance the controller had stopped or deleted while a writable primary existed. */
    readonly fencedAnswers: readonly FencedAnswer[];
    /** Maximal stretches when some clients could not write, with the share unable to write integrated over each. */
    readonly incidents: readonly WriteIncident[];
  };
  /** Stretches when two or more instances accepted writes. */
  readonly splitBrains: readonly Stretch[];
  /** The last promoted instance, or the original primary. */
  readonly chosenPrimary: string;
  /** Writes acknowledged outside the chosen primary's lineage (through the endpoint, or at the full `writes` rate without one). */
  readonly divergedWrites: number;
}

/** Ground truth of the traffic part of the world at the end of a run. */
export interface ClientTruth {
  readonly databases: ReadonlyMap<string, DatabaseClientTruth>;
  /** Per load balancer: the failed share of its requests integrated over the run, in seconds. */
  readonly requestErrorSeconds: ReadonlyMap<string, number>;
}
