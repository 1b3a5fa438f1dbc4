import { GoogleRestApi } from './GoogleRestApi.js';
import type { ScopedAuth } from './ScopedAuth.js';

/** Cloud SQL's replica lag metric: seconds the replica is behind its primary; negative while replication is inactive. */
export const REPLICA_LAG_METRIC = 'cloudsql.googleapis.com/database/replication/replica_lag';
/** Cloud SQL's replication state metric (BOOL gauge, label `state`: `Running`, `Stopped`, `Error`). */
export const REPLICATION_STATE_METRIC = 'cloudsql.googleapis.com/database/replication/state';
/** Cloud SQL's network lag metric: seconds from the primary's log to the replica's receiver. Not read by the adapter. */
export const NETWORK_LAG_METRIC = 'cloudsql.googleapis.com/database/replication/network_lag';

/** One point of a Cloud Monitoring time series (REST shape). */
export interface MonitoringPoint {
  readonly interval?: { readonly startTime?: string; readonly endTime?: string };
  readonly value?: { readonly doubleValue?: number; readonly int64Value?: string; readonly boolValue?: boolean };
}

/** One Cloud Monitoring time series (REST shape), the fields the adapter reads. */
export interface MonitoringTimeSeries {
  readonly metric?: { readonly type?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly resource?: { readonly type?: string; readonly labels?: Readonly<Record<string, string>> };
  /** Newest first, as the API returns them. */
  readonly points?: readonly MonitoringPoint[];
}

/**
 * The Cloud Monitoring v3 REST API, only `projects.timeSeries.list`, through
 * the same auth (and so the same signal and error handling) as the other
 * Google APIs the adapter calls.
 */
export class CloudMonitoring extends GoogleRestApi {
  constructor(auth: ScopedAuth, baseUrl: string) {
    super(auth, baseUrl, 'v3');
  }

  /**
   * One page of the `cloudsql_database` time series of `metricType` with
   * points in [`startMs`, `endMs`]. Resolves with the series and the next
   * page's token.
   */
  listTimeSeries(
    project: string,
    metricType: string,
    startMs: number,
    endMs: number,
    pageToken?: string,
  ): Promise<{ timeSeries?: MonitoringTimeSeries[]; nextPageToken?: string }> {
    return this.call('GET', `projects/${encodeURIComponent(project)}/timeSeries`, {
      query: {
        filter: `metric.type = "${metricType}" AND resource.type = "cloudsql_database"`,
        'interval.startTime': new Date(startMs).toISOString(),
        'interval.endTime': new Date(endMs).toISOString(),
        view: 'FULL',
        pageToken,
      },
    });
  }
}

/** What Cloud Monitoring says about one replica's replication. */
export interface ReplicationReading {
  /** Latest `replica_lag` sample; `null` when there is none or it is negative (replication inactive). */
  readonly lagSeconds: number | null;
  /**
   * The latest `replica_lag` sample is negative and no `replication/state`
   * sample is newer: replication is inactive
   * (https://cloud.google.com/monitoring/api/metrics_gcp_c#gcp-cloudsql: the
   * metric's description gives a negative value that meaning).
   */
  readonly inactive?: boolean;
  /** Latest `replication/state` sample that is true, if any. */
  readonly state?: string;
  /** Time of the newest sample taken into account (ms since the epoch). */
  readonly at?: number;
}

/** The instance name a `cloudsql_database` series belongs to (`database_id` is `project:instance`). */
export function instanceOfSeries(series: MonitoringTimeSeries): string | undefined {
  const id = series.resource?.labels?.['database_id'];
  if (id === undefined || id === '') return undefined;
  return id.slice(id.lastIndexOf(':') + 1);
}

function pointTime(point: MonitoringPoint): number {
  const at = Date.parse(point.interval?.endTime ?? '');
  return Number.isFinite(at) ? at : -Infinity;
}

/**
 * Per instance name: the newest `replica_lag` sample and the state whose
 * newest sample is the newest true one among the `replication/state`
 * series. A negative lag means replication is inactive: no lag is known,
 * and unless a newer state sample says otherwise the replica is marked
 * `inactive`.
 */
export function replicationReadings(
  lagSeries: readonly MonitoringTimeSeries[],
  stateSeries: readonly MonitoringTimeSeries[],
): Map<string, ReplicationReading> {
  const lags = new Map<string, { value: number; at: number }>();
  for (const series of lagSeries) {
    const name = instanceOfSeries(series);
    if (name === undefined) continue;
    for (const point of series.points ?? []) {
      const value = point.value?.doubleValue ?? (point.value?.int64Value === undefined ? undefined : Number(point.value.int64Value));
      if (value === undefined || !Number.isFinite(value)) continue;
      const at = pointTime(point);
      const seen = lags.get(name);
      if (seen === undefined || at > seen.at) lags.set(name, { value, at });
    }
  }
  const states = new Map<string, { state: string; at: number }>();
  for (const series of stateSeries) {
    const name = instanceOfSeries(series);
    const state = series.metric?.labels?.['state'];
    if (name === undefined || state === undefined) continue;
    for (const point of series.points ?? []) {
      if (point.value?.boolValue !== true) continue;
      const at = pointTime(point);
      const seen = states.get(name);
      if (seen === undefined || at > seen.at) states.set(name, { state, at });
    }
  }
  const out = new Map<string, ReplicationReading>();
  for (const name of new Set([...lags.keys(), ...states.keys()])) {
    const lag = lags.get(name);
    const state = states.get(name);
    const inactive = lag !== undefined && lag.value < 0 && (state === undefined || state.at <= lag.at);
    out.set(name, {
      lagSeconds: lag === undefined || lag.value < 0 ? null : lag.value,
      ...(inactive ? { inactive: true } : {}),
      ...(state === undefined ? {} : { state: state.state }),
      ...(lag === undefined && state === undefined ? {} : { at: Math.max(lag?.at ?? -Infinity, state?.at ?? -Infinity) }),
    });
  }
  return out;
}
