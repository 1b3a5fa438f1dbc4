import { isProviderError, ProviderError } from '../../src/core/contract/errors.js';
import type { CallOptions } from '../../src/core/contract/Provider.js';
import type { LoadBalancer, LoadBalancerFilter, LoadBalancerZone, TrafficShiftRequest } from '../../src/core/contract/types.js';
import { invalidInput } from '../shared/invalidInput.js';
import type { AwsApi } from './AwsApi.js';
import type { AwsLoadBalancerOptions } from './AwsProviderOptions.js';
import type { AwsRegionDirectory } from './AwsRegionDirectory.js';
import type { ManagedResource, ZonalShiftClient, ZonalShiftRecord } from './ZonalShiftClient.js';

/** ARC's limit on a zonal shift's expiry: 72 hours. */
const MAX_SHIFT_SECONDS = 72 * 3600;
/** What the shifts Lifeboat starts say in ARC's console. */
const COMMENT = 'lifeboat: zone impaired';

/**
 * Zonal load balancers through ARC zonal shift (capability
 * `loadBalancers`). `GetManagedResource` gives a load balancer's zones
 * (`appliedWeights`, keyed by AZ id: 1 in rotation, 0 shifted away) and its
 * active shifts in one call; the region directory maps AZ ids to the zone
 * names of the contract.
 *
 * ARC holds one active zonal shift per resource: a second zone of the same
 * load balancer cannot be shifted away while another is, and the adapter
 * refuses that as `terminal` before asking (as it refuses the last zone in
 * rotation). Target health is not read: `healthyTargets` and `targets` are
 * `null`.
 */
export class ZonalLoadBalancers {
  /** Each load balancer's `GetManagedResource` as last read, with the shifts this adapter made since (by id). */
  private readonly lastSeen = new Map<string, ManagedResource>();

  constructor(
    private readonly provider: string,
    private readonly configured: readonly AwsLoadBalancerOptions[],
    private readonly api: AwsApi,
    private readonly directory: AwsRegionDirectory,
  ) {}

  async listLoadBalancers(filter: LoadBalancerFilter, options: CallOptions): Promise<LoadBalancer[]> {
    const { signal } = options;
    if (filter.region !== undefined) await this.directory.regionsFor('listLoadBalancers', filter.region, undefined, signal);
    const ids = filter.ids === undefined ? undefined : new Set(filter.ids);
    const out: LoadBalancer[] = [];
    for (const lb of this.configured) {
      if (filter.region !== undefined && lb.region !== filter.region) continue;
      if (filter.group !== undefined && lb.group !== filter.group) continue;
      if (ids !== undefined && !ids.has(lb.id)) continue;
      const resource = await this.managedResource('listLoadBalancers', lb, signal);
      this.lastSeen.set(lb.id, resource);
      const names = await this.directory.zoneNames('listLoadBalancers', lb.region, signal);
      const shifts = activeShifts(resource);
      const zones: LoadBalancerZone[] = Object.entries(resource.appliedWeights ?? {}).map(([zoneId, weight]) => {
        const shift = shifts.find((each) => each.awayFrom === zoneId);
        return {
          zone: names.get(zoneId) ?? zoneId,
          inRotation: weight > 0,
          ...(shift === undefined ? {} : { shift: { expiresAt: Math.round(shift.expiryTime * 1000) } }),
          healthyTargets: null,
          targets: null,
        };
      });
      out.push({
        id: lb.id,
        provider: this.provider,
        region: lb.region,
        group: lb.group,
        zones,
        extra: { arn: lb.arn, zonalShiftIds: shifts.map((shift) => shift.zonalShiftId) },
      });
    }
    return out;
  }

