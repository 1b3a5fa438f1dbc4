import type { LoadBalancer, LoadBalancerZone } from '../../src/core/contract/types.js';
import { emptyExtra } from './emptyExtra.js';
import type { SimNode } from './SimNode.js';
import type { SimZone } from './SimZone.js';
import type { Writable } from './Writable.js';

/** A shift away from one zone, as the provider's control plane holds it. */
export interface ZonalShift {
  /** Virtual ms when it ends by itself. */
  expiresAtMs: number;
}

/** One zone behind a load balancer. */
export interface LoadBalancerZoneState {
  readonly zone: SimZone;
  /** The active shift (listed at once when accepted); `undefined` when none. */
  shift: ZonalShift | undefined;
  /** Data plane: the load balancer sends this zone no requests (follows the shift after `shiftTraffic`'s latency). */
  away: boolean;
}

/**
 * A zonal load balancer in front of a node group (spec 2.2): it spreads the
 * group's requests evenly over its zones in rotation, and within a zone over
 * the group's running nodes. It integrates the share of requests that fail
 * over virtual time (ground truth for `maxRequestErrors`); the world calls
 * {@link advance} before anything that could change that share.
 */
export class SimLoadBalancer {
  /** Zones in the order they joined: the group's declared zones, then zones a node of the group was created in. */
  readonly zones = new Map<string, LoadBalancerZoneState>();
  /** Failed share of requests integrated over time, in seconds. */
  errorSeconds = 0;
  private last = 0;
  private failing: number | undefined;
  /** The last snapshot, handed out again while it still describes the load balancer. */
  private cached: LoadBalancer | undefined;

  constructor(
    readonly id: string,
    readonly provider: string,
    readonly region: string,
    readonly group: string,
  ) {}

  addZone(zone: SimZone): void {
    if (!this.zones.has(zone.id)) this.zones.set(zone.id, { zone, shift: undefined, away: false });
    this.failing = undefined;
  }

  /** Integrates the failing share up to `t` (seconds), then forgets it: something is about to change. */
  advance(t: number): void {
    if (t > this.last) {
      this.errorSeconds += this.failingShare() * (t - this.last);
      this.last = t;
    }
    this.failing = undefined;
  }

  /**
   * Share of requests failing now. A zone with no running node of the group
   * fails all its requests; otherwise the share of its running nodes that do
   * not answer (cut-off zone), and in a `degraded` zone the probe error rate
   * of the rest. With every zone shifted away (possible only in the moments
   * a shift and a return cross), the load balancer fails open over all zones.
   */
  failingShare(): number {
    if (this.failing !== undefined) return this.failing;
    let inRotation = 0;
    for (const state of this.zones.values()) if (!state.away) inRotation++;
    const failOpen = inRotation === 0;
    let sum = 0;
    let count = 0;
    for (const state of this.zones.values()) {
      if (state.away && !failOpen) continue;
      count++;
      sum += this.zoneFailure(state.zone);
    }
    this.failing = count === 0 ? 1 : sum / count;
    return this.failing;
  }

  /** The load balancer's own health checks: running nodes that answer (an observer partition does not hide them, an impairment does). */
  snapshot(nowMs: number): LoadBalancer {
    const zones: LoadBalancerZone[] = [];
    for (const state of this.zones.values()) {
      let targets = 0;
      let healthy = 0;
      for (const node of this.nodesIn(state.zone)) {
        if (node.state === 'terminated') continue;
        targets++;
        if (node.up) healthy++;
      }
      const zone: Writable<LoadBalancerZone> = { zone: state.zone.id, inRotation: !state.away, healthyTargets: healthy, targets };
      if (state.shift !== undefined && state.shift.expiresAtMs > nowMs) zone.shift = Object.freeze({ expiresAt: state.shift.expiresAtMs });
      zones.push(Object.freeze(zone));
    }
    // The same object while nothing changed, as the other sim snapshots: the controller's caches
    // are keyed on the listing's identity, and a new object every read made every read look new.
    if (this.cached !== undefined && sameZones(this.cached.zones, zones)) return this.cached;
    this.cached = Object.freeze({
      id: this.id,
      provider: this.provider,
      region: this.region,
      group: this.group,
      zones: Object.freeze(zones),
      extra: emptyExtra,
    });
    return this.cached;
  }

  private zoneFailure(zone: SimZone): number {
    let running = 0;
    let answering = 0;
    for (const node of this.nodesIn(zone)) {
      if (node.state !== 'running') continue;
      running++;
      if (node.up) answering++;
    }
    if (running === 0) return 1;
    const served = (answering / running) * (zone.mode === 'degraded' ? 1 - zone.errorRate : 1);
    return 1 - served;
  }

  private *nodesIn(zone: SimZone): Iterable<SimNode> {
    for (const node of zone.nodes) if (node.group === this.group) yield node;
  }
}

function sameZones(a: readonly LoadBalancerZone[], b: readonly LoadBalancerZone[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.zone !== y.zone || x.inRotation !== y.inRotation || x.healthyTargets !== y.healthyTargets || x.targets !== y.targets || x.shift?.expiresAt !== y.shift?.expiresAt) {
      return false;
    }
  }
  return true;
}
