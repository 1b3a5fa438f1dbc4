import type { DatabaseInstance, ReplicationState } from '../../src/core/contract/types.js';
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
 * `metric.type` (required, one) and `resource.type`. Each series has one
 * sample, the world's current value, at the end of the requested interval
 * (no history). A replica cut off from its primary shows state `Error` with
 * its growing lag; a broken one `Error` with lag -1 (replication inactive);
 * `network_lag` is 0 while streaming (the world has no network delay) and
 * absent otherwise. Other metric types have no data.
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
  const at = new Date(end).toISOString();
  const series = listing.flatMap((db) => seriesFor(db, metricType, project, at));
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

function seriesFor(db: DatabaseInstance, metricType: string, project: string, at: string): Record<string, unknown>[] {
  const replication = db.replication;
  if (replication === undefined) return [];
  const resource = { type: 'cloudsql_database', labels: { project_id: project, database_id: `${project}:${db.id}`, region: db.region } };
  const interval = { startTime: at, endTime: at };
  switch (metricType) {
    case REPLICA_LAG: {
      const lag = replication.state === 'broken' ? -1 : (replication.lagSeconds ?? -1);
      return [{ metric: { type: metricType, labels: {} }, resource, metricKind: 'GAUGE', valueType: 'DOUBLE', points: [{ interval, value: { doubleValue: lag } }] }];
    }
    case NETWORK_LAG:
      if (replication.state !== 'streaming') return [];
      return [{ metric: { type: metricType, labels: {} }, resource, metricKind: 'GAUGE', valueType: 'INT64', points: [{ interval, value: { int64Value: '0' } }] }];
    default: {
      const state = STATE_LABEL[replication.state];
      if (state === undefined) return [];
      return [{ metric: { type: metricType, labels: { state } }, resource, metricKind: 'GAUGE', valueType: 'BOOL', points: [{ interval, value: { boolValue: true } }] }];
    }
  }
}
