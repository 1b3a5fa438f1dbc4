import type { ZoneProviderStatus } from '../../src/core/contract/types.js';
import type { ManagedProcess } from './ManagedProcess.js';
import type { ZoneFault } from './ZoneFault.js';

/** What the provider's status API says about a zone under each fault (see {@link ZoneFault}). */
export const ZONE_STATUS_UNDER_FAULT: Record<ZoneFault, ZoneProviderStatus> = {
  unreachable: 'available', // a partition does not show on status pages for a long while
  power: 'unavailable',
  storage: 'impaired',
};

/** What a zone's fault does to one of its processes: power cuts kill; partitions freeze everything; broken storage freezes databases. */
export function applyZoneFault(fault: ZoneFault | undefined, process: ManagedProcess): void {
  if (fault === 'power') process.kill();
  else if (fault === 'unreachable' || (fault === 'storage' && process.kind === 'postgres')) process.freeze();
}
