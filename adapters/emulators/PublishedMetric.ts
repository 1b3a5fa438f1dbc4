/** One datapoint as CloudWatch serves it: the start of its period (ms) and the statistic's value. */
export interface Datapoint {
  readonly t: number;
  readonly value: number;
}

/** Statistics the emulator computes over a period's samples. */
export type Statistic = 'Maximum' | 'Minimum' | 'Average';

/** Samples kept per series: an hour at one a second is more than any window the adapter asks for. */
const MAX_SAMPLES = 3_600;

/**
 * One metric series as a service publishes it to CloudWatch: values are
 * sampled when the emulator reads the world, aggregated per period
 * (`periodSeconds`, RDS: one minute), and a period's datapoint is served
 * only once `delaySeconds` have passed after the period ended (the
 * visibility delay). A period with no sample carries the last value before
 * it; periods before the first sample carry the first one (the series was
 * published before the emulator first looked).
 */
export class PublishedMetric {
  private readonly samples: { t: number; value: number }[] = [];

  constructor(
    private readonly periodSeconds: number,
    private readonly delaySeconds: number,
  ) {}

  /** Records the value the service measured at `t` (ms). Samples arrive in time order. */
  record(t: number, value: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last !== undefined && t < last.t) return;
    this.samples.push({ t, value });
    if (this.samples.length > MAX_SAMPLES) this.samples.splice(0, this.samples.length - MAX_SAMPLES);
  }

  /** Datapoints of the periods starting in [start, end) that are visible at `now`, newest first. */
  datapoints(start: number, end: number, now: number, stat: Statistic): Datapoint[] {
    if (this.samples.length === 0) return [];
    const period = this.periodSeconds * 1000;
    const out: Datapoint[] = [];
    const visibleBefore = now - this.delaySeconds * 1000;
    for (let p = Math.ceil(start / period) * period; p < end; p += period) {
      if (p + period > visibleBefore) break;
      out.push({ t: p, value: this.valueOf(p, p + period, stat) });
    }
    return out.reverse();
  }

  private valueOf(from: number, to: number, stat: Statistic): number {
    const inside = this.samples.filter((s) => s.t >= from && s.t < to).map((s) => s.value);
    if (inside.length === 0) {
      const before = this.samples.filter((s) => s.t < from);
      return (before[before.length - 1] ?? this.samples[0]!).value;
    }
    if (stat === 'Maximum') return Math.max(...inside);
    if (stat === 'Minimum') return Math.min(...inside);
    return inside.reduce((a, b) => a + b, 0) / inside.length;
  }
}
