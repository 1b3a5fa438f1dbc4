import type { Clock } from '../../core/clock/Clock.js';
import { BoundedConnection, BoundExceededError, isSqlError, type PgEndpoint } from './BoundedConnection.js';
import { WRITES_TABLE, type AcknowledgedWrite, type UnacknowledgedWrite } from './WriteClient.js';

/** Table the writability check upserts into (kept apart from the client's writes). */
export const CHECK_TABLE = 'lifeboat_demo_check';

/** Creates {@link CHECK_TABLE}; run once on the primary before any check. */
export const CHECK_TABLE_DDL = `CREATE TABLE IF NOT EXISTS ${CHECK_TABLE} (instance text PRIMARY KEY, at timestamptz NOT NULL)`;

/**
 * What one instance did when asked to take a write:
 *
 * - `writable`: not in recovery, and an upsert committed (a client would get
 *   an acknowledgement from it).
 * - `not-committing`: says it is a primary but the commit did not return in
 *   time (it waits for a synchronous standby that no longer follows it) or
 *   was refused. It acknowledges nothing.
 * - `standby`: in recovery (read-only).
 * - `unreachable`: no answer within the bound (frozen, partitioned).
 * - `down`: the connection was refused (stopped, fenced, killed).
 */
export type WritableState = 'writable' | 'not-committing' | 'standby' | 'unreachable' | 'down';

/** One instance's answer to {@link checkWritable}. */
export interface InstanceCheck {
  readonly instance: string;
  readonly state: WritableState;
  readonly detail?: string;
}

/**
 * Asks every endpoint, in parallel, whether it takes writes: a role check,
 * then on a primary a real commit, each step bounded by `timeoutMs`. Used
 * to assert that exactly one writable primary is left after a failover.
 */
export async function checkWritable(endpoints: readonly PgEndpoint[], clock: Clock, timeoutMs = 2000): Promise<InstanceCheck[]> {
  return Promise.all(endpoints.map((endpoint) => checkOne(endpoint, clock, timeoutMs)));
}

async function checkOne(endpoint: PgEndpoint, clock: Clock, timeoutMs: number): Promise<InstanceCheck> {
  const instance = endpoint.id;
  let connection: BoundedConnection | undefined;
  try {
    connection = await BoundedConnection.open(endpoint, clock, timeoutMs, 'lifeboat-demo-check');
  } catch (error) {
    return { instance, state: error instanceof BoundExceededError ? 'unreachable' : 'down', detail: message(error) };
  }
  try {
    const role = await connection.query<{ recovery: boolean }>('SELECT pg_is_in_recovery() AS recovery', [], timeoutMs);
    if (role.rows[0]?.recovery !== false) return { instance, state: 'standby' };
    try {
      await connection.query(
        `INSERT INTO ${CHECK_TABLE} (instance, at) VALUES ($1, clock_timestamp()) ON CONFLICT (instance) DO UPDATE SET at = excluded.at`,
        [instance],
        timeoutMs,
      );
      return { instance, state: 'writable' };
    } catch (error) {
      return { instance, state: 'not-committing', detail: message(error) };
    }
  } catch (error) {
    return { instance, state: isSqlError(error) ? 'down' : 'unreachable', detail: message(error) };
  } finally {
    connection.close();
  }
}

/** What {@link readBack} found on the new primary. */
export interface ReadBackResult {
  /** Instance the rows were read from. */
  readonly instance: string;
  /** Acknowledged writes that are missing there: lost. */
  readonly lost: readonly AcknowledgedWrite[];
  /** Indeterminate writes (cut off before their outcome was known) that did commit. */
  readonly indeterminateFound: number;
  /** Rows in the table. */
  readonly rows: number;
}

/**
 * Reads every sequence number from `endpoint` (the new primary) and
 * compares with what the client was told: any acknowledged write not there
 * is lost.
 */
export async function readBack(
  endpoint: PgEndpoint,
  acknowledged: readonly AcknowledgedWrite[],
  unacknowledged: readonly UnacknowledgedWrite[],
  clock: Clock,
  timeoutMs = 10_000,
): Promise<ReadBackResult> {
  const connection = await BoundedConnection.open(endpoint, clock, timeoutMs, 'lifeboat-demo-verify');
  try {
    const result = await connection.query<{ seq: string }>(`SELECT seq FROM ${WRITES_TABLE}`, [], timeoutMs);
    const present = new Set(result.rows.map((row) => Number(row.seq)));
    return {
      instance: endpoint.id,
      lost: acknowledged.filter((write) => !present.has(write.seq)),
      indeterminateFound: unacknowledged.filter((write) => write.outcome === 'indeterminate' && present.has(write.seq)).length,
      rows: present.size,
    };
  } finally {
    connection.close();
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
