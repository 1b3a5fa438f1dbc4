import type { CreateNodeRequest, OperationName, Size } from '../../src/core/contract/types.js';
import type { ActiveFault } from './ActiveFault.js';
import type { SimDatabase } from './SimDatabase.js';
import type { SimEndpoint } from './SimEndpoint.js';
import type { SimLoadBalancer } from './SimLoadBalancer.js';
import type { SimNode } from './SimNode.js';
import type { SimRegion } from './SimRegion.js';
import type { SimZone } from './SimZone.js';

/**
 * One simulated provider's share of the world, indexed the ways its API is
 * queried (by id, region, zone, group) so lists never scan the whole world.
 */
export class SimCloud {
  readonly regions = new Map<string, SimRegion>();
  readonly regionList: SimRegion[] = [];
  readonly zones = new Map<string, SimZone>();
  readonly nodes = new Map<string, SimNode>();
  readonly databases = new Map<string, SimDatabase>();
  readonly groups = new Map<string, Set<SimNode>>();
  readonly clientTokens = new Map<string, { readonly node: SimNode; readonly request: CreateNodeRequest }>();
  readonly faults: ActiveFault[] = [];
  /** Writer endpoints this provider serves, by name. */
  readonly endpoints = new Map<string, SimEndpoint>();
  readonly loadBalancers = new Map<string, SimLoadBalancer>();
  readonly sizeIds: ReadonlySet<string>;

  constructor(
    readonly id: string,
    readonly latencySeconds: Readonly<Record<OperationName, number>>,
    readonly sizes: readonly Size[],
  ) {
    this.sizeIds = new Set(sizes.map((size) => size.id));
  }

  addRegion(region: SimRegion): void {
    this.regions.set(region.id, region);
    this.regionList.push(region);
    for (const zone of region.zones) this.zones.set(zone.id, zone);
  }
}
