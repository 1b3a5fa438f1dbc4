import { afterEach, describe, expect, it } from 'vitest';
import { gcpWire, type GcpWire } from './gcpFixture.js';

const opts = () => ({ signal: AbortSignal.timeout(20_000) });

function get(wire: GcpWire, path: string): Promise<Response> {
  return fetch(`${wire.emulator.endpoint}${path}`, { headers: { authorization: 'Bearer test' } });
}

const LAG = 'cloudsql.googleapis.com/database/replication/replica_lag';
const STATE = 'cloudsql.googleapis.com/database/replication/state';
const NETWORK = 'cloudsql.googleapis.com/database/replication/network_lag';

function timeSeriesPath(metric: string, extra = ''): string {
  const filter = encodeURIComponent(`metric.type = "${metric}" AND resource.type = "cloudsql_database"`);
  return `/v3/projects/p/timeSeries?filter=${filter}&interval.startTime=2026-01-01T00:00:00Z&interval.endTime=2026-01-01T00:05:00Z${extra}`;
}

describe('gcp adapter over the wire: replication evidence from Cloud Monitoring', () => {
  let wire: GcpWire;
  afterEach(async () => wire?.close());

  const replica = async () => (await wire.provider.listDatabases({ ids: ['orders-b'] }, opts()))[0]!;
  const advance = (seconds: number) => wire.clock.runUntil(wire.clock.now() + seconds * 1000);

  it('a streaming replica: state Running, lag from replica_lag; two timeSeries.list reads per listing, none without replicas', async () => {
    wire = await gcpWire();
    const db = await replica();
    expect(db.replication).toEqual({ upstream: 'orders', mode: 'async', state: 'streaming', lagSeconds: 2, lastContactSeconds: null, lagBytes: null });
    expect(db.extra).toMatchObject({ replicationMetricState: 'Running' });
    expect(wire.emulator.stats().byAction).toEqual({ 'sqladmin:sql.instances.list': 1, 'monitoring:monitoring.timeSeries.list': 2 });
    await wire.provider.listDatabases({ ids: ['orders'] }, opts());
    expect(wire.emulator.requestsFor('monitoring.timeSeries.list')).toBe(2);
    // Each Monitoring read is one world listDatabases call.
    expect(wire.world.calls.filter((call) => call.operation === 'listDatabases')).toHaveLength(4);
  });

  it('cut off from its primary: replica_lag -1 (replication inactive) -> disconnected, lag unknown; contact unknown', async () => {
    wire = await gcpWire();
    await wire.apply([{ kind: 'impair', zone: 'us-central1-a', mode: 'unreachable', errorRate: 0.5 }]);
    await advance(10);
    expect((await replica()).replication).toMatchObject({ state: 'disconnected', lagSeconds: null, lastContactSeconds: null });
    await wire.apply([{ kind: 'recover', zone: 'us-central1-a' }]);
    expect((await replica()).replication).toMatchObject({ state: 'streaming', lagSeconds: 2 });
  });

  it('broken replication: state Error with replica_lag -1 (inactive) -> disconnected, lag unknown, so never a promotion candidate', async () => {
    wire = await gcpWire();
    await wire.apply([{ kind: 'replication', database: 'orders', replica: 'orders-b', broken: true }]);
    await advance(5);
    expect((await replica()).replication).toMatchObject({ state: 'disconnected', lagSeconds: null });
  });

  it('serves timeSeries.list in Monitoring\'s shape, one sample per replica at the end of the interval', async () => {
    wire = await gcpWire();
    const lag = (await (await get(wire, timeSeriesPath(LAG))).json()) as { timeSeries: Record<string, unknown>[] };
    expect(lag.timeSeries).toEqual([
      {
        metric: { type: LAG, labels: {} },
        resource: { type: 'cloudsql_database', labels: { project_id: 'p', database_id: 'p:orders-b', region: 'us-central1' } },
        metricKind: 'GAUGE',
        valueType: 'DOUBLE',
        points: [{ interval: { startTime: '2026-01-01T00:05:00.000Z', endTime: '2026-01-01T00:05:00.000Z' }, value: { doubleValue: 2 } }],
      },
    ]);
    const state = (await (await get(wire, timeSeriesPath(STATE))).json()) as { timeSeries: { metric: unknown; points: unknown[] }[] };
    expect(state.timeSeries.map((each) => [each.metric, each.points])).toEqual([
      [{ type: STATE, labels: { state: 'Running' } }, [expect.objectContaining({ value: { boolValue: true } })]],
    ]);
    const network = (await (await get(wire, timeSeriesPath(NETWORK))).json()) as { timeSeries: { points: unknown[] }[] };
    expect(network.timeSeries[0]!.points).toEqual([expect.objectContaining({ value: { int64Value: '0' } })]);
    const other = await get(wire, timeSeriesPath('cloudsql.googleapis.com/database/cpu/utilization'));
    expect(await other.json()).toEqual({});
  });

  it('refuses what it does not understand, in Google\'s error format, before asking the world', async () => {
    wire = await gcpWire();
    const noFilter = await get(wire, '/v3/projects/p/timeSeries?interval.endTime=2026-01-01T00:05:00Z');
    expect(noFilter.status).toBe(400);
    expect(await noFilter.json()).toMatchObject({ error: { code: 400, errors: [{ reason: 'badRequest' }] } });
    const labels = await get(wire, `/v3/projects/p/timeSeries?filter=${encodeURIComponent(`metric.type = "${LAG}" AND metric.labels.x = "y"`)}&interval.endTime=2026-01-01T00:05:00Z`);
    expect(labels.status).toBe(400);
    const noEnd = await get(wire, `/v3/projects/p/timeSeries?filter=${encodeURIComponent(`metric.type = "${LAG}"`)}`);
    expect(noEnd.status).toBe(400);
    const token = await get(wire, timeSeriesPath(LAG, '&pageToken=bogus'));
    expect(token.status).toBe(400);
    expect(wire.world.calls).toHaveLength(0);
  });

  describe('deleting instances (destroyDatabase)', () => {
    it('deletes a replica (instances.delete, waited on); it shows stopping, then is gone; deleting again is success', async () => {
      wire = await gcpWire();
      expect(wire.provider.capabilities.destroyDatabase).toBe(true);
      expect(wire.provider.capabilities.stopRefusedWithReplicas).toBeUndefined();
      await wire.provider.destroyDatabase('orders-b', opts());
      expect(await replica()).toMatchObject({ state: 'stopping', extra: expect.objectContaining({ rawState: 'PENDING_DELETE' }) });
      await advance(121);
      expect(await wire.provider.listDatabases({ ids: ['orders-b'] }, opts())).toEqual([]);
      await wire.provider.destroyDatabase('orders-b', opts());
      expect(wire.emulator.requestsFor('sql.instances.delete')).toBe(2);
      expect(wire.world.calls.filter((call) => call.operation === 'destroyDatabase').map((call) => call.result)).toEqual(['ok', 'ok']);
    });

    it('an instance that has replicas is refused (terminal), as Cloud SQL refuses it', async () => {
      wire = await gcpWire();
      const error = await wire.provider.destroyDatabase('orders', opts()).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ kind: 'terminal', operation: 'destroyDatabase' });
      expect((await wire.provider.listDatabases({ ids: ['orders'] }, opts()))[0]).toMatchObject({ role: 'primary', state: 'available' });
    });
  });
});
