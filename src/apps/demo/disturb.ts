import type { LocalProvider } from '../../../adapters/local/index.js';
import type { Clock } from '../../core/clock/Clock.js';
import type { Policy } from '../../core/controller/Policy.js';
import { BoundedConnection, type PgEndpoint } from './BoundedConnection.js';
import type { Disturbance } from './Disturbance.js';
import { WRITES_TABLE } from './WriteClient.js';

/** Where a disturbance strikes: the healthy topology of a drill. */
export interface DisturbanceTarget {
  readonly local: LocalProvider;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly policy: Policy;
  /** The primary's zone. */
  readonly zone: string;
  readonly primary: PgEndpoint;
  /** The synchronous standby's instance id. */
  readonly syncStandby: string;
}

/** Stopped and running phases of `cpu-starvation`, ms, and how long it lasts. */
const STARVATION = { stoppedMs: 150, runningMs: 150, totalMs: 10_000 };
const BULK_ROWS = 200_000;
const BULK_FIRST_SEQ = 2_000_000_001;

/**
 * What a disturbance did. `effect` is what shows it really happened, per
 * kind: `brief-freeze` ms frozen; `network-blip` connections reset;
 * `checkpoint-stall` ms the `CHECKPOINT` took; `cpu-starvation` stop/resume
 * cycles; `replica-restart` seconds the standby's start time moved.
 */
export interface DisturbanceOutcome {
  readonly description: string;
  readonly effect: number;
}

/**
 * Applies `kind` (see {@link Disturbance}) and resolves once it is over (the
 * primary fully running again). Every freeze is undone on every path, abort
 * included.
 */
export async function disturb(kind: Disturbance, target: DisturbanceTarget): Promise<DisturbanceOutcome> {
  const { local, clock, signal, zone } = target;
  // A little less than the blip the controller tolerates: the standbys' silence that counts as a lost primary.
  const belowToleranceMs = Math.max(500, target.policy.replicationStaleAfter * 1000 - 500);
  const freezeZone = async (ms: number) => {
    local.ex_injectZoneFault(zone, 'unreachable');
    try {
      await clock.sleep(ms, signal);
    } finally {
      local.ex_clearZoneFault(zone);
    }
  };
  switch (kind) {
    case 'brief-freeze':
      await freezeZone(belowToleranceMs);
      return { description: `every process of ${zone} frozen for ${belowToleranceMs / 1000} s, then resumed`, effect: belowToleranceMs };
    case 'network-blip': {
      await freezeZone(1000);
      const reset = await onPrimary(target, (c) =>
        c.query<{ n: string }>('SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type IN ($1, $2)', ['client backend', 'walsender'], 5000),
      );
      const count = Number(reset.rows[0]?.n ?? 0);
      return { description: `${zone} partitioned for 1 s, then ${count} connection(s) to the primary reset`, effect: count };
    }
    case 'checkpoint-stall': {
      return onPrimary(target, async (c) => {
        await c.query(`INSERT INTO ${WRITES_TABLE} (seq, instance) SELECT g, 'bulk' FROM generate_series($1::bigint, $2::bigint) g`, [BULK_FIRST_SEQ, BULK_FIRST_SEQ + BULK_ROWS - 1], 60_000);
        const workers = await c.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE backend_type IN ('checkpointer', 'walwriter', 'background writer')", [], 5000);
        const pids = workers.rows.map((r) => r.pid);
        sendAll(pids, 'SIGSTOP');
        try {
          // The CHECKPOINT waits on the frozen checkpointer; it finishes once they resume.
          const started = clock.now();
          const checkpoint = c.query('CHECKPOINT', [], 60_000);
          await clock.sleep(belowToleranceMs, signal);
          sendAll(pids, 'SIGCONT');
          await checkpoint;
          const tookMs = clock.now() - started;
          return {
            description: `${BULK_ROWS.toLocaleString('en-US')} rows written, then CHECKPOINT with ${pids.length} of the checkpointer, WAL writer and background writer frozen for ${belowToleranceMs / 1000} s (it took ${(tookMs / 1000).toFixed(1)} s)`,
            effect: tookMs,
          };
        } finally {
          sendAll(pids, 'SIGCONT');
        }
      });
    }
    case 'cpu-starvation': {
      const until = clock.now() + STARVATION.totalMs;
      let cycles = 0;
      while (clock.now() < until) {
        await freezeZone(STARVATION.stoppedMs);
        await clock.sleep(STARVATION.runningMs, signal);
        cycles++;
      }
      return { description: `${zone} stopped and resumed ${cycles} times (${STARVATION.stoppedMs} ms stopped, ${STARVATION.runningMs} ms running) over ${STARVATION.totalMs / 1000} s`, effect: cycles };
    }
    case 'replica-restart': {
      const standby: PgEndpoint = { id: target.syncStandby, target: local.ex_connection(target.syncStandby) };
      const startedBefore = await startTime(standby, target);
      await local.rebootDatabase(target.syncStandby, { signal });
      // The call may return while the server is still shutting down or starting: ask until it answers.
      const deadline = clock.now() + 30_000;
      let startedAfter = startedBefore;
      while (startedAfter === startedBefore) {
        startedAfter = await startTime(standby, target).catch((error: unknown) => {
          if (clock.now() > deadline) throw error;
          return startedBefore;
        });
        if (startedAfter === startedBefore) await clock.sleep(200, signal);
      }
      const moved = startedAfter - startedBefore;
      return { description: `synchronous standby ${target.syncStandby} restarted (its start time moved ${moved.toFixed(1)} s)`, effect: moved };
    }
  }
}

/** When the server at `endpoint` started, epoch seconds (its own `pg_postmaster_start_time()`). */
async function startTime(endpoint: PgEndpoint, target: DisturbanceTarget): Promise<number> {
  const result = await onServer(endpoint, target, (c) => c.query<{ t: string }>('SELECT extract(epoch FROM pg_postmaster_start_time()) AS t', [], 5000));
  return Number(result.rows[0]?.t);
}

function onPrimary<T>(target: DisturbanceTarget, work: (c: BoundedConnection) => Promise<T>): Promise<T> {
  return onServer(target.primary, target, work);
}

async function onServer<T>(endpoint: PgEndpoint, target: DisturbanceTarget, work: (c: BoundedConnection) => Promise<T>): Promise<T> {
  const connection = await BoundedConnection.open(endpoint, target.clock, 10_000, 'lifeboat-disturbance');
  try {
    return await work(connection);
  } finally {
    connection.close();
  }
}

function sendAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // exited meanwhile
    }
  }
}
