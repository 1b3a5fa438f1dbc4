import path from 'node:path';
import { ProviderError } from '../../src/core/contract/errors.js';
import type { LoadBalancer, LoadBalancerFilter, LoadBalancerZone, TrafficShiftRequest } from '../../src/core/contract/types.js';
import type { BalancerRouter, BalancerServer } from './BalancerRouter.js';
import type { EndpointRouterChoice } from './EndpointRouter.js';
import { HaproxyBalancer } from './HaproxyBalancer.js';
import { KeyedMutex } from './KeyedMutex.js';
import type { LocalContext } from './LocalContext.js';
import type { NodeFleet } from './NodeFleet.js';
import { TcpForwarder } from './TcpForwarder.js';

/** ARC's limit on a zonal shift's expiry, mirrored: 72 hours. */
const MAX_SHIFT_SECONDS = 72 * 3600;
/** Load balancer ids: what HAProxy and file names accept. */
const ID_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** An active shift away from one zone. */
interface Shift {
  readonly expiresAt: number;
  /** Cancels the timer that puts the zone back when the shift expires. */
  readonly cancelTimer: () => void;
}

/** One load balancer: its router, the group it serves, its zones and their shifts. */
interface LoadBalancerRecord {
  readonly id: string;
  readonly group: string;
  readonly zones: readonly string[];
  readonly router: BalancerRouter;
  readonly shifts: Map<string, Shift>;
}

/** What the load balancer fleet needs besides the context. */
export interface LoadBalancerFleetEnvironment {
  readonly nodes: NodeFleet;
  /** The adapter's zones: a load balancer spans all of them unless created with fewer (an ALB's enabled zones). */
  readonly zones: readonly string[];
  /** Folder of the routers' configs and sockets. */
  readonly routerDir: string;
  /** The HAProxy executable, when installed. */
  readonly haproxy: string | undefined;
  readonly choice: EndpointRouterChoice;
}

/**
 * The `local` adapter's zonal load balancers: per load balancer, one router
 * (a real HAProxy in HTTP mode, or the built-in {@link TcpForwarder}) on
 * 127.0.0.1 in front of a node group, with every node of the group as a
 * server tagged with its zone. A shift away puts the zone's servers out of
 * rotation until it is put back or expires; an expired shift is over, as
 * ARC's are: the zone is back in rotation (a timer on the adapter's clock
 * does it, and every read drops a shift past its expiry first).
 *
 * Membership follows the node fleet each time a load balancer is read,
 * shifted or its shift expires: new nodes are added, restarted ones get
 * their new port, terminated ones leave rotation.
 */
export class LoadBalancerFleet {
  private readonly records = new Map<string, LoadBalancerRecord>();
  private readonly locks = new KeyedMutex();
  private sequence = 0;
  private closed = false;

  constructor(
    private readonly ctx: LocalContext,
    private readonly env: LoadBalancerFleetEnvironment,
  ) {}

  /** Which router new load balancers get: HAProxy when installed, unless the forwarder was asked for. */
  get routerKind(): 'haproxy' | 'forwarder' {
    return this.env.choice !== 'forwarder' && this.env.haproxy !== undefined ? 'haproxy' : 'forwarder';
  }

  /**
   * Creates load balancer `id` in front of node group `group` across `zones`
   * (default: every zone of the adapter), every zone in rotation.
   * Idempotent by id for the same group.
   */
  create(request: { id: string; group: string; zones?: readonly string[] }, operation: string, signal: AbortSignal): Promise<LoadBalancer> {
    if (!ID_PATTERN.test(request.id)) throw this.invalid(operation, `load balancer id ${JSON.stringify(request.id)} must match ${ID_PATTERN.source}`);
    const zones = request.zones ?? this.env.zones;
    const unknown = zones.filter((zone) => !this.env.zones.includes(zone));
    if (zones.length === 0 || unknown.length > 0 || new Set(zones).size !== zones.length) {
      throw this.invalid(operation, `load balancer zones must be distinct zones of the adapter (${this.env.zones.join(', ')}), got ${JSON.stringify(zones)}`);
    }
    return this.locks.run(request.id, async () => {
      const existing = this.records.get(request.id);
      if (existing) {
        if (existing.group !== request.group) throw this.invalid(operation, `load balancer ${request.id} already serves group ${existing.group}`);
        return this.read(existing, signal);
      }
      const router = await this.startRouter(signal);
      const record: LoadBalancerRecord = { id: request.id, group: request.group, zones: [...zones], router, shifts: new Map() };
      this.records.set(record.id, record);
      this.ctx.log(`load balancer ${record.id} (${router.kind}) listens on 127.0.0.1:${router.port} in front of group ${record.group}`);
      return this.read(record, signal);
    });
  }

