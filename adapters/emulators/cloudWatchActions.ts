import type { AwsCallContext } from './AwsCallContext.js';
import { WireError } from './WireError.js';

interface MetricQuery {
  readonly Id?: unknown;
  readonly MetricStat?: {
    readonly Metric?: {
      readonly Namespace?: unknown;
      readonly MetricName?: unknown;
      readonly Dimensions?: readonly { readonly Name?: unknown; readonly Value?: unknown }[];
    };
  };
}

/**
 * CloudWatch (AWS JSON 1.0) actions the emulator serves: `GetMetricData` for
 * `AWS/RDS` `ReplicaLag` by `DBInstanceIdentifier`, the one metric the AWS
 * adapter reads. The world's current lag is reported as a single datapoint
 * at the end of the requested window; other metrics have no datapoints.
 */
export async function cloudWatchAction(action: string, ctx: AwsCallContext): Promise<string> {
  if (action !== 'GetMetricData') throw new WireError(400, 'UnknownOperationException', `Unknown operation ${action}`);
  let request: { MetricDataQueries?: unknown; StartTime?: unknown; EndTime?: unknown };
  try {
    request = JSON.parse(ctx.body === '' ? '{}' : ctx.body) as typeof request;
  } catch {
    throw new WireError(400, 'SerializationException', 'The request body is not valid JSON');
  }
  const queries = request.MetricDataQueries;
  if (!Array.isArray(queries) || queries.length === 0 || queries.length > 500) {
    throw new WireError(400, 'InvalidParameterValue', 'MetricDataQueries must have between 1 and 500 members');
  }
  const start = Number(request.StartTime);
  const end = Number(request.EndTime);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) {
    throw new WireError(400, 'InvalidParameterValue', 'The parameter EndTime must be greater than StartTime');
  }
  const listing = await ctx.world(ctx.provider.listDatabases({ region: ctx.region }, { signal: ctx.signal }));
  const lag = new Map(listing.map((db) => [db.id, db.replication?.lagSeconds ?? null]));
  const at = Math.max(start, end - 60);
  const results = (queries as MetricQuery[]).map((query) => {
    const metric = query.MetricStat?.Metric;
    const dimension = metric?.Dimensions?.find((each) => each.Name === 'DBInstanceIdentifier');
    const value =
      metric?.Namespace === 'AWS/RDS' && metric.MetricName === 'ReplicaLag' && typeof dimension?.Value === 'string'
        ? lag.get(dimension.Value)
        : undefined;
    const has = typeof value === 'number';
    return { Id: query.Id, Label: 'ReplicaLag', Timestamps: has ? [at] : [], Values: has ? [value] : [], StatusCode: 'Complete' };
  });
  return JSON.stringify({ MetricDataResults: results, Messages: [] });
}
