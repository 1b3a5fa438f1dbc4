import type { Node, NodeState, Zone } from '../../src/core/contract/types.js';
import { fakeAddress } from './fakeAddress.js';
import { el, list, opt, type XmlChild } from './xml.js';

/** EC2's documented instance state codes (the low byte of `instanceState.code`). */
const STATE_CODES: Readonly<Record<string, number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

/** Zone states EC2 documents for `DescribeAvailabilityZones`. */
const ZONE_STATES: Readonly<Record<Zone['status'], string>> = {
  available: 'available',
  impaired: 'impaired',
  unavailable: 'unavailable',
  unknown: 'information',
};

/** The tag that carries a node's group, on the wire and in the adapter. */
export const GROUP_TAG = 'lifeboat:group';

/**
 * The EC2 state name the emulator shows for a contract node. EC2 has no
 * `rebooting` state (a rebooting instance stays `running`), and a node being
 * destroyed is `shutting-down`, not `stopping`. Contract states EC2 cannot
 * express (`error`, `unknown`) are shown verbatim, which no real EC2 does.
 */
export function ec2StateName(node: Node): string {
  const raw = node.extra['rawState'];
  switch (node.state) {
    case 'rebooting':
      return 'running';
    case 'stopping':
      return raw === 'shutting-down' ? 'shutting-down' : 'stopping';
    default:
      return node.state satisfies NodeState;
  }
}

/** `<instanceState>` for a state name; names EC2 does not define get code 0 (like `pending`). */
export function instanceState(tag: string, name: string): XmlChild {
  return el(tag, el('code', STATE_CODES[name] ?? 0), el('name', name));
}

/** One `<item>` of an `instancesSet`, shaped like EC2's `Instance`. */
export function instanceItem(node: Node): XmlChild[] {
  const tags: [string, string][] = [['Name', node.name]];
  if (node.group !== undefined) tags.push([GROUP_TAG, node.group]);
  const address = fakeAddress(node.id);
  return [
    el('instanceId', node.id),
    el('imageId', 'ami-00000000000000000'),
    instanceState('instanceState', ec2StateName(node)),
    el('privateDnsName', `ip-${address.replaceAll('.', '-')}.ec2.internal`),
    opt('instanceType', node.size),
    opt('launchTime', node.createdAt === undefined ? undefined : new Date(node.createdAt).toISOString()),
    el('placement', el('availabilityZone', node.zone), el('tenancy', 'default')),
    el('privateIpAddress', address),
    list('tagSet', 'item', tags, ([key, value]) => [el('key', key), el('value', value)]),
  ];
}

/** One `<item>` of an `availabilityZoneInfo`. */
/** The AZ id the emulator gives a zone (real ids look like `use1-az1`; ARC zonal shifts name zones by it). */
export function zoneIdOf(zoneName: string): string {
  return `${zoneName}-id`;
}

export function zoneItem(zone: Zone): XmlChild[] {
  return [
    el('zoneName', zone.id),
    el('zoneId', zoneIdOf(zone.id)),
    el('zoneState', ZONE_STATES[zone.status]),
    el('regionName', zone.region),
    el('zoneType', 'availability-zone'),
    el('optInStatus', 'opt-in-not-required'),
    el('messageSet'),
  ];
}

/** One `<item>` of an `instanceStatusSet`: the world does not model status checks, so running means `ok`. */
export function instanceStatusItem(node: Node): XmlChild[] {
  const name = ec2StateName(node);
  const status = name === 'running' ? 'ok' : name === 'pending' ? 'initializing' : 'not-applicable';
  const summary = (tag: string): XmlChild =>
    el(
      tag,
      el('status', status),
      list('details', 'item', [status], (each) => [
        el('name', 'reachability'),
        el('status', each === 'ok' ? 'passed' : each === 'initializing' ? 'initializing' : 'not-applicable'),
      ]),
    );
  return [
    el('instanceId', node.id),
    el('availabilityZone', node.zone),
    instanceState('instanceState', name),
    summary('systemStatus'),
    summary('instanceStatus'),
  ];
}
