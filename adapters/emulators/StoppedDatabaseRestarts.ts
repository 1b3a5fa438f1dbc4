import type { Clock } from '../../src/core/clock/Clock.js';
import type { ServiceRecords } from './ServiceRecords.js';
import type { Provider } from '../../src/core/contract/Provider.js';

/**
 * How long RDS lets a DB instance stay stopped: "You can stop a DB instance
 * for up to seven days. If you don't manually start your DB instance after
 * seven days, your DB instance is automatically started"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_StopInstance.html).
 */
export const RDS_STOPPED_FOR_AT_MOST_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The RDS rule that undoes a fence: an instance stopped through
 * `StopDBInstance` starts again by itself seven days later (on the world's
 * clock). The world has no such rule, so the emulator keeps the stop times
 * and, on the first RDS request at or after an instance's seven days, starts
 * it in the world (a world `rebootDatabase`, as `StartDBInstance` does) if
 * the world still shows it stopped. Lazily, not on a timer: nobody can see
 * the instance between the deadline and the next request, and no timer is
 * left on the world's clock.
 */
export class StoppedDatabaseRestarts {
  /** Stop time (ms on the world's clock) by instance id, for instances stopped through this emulator. */
  private readonly stoppedAt = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly stoppedForAtMostMs = RDS_STOPPED_FOR_AT_MOST_MS,
  ) {}

  /** `StopDBInstance` of `id` was accepted now. */
  stopped(id: string): void {
    this.stoppedAt.set(id, this.clock.now());
  }

  /** `id` was started on purpose (`StartDBInstance`): its seven days no longer run. */
  started(id: string): void {
    this.stoppedAt.delete(id);
  }

  /** Whether an instance's seven days are up (then {@link startDue} has something to do). */
  get anyDue(): boolean {
    const now = this.clock.now();
    for (const at of this.stoppedAt.values()) if (now - at >= this.stoppedForAtMostMs) return true;
    return false;
  }

  /**
   * Starts, in the world, every instance whose seven days are up and that
   * the world still shows `stopped` (one deleted or started meanwhile is
   * left alone). RDS knows its instances' states from its own `records`
   * (no API read); each instance started is a world `rebootDatabase` call.
   */
  async startDue(records: ServiceRecords, provider: Provider, signal: AbortSignal): Promise<string[]> {
    const now = this.clock.now();
    const due = [...this.stoppedAt].filter(([, at]) => now - at >= this.stoppedForAtMostMs).map(([id]) => id);
    if (due.length === 0) return [];
    for (const id of due) this.stoppedAt.delete(id);
    const listing = await records.listDatabases({ ids: due }, { signal });
    const stopped = listing.filter((db) => due.includes(db.id) && db.state === 'stopped').map((db) => db.id);
    for (const id of stopped) await provider.rebootDatabase(id, { signal });
    return stopped;
  }
}
