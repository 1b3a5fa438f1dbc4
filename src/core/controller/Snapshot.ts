import type { ProbeReplication } from '../contract/Prober.js';
import type { Capabilities, DatabaseEndpoint, DatabaseInstance, LoadBalancer, Node, Region } from '../contract/types.js';
import type { TargetHealth, ZoneHealth } from '../health/types.js';
import type { ControllerMemory } from './ControllerMemory.js';
import type { OperatorPauses } from './OperatorPauses.js';

/** A node group the controller keeps at capacity (from config or the scenario topology). */
export interface GroupConfig {
  readonly id: string;
  readonly provider: string;
  /** Home region: replacements go to its healthy zones only. */
  readonly region: string;
  /** Running nodes that answer probes the group must keep. */
  readonly minHealthy: number;
  readonly size?: string;
}

/** A listed node with its probe health. */
export interface NodeView {
  readonly node: Node;
  readonly health: TargetHealth;
}

/** A listed database instance with its probe health. */
export interface DatabaseView {
  readonly instance: DatabaseInstance;
  readonly health: TargetHealth;
}

/** What the controller knows about one provider. */
export interface ProviderView {
  readonly capabilities: Capabilities;
  readonly regions: readonly Region[];
}

/**
 * One immutable picture of the world, built by the observe phase. `decide`
 * reads nothing else: no adapter, no clock.
 */
export interface Snapshot {
  /** Time of the observation (ms of the controller's clock). */
  readonly now: number;
  readonly providers: ReadonlyMap<string, ProviderView>;
  /** Zone health by `provider:zone`. */
  readonly zones: ReadonlyMap<string, ZoneHealth>;
  readonly nodes: readonly NodeView[];
  readonly databases: readonly DatabaseView[];
  /** Writer endpoints as their providers last listed them. */
  readonly endpoints: readonly DatabaseEndpoint[];
  /** Zonal load balancers of the watched regions as last listed. */
  readonly loadBalancers: readonly LoadBalancer[];
  /** Per primary (resource key): do its replicas elsewhere still hear it? (`alive` / `cut` / `none`). */
  readonly replicationFrom: ReadonlyMap<string, 'alive' | 'cut' | 'none'>;
  readonly groups: readonly GroupConfig[];
  /** The controller's own records (primaries it chose, promotions under way, ...). */
  readonly memory: ControllerMemory;
  /**
   * Per provider, when the oldest of its latest resource listings was read
   * (ms): the listings show the world as of then, so they can confirm or
   * contradict only what took effect before. A provider not in the map has
   * a listing that never succeeded. Absent (tools and tests that build a
   * snapshot from current listings): every listing is as of `now`.
   */
  readonly listedAt?: ReadonlyMap<string, number>;
  /**
   * Per `provider/region`, when its database listing was last read (ms):
   * a replica's listed lag and contact age are as of then, and age with the
   * listing while reads fail. Absent, or a region not in it: as of `now`.
   */
  readonly databasesListedAt?: ReadonlyMap<string, number>;
  /**
   * Per replica (resource key), its own view of its stream from this round's
   * probe, fresher than the listing. Absent: no prober reports it.
   */
  readonly probedReplication?: ReadonlyMap<string, ProbeReplication>;
  /** When the probes behind {@link Snapshot.probedReplication} were sent (ms); absent: `now`. */
  readonly probedReplicationAt?: number;
  /** Keys of steps whose adapter calls have not returned yet. */
  readonly inFlight: ReadonlySet<string>;
  /** What operators paused (none when absent): `decide` holds the automatic steps it covers. */
  readonly pauses?: OperatorPauses;
}

/** When the listing that shows `instance` was read (ms): its region's database listing, or `now` when the snapshot does not say. */
export function databaseListedAt(snapshot: Snapshot, instance: DatabaseInstance): number {
  return Math.min(snapshot.now, snapshot.databasesListedAt?.get(`${instance.provider}/${instance.region}`) ?? snapshot.now);
}

export { resourceKey, zoneKey } from '../contract/keys.js';
