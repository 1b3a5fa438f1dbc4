import type { Node, NodeFilter } from '../../src/core/contract/types.js';
import type { AwsCallContext } from './AwsCallContext.js';
import { ec2StateName, GROUP_TAG, instanceItem, instanceStatusItem, zoneItem } from './ec2Wire.js';
import { fakeHex } from './fakeAddress.js';
import { page, tokenOffset } from './pageToken.js';
import type { QueryParams } from './QueryParams.js';
import { WireError } from './WireError.js';
import { document, el, list, opt, type XmlChild } from './xml.js';

/** The API version every EC2 response is namespaced with. */
export const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';

const DESCRIBE_INSTANCES_FILTERS = new Set(['availability-zone', 'instance-state-name', 'instance-id', 'tag:Name', `tag:${GROUP_TAG}`]);
const INSTANCE_STATUS_FILTERS = new Set(['availability-zone', 'instance-state-name']);
const ZONE_FILTERS = new Set(['zone-name', 'state', 'region-name']);

/** EC2 Query actions the emulator serves, each a translation to one or more provider calls. */
export async function ec2Action(action: string, ctx: AwsCallContext): Promise<string> {
  switch (action) {
    case 'DescribeInstances':
      return describeInstances(ctx);
    case 'RunInstances':
      return runInstances(ctx);
    case 'RebootInstances':
      await eachInstance(ctx, (id) => ctx.provider.rebootNode(id, { signal: ctx.signal }));
      return respond('RebootInstancesResponse', ctx, el('return', true));
    case 'StartInstances':
      return stateChange('StartInstancesResponse', ctx, (id) => ctx.provider.startNode(id, { signal: ctx.signal }));
    case 'StopInstances':
      return stateChange('StopInstancesResponse', ctx, (id) => ctx.provider.stopNode(id, { signal: ctx.signal }));
    case 'TerminateInstances':
      return stateChange('TerminateInstancesResponse', ctx, (id) => ctx.provider.destroyNode(id, { signal: ctx.signal }));
    case 'DescribeAvailabilityZones':
      return describeAvailabilityZones(ctx);
    case 'DescribeInstanceStatus':
      return describeInstanceStatus(ctx);
    default:
      throw new WireError(400, 'InvalidAction', `The action ${action} is not valid for this web service.`);
  }
}

function respond(root: string, ctx: AwsCallContext, ...children: XmlChild[]): string {
  return document(root, EC2_NAMESPACE, el('requestId', ctx.requestId), ...children);
}

/** `Filter.N.Name` / `Filter.N.Value.M`, refusing names the emulator does not implement. */
function filters(params: QueryParams, supported: ReadonlySet<string>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const i of params.indexes('Filter', 'Name')) {
    const name = params.get(`Filter.${i}.Name`)!;
    if (!supported.has(name)) throw new WireError(400, 'InvalidParameterValue', `The filter '${name}' is invalid`);
    const values = out.get(name) ?? new Set<string>();
    for (const value of params.list(`Filter.${i}.Value`)) values.add(value);
    out.set(name, values);
  }
  return out;
}

function only(values: Set<string> | undefined): string | undefined {
  return values?.size === 1 ? [...values][0] : undefined;
}

