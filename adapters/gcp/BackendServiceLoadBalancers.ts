import type { protos } from '@google-cloud/compute';
import { timeoutSignal, type Clock } from '../../src/core/clock/Clock.js';
import { isProviderError, ProviderError } from '../../src/core/contract/errors.js';
import type { CallOptions } from '../../src/core/contract/Provider.js';
import type { LoadBalancer, LoadBalancerFilter, LoadBalancerZone, TrafficShiftRequest } from '../../src/core/contract/types.js';
import { type ComputeClients, NO_RETRY } from './ComputeClients.js';
import { regionOfZone } from './gceNames.js';
import type { GcpCallRunner } from './GcpCallRunner.js';
import type { GcpLoadBalancerConfig } from './GcpLoadBalancerConfig.js';
import type { GcpOperationWaiter } from './GcpOperationWaiter.js';
import { readShiftMarker, withShiftMarker } from './shiftMarker.js';

type IBackendService = protos.google.cloud.compute.v1.IBackendService;
type IBackend = protos.google.cloud.compute.v1.IBackend;
type IOperation = protos.google.cloud.compute.v1.IOperation;

/** Budget of one expiry's restore (a read and a patch with its operation). */
const EXPIRY_BUDGET_MS = 120_000;
/** Pause before a failed expiry's restore is tried again. */
const EXPIRY_RETRY_MS = 30_000;

/** A backend's zone: its instance group's URL names it (`.../zones/ZONE/instanceGroups/NAME`). */
const ZONAL_GROUP = /\/zones\/([^/]+)\/instanceGroups\/[^/]+$/;

/**
 * Zonal load balancers as backend services (capability `loadBalancers`):
 * each backend is an instance group in one zone, in rotation while its
 * `capacityScaler` is above 0. A shift away sets the zone's scaler to 0; a
 * shift back restores the scaler it had (1 when unknown).
 *
 * Google has no notion of a shift's expiry. The adapter records it, with
 * the scaler to restore, at the end of the backend's `description`, and
 * ends the shift itself, as ARC does on its own: a timer on the adapter's
 * clock restores the zone's scaler at the expiry (retried every 30 s until
 * it succeeds, unless a renewal or a shift back came first), and every
 * `shiftTraffic` of the load balancer first restores zones whose recorded
 * shift has passed (an adapter started after another one's shift expired).
 * `listLoadBalancers` never patches: it is a read (the contract says so,
 * and shadow runs, read faults and the mutation budget rely on it), and it
 * reports what Google does: a zone whose scaler is still 0 is out of
 * rotation, with its shift's `expiresAt` even when that is past (the
 * restore pending, or no adapter left to do it: the controller renews or
 * puts back its own shifts through `shiftTraffic`, which restores it). So
 * an expired shift is back in rotation while an adapter runs, and never
 * reads as in rotation while Google still drains it.
 *
 * Google refuses a backend service whose total capacity is 0; the adapter
 * refuses, as `terminal`, the shift that would take its last zone in
 * rotation out. It does not mirror `autoCapacityDrain`'s at-most-50 % rule:
 * the controller shifts only zones it found impaired from more than one
 * vantage point, and with two zones of three dark, keeping one of them in
 * rotation would keep sending users into it.
 */
export class BackendServiceLoadBalancers {
  private readonly byId: ReadonlyMap<string, GcpLoadBalancerConfig>;
  /** The expiry timer of each shift this adapter started or renewed, by load balancer and zone. */
  private readonly expiries = new Map<string, () => void>();
  /** Each backend service as last read, by load balancer id (see {@link current}). */
  private readonly lastSeen = new Map<string, IBackendService>();
  private closed = false;

  constructor(
    private readonly runner: GcpCallRunner,
    private readonly gce: ComputeClients,
    private readonly operations: GcpOperationWaiter,
    private readonly clock: Clock,
    configs: readonly GcpLoadBalancerConfig[],
  ) {
    this.byId = new Map(configs.map((config) => [config.id, config]));
  }

  async listLoadBalancers(filter: LoadBalancerFilter, options: CallOptions): Promise<LoadBalancer[]> {
    const { signal } = options;
    const ids = filter.ids === undefined ? undefined : new Set(filter.ids);
    const configs = [...this.byId.values()].filter(
      (config) =>
        (ids === undefined || ids.has(config.id)) &&
        (filter.group === undefined || config.group === filter.group) &&
        (filter.region === undefined || config.region === undefined || config.region === filter.region),
    );
    const project = await this.runner.projectId('listLoadBalancers', signal);
    const out: LoadBalancer[] = [];
    for (const config of configs) {
      const lb = this.toLoadBalancer(config, await this.get('listLoadBalancers', project, config, signal));
      if (filter.region === undefined || lb.region === filter.region) out.push(lb);
    }
    return out;
  }

