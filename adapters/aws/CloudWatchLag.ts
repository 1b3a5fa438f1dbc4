import { GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { DBInstance } from '@aws-sdk/client-rds';
import type { Clock } from '../../src/core/clock/Clock.js';
import { isProviderError } from '../../src/core/contract/errors.js';
import { chunks } from '../shared/chunks.js';
import { paginate } from '../shared/paginate.js';
import type { AwsApi } from './AwsApi.js';
import type { LagReading } from './toDatabaseInstance.js';

/** Queries per `GetMetricData` call (the API's limit). */
const METRIC_QUERIES = 500;
/** How far back to look for a `ReplicaLag` datapoint: RDS publishes it every minute. */
const LAG_WINDOW_MS = 5 * 60_000;

/**
 * RDS replica lag from CloudWatch (`AWS/RDS` `ReplicaLag`), the AWS
 * counterpart of the gcp adapter's `CloudMonitoring`: the adapter declares
 * `replicationStatus` only when it reads these.
 */
export class CloudWatchLag {
  constructor(
    private readonly provider: string,
    private readonly api: AwsApi,
    private readonly clock: Clock,
  ) {}

  /**
   * Latest `ReplicaLag` per replica (keyed `region/id`), one `GetMetricData`
   * call per region and 500 replicas. A CloudWatch failure does not fail the
   * listing: lag becomes unknown (`null`) and the error kind is kept.
   */
  async read(
    replicas: readonly { db: DBInstance; region: string }[],
    signal: AbortSignal,
  ): Promise<{ readings: Map<string, LagReading>; error?: string }> {
    const readings = new Map<string, LagReading>();
    const byRegion = new Map<string, string[]>();
    for (const { db, region } of replicas) {
      const ids = byRegion.get(region) ?? [];
      ids.push(db.DBInstanceIdentifier ?? '');
      byRegion.set(region, ids);
    }
    const end = this.clock.now();
    try {
      for (const [region, ids] of byRegion) {
        for (const chunk of chunks(ids, METRIC_QUERIES)) {
          const queries: MetricDataQuery[] = chunk.map((id, i) => ({
            Id: `q${i}`,
            ReturnData: true,
            MetricStat: {
              Metric: { Namespace: 'AWS/RDS', MetricName: 'ReplicaLag', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: id }] },
              Period: 60,
              Stat: 'Maximum',
            },
          }));
          const results = await paginate(
            async (token) => {
              const output = await this.api.send('listDatabases', region, signal, (clients, requestSignal) =>
                clients.cloudWatch.send(
                  new GetMetricDataCommand({
                    MetricDataQueries: queries,
                    StartTime: new Date(end - LAG_WINDOW_MS),
                    EndTime: new Date(end),
                    ScanBy: 'TimestampDescending',
                    ...(token === undefined ? {} : { NextToken: token }),
                  }),
                  { abortSignal: requestSignal },
                ),
              );
              return { items: output.MetricDataResults ?? [], next: output.NextToken };
            },
            { provider: this.provider, operation: 'listDatabases', listing: `listDatabases (${region}): GetMetricData` },
          );
          for (const result of results) {
            const index = Number((result.Id ?? '').slice(1));
            const id = chunk[index];
            const seconds = result.Values?.[0];
            const at = result.Timestamps?.[0];
            const key = `${region}/${id}`;
            // A negative value (RDS: -1, replication not active) is kept: what it means depends on the engine (lagOf).
            if (id === undefined || seconds === undefined || readings.has(key)) continue;
            const taken = at?.getTime() ?? end - LAG_WINDOW_MS;
            readings.set(key, { seconds, at: taken, ageSeconds: Math.max(0, this.clock.now() - taken) / 1000 });
          }
        }
      }
      return { readings };
    } catch (error) {
      if (signal.aborted || !isProviderError(error)) throw error;
      return { readings, error: error.kind };
    }
  }
}
