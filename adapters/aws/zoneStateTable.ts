import type { ZoneProviderStatus } from '../../src/core/contract/types.js';

/**
 * `DescribeAvailabilityZones` zone states to the contract's provider
 * status. `information` means EC2 posted a notice but the zone works;
 * `constrained` means it works with limited capacity. Anything else is
 * `unknown`.
 */
export const ZONE_STATES: Readonly<Record<string, ZoneProviderStatus>> = Object.freeze({
  available: 'available',
  information: 'available',
  impaired: 'impaired',
  constrained: 'impaired',
  unavailable: 'unavailable',
});

/** The contract status for an EC2 zone state. */
export function toZoneStatus(state: string | undefined): ZoneProviderStatus {
  return (state !== undefined && Object.hasOwn(ZONE_STATES, state) ? ZONE_STATES[state] : undefined) ?? 'unknown';
}