  async shiftTraffic(request: TrafficShiftRequest, options: CallOptions): Promise<void> {
    const { signal } = options;
    const lb = this.configured.find((each) => each.id === request.loadBalancer);
    if (lb === undefined) {
      const known = this.configured.map((each) => each.id).join(', ') || 'none (options.loadBalancers)';
      throw invalidInput(this.provider, 'shiftTraffic', `unknown load balancer ${request.loadBalancer}; ${this.provider} moves ${known}`, 'ResourceNotFoundException');
    }
    const expiresIn = request.expiresInSeconds;
    if (request.away && !(typeof expiresIn === 'number' && expiresIn > 0 && expiresIn <= MAX_SHIFT_SECONDS)) {
      throw invalidInput(this.provider, 'shiftTraffic', `a shift away needs expiresInSeconds between 0 and ${MAX_SHIFT_SECONDS} (72 h), got ${String(expiresIn)}`, 'ValidationException');
    }
    const names = await this.directory.zoneNames('shiftTraffic', lb.region, signal);
    const resource = await this.currentResource(lb, signal);
    const zoneIds = Object.keys(resource.appliedWeights ?? {});
    const zoneId = zoneIds.find((id) => (names.get(id) ?? id) === request.zone);
    if (zoneId === undefined) {
      const zones = zoneIds.map((id) => names.get(id) ?? id).join(', ');
      throw invalidInput(this.provider, 'shiftTraffic', `zone ${request.zone} is not behind ${lb.id} (its zones: ${zones})`, 'ValidationException');
    }
    const shifts = activeShifts(resource);
    const own = shifts.find((shift) => shift.awayFrom === zoneId);
    if (!request.away) {
      if (own !== undefined) await this.send('shiftTraffic', lb, signal, (client, s) => client.cancelZonalShift(own.zonalShiftId, s));
      return;
    }
    const minutes = `${Math.ceil(expiresIn! / 60)}m`;
    if (own !== undefined) {
      await this.send('shiftTraffic', lb, signal, (client, s) => client.updateZonalShift(own.zonalShiftId, { expiresIn: minutes, comment: COMMENT }, s));
      return;
    }
    const other = shifts.find((shift) => shift.awayFrom !== zoneId);
    if (other !== undefined || zoneIds.length < 2) {
      const why = other !== undefined ? `${names.get(other.awayFrom) ?? other.awayFrom} is already shifted away (ARC allows one zonal shift per resource)` : 'it is its only zone';
      throw new ProviderError('terminal', `shiftTraffic: shifting ${request.zone} away would leave too few zones of ${lb.id} in rotation: ${why}`, {
        provider: this.provider,
        operation: 'shiftTraffic',
        code: 'ConflictException',
      });
    }
    const started = await this.send('shiftTraffic', lb, signal, (client, s) =>
      client.startZonalShift({ resourceIdentifier: lb.arn, awayFrom: zoneId, expiresIn: minutes, comment: COMMENT }, s),
    );
    // Renewing it needs its id: kept with the resource as last seen, for when ARC cannot be read.
    const shift: ZonalShiftRecord = { ...started, awayFrom: started.awayFrom ?? zoneId, appliedStatus: 'APPLIED' };
    this.lastSeen.set(lb.id, { ...resource, appliedWeights: { ...resource.appliedWeights, [zoneId]: 0 }, zonalShifts: [...(resource.zonalShifts ?? []), shift] });
  }

  /**
   * The load balancer's zones and active shifts now, or, when ARC's read
   * fails or times out (a throttled one is not worked around), as last seen
   * with the shifts this adapter started since: starting or renewing a shift
   * needs no read on ARC's side, and reads are what fail first when a
   * region's API struggles. A shift someone else started meanwhile makes ARC
   * refuse ours (ConflictException).
   */
  private async currentResource(lb: AwsLoadBalancerOptions, signal: AbortSignal): Promise<ManagedResource> {
    try {
      const resource = await this.managedResource('shiftTraffic', lb, signal);
      this.lastSeen.set(lb.id, resource);
      return resource;
    } catch (error) {
      const last = this.lastSeen.get(lb.id);
      if (last === undefined || signal.aborted || !isProviderError(error) || (error.kind !== 'retryable' && error.kind !== 'timeout')) throw error;
      return last;
    }
  }

  private managedResource(operation: string, lb: AwsLoadBalancerOptions, signal: AbortSignal): Promise<ManagedResource> {
    return this.send(operation, lb, signal, (client, s) => client.getManagedResource(lb.arn, s));
  }

  private send<T>(operation: string, lb: AwsLoadBalancerOptions, signal: AbortSignal, run: (client: ZonalShiftClient, signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.api.send(operation, lb.region, signal, (clients, requestSignal) => run(clients.zonalShift, requestSignal));
  }

}

/** The shifts in effect: a practice run or autoshift that a customer shift overrides is listed but not applied. */
function activeShifts(resource: ManagedResource): readonly ZonalShiftRecord[] {
  return (resource.zonalShifts ?? []).filter((shift) => shift.appliedStatus === undefined || shift.appliedStatus === 'APPLIED');
}
