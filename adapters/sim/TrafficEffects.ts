import type { SimDatabase } from './SimDatabase.js';
import type { SimEndpoint } from './SimEndpoint.js';
import type { SimLoadBalancer } from './SimLoadBalancer.js';
import type { WorldState } from './WorldState.js';

/**
 * What accepted traffic changes do to the simulated world over time
 * (scenario spec 2.2): an endpoint's new answer propagating, a load
 * balancer acting on a shift, a shift expiring.
 */
export class TrafficEffects {
  constructor(private readonly world: WorldState) {}

  /**
   * An accepted `updateEndpoint`: the provider serves `target` after
   * `delaySeconds` (DNS is not in any zone: nothing waits for one), unless a
   * later change supersedes it. Clients follow within the TTL after that.
   */
  requestEndpointChange(endpoint: SimEndpoint, target: SimDatabase, delaySeconds: number): void {
    endpoint.accept(target);
    const generation = endpoint.generation;
    this.world.clock.schedule(this.world.clock.now() + delaySeconds * 1000, () => {
      if (endpoint.generation !== generation || endpoint.pending !== target) return;
      const truth = endpoint.cluster.truth;
      const t = this.world.now();
      truth.advance(t);
      endpoint.serve(target, t);
      truth.observe(t);
      this.world.emit({
        kind: 'world.endpointServed',
        database: endpoint.cluster.id,
        zone: target.zone.id,
        region: target.zone.region,
        detail: `${endpoint.name} now answers ${target.id}; clients follow within ${endpoint.ttlSeconds}s`,
      });
    });
  }

  /**
   * An accepted `shiftTraffic`: the shift is listed at once; the load
   * balancer acts on it after `delaySeconds`, unless it was cancelled or
   * expired meanwhile. An expiry takes the zone back at once.
   */
  requestShift(lb: SimLoadBalancer, zoneId: string, away: boolean, expiresInSeconds: number, delaySeconds: number): void {
    const state = lb.zones.get(zoneId)!;
    const nowMs = this.world.clock.now();
    if (away) {
      const renewal = state.shift !== undefined;
      const shift = state.shift ?? { expiresAtMs: 0 };
      shift.expiresAtMs = nowMs + expiresInSeconds * 1000;
      state.shift = shift;
      const expiresAtMs = shift.expiresAtMs;
      this.world.clock.schedule(expiresAtMs, () => {
        if (state.shift !== shift || shift.expiresAtMs !== expiresAtMs) return;
        state.shift = undefined;
        if (state.away) this.setAway(lb, zoneId, false, 'world.trafficShiftExpired', `${lb.id}: the shift away from ${zoneId} expired; it is back in rotation`);
      });
      if (renewal) return;
      this.world.clock.schedule(nowMs + delaySeconds * 1000, () => {
        if (state.shift !== shift || state.away) return;
        this.setAway(lb, zoneId, true, 'world.trafficShifted', `${lb.id} sends no requests to ${zoneId}`);
      });
      return;
    }
    if (state.shift === undefined) return;
    state.shift = undefined;
    this.world.clock.schedule(nowMs + delaySeconds * 1000, () => {
      if (state.shift !== undefined || !state.away) return;
      this.setAway(lb, zoneId, false, 'world.trafficRestored', `${lb.id} sends requests to ${zoneId} again`);
    });
  }

  private setAway(lb: SimLoadBalancer, zoneId: string, away: boolean, kind: string, detail: string): void {
    const state = lb.zones.get(zoneId)!;
    this.world.trafficChanging();
    state.away = away;
    this.world.emit({ kind, zone: zoneId, region: lb.region, detail });
  }
}
