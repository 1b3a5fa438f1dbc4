import type { VirtualClock } from '../../src/core/clock/VirtualClock.js';
import type { Topology } from './Topology.js';

/** Options for {@link SimWorld}. */
export interface SimWorldOptions {
  /** The world at t = 0 (scenario spec section 2). */
  readonly topology: Topology;
  /** Virtual time; the world schedules scenario events and operation effects on it. */
  readonly clock: VirtualClock;
  /** Seeds every random draw (probe failures, faults, placement, which nodes die). Default 0. */
  readonly seed?: number;
  /** Length of the scenario; events after it are not scheduled. Default: no limit. */
  readonly durationSeconds?: number;
}
