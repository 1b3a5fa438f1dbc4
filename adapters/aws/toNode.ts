import type { Instance, InstanceStatus } from '@aws-sdk/client-ec2';
import type { Node } from '../../src/core/contract/types.js';
import { toNodeState } from './ec2StateTable.js';

/** The tag that carries a node's group (EC2 tag keys may contain `:`). */
export const GROUP_TAG = 'lifeboat:group';

/**
 * An EC2 instance as a contract {@link Node}. The name is the `Name` tag
 * (the instance id when untagged); provider-only data goes in `extra`.
 */
export function toNode(instance: Instance, provider: string, region: string, probePort?: number, status?: InstanceStatus): Node {
  const tags = Object.fromEntries((instance.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
  const id = instance.InstanceId ?? '';
  const privateIp = instance.PrivateIpAddress;
  const extra: Record<string, unknown> = {
    rawState: instance.State?.Name,
    stateCode: instance.State?.Code,
    imageId: instance.ImageId,
    privateIp,
    publicIp: instance.PublicIpAddress,
    vpcId: instance.VpcId,
    subnetId: instance.SubnetId,
    stateReason: instance.StateReason?.Message,
    tags,
  };
  if (status !== undefined) {
    extra['instanceStatus'] = status.InstanceStatus?.Status;
    extra['systemStatus'] = status.SystemStatus?.Status;
  }
  const group = tags['lifeboat:group'];
  return {
    id,
    name: tags['Name'] ?? id,
    provider,
    region,
    zone: instance.Placement?.AvailabilityZone ?? '',
    state: toNodeState(instance.State?.Name),
    ...(group === undefined ? {} : { group }),
    ...(instance.InstanceType === undefined ? {} : { size: instance.InstanceType }),
    ...(privateIp !== undefined && probePort !== undefined ? { endpoint: `${privateIp}:${probePort}` } : {}),
    ...(instance.LaunchTime === undefined ? {} : { createdAt: instance.LaunchTime.getTime() }),
    extra,
  };
}
