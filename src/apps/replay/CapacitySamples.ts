/**
 * One group's ground-truth capacity, sampled at every controller tick: at
 * index i, the tick's time (virtual seconds) and the group's healthy node
 * count then. Two parallel arrays rather than an object per tick: a 24 h
 * replay ticks some 90,000 times, and every sample lives until the judge
 * has read it.
 */
export interface CapacitySamples {
  /** Tick times in virtual seconds, in order. */
  readonly t: readonly number[];
  /** Healthy nodes of the group at `t[i]`. */
  readonly healthy: readonly number[];
}