  /** Load balancers matching `filter`, each as its router reports it (after bringing its servers up to date). */
  async list(filter: LoadBalancerFilter, signal: AbortSignal): Promise<LoadBalancer[]> {
    const ids = filter.ids ? new Set(filter.ids) : undefined;
    const records = [...this.records.values()].filter(
      (record) => (!ids || ids.has(record.id)) && (filter.group === undefined || record.group === filter.group),
    );
    return Promise.all(records.map((record) => this.locks.run(record.id, () => this.read(record, signal))));
  }

  /**
   * Shifts `zone` away (its servers out of rotation before this resolves,
   * until the expiry) or back. Renewing replaces the expiry.
   */
  shift(request: TrafficShiftRequest, operation: string, signal: AbortSignal): Promise<void> {
    const record = this.records.get(request.loadBalancer);
    if (!record) throw this.invalid(operation, `unknown load balancer ${JSON.stringify(request.loadBalancer)}`);
    if (!record.zones.includes(request.zone)) {
      throw this.invalid(operation, `zone ${JSON.stringify(request.zone)} is not behind ${record.id} (its zones: ${record.zones.join(', ')})`);
    }
    if (typeof request.away !== 'boolean') throw this.invalid(operation, 'away must be true or false');
    const expiresIn = request.expiresInSeconds;
    if (request.away && !(typeof expiresIn === 'number' && expiresIn > 0 && expiresIn <= MAX_SHIFT_SECONDS)) {
      throw this.invalid(operation, `a shift away needs expiresInSeconds above 0 and at most ${MAX_SHIFT_SECONDS} (72 h), got ${String(expiresIn)}`);
    }
    return this.locks.run(record.id, async () => {
      this.dropExpired(record);
      if (request.away) {
        const others = record.zones.filter((zone) => zone !== request.zone && !record.shifts.has(zone));
        if (!record.shifts.has(request.zone) && others.length === 0) {
          throw new ProviderError('terminal', `${operation}: shifting ${request.zone} away would leave no zone of ${record.id} in rotation`, this.meta(operation));
        }
        this.endShift(record, request.zone);
        const expiresAt = this.ctx.clock.now() + expiresIn! * 1000;
        const cancelTimer = this.ctx.clock.setTimer(expiresIn! * 1000, () => this.expire(record, request.zone, expiresAt));
        record.shifts.set(request.zone, { expiresAt, cancelTimer });
      } else {
        this.endShift(record, request.zone);
      }
      await this.syncServers(record, signal);
    });
  }

  /** Host and port of load balancer `id`, and which router serves it. */
  address(id: string, operation: string): { host: string; port: number; router: 'haproxy' | 'forwarder' } {
    const record = this.records.get(id);
    if (!record) throw this.invalid(operation, `unknown load balancer ${JSON.stringify(id)}`);
    return { host: '127.0.0.1', port: record.router.port, router: record.router.kind };
  }

  /** Stops every router and timer. */
  async closeAll(): Promise<void> {
    this.closed = true;
    for (const record of this.records.values()) for (const zone of [...record.shifts.keys()]) this.endShift(record, zone);
    await Promise.all([...this.records.values()].map((record) => record.router.close()));
  }

  /** Last-chance clean-up on process exit: synchronous signals only. */
  killAll(): void {
    for (const record of this.records.values()) record.router.kill();
  }

