import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ControllerMemory } from '../../core/controller/ControllerMemory.js';
import type { GroupConfig, Snapshot } from '../../core/controller/Snapshot.js';
import type { ZoneState } from '../../core/health/types.js';

const ZONE_STATE_VALUE: Record<ZoneState, number> = { healthy: 0, degraded: 1, impaired: 2 };
/** Failover kinds counted by `lifeboat_failovers_total`. */
const FAILOVER_KINDS = ['failover', 'switchover'] as const;
/** Adapter call results pre-created at 0 for each provider's mutating and listing calls (error kinds appear at their first occurrence). */
const COUNTED_OPERATIONS = ['listDatabases', 'listNodes', 'zoneStatus', 'promoteReplica', 'stopDatabase', 'repointReplica', 'createNode', 'destroyNode', 'createReplica'] as const;

/** What this build is, for `lifeboat_build_info`. */
export interface BuildInfo {
  readonly version: string;
}

/**
 * The daemon's Prometheus metrics, on a registry of its own (not
 * prom-client's global one), with the process metrics (CPU, memory, event
 * loop lag, file descriptors, heap). Every counter exists at 0 before its
 * first event ({@link DaemonMetrics.knowDatabase}, {@link DaemonMetrics.knowProvider}):
 * `rate()` and `increase()` need the zero to see the first increment.
 */
export class DaemonMetrics {
  readonly registry = new Registry();
  readonly failovers = new Counter({ name: 'lifeboat_failovers_total', help: 'Completed failovers and switchovers', labelNames: ['database', 'kind'], registers: [this.registry] });
  readonly detectionSeconds = new Histogram({
    name: 'lifeboat_detection_seconds',
    help: 'From the first bad sign in a zone to the zone being declared impaired',
    buckets: [1, 2, 5, 10, 15, 20, 30, 60, 120, 300],
    registers: [this.registry],
  });
  readonly failoverSeconds = new Histogram({
    name: 'lifeboat_failover_seconds',
    help: 'From the first bad sign in the old primary\'s zone to the new primary taking writes',
    buckets: [5, 10, 20, 30, 45, 60, 90, 120, 300, 600],
    registers: [this.registry],
  });
  readonly adapterCalls = new Counter({ name: 'lifeboat_adapter_calls_total', help: 'Adapter calls by provider, operation and result', labelNames: ['provider', 'operation', 'result'], registers: [this.registry] });
  readonly zoneHealth = new Gauge({ name: 'lifeboat_zone_health', help: 'Zone health: 0 healthy, 1 degraded, 2 impaired', labelNames: ['provider', 'region', 'zone'], registers: [this.registry] });
  readonly leader = new Gauge({ name: 'lifeboat_leader', help: '1 while this daemon may act (holds the lock file or a valid etcd term)', registers: [this.registry] });
  readonly paused = new Gauge({ name: 'lifeboat_paused', help: '1 while automatic actions are paused', registers: [this.registry] });
  private readonly knownDatabases = new Set<string>();
  readonly databasePaused = new Gauge({ name: 'lifeboat_database_paused', help: '1 while automatic actions on this database are paused (by a pause of it or of everything)', labelNames: ['database'], registers: [this.registry] });
  readonly replicaLag = new Gauge({ name: 'lifeboat_replica_lag_seconds', help: 'Replica lag behind its upstream, in seconds of writes, as the provider reports it (absent while unknown)', labelNames: ['database', 'instance', 'provider', 'zone'], registers: [this.registry] });
  readonly primary = new Gauge({ name: 'lifeboat_database_primary', help: '1 for the instance the controller holds as its database\'s primary, 0 for the others', labelNames: ['database', 'instance', 'provider', 'zone'], registers: [this.registry] });
  readonly groupDesired = new Gauge({ name: 'lifeboat_group_desired_nodes', help: 'Running nodes that answer probes a protected group must keep (minHealthy)', labelNames: ['group', 'provider', 'region'], registers: [this.registry] });
  readonly groupRunning = new Gauge({ name: 'lifeboat_group_running_nodes', help: 'Nodes of a protected group that run and answer probes', labelNames: ['group', 'provider', 'region'], registers: [this.registry] });
  readonly hookRuns = new Counter({ name: 'lifeboat_hook_runs_total', help: 'Command hook runs by hook and result (proceed, veto, ok, failed)', labelNames: ['hook', 'result'], registers: [this.registry] });
  readonly webhookDeliveries = new Counter({ name: 'lifeboat_webhook_deliveries_total', help: 'Webhook deliveries by how they ended (delivered; failed: refused or given up; dropped: the queue was full or the webhook is gone; postponed: the daemon stopped, the next start sends it)', labelNames: ['result'], registers: [this.registry] });
  readonly configReloads = new Counter({ name: 'lifeboat_config_reloads_total', help: 'SIGHUP config reloads by result (applied, refused)', labelNames: ['result'], registers: [this.registry] });
  readonly buildInfo = new Gauge({ name: 'lifeboat_build_info', help: 'Always 1; the labels say which build runs', labelNames: ['version', 'node'], registers: [this.registry] });