  async shiftTraffic(request: TrafficShiftRequest, options: CallOptions): Promise<void> {
    const { signal } = options;
    const config = this.byId.get(request.loadBalancer);
    if (config === undefined) {
      throw this.error('invalid-input', `unknown load balancer ${request.loadBalancer}; ${this.runner.provider} serves ${[...this.byId.keys()].join(', ') || 'none'}`, 'UnknownLoadBalancer');
    }
    if (typeof request.away !== 'boolean') throw this.error('invalid-input', 'shiftTraffic needs away: true or false', 'InvalidRequest');
    const expiresIn = request.expiresInSeconds;
    if (request.away && !(typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0)) {
      throw this.error('invalid-input', `a shift away needs a positive expiresInSeconds, got ${String(expiresIn)}`, 'InvalidExpiry');
    }
    const project = await this.runner.projectId('shiftTraffic', signal);
    const service = await this.restoreExpired('shiftTraffic', project, config, await this.current(project, config, signal), signal);
    const backends = service.backends ?? [];
    const index = backends.findIndex((backend) => zoneOf(backend) === request.zone);
    if (index < 0) {
      const zones = backends.map(zoneOf).filter((zone) => zone !== undefined).join(', ');
      throw this.error('invalid-input', `zone ${request.zone} is not behind ${config.id} (its zones: ${zones})`, 'UnknownZone');
    }
    const backend = backends[index]!;
    const scaler = scalerOf(backend);
    const marker = readShiftMarker(backend.description);
    let changed: IBackend;
    if (request.away) {
      if (scaler > 0 && !backends.some((other, at) => at !== index && scalerOf(other) > 0)) {
        throw this.error('terminal', `shifting ${request.zone} away would leave no zone of ${config.id} in rotation (a backend service's capacity cannot be 0)`, 'LastBackend');
      }
      const restore = scaler > 0 ? scaler : (marker?.restore ?? 1);
      changed = { ...backend, capacityScaler: 0, description: withShiftMarker(backend.description, { expiresAt: this.clock.now() + expiresIn! * 1000, restore }) };
    } else {
      if (scaler > 0 && marker === undefined) return;
      changed = { ...backend, capacityScaler: scaler > 0 ? scaler : (marker?.restore ?? 1), description: withShiftMarker(backend.description, undefined) };
    }
    await this.patch('shiftTraffic', project, config, service, backends.map((each, at) => (at === index ? changed : each)), signal);
    this.cancelExpiry(config, request.zone);
    if (request.away) this.scheduleExpiry(config, request.zone, expiresIn! * 1000);
  }

  /** Stops the expiry timers (the adapter is closing); shifts still in force stay recorded on their backends. */
  close(): void {
    this.closed = true;
    for (const cancel of this.expiries.values()) cancel();
    this.expiries.clear();
  }

  /** In `ms`, restores the zone if its recorded shift has passed by then (a renewal replaces this timer). */
  private scheduleExpiry(config: GcpLoadBalancerConfig, zone: string, ms: number): void {
    if (this.closed) return;
    const key = `${config.id}\n${zone}`;
    this.expiries.set(
      key,
      this.clock.setTimer(ms, () => {
        this.expiries.delete(key);
        void this.expire(config, zone);
      }),
    );
  }

  private cancelExpiry(config: GcpLoadBalancerConfig, zone: string): void {
    const key = `${config.id}\n${zone}`;
    this.expiries.get(key)?.();
    this.expiries.delete(key);
  }

  /** The expiry timer fired: restore every expired zone of the load balancer; try again later on failure. */
  private async expire(config: GcpLoadBalancerConfig, zone: string): Promise<void> {
    const budget = timeoutSignal(this.clock, EXPIRY_BUDGET_MS);
    try {
      const project = await this.runner.projectId('shiftTraffic', budget.signal);
      const service = await this.get('shiftTraffic', project, config, budget.signal);
      const marker = readShiftMarker((service.backends ?? []).find((backend) => zoneOf(backend) === zone)?.description);
      // A timer that fired a little early: wait for the rest.
      if (marker !== undefined && marker.expiresAt > this.clock.now()) return this.scheduleExpiry(config, zone, marker.expiresAt - this.clock.now());
      await this.restoreExpired('shiftTraffic', project, config, service, budget.signal);
    } catch {
      // Throttled, a concurrent change (412), the API unreachable: the zone stays drained, so try again.
      if (!this.expiries.has(`${config.id}\n${zone}`)) this.scheduleExpiry(config, zone, EXPIRY_RETRY_MS);
    } finally {
      budget.dispose();
    }
  }

