import type { Clock } from '../../src/core/clock/Clock.js';
import type { DatabaseInstance, ReplicationStatus } from '../../src/core/contract/types.js';

/** Cloud SQL's replication metrics are sampled once a minute. */
export const SAMPLE_PERIOD_MS = 60_000;
/**
 * How long a sample stays invisible after it was taken. Google's metrics
 * list gives each Cloud SQL metric a sampling period and a visibility delay
 * (https://cloud.google.com/monitoring/api/metrics_gcp_c#gcp-cloudsql); the
 * emulator uses 120 s for the replication metrics, an order of magnitude
 * to be checked on a real project (see `adapters/gcp/README.md`).
 */
export const VISIBILITY_DELAY_MS = 120_000;
/** The history given to the replicas that exist when sampling starts: longer than the visibility delay and the adapter's window. */
const HISTORY_MS = 10 * SAMPLE_PERIOD_MS;
/** Samples kept per replica: an hour, more than any query window the adapter uses. */
const KEPT = 60;

/** One sample of a replica's replication, at a sampling instant. */
export interface ReplicationSample {
  readonly at: number;
  readonly replication: ReplicationStatus;
  readonly region: string;
}

/**
 * Replication samples as Cloud Monitoring keeps them: one per replica per
 * {@link SAMPLE_PERIOD_MS}, shown only {@link VISIBILITY_DELAY_MS} after it
 * was taken. The emulator has no timers of its own, so a sample is taken at
 * the first read after its instant (with the world's value at that read),
 * and an instant with no read at all has no sample: the adapter reads far
 * more often than once a minute, so this only thins the series of a replay
 * with no reads.
 */
export class MetricSamples {
  private readonly byInstance = new Map<string, ReplicationSample[]>();
  private started = false;

  constructor(private readonly clock: Clock) {}

  /**
   * Takes the samples due since the last read from the world's current
   * listing. The replicas of the first read existed before the emulator
   * did (a world starts in a steady state), so they get a history: their
   * current value at the sampling instants of the last {@link HISTORY_MS}.
   * Replicas that appear later start with no sample.
   */
  record(listing: readonly DatabaseInstance[]): void {
    const instant = Math.floor(this.clock.now() / SAMPLE_PERIOD_MS) * SAMPLE_PERIOD_MS;
    const first = !this.started;
    this.started = true;
    for (const db of listing) {
      if (db.replication === undefined) continue;
      let samples = this.byInstance.get(db.id);
      if (samples === undefined) {
        this.byInstance.set(db.id, (samples = []));
        if (first) {
          for (let at = instant - HISTORY_MS; at < instant; at += SAMPLE_PERIOD_MS) samples.push({ at, replication: db.replication, region: db.region });
        }
      }
      const last = samples[samples.length - 1];
      if (last !== undefined && last.at >= instant) continue;
      samples.push({ at: instant, replication: db.replication, region: db.region });
      if (samples.length > KEPT) samples.shift();
    }
  }

  /** Visible samples of instance `id` within [`startMs`, `endMs`], newest first (as Monitoring returns points). */
  visible(id: string, startMs: number, endMs: number): ReplicationSample[] {
    const horizon = this.clock.now() - VISIBILITY_DELAY_MS;
    const samples = this.byInstance.get(id) ?? [];
    return samples.filter((sample) => sample.at <= horizon && sample.at >= startMs && sample.at <= endMs).reverse();
  }

  /** Every instance that has samples. */
  instances(): string[] {
    return [...this.byInstance.keys()];
  }
}
