/**
 * Something that happened in the simulated world: a scenario event applied
 * (`world.impair`, `world.recover`, `world.apiFault`, ...: `world.` + the
 * event kind), a promotion taking effect (`world.promoted`), two writable
 * primaries of one cluster reachable at once (`world.splitBrain`, then
 * `world.splitBrainEnded`), a timed condition ending
 * (`world.flapEnded`, `world.apiFaultEnded`, `world.observerPartitionEnded`),
 * or traffic moving (r2): an endpoint serving a new answer
 * (`world.endpointServed`), a load balancer taking a zone out of rotation
 * (`world.trafficShifted`) or back (`world.trafficRestored`,
 * `world.trafficShiftExpired`).
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
