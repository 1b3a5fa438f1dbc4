import type { ReplicationState } from '../../src/core/contract/types.js';

/** Past this many replicas the watch starts over rather than grow without bound. */
const MAX_WATCHED = 200_000;

/**
 * When the adapter itself saw each replica's replication stop. RDS reports
 * a replica's replication state (`StatusInfos`) but not when it last heard
 * its source; this watch notes the time of the first listing that shows a
 * replica not streaming after one that showed it streaming. Contact was
 * lost at or before that moment, so the seconds since then are a lower
 * bound on the time since last contact: data-loss estimates made from it
 * (lag minus time without contact) err high, by at most the time between
 * two listings, never low.
 */
export class ReplicationStopWatch {
  /** Per replica key: `streaming` when last seen streaming, else when it was first seen stopped after that (ms), or `unknown`. */
  private readonly seen = new Map<string, number | 'streaming' | 'unknown'>();

  /**
   * Records one observation of `key` at `now` (ms) and returns the lower
   * bound on seconds since last contact: `null` while streaming (no
   * measure), for an `unknown` state, and for a replica never seen
   * streaming (it may have stopped long before the adapter looked).
   */
  observe(key: string, state: ReplicationState, now: number): number | null {
    if (state === 'unknown') return this.since(this.seen.get(key), now);
    if (this.seen.size >= MAX_WATCHED && !this.seen.has(key)) this.seen.clear();
    if (state === 'streaming') {
      this.seen.set(key, 'streaming');
      return null;
    }
    const previous = this.seen.get(key);
    if (previous === 'streaming') {
      this.seen.set(key, now);
      return 0;
    }
    if (previous === undefined) this.seen.set(key, 'unknown');
    return this.since(previous, now);
  }

  private since(mark: number | 'streaming' | 'unknown' | undefined, now: number): number | null {
    return typeof mark === 'number' ? Math.max(0, Math.round(now - mark) / 1000) : null;
  }
}