  private toLoadBalancer(config: GcpLoadBalancerConfig, service: IBackendService): LoadBalancer {
    const zones: LoadBalancerZone[] = [];
    for (const backend of service.backends ?? []) {
      const zone = zoneOf(backend);
      if (zone === undefined) continue;
      const scaler = scalerOf(backend);
      // A past expiry stays visible while Google still drains the zone: the restore has not happened yet.
      const marker = scaler === 0 ? readShiftMarker(backend.description) : undefined;
      zones.push({
        zone,
        inRotation: scaler > 0,
        ...(marker === undefined ? {} : { shift: { expiresAt: marker.expiresAt } }),
        // Backend health (`backendServices.getHealth`) is not read: one more request per zone per cycle.
        healthyTargets: null,
        targets: null,
      });
    }
    return {
      id: config.id,
      provider: this.runner.provider,
      region: config.region ?? (zones[0] === undefined ? '' : regionOfZone(zones[0].zone)),
      group: config.group,
      zones,
      extra: { backendService: config.backendService, scope: config.region === undefined ? 'global' : 'regional', fingerprint: service.fingerprint ?? undefined },
    };
  }

  /** The service with every zone whose recorded shift has expired put back (one patch for all of them). */
  private async restoreExpired(operation: string, project: string, config: GcpLoadBalancerConfig, service: IBackendService, signal: AbortSignal): Promise<IBackendService> {
    const now = this.clock.now();
    let expired = false;
    const backends = (service.backends ?? []).map((backend) => {
      const marker = readShiftMarker(backend.description);
      if (marker === undefined || marker.expiresAt > now) return backend;
      expired = true;
      return { ...backend, capacityScaler: scalerOf(backend) > 0 ? scalerOf(backend) : marker.restore, description: withShiftMarker(backend.description, undefined) };
    });
    if (!expired) return service;
    await this.patch(operation, project, config, service, backends, signal);
    return this.get(operation, project, config, signal);
  }

  private async get(operation: string, project: string, config: GcpLoadBalancerConfig, signal: AbortSignal): Promise<IBackendService> {
    const service = await this.runner.call(operation, signal, async () => {
      const clients = this.gce.clients();
      const [service] =
        config.region === undefined
          ? await clients.backendServices.get({ project, backendService: config.backendService }, NO_RETRY)
          : await clients.regionBackendServices.get({ project, region: config.region, backendService: config.backendService }, NO_RETRY);
      return service;
    });
    this.lastSeen.set(config.id, service);
    return service;
  }

  /**
   * The backend service now, or, when Compute's read fails or times out (a
   * throttled one is not worked around), as last read: the patch carries that read's fingerprint, so
   * Compute refuses it (412) if the service changed since, and nothing is
   * overwritten; reads are what fail first when a region's API struggles.
   */
  private async current(project: string, config: GcpLoadBalancerConfig, signal: AbortSignal): Promise<IBackendService> {
    try {
      return await this.get('shiftTraffic', project, config, signal);
    } catch (error) {
      const last = this.lastSeen.get(config.id);
      if (last === undefined || signal.aborted || !isProviderError(error) || (error.kind !== 'retryable' && error.kind !== 'timeout')) throw error;
      return last;
    }
  }

  /**
   * Replaces the service's backends (a patch replaces the whole list), with
   * its fingerprint, so a change made meanwhile by someone else makes Google
   * refuse this one (412) instead of being overwritten; then waits for the
   * operation.
   */
  private async patch(operation: string, project: string, config: GcpLoadBalancerConfig, service: IBackendService, backends: IBackend[], signal: AbortSignal): Promise<void> {
    const resource: IBackendService = { backends, ...(service.fingerprint == null ? {} : { fingerprint: service.fingerprint }) };
    await this.runner.call(operation, signal, async () => {
      const clients = this.gce.clients();
      const region = config.region;
      if (region === undefined) {
        const [lro] = await clients.backendServices.patch({ project, backendService: config.backendService, backendServiceResource: resource }, NO_RETRY);
        await this.operations.compute(
          lro.latestResponse as IOperation,
          async (name, budget) => (await this.runner.withSignal(budget, () => clients.globalOperations.wait({ project, operation: name }, NO_RETRY)))[0],
          signal,
        );
      } else {
        const [lro] = await clients.regionBackendServices.patch({ project, region, backendService: config.backendService, backendServiceResource: resource }, NO_RETRY);
        await this.operations.compute(
          lro.latestResponse as IOperation,
          async (name, budget) => (await this.runner.withSignal(budget, () => clients.regionOperations.wait({ project, region, operation: name }, NO_RETRY)))[0],
          signal,
        );
      }
    });
  }

  private error(kind: 'invalid-input' | 'terminal', message: string, code: string): ProviderError {
    return new ProviderError(kind, `shiftTraffic: ${message}`, { provider: this.runner.provider, operation: 'shiftTraffic', code });
  }
}

function zoneOf(backend: IBackend): string | undefined {
  return ZONAL_GROUP.exec(backend.group ?? '')?.[1];
}

/** A backend's capacity scaler; Google's default is 1. */
function scalerOf(backend: IBackend): number {
  return backend.capacityScaler ?? 1;
}
