import type { protos } from '@google-cloud/compute';
import type { Node } from '../../src/core/contract/types.js';
import { toGceNodeState } from './gceStatusTable.js';
import { formatNodeId, lastSegment, regionOfZone } from './gceNames.js';

/** The label that carries a node's group (GCE label keys allow no `:`). */
export const GROUP_LABEL = 'lifeboat-group';

/** A GCE instance as a contract {@link Node}; provider-only data goes in `extra`. */
export function toGceNode(instance: protos.google.cloud.compute.v1.IInstance, provider: string, probePort?: number): Node {
  const zone = lastSegment(instance.zone);
  const name = instance.name ?? '';
  const nic = instance.networkInterfaces?.[0];
  const internalIp = nic?.networkIP ?? undefined;
  const labels = (instance.labels ?? {}) as Record<string, string>;
  const group = labels[GROUP_LABEL];
  const created = instance.creationTimestamp === undefined || instance.creationTimestamp === null ? Number.NaN : Date.parse(instance.creationTimestamp);
  const size = lastSegment(instance.machineType);
  return {
    id: formatNodeId(zone, name),
    name,
    provider,
    region: regionOfZone(zone),
    zone,
    state: toGceNodeState(instance.status),
    ...(group === undefined ? {} : { group }),
    ...(size === '' ? {} : { size }),
    ...(internalIp !== undefined && probePort !== undefined ? { endpoint: `${internalIp}:${probePort}` } : {}),
    ...(Number.isFinite(created) ? { createdAt: created } : {}),
    extra: {
      rawStatus: instance.status,
      statusMessage: instance.statusMessage ?? undefined,
      instanceId: instance.id === undefined || instance.id === null ? undefined : String(instance.id),
      machineType: instance.machineType ?? undefined,
      internalIp,
      externalIp: nic?.accessConfigs?.[0]?.natIP ?? undefined,
      labels,
      selfLink: instance.selfLink ?? undefined,
    },
  };
}