  constructor(build: BuildInfo = { version: 'unknown' }) {
    collectDefaultMetrics({ register: this.registry, prefix: 'lifeboat_' });
    this.buildInfo.set({ version: build.version, node: process.version }, 1);
    for (const [hook, results] of [
      ['prePromote', ['proceed', 'veto']],
      ['postFailover', ['ok', 'failed']],
      ['roleChange', ['ok', 'failed']],
    ] as const) {
      for (const result of results) this.hookRuns.inc({ hook, result }, 0);
    }
    for (const result of ['delivered', 'failed', 'dropped', 'postponed']) this.webhookDeliveries.inc({ result }, 0);
    for (const result of ['applied', 'refused']) this.configReloads.inc({ result }, 0);
    this.leader.set(0);
    this.paused.set(0);
  }

  /** Creates a database's failover counters at 0. */
  knowDatabase(database: string): void {
    for (const kind of FAILOVER_KINDS) this.failovers.inc({ database, kind }, 0);
    // Known databases are re-announced every cycle: only a database seen for the first time starts unpaused.
    if (!this.knownDatabases.has(database)) this.databasePaused.set({ database }, 0);
    this.knownDatabases.add(database);
  }

  /** Creates a provider's adapter call counters at 0 (ok and error results). */
  knowProvider(provider: string): void {
    for (const operation of COUNTED_OPERATIONS) {
      for (const result of ['ok', 'error']) this.adapterCalls.inc({ provider, operation, result }, 0);
    }
  }

  /** Sets a zone's gauge. */
  setZone(provider: string, region: string, zone: string, state: ZoneState): void {
    this.zoneHealth.set({ provider, region, zone }, ZONE_STATE_VALUE[state]);
  }

  /**
   * Sets the per-instance and per-group gauges from a cycle's picture:
   * replica lag, which instance is each database's primary (as memory holds
   * it), and each group's desired and running nodes. Series of instances no
   * longer listed are removed.
   */
  observe(snapshot: Snapshot, memory: ControllerMemory, groups: readonly GroupConfig[]): void {
    this.replicaLag.reset();
    this.primary.reset();
    for (const { instance } of snapshot.databases) {
      const labels = { database: instance.cluster, instance: instance.id, provider: instance.provider, zone: instance.zone };
      const cluster = memory.clusters.get(instance.cluster);
      this.primary.set(labels, cluster?.primary === instance.id && cluster.provider === instance.provider ? 1 : 0);
      const lag = instance.replication?.lagSeconds;
      if (lag !== undefined && lag !== null) this.replicaLag.set(labels, lag);
    }
    for (const g of groups) {
      const labels = { group: g.id, provider: g.provider, region: g.region };
      const running = snapshot.nodes.filter((v) => v.node.group === g.id && v.node.provider === g.provider && v.node.state === 'running' && v.health.status === 'up').length;
      this.groupDesired.set(labels, g.minHealthy);
      this.groupRunning.set(labels, running);
    }
  }

  /** Text exposition format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** Content type of {@link DaemonMetrics.render}. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
