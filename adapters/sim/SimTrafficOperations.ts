import type { CallOptions } from '../../src/core/contract/Provider.js';
import type {
  DatabaseEndpoint,
  EndpointFilter,
  LoadBalancer,
  LoadBalancerFilter,
  TrafficShiftRequest,
} from '../../src/core/contract/types.js';
import type { SimCallBoundary } from './SimCallBoundary.js';
import type { SimCloud } from './SimCloud.js';
import type { SimRegion } from './SimRegion.js';
import { SimRejection } from './SimRejection.js';
import { TrafficEffects } from './TrafficEffects.js';
import type { WorldState } from './WorldState.js';

/** ARC's limit on a zonal shift's expiry: 72 hours. */
const MAX_SHIFT_SECONDS = 72 * 3600;

/**
 * The traffic operations of a {@link SimProvider} (capabilities `endpoints`
 * and `loadBalancers`, scenario spec 2.2): writer endpoints and zonal load
 * balancers of one simulated provider. Where they differ from real clouds is
 * in `adapters/sim/README.md`.
 */
export class SimTrafficOperations {
  private readonly effects: TrafficEffects;

  constructor(
    private readonly world: WorldState,
    private readonly cloud: SimCloud,
    private readonly boundary: SimCallBoundary,
    /** The provider's region lookup (`invalid-input` for an unknown one). */
    private readonly region: (id: string) => SimRegion,
  ) {
    this.effects = new TrafficEffects(world);
  }

  listEndpoints(filter: EndpointFilter, options: CallOptions): Promise<DatabaseEndpoint[]> {
    return this.boundary.call(
      'listEndpoints',
      options.signal,
      undefined,
      () => ({ resource: undefined }),
      () => {
        const endpoints: DatabaseEndpoint[] = [];
        const names = filter.names === undefined ? undefined : new Set(filter.names);
        for (const endpoint of this.cloud.endpoints.values()) {
          if (filter.database !== undefined && endpoint.cluster.id !== filter.database) continue;
          if (names !== undefined && !names.has(endpoint.name)) continue;
          endpoints.push(endpoint.snapshot());
        }
        return endpoints;
      },
    );
  }

  updateEndpoint(name: string, target: string, options: CallOptions): Promise<void> {
    return this.boundary.call(
      'updateEndpoint',
      options.signal,
      name,
      () => {
        const endpoint = this.cloud.endpoints.get(name);
        if (endpoint === undefined) {
          const known = [...this.cloud.endpoints.keys()].join(', ') || 'none';
          throw new SimRejection('invalid-input', 'NoSuchHostedZone', `unknown endpoint ${name}; ${this.cloud.id} serves ${known}`);
        }
        const db = this.world.databases.get(target);
        if (db === undefined) throw new SimRejection('invalid-input', 'InvalidInput', `unknown database instance ${target}`);
        if (db.cluster !== endpoint.cluster) {
          throw new SimRejection('invalid-input', 'InvalidInput', `${target} belongs to ${db.cluster.id}; ${name} is the endpoint of ${endpoint.cluster.id}`);
        }
        // The call is about where the endpoint will point: faults and `never` match the target's zone.
        return { region: db.zone.region, zone: db.zone.id, resource: { endpoint, db } };
      },
      ({ endpoint, db }) => {
        if (endpoint.pending === db || (endpoint.pending === undefined && endpoint.served === db)) return;
        this.effects.requestEndpointChange(endpoint, db, this.cloud.latencySeconds.updateEndpoint);
      },
    );
  }

  listLoadBalancers(filter: LoadBalancerFilter, options: CallOptions): Promise<LoadBalancer[]> {
    return this.boundary.call(
      'listLoadBalancers',
      options.signal,
      undefined,
      () => ({ region: filter.region === undefined ? undefined : this.region(filter.region).id, resource: undefined }),
      () => {
        const nowMs = this.world.clock.now();
        const ids = filter.ids === undefined ? undefined : new Set(filter.ids);
        const found: LoadBalancer[] = [];
        for (const lb of this.cloud.loadBalancers.values()) {
          if (filter.region !== undefined && lb.region !== filter.region) continue;
          if (filter.group !== undefined && lb.group !== filter.group) continue;
          if (ids !== undefined && !ids.has(lb.id)) continue;
          found.push(lb.snapshot(nowMs));
        }
        return found;
      },
    );
  }

  shiftTraffic(request: TrafficShiftRequest, options: CallOptions): Promise<void> {
    return this.boundary.call(
      'shiftTraffic',
      options.signal,
      request.loadBalancer,
      () => {
        const lb = this.cloud.loadBalancers.get(request.loadBalancer);
        if (lb === undefined) throw new SimRejection('invalid-input', 'ResourceNotFoundException', `unknown load balancer ${request.loadBalancer}`);
        const state = lb.zones.get(request.zone);
        if (state === undefined) {
          const zones = [...lb.zones.keys()].join(', ');
          throw new SimRejection('invalid-input', 'ValidationException', `zone ${request.zone} is not behind ${lb.id} (its zones: ${zones})`);
        }
        if (typeof request.away !== 'boolean') throw new SimRejection('invalid-input', 'ValidationException', 'shiftTraffic needs away: true or false');
        const expiresIn = request.expiresInSeconds;
        if (request.away && !(typeof expiresIn === 'number' && expiresIn > 0 && expiresIn <= MAX_SHIFT_SECONDS)) {
          throw new SimRejection(
            'invalid-input',
            'ValidationException',
            `a shift away needs expiresInSeconds between 0 and ${MAX_SHIFT_SECONDS} (72 h), got ${String(expiresIn)}`,
          );
        }
        return { region: lb.region, zone: state.zone.id, resource: { lb, state } };
      },
      ({ lb, state }) => {
        if (request.away && state.shift === undefined) {
          let others = 0;
          for (const each of lb.zones.values()) if (each !== state && each.shift === undefined) others++;
          if (others === 0) {
            throw new SimRejection('terminal', 'ConflictException', `shifting ${request.zone} away would leave no zone of ${lb.id} in rotation`);
          }
        }
        this.effects.requestShift(lb, request.zone, request.away, request.expiresInSeconds ?? 0, this.cloud.latencySeconds.shiftTraffic);
      },
    );
  }
}