  /** The shift's timer fired: if that shift is still the zone's, it is over and the zone goes back in rotation. */
  private expire(record: LoadBalancerRecord, zone: string, expiresAt: number): void {
    if (this.closed || record.shifts.get(zone)?.expiresAt !== expiresAt) return;
    this.ctx.track(
      this.locks.run(record.id, async () => {
        // Timers may fire a little early on some clocks: the read-side check is the rule, this only applies it.
        if (record.shifts.get(zone)?.expiresAt === expiresAt) record.shifts.delete(zone);
        if (!this.closed) await this.syncServers(record, this.ctx.lifetime);
      }),
    );
  }

  /** Ends every shift past its expiry. */
  private dropExpired(record: LoadBalancerRecord): void {
    const now = this.ctx.clock.now();
    for (const [zone, shift] of record.shifts) if (shift.expiresAt <= now) this.endShift(record, zone);
  }

  private endShift(record: LoadBalancerRecord, zone: string): void {
    record.shifts.get(zone)?.cancelTimer();
    record.shifts.delete(zone);
  }

  /** The group's live nodes, each in rotation unless its zone is shifted away. */
  private async syncServers(record: LoadBalancerRecord, signal: AbortSignal): Promise<readonly BalancerServer[]> {
    const servers = this.env.nodes.list({ group: record.group }).flatMap((node): BalancerServer[] => {
      const port = node.extra['port'];
      if (node.state === 'terminated' || typeof port !== 'number') return [];
      return [{ id: node.id, port, zone: node.zone, inRotation: !record.shifts.has(node.zone) }];
    });
    await record.router.sync(servers, signal);
    return servers;
  }

  private async read(record: LoadBalancerRecord, signal: AbortSignal): Promise<LoadBalancer> {
    this.dropExpired(record);
    const servers = await this.syncServers(record, signal);
    const reported = new Map((await record.router.state(signal)).map((state) => [state.id, state]));
    const zones = record.zones.map((zone): LoadBalancerZone => {
      const inZone = servers.filter((server) => server.zone === zone).map((server) => reported.get(server.id));
      const shift = record.shifts.get(zone);
      const health = inZone.map((state) => state?.healthy ?? null);
      return {
        zone,
        // What the router itself does with the zone's servers; a zone without any is as its shift says.
        inRotation: inZone.length > 0 ? inZone.every((state) => state?.inRotation === true) : shift === undefined,
        ...(shift ? { shift: { expiresAt: shift.expiresAt } } : {}),
        healthyTargets: health.includes(null) ? null : health.filter(Boolean).length,
        targets: inZone.length,
      };
    });
    return {
      id: record.id,
      provider: this.ctx.provider,
      region: this.ctx.region,
      group: record.group,
      zones,
      extra: { router: record.router.kind, host: '127.0.0.1', port: record.router.port },
    };
  }

  private async startRouter(signal: AbortSignal): Promise<BalancerRouter> {
    const allocatePort = () => this.ctx.allocatePort('loadBalancer');
    if (this.routerKind === 'forwarder') return TcpForwarder.start([], allocatePort);
    // Short file names: a Unix socket's path must fit in about 100 bytes.
    const base = `lb${++this.sequence}`;
    return HaproxyBalancer.start(
      {
        binary: this.env.haproxy!,
        configFile: path.join(this.env.routerDir, `${base}.cfg`),
        socketPath: path.join(this.env.routerDir, `${base}.sock`),
        logFile: path.join(this.ctx.logDir, `haproxy-${base}.log`),
        pidFile: path.join(this.ctx.pidDir, `haproxy-${base}.pid`),
        clock: this.ctx.clock,
        allocatePort,
      },
      signal,
    );
  }

  private meta(operation: string): { provider: string; operation: string } {
    return { provider: this.ctx.provider, operation };
  }

  private invalid(operation: string, message: string): ProviderError {
    return new ProviderError('invalid-input', `${operation}: ${message}`, this.meta(operation));
  }
}
