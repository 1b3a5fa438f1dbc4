import type { Clock } from '../../src/core/clock/Clock.js';
import { timeoutSignal } from '../../src/core/clock/Clock.js';
import { brokenReplicationReason } from './brokenReplicationReason.js';
import type { PostgresServer } from './PostgresServer.js';
import type { ReplicaSample } from './toReplicationStatus.js';

/** One instance's live answer to the status query. */
export interface InstanceStatusRow {
  /** In recovery: a standby. */
  readonly recovery: boolean;
  readonly sample: ReplicaSample;
  /** Port of the server it streams from, as its WAL receiver says. */
  readonly senderPort: number | null;
  /** Why replication is broken, from the server's log, when it is not streaming. */
  readonly broken: string | undefined;
}

const STATUS_SQL = `
SELECT pg_is_in_recovery() AS recovery,
       extract(epoch FROM clock_timestamp())::float8 AS now,
       r.status AS receiver_status,
       extract(epoch FROM r.last_msg_receipt_time)::float8 AS last_message_at,
       pg_wal_lsn_diff(r.latest_end_lsn, pg_last_wal_replay_lsn())::float8 AS behind_bytes,
       extract(epoch FROM pg_last_xact_replay_timestamp())::float8 AS replayed_at,
       r.sender_port
  FROM (SELECT 1) AS one LEFT JOIN pg_stat_wal_receiver AS r ON r.pid IS NOT NULL`;

/**
 * One status query to `server`, bounded by `timeoutMs`; `undefined` when it
 * does not answer in time. A standby that is not streaming also has its
 * log read for the reason (a timeline fork, a missing slot).
 */
export async function readInstanceStatus(server: PostgresServer, clock: Clock, timeoutMs: number, signal: AbortSignal): Promise<InstanceStatusRow | undefined> {
  const budget = timeoutSignal(clock, timeoutMs, signal);
  try {
    const result = await server.session(budget.signal, (client) => client.query(STATUS_SQL));
    const row = result.rows[0] as Record<string, unknown> | undefined;
    if (!row) return undefined;
    const sample: ReplicaSample = {
      now: Number(row['now']),
      receiverStatus: (row['receiver_status'] as string | null) ?? null,
      lastMessageAt: numberOrNull(row['last_message_at']),
      behindBytes: numberOrNull(row['behind_bytes']),
      replayedAt: numberOrNull(row['replayed_at']),
    };
    const recovery = row['recovery'] === true;
    const broken = recovery && sample.receiverStatus !== 'streaming' ? brokenReplicationReason(await server.logTail()) : undefined;
    return { recovery, sample, senderPort: numberOrNull(row['sender_port']), broken };
  } catch {
    return undefined;
  } finally {
    budget.dispose();
  }
}

function numberOrNull(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}
