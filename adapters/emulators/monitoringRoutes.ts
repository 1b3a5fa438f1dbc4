import type { ReplicationState, ReplicationStatus } from '../../src/core/contract/types.js';
import type { GcpCallContext } from './GcpCallContext.js';
import { page, tokenOffset } from './pageToken.js';
import { WireError } from './WireError.js';

/** Monitoring's largest page of time series. */
const MAX_PAGE = 100_000;
const DEFAULT_PAGE = 10_000;

const REPLICA_LAG = 'cloudsql.googleapis.com/database/replication/replica_lag';
const NETWORK_LAG = 'cloudsql.googleapis.com/database/replication/network_lag';
const REPLICATION_STATE = 'cloudsql.googleapis.com/database/replication/state';

/** `replication/state` label for a world replication state. */
const STATE_LABEL: Readonly<Record<ReplicationState, string | undefined>> = {
  streaming: 'Running',
  disconnected: 'Error',
  broken: 'Error',
  unknown: undefined,
};

/**
 * Cloud Monitoring v3 methods the emulator serves: `projects.timeSeries.list`
 * for the Cloud SQL replication metrics of the world's replicas
 * (`replica_lag`, `network_lag`, `replication/state`), filtered by
 * `metric.type` (required, one) and `resource.type`. With the world's clock
 * (`GcpEmulatorOptions.clock`) the series are {@link MetricSamples}: one
 * sample a minute, shown only after the visibility delay; without it each
 * series has one sample, the world's current value, at the end of the
 * requested interval. A replica whose replication stopped (cut off from its
 * primary, or broken) shows state `Error` and `replica_lag` -1 (replication
 * inactive); `network_lag` is 0 while streaming (the world has no network
 * delay) and absent otherwise. Other metric types have no data.
 */
export async function monitoringAction(action: string, ctx: GcpCallContext): Promise<unknown> {
  if (action !== 'monitoring.timeSeries.list') throw new WireError(404, 'notFound', `The emulator does not implement ${action}`);
  const project = ctx.path[0]!;
  const { metricType, resourceType } = parseFilter(ctx.query.get('filter'));
  const start = Date.parse(ctx.query.get('interval.startTime') ?? '');
  const end = Date.parse(ctx.query.get('interval.endTime') ?? '');
  if (!Number.isFinite(end)) throw new WireError(400, 'badRequest', 'Field interval.endTime had an invalid value: a timestamp is required');
  if (Number.isFinite(start) && start > end) throw new WireError(400, 'badRequest', 'Field interval.startTime must not be later than interval.endTime');
  const rawSize = ctx.query.get('pageSize');
  const size = rawSize === null ? DEFAULT_PAGE : Number(rawSize);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) throw new WireError(400, 'badRequest', `Invalid value for pageSize: ${rawSize}`);
  const tag = `timeSeries:${metricType}`;
  const offset = tokenOffset(ctx.query.get('pageToken'), tag);
  if (offset === undefined) throw new WireError(400, 'badRequest', 'Invalid page token');

  if (resourceType !== undefined && resourceType !== 'cloudsql_database') return {};
  if (metricType !== REPLICA_LAG && metricType !== NETWORK_LAG && metricType !== REPLICATION_STATE) return {};
  // One world call for the whole project, as the Cloud SQL listing makes.
  const listing = await ctx.world(ctx.provider.listDatabases({}, { signal: ctx.signal }));
  const samples = ctx.strict.samples;
  let series: Record<string, unknown>[];
  if (samples === undefined) {
    const at = new Date(end).toISOString();
    series = listing.flatMap((db) => (db.replication === undefined ? [] : seriesFor(db.id, db.region, [{ at, replication: db.replication }], metricType, project)));
  } else {
    samples.record(listing);
    const from = Number.isFinite(start) ? start : end;
    series = samples.instances().flatMap((id) => {
      const visible = samples.visible(id, from, end);
      if (visible.length === 0) return [];
      return seriesFor(id, visible[0]!.region, visible.map((sample) => ({ at: new Date(sample.at).toISOString(), replication: sample.replication })), metricType, project);
    });
  }
  const slice = page(series, size, offset, tag);
  return { timeSeries: slice.items, ...(slice.next === undefined ? {} : { nextPageToken: slice.next }), unit: metricType === REPLICATION_STATE ? '' : 's' };
}

/** `metric.type = "..."` (required) and an optional `resource.type = "..."`, ANDed; nothing else. */
function parseFilter(filter: string | null): { metricType: string; resourceType?: string } {
  if (filter === null || filter.trim() === '') throw new WireError(400, 'badRequest', 'Field filter had an invalid value: a metric.type is required');
  let metricType: string | undefined;
  let resourceType: string | undefined;
  for (const term of filter.split(/\s+AND\s+/)) {
    const match = /^\s*(metric\.type|resource\.type)\s*=\s*"([^"]*)"\s*$/.exec(term);
    if (match === null) throw new WireError(400, 'badRequest', `The emulator supports only metric.type and resource.type equality filters, not: ${term.trim()}`);
    if (match[1] === 'metric.type') metricType = match[2];
    else resourceType = match[2];
  }
  if (metricType === undefined) throw new WireError(400, 'badRequest', 'Field filter had an invalid value: a metric.type is required');
  return { metricType, ...(resourceType === undefined ? {} : { resourceType }) };
}

/**
 * The series of one replica for `metricType`, one point per sample (newest first). `replica_lag` is the lag
 * while streaming and -1 once replication has stopped (disconnected or broken): Cloud SQL documents a negative
 * value as replication inactive. `network_lag` has points only while streaming; `replication/state` one series
 * per state label, true at each of its samples.
 */
function seriesFor(
  id: string,
  region: string,
  points: readonly { readonly at: string; readonly replication: ReplicationStatus }[],
  metricType: string,
  project: string,
): Record<string, unknown>[] {
  const resource = { type: 'cloudsql_database', labels: { project_id: project, database_id: `${project}:${id}`, region } };
  const interval = (at: string) => ({ startTime: at, endTime: at });
  switch (metricType) {
    case REPLICA_LAG: {
      const values = points.map(({ at, replication }) => ({
        interval: interval(at),
        value: { doubleValue: replication.state === 'streaming' ? (replication.lagSeconds ?? -1) : -1 },
      }));
      return [{ metric: { type: metricType, labels: {} }, resource, metricKind: 'GAUGE', valueType: 'DOUBLE', points: values }];
    }
    case NETWORK_LAG: {
      const values = points.filter(({ replication }) => replication.state === 'streaming').map(({ at }) => ({ interval: interval(at), value: { int64Value: '0' } }));
      return values.length === 0 ? [] : [{ metric: { type: metricType, labels: {} }, resource, metricKind: 'GAUGE', valueType: 'INT64', points: values }];
    }
    default: {
      const byState = new Map<string, Record<string, unknown>[]>();
      for (const { at, replication } of points) {
        const state = STATE_LABEL[replication.state];
        if (state === undefined) continue;
        let list = byState.get(state);
        if (list === undefined) byState.set(state, (list = []));
        list.push({ interval: interval(at), value: { boolValue: true } });
      }
      return [...byState].map(([state, values]) => ({ metric: { type: metricType, labels: { state } }, resource, metricKind: 'GAUGE', valueType: 'BOOL', points: values }));
    }
  }
}
