import type { AvailabilityZone } from '@aws-sdk/client-ec2';
import type { Zone } from '../../src/core/contract/types.js';
import { toZoneStatus } from './zoneStateTable.js';

/**
 * Whether a zone `DescribeAvailabilityZones` listed for `region` is one of
 * the region's Availability Zones. The same answer lists the Local Zones
 * and Wavelength Zones the account opted in to (the EC2 API Reference,
 * `AvailabilityZone`: `ZoneType` is `availability-zone`, `local-zone` or
 * `wavelength-zone`; the AWS CLI Command Reference's example answer for
 * `us-west-2` holds `us-west-2-lax-1a`). Those are other network border
 * groups, with their own instance types and few of the region's services
 * (RDS among them), so they are no home for the replacements and replicas
 * a failover places in "the region's healthy zones". Without `ZoneType`
 * (older answers, as in that example), a zone whose network border group
 * is not the region is not an Availability Zone; with neither, it is.
 */
export function isAvailabilityZone(zone: AvailabilityZone, region: string): boolean {
  if (zone.ZoneType !== undefined) return zone.ZoneType === 'availability-zone';
  return zone.NetworkBorderGroup === undefined || zone.NetworkBorderGroup === (zone.RegionName ?? region);
}

/** An EC2 Availability Zone of `region` as a contract {@link Zone}; provider-only data goes in `extra`. */
export function toZone(zone: AvailabilityZone, provider: string, region: string): Zone {
  return {
    id: zone.ZoneName ?? '',
    region: zone.RegionName ?? region,
    provider,
    status: toZoneStatus(zone.State),
    extra: {
      rawState: zone.State,
      zoneId: zone.ZoneId,
      zoneType: zone.ZoneType,
      messages: (zone.Messages ?? []).map((message) => message.Message ?? ''),
    },
  };
}
