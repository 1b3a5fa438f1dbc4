import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ZoneState } from '../../core/health/types.js';

const ZONE_STATE_VALUE: Record<ZoneState, number> = { healthy: 0, degraded: 1, impaired: 2 };

/** The daemon's Prometheus metrics, on a registry of its own (not prom-client's global one). */
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

  /** Sets a zone's gauge. */
  setZone(provider: string, region: string, zone: string, state: ZoneState): void {
    this.zoneHealth.set({ provider, region, zone }, ZONE_STATE_VALUE[state]);
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
