import type { Clock } from '../../src/core/clock/Clock.js';
import type { DatabaseInstance } from '../../src/core/contract/types.js';
import type { AwsCallContext } from './AwsCallContext.js';
import { PublishedMetric, type Statistic } from './PublishedMetric.js';
import { WireError } from './WireError.js';

interface MetricQuery {
  readonly Id?: unknown;
  readonly MetricStat?: {
    readonly Metric?: {
      readonly Namespace?: unknown;
      readonly MetricName?: unknown;
      readonly Dimensions?: readonly { readonly Name?: unknown; readonly Value?: unknown }[];
    };
    readonly Period?: unknown;
    readonly Stat?: unknown;
  };
}

/** How the emulator publishes `ReplicaLag` (see {@link CloudWatchRoutes}). */
export interface ReplicaLagPublishing {
  /**
   * `published` (the default): as RDS and CloudWatch do, one datapoint per
   * `periodSeconds` aggregated from what the emulator sampled, visible
   * `delaySeconds` after its period ends, and -1 while a MySQL or MariaDB
   * replica is not replicating. `live`: the world's lag now, as one
   * datapoint a period before the end of the window (tests of the
   * adapter's mapping that want exact values).
   */
  readonly mode?: 'published' | 'live';
  /** Default 60: RDS publishes its metrics every minute. */
  readonly periodSeconds?: number;
  /** Default 60 (see the emulators' README for why). */
  readonly delaySeconds?: number;
}

/**
 * Engines whose `ReplicaLag` RDS reports as -1 while replication is not
 * active (it is MySQL's `Seconds_Behind_Master`, whose NULL becomes -1):
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_MySQL.Replication.ReadReplicas.Monitor.html
 */
const MINUS_ONE_WHEN_INACTIVE = /^(mysql|mariadb)/;

/**
 * CloudWatch (AWS JSON 1.0) actions the emulator serves: `GetMetricData` for
 * `AWS/RDS` `ReplicaLag` by `DBInstanceIdentifier`, the one metric the AWS
 * adapter reads; other metrics have no datapoints. Each call samples the
 * world's lag of every replica of the region (what RDS measures) before
 * answering from the published series.
 */
export class CloudWatchRoutes {
  private readonly series = new Map<string, PublishedMetric>();
  private readonly mode: 'published' | 'live';
  private readonly periodSeconds: number;
  private readonly delaySeconds: number;

  constructor(
    private readonly clock: Clock,
    publishing: ReplicaLagPublishing = {},
  ) {
    this.mode = publishing.mode ?? 'published';
    this.periodSeconds = publishing.periodSeconds ?? 60;
    this.delaySeconds = publishing.delaySeconds ?? 60;
  }

  async handle(action: string, ctx: AwsCallContext): Promise<string> {
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
    // The SDK sends epoch seconds.
    const start = Number(request.StartTime) * 1000;
    const end = Number(request.EndTime) * 1000;
    if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) {
      throw new WireError(400, 'InvalidParameterValue', 'The parameter EndTime must be greater than StartTime');
    }
    const listing = await ctx.world(ctx.provider.listDatabases({ region: ctx.region }, { signal: ctx.signal }));
    const now = this.clock.now();
    const byId = new Map(listing.map((db) => [db.id, db]));
    if (this.mode === 'published') for (const db of listing) this.sample(ctx.region, db, now);
    const results = (queries as MetricQuery[]).map((query) => {
      const metric = query.MetricStat?.Metric;
      const dimension = metric?.Dimensions?.find((each) => each.Name === 'DBInstanceIdentifier');
      const id = metric?.Namespace === 'AWS/RDS' && metric.MetricName === 'ReplicaLag' && typeof dimension?.Value === 'string' ? dimension.Value : undefined;
      const points = id === undefined ? [] : this.datapoints(ctx.region, byId.get(id), start, end, now, statOf(query.MetricStat?.Stat));
      return { Id: query.Id, Label: 'ReplicaLag', Timestamps: points.map((p) => p.t / 1000), Values: points.map((p) => p.value), StatusCode: 'Complete' };
    });
    return JSON.stringify({ MetricDataResults: results, Messages: [] });
  }

  private sample(region: string, db: DatabaseInstance, now: number): void {
    const replication = db.replication;
    if (replication === undefined) return;
    const inactive = replication.state !== 'streaming' && MINUS_ONE_WHEN_INACTIVE.test(db.engine);
    const value = inactive ? -1 : replication.lagSeconds;
    if (value === null) return;
    const key = `${region}/${db.id}`;
    let series = this.series.get(key);
    if (!series) this.series.set(key, (series = new PublishedMetric(this.periodSeconds, this.delaySeconds)));
    series.record(now, value);
  }

  private datapoints(region: string, db: DatabaseInstance | undefined, start: number, end: number, now: number, stat: Statistic) {
    if (this.mode === 'live') {
      const lag = db?.replication?.lagSeconds;
      return typeof lag === 'number' ? [{ t: Math.max(start, end - this.periodSeconds * 1000), value: lag }] : [];
    }
    return this.series.get(`${region}/${db?.id ?? ''}`)?.datapoints(start, end, now, stat) ?? [];
  }
}

function statOf(stat: unknown): Statistic {
  if (stat === undefined || stat === 'Maximum' || stat === 'Minimum' || stat === 'Average') return stat ?? 'Maximum';
  throw new WireError(400, 'InvalidParameterValue', `The emulator does not compute the statistic ${String(stat)}`);
}
