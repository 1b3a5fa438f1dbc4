/**
 * Something that happened in the simulated world: a scenario event applied
 * (`world.impair`, `world.recover`, `world.apiFault`, ...: `world.` + the
 * event kind), a promotion taking effect (`world.promoted`), two writable
 * primaries of one cluster reachable at once (`world.splitBrain`, then
 * `world.splitBrainEnded`), or a timed condition ending
 * (`world.flapEnded`, `world.apiFaultEnded`, `world.observerPartitionEnded`).
 */
export interface WorldTimelineEntry {
  /** Virtual seconds. */
  readonly t: number;
  readonly kind: string;
  readonly zone?: string;
  readonly region?: string;
  /** Cluster id, for database events. */
  readonly database?: string;
  /** One human-readable line. */
  readonly detail: string;
}
