import type { LocalTopology } from '../../../adapters/local/index.js';
import type { GroupConfig } from '../../core/controller/Snapshot.js';

/** The three zones of the local demo region. */
export const DEMO_ZONES = ['local-a', 'local-b', 'local-c'] as const;
/** The local adapter's one region. */
export const DEMO_REGION = 'local';
/** Provider id of the local adapter. */
export const DEMO_PROVIDER = 'local';
/** The replicated database cluster. */
export const DEMO_CLUSTER = 'orders';
/** The writer endpoint clients connect to: a router on 127.0.0.1 in front of the cluster. */
export const DEMO_ENDPOINT = 'orders.db.local';
/** The stateless node group. */
export const DEMO_GROUP = 'web';

/** Where the database's members run: three distinct zones. */
export interface DemoPlacement {
  /** Zone of the primary. */
  readonly primary: string;
  /** Zone of the synchronous standby. */
  readonly sync: string;
  /** Zone of the asynchronous standby. */
  readonly async: string;
}

/** Primary in `local-a`, sync standby in `local-b`, async standby in `local-c`. */
export const DEFAULT_PLACEMENT: DemoPlacement = Object.freeze({ primary: 'local-a', sync: 'local-b', async: 'local-c' });

/** Instance id of the database member in `zone` (`orders-local-a`, ...). */
export function instanceId(zone: string): string {
  return `${DEMO_CLUSTER}-${zone}`;
}

/**
 * The demo's world: a node group of `nodesPerZone` nodes in every zone, and
 * one PostgreSQL cluster with its primary, a sync standby and an async
 * standby placed as `placement` says, behind the writer endpoint
 * {@link DEMO_ENDPOINT}.
 */
export function demoTopology(placement: DemoPlacement = DEFAULT_PLACEMENT, nodesPerZone = 2): LocalTopology {
  const zones = [placement.primary, placement.sync, placement.async];
  if (new Set(zones).size !== 3 || zones.some((zone) => !(DEMO_ZONES as readonly string[]).includes(zone))) {
    throw new Error(`placement needs three distinct zones of ${DEMO_ZONES.join(', ')}: ${JSON.stringify(placement)}`);
  }
  return {
    groups: nodesPerZone > 0 ? [{ id: DEMO_GROUP, nodes: Object.fromEntries(DEMO_ZONES.map((zone) => [zone, nodesPerZone])) }] : [],
    databases: [
      {
        id: DEMO_CLUSTER,
        primary: { zone: placement.primary, id: instanceId(placement.primary) },
        replicas: [
          { id: instanceId(placement.sync), zone: placement.sync, mode: 'sync' },
          { id: instanceId(placement.async), zone: placement.async, mode: 'async' },
        ],
        endpoint: DEMO_ENDPOINT,
      },
    ],
  };
}

/** The controller's view of the demo's node group: keep every node it starts with. */
export function demoGroups(nodesPerZone = 2): GroupConfig[] {
  if (nodesPerZone <= 0) return [];
  return [{ id: DEMO_GROUP, provider: DEMO_PROVIDER, region: DEMO_REGION, minHealthy: nodesPerZone * DEMO_ZONES.length }];
}