function maxResults(params: QueryParams, ids: readonly string[]): number {
  const max = params.int('MaxResults');
  if (max === undefined) return 1000;
  if (ids.length > 0) {
    throw new WireError(400, 'InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
  }
  if (!(max >= 5 && max <= 1000)) {
    throw new WireError(400, 'InvalidParameterValue', `Value (${params.get('MaxResults')}) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`);
  }
  return max;
}

function missingIds(ids: readonly string[], nodes: readonly Node[]): void {
  const found = new Set(nodes.map((node) => node.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new WireError(400, 'InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`);
  }
}

function tagValue(node: Node, key: string): string | undefined {
  if (key === 'Name') return node.name;
  if (key === GROUP_TAG) return node.group;
  return undefined;
}

function offsetOf(params: QueryParams, tag: string): number {
  const offset = tokenOffset(params.get('NextToken'), tag);
  if (offset === undefined) throw new WireError(400, 'InvalidParameterValue', 'The value of NextToken is invalid');
  return offset;
}

async function describeInstances(ctx: AwsCallContext): Promise<string> {
  const { params } = ctx;
  const byName = filters(params, DESCRIBE_INSTANCES_FILTERS);
  const ids = params.list('InstanceId');
  const size = maxResults(params, ids);
  const offset = offsetOf(params, 'DescribeInstances');
  const zones = byName.get('availability-zone');
  const groups = byName.get(`tag:${GROUP_TAG}`);
  const idFilter = byName.get('instance-id');
  // The narrowest single-valued filters go to the world; everything else is applied here, on what EC2 would show.
  const query: NodeFilter = {
    region: ctx.region,
    ...(only(zones) === undefined ? {} : { zone: only(zones) }),
    ...(only(groups) === undefined ? {} : { group: only(groups) }),
    ...(ids.length > 0 ? { ids } : idFilter === undefined ? {} : { ids: [...idFilter] }),
  };
  const nodes = await ctx.world(ctx.provider.listNodes(query, { signal: ctx.signal }));
  if (ids.length > 0) missingIds(ids, nodes);
  await refuseDuringDisruption(ctx, ids, nodes);
  const states = byName.get('instance-state-name');
  const names = byName.get('tag:Name');
  const kept = nodes.filter(
    (node) =>
      (zones === undefined || zones.has(node.zone)) &&
      (groups === undefined || groups.has(tagValue(node, GROUP_TAG) ?? '')) &&
      (names === undefined || names.has(node.name)) &&
      (idFilter === undefined || idFilter.has(node.id)) &&
      (states === undefined || states.has(ec2StateName(node))),
  );
  const slice = page(kept, size, offset, 'DescribeInstances');
  return respond(
    'DescribeInstancesResponse',
    ctx,
    list('reservationSet', 'item', slice.items, (node) => [
      el('reservationId', `r-${fakeHex(node.id, 17)}`),
      el('ownerId', ctx.accountId),
      el('groupSet'),
      list('instancesSet', 'item', [node], instanceItem),
    ]),
    opt('nextToken', slice.next),
  );
}

/**
 * EC2's rule for a zone in a service disruption
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html):
 * a request naming no instance ids, or ids of instances in that zone, fails;
 * one naming only ids in other zones works. A zone is disrupted while the
 * world's status API says it is not available. The error code is not
 * documented; the emulator answers `Unavailable` (503), which EC2 uses when
 * it cannot serve a request now. The disrupted zones come from
 * `disruptedZones` when given (the world's state, no call), else from one
 * world `zoneStatus` call.
 */
async function refuseDuringDisruption(ctx: AwsCallContext, ids: readonly string[], nodes: readonly Node[]): Promise<void> {
  if (!ctx.strictListing) return;
  const disrupted = new Set(
    ctx.disruptedZones !== undefined
      ? ctx.disruptedZones(ctx.region)
      : (await ctx.world(ctx.provider.zoneStatus({ region: ctx.region }, { signal: ctx.signal })))
          .filter((zone) => zone.status === 'impaired' || zone.status === 'unavailable')
          .map((zone) => zone.id),
  );
  if (disrupted.size === 0) return;
  const affected = ids.length === 0 || nodes.some((node) => disrupted.has(node.zone));
  if (affected) throw new WireError(503, 'Unavailable', `The service is unavailable for ${[...disrupted].join(', ')}: name only instances in other zones.`);
}

async function runInstances(ctx: AwsCallContext): Promise<string> {
  const { params } = ctx;
  if (params.get('ImageId') === undefined && params.get('LaunchTemplate.LaunchTemplateName') === undefined && params.get('LaunchTemplate.LaunchTemplateId') === undefined) {
    throw new WireError(400, 'MissingParameter', 'The request must contain the parameter ImageId');
  }
  if (params.int('MinCount') !== 1 || params.int('MaxCount') !== 1) {
    throw new WireError(400, 'Unsupported', 'The emulator launches exactly one instance per request (MinCount = MaxCount = 1)');
  }
  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html: with network interfaces
  // (a launch template's count), the subnet belongs in the interface, not in SubnetId.
  const template = params.get('LaunchTemplate.LaunchTemplateName');
  const templateInterfaces = template !== undefined && (ctx.account.launchTemplatesWithNetworkInterfaces ?? []).includes(template);
  if ((templateInterfaces || params.get('NetworkInterface.1.DeviceIndex') !== undefined) && params.get('SubnetId') !== undefined) {
    throw new WireError(400, 'InvalidParameterCombination', 'Network interfaces and an instance-level subnet ID may not be specified on the same request');
  }
  const tags = new Map<string, string>();
  for (const i of params.indexes('TagSpecification', 'ResourceType')) {
    if (params.get(`TagSpecification.${i}.ResourceType`) !== 'instance') continue;
    for (const j of params.indexes(`TagSpecification.${i}.Tag`, 'Key')) {
      tags.set(params.get(`TagSpecification.${i}.Tag.${j}.Key`)!, params.get(`TagSpecification.${i}.Tag.${j}.Value`) ?? '');
    }
  }
  const zone = params.get('Placement.AvailabilityZone');
  const size = params.get('InstanceType');
  const group = tags.get(GROUP_TAG);
  const clientToken = params.get('ClientToken');
  const node = await ctx.world(
    ctx.provider.createNode(
      {
        name: tags.get('Name') ?? 'instance',
        region: ctx.region,
        ...(zone === undefined ? {} : { zone }),
        ...(size === undefined ? {} : { size }),
        ...(group === undefined ? {} : { group }),
        ...(clientToken === undefined ? {} : { clientToken }),
      },
      { signal: ctx.signal },
    ),
  );
  return respond(
    'RunInstancesResponse',
    ctx,
    el('reservationId', `r-${fakeHex(node.id, 17)}`),
    el('ownerId', ctx.accountId),
    el('groupSet'),
    list('instancesSet', 'item', [node], instanceItem),
  );
}

async function eachInstance(ctx: AwsCallContext, call: (id: string) => Promise<void>): Promise<string[]> {
  const ids = ctx.params.list('InstanceId');
  if (ids.length === 0) throw new WireError(400, 'MissingParameter', 'The request must contain the parameter InstanceId');
  // One world call per instance, in order: the world has no batch operations.
  for (const id of ids) await ctx.world(call(id));
  return ids;
}

/**
 * Start/Stop/Terminate answers. EC2 reports each instance's current and
 * previous state; the world's calls do not return them and a second read
 * would count as an extra call, so the emulator reports the instance id only.
 */
async function stateChange(root: string, ctx: AwsCallContext, call: (id: string) => Promise<void>): Promise<string> {
  const ids = await eachInstance(ctx, call);
  return respond(root, ctx, list('instancesSet', 'item', ids, (id) => [el('instanceId', id)]));
}

async function describeAvailabilityZones(ctx: AwsCallContext): Promise<string> {
  const byName = filters(ctx.params, ZONE_FILTERS);
  const names = new Set([...ctx.params.list('ZoneName'), ...(byName.get('zone-name') ?? [])]);
  const states = byName.get('state');
  const zones = await ctx.world(ctx.provider.zoneStatus({ region: ctx.region }, { signal: ctx.signal }));
  const kept = zones.filter((zone) => (names.size === 0 || names.has(zone.id)) && (states === undefined || states.has(zoneItemState(zone.status))));
  return respond('DescribeAvailabilityZonesResponse', ctx, list('availabilityZoneInfo', 'item', kept, zoneItem));
}

function zoneItemState(status: string): string {
  return status === 'unknown' ? 'information' : status;
}

async function describeInstanceStatus(ctx: AwsCallContext): Promise<string> {
  const { params } = ctx;
  const byName = filters(params, INSTANCE_STATUS_FILTERS);
  const ids = params.list('InstanceId');
  const size = maxResults(params, ids);
  const offset = offsetOf(params, 'DescribeInstanceStatus');
  const zones = byName.get('availability-zone');
  const states = byName.get('instance-state-name');
  const includeAll = params.get('IncludeAllInstances') === 'true';
  const query: NodeFilter = {
    region: ctx.region,
    ...(only(zones) === undefined ? {} : { zone: only(zones) }),
    ...(ids.length > 0 ? { ids } : {}),
  };
  const nodes = await ctx.world(ctx.provider.listNodes(query, { signal: ctx.signal }));
  if (ids.length > 0) missingIds(ids, nodes);
  const kept = nodes.filter((node) => {
    const name = ec2StateName(node);
    return (includeAll || name === 'running') && (zones === undefined || zones.has(node.zone)) && (states === undefined || states.has(name));
  });
  const slice = page(kept, size, offset, 'DescribeInstanceStatus');
  return respond('DescribeInstanceStatusResponse', ctx, list('instanceStatusSet', 'item', slice.items, instanceStatusItem), opt('nextToken', slice.next));
}
