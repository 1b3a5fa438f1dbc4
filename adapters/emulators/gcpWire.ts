import type { DatabaseInstance, DatabaseState, Node, NodeState, Zone } from '../../src/core/contract/types.js';
import { fakeAddress, fakeHex } from './fakeAddress.js';

/** Self links use the public host, as the real API's do; clients only read their path. */
export const COMPUTE_BASE = 'https://www.googleapis.com/compute/v1';
export const SQL_BASE = 'https://sqladmin.googleapis.com/v1';

/** The label that carries a node's group (GCE label keys allow no `:`). */
export const GROUP_LABEL = 'lifeboat-group';
/** The label that carries a Cloud SQL instance's logical database. */
export const CLUSTER_LABEL = 'lifeboat-cluster';

/**
 * GCE status for a contract node. GCE's `TERMINATED` means stopped; a
 * destroyed instance no longer exists and is not shown at all. A reset
 * keeps `RUNNING`. `error`/`unknown` have no GCE equivalent and are shown
 * verbatim, which no real GCE does.
 */
const GCE_STATUS: Readonly<Record<NodeState, string | undefined>> = {
  pending: 'STAGING',
  running: 'RUNNING',
  rebooting: 'RUNNING',
  stopping: 'STOPPING',
  stopped: 'TERMINATED',
  terminated: undefined,
  error: 'ERROR',
  unknown: 'UNKNOWN',
};

/** Whether GCE would still show this node (a deleted instance is gone). */
export function gceVisible(node: Node): boolean {
  return GCE_STATUS[node.state] !== undefined;
}

/** The region of a GCE zone: zone names are `<region>-<suffix>`. */
export function regionOfZone(zone: string): string {
  const cut = zone.lastIndexOf('-');
  return cut > 0 ? zone.slice(0, cut) : zone;
}

/** A stable numeric id, as GCE gives every resource. */
export function numericId(name: string): string {
  return BigInt(`0x${fakeHex(name, 15)}`).toString();
}

/** A Compute `Instance` resource. */
export function gceInstance(node: Node, project: string): Record<string, unknown> {
  const zoneUrl = `${COMPUTE_BASE}/projects/${project}/zones/${node.zone}`;
  return {
    kind: 'compute#instance',
    id: numericId(node.id),
    name: node.id,
    zone: zoneUrl,
    status: GCE_STATUS[node.state],
    ...(node.size === undefined ? {} : { machineType: `${zoneUrl}/machineTypes/${node.size}` }),
    ...(node.createdAt === undefined ? {} : { creationTimestamp: new Date(node.createdAt).toISOString() }),
    labels: node.group === undefined ? {} : { [GROUP_LABEL]: node.group },
    networkInterfaces: [{ name: 'nic0', networkIP: fakeAddress(node.id), network: `${COMPUTE_BASE}/projects/${project}/global/networks/default` }],
    selfLink: `${zoneUrl}/instances/${node.id}`,
  };
}

/** A Compute `Zone` resource. GCE zones are only `UP` or `DOWN`: a partly impaired zone shows `UP`. */
export function gceZone(zone: Zone, project: string): Record<string, unknown> {
  return {
    kind: 'compute#zone',
    id: numericId(zone.id),
    name: zone.id,
    region: `${COMPUTE_BASE}/projects/${project}/regions/${zone.region}`,
    status: zone.status === 'unavailable' ? 'DOWN' : 'UP',
    selfLink: `${COMPUTE_BASE}/projects/${project}/zones/${zone.id}`,
  };
}

/**
 * Cloud SQL `state` and `settings.activationPolicy` for a contract state.
 * Cloud SQL has no stopped state: a stopped instance is `RUNNABLE` with
 * activation policy `NEVER`. Restarts show `MAINTENANCE`, and a replica being
 * promoted stays a `RUNNABLE` replica until it is done.
 */
const SQL_STATE: Readonly<Record<DatabaseState, readonly [string, string]>> = {
  creating: ['PENDING_CREATE', 'ALWAYS'],
  available: ['RUNNABLE', 'ALWAYS'],
  promoting: ['RUNNABLE', 'ALWAYS'],
  rebooting: ['MAINTENANCE', 'ALWAYS'],
  stopping: ['RUNNABLE', 'NEVER'],
  stopped: ['RUNNABLE', 'NEVER'],
  failed: ['FAILED', 'ALWAYS'],
  unknown: ['SQL_INSTANCE_STATE_UNSPECIFIED', 'ALWAYS'],
};

/** A Cloud SQL `DatabaseInstance` resource; `replicas` are the names replicating from it. */
export function sqlInstance(db: DatabaseInstance, replicas: readonly string[], project: string): Record<string, unknown> {
  const [state, activationPolicy] = db.extra['rawState'] === 'deleting' ? ['PENDING_DELETE', 'ALWAYS'] : SQL_STATE[db.state];
  const engine = db.engine.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  return {
    kind: 'sql#instance',
    name: db.id,
    project,
    region: db.region,
    gceZone: db.zone,
    databaseVersion: `${engine}_16`,
    state,
    instanceType: db.role === 'replica' ? 'READ_REPLICA_INSTANCE' : 'CLOUD_SQL_INSTANCE',
    ...(db.replication === undefined ? {} : { masterInstanceName: `${project}:${db.replication.upstream}` }),
    replicaNames: replicas,
    settings: {
      tier: 'db-custom-2-7680',
      edition: 'ENTERPRISE',
      // Private IP only, as a production database usually is: a replica must ask for the same, or it gets a public one.
      ipConfiguration: { ipv4Enabled: false, privateNetwork: `projects/${project}/global/networks/default` },
      activationPolicy,
      userLabels: { [CLUSTER_LABEL]: db.cluster },
      locationPreference: { zone: db.zone },
    },
    ipAddresses: [{ type: 'PRIVATE', ipAddress: fakeAddress(db.id) }],
    connectionName: `${project}:${db.region}:${db.id}`,
    selfLink: `${SQL_BASE}/projects/${project}/instances/${db.id}`,
  };
}
