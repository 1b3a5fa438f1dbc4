import type { ReplicationMode, ReplicationStatus } from '../../src/core/contract/types.js';

/** What one status query on a standby returned (times in epoch seconds of the server's clock). */
export interface ReplicaSample {
  /** `now()` on the server. */
  readonly now: number;
  /** `pg_stat_wal_receiver.status` (`streaming`, `starting`, `waiting`, ...), `null` without a WAL receiver. */
  readonly receiverStatus: string | null;
  /** `last_msg_receipt_time`: the last WAL record or keepalive from the upstream. */
  readonly lastMessageAt: number | null;
  /** The upstream's end of WAL as last reported, minus our replay position, in bytes. */
  readonly behindBytes: number | null;
  /** `pg_last_xact_replay_timestamp()`: commit time of the last replayed transaction. */
  readonly replayedAt: number | null;
}

/** What the adapter remembers of a replica's last contact with its upstream. */
export interface ContactMemory {
  /** Epoch seconds (server clock) of the last message from the upstream seen so far. */
  readonly at: number;
  /** Replay lag measured while streaming at that time. */
  readonly lagSeconds: number;
}

/**
 * Maps a standby's own view of its stream to the contract's
 * {@link ReplicationStatus}. Pure.
 *
 * - `lastContactSeconds`: since `last_msg_receipt_time`. PostgreSQL drops
 *   the WAL receiver row once the connection times out, so the newest contact
 *   ever seen is remembered and keeps counting up while disconnected.
 * - `lagSeconds` while streaming: 0 when everything the upstream reported is
 *   replayed (an idle primary does not make an old replay timestamp a lag),
 *   otherwise `now - pg_last_xact_replay_timestamp()`. While disconnected:
 *   the lag at the last contact plus the time since, because the upstream is
 *   presumed to go on committing.
 * - No sample (server down or not answering in time): `unknown`.
 */
export function toReplicationStatus(
  upstream: string,
  mode: ReplicationMode,
  sample: ReplicaSample | undefined,
  memory: ContactMemory | undefined,
  broken: boolean,
): { status: ReplicationStatus; memory: ContactMemory | undefined } {
  if (!sample) {
    return {
      status: { upstream, mode, state: 'unknown', lagSeconds: null, lastContactSeconds: null, lagBytes: null },
      memory,
    };
  }
  const contacts = [sample.lastMessageAt, memory?.at].filter((at): at is number => at !== null && at !== undefined);
  const lastAt = contacts.length > 0 ? Math.max(...contacts) : undefined;
  const lastContactSeconds = lastAt === undefined ? null : Math.max(0, sample.now - lastAt);
  const lagBytes = sample.behindBytes === null ? null : Math.max(0, sample.behindBytes);
  if (sample.receiverStatus === 'streaming') {
    let lagSeconds: number | null = null;
    if (lagBytes === 0) lagSeconds = 0;
    else if (lagBytes !== null && sample.replayedAt !== null) lagSeconds = Math.max(0, sample.now - sample.replayedAt);
    const remembered =
      lastAt === undefined ? memory : { at: lastAt, lagSeconds: lagSeconds ?? memory?.lagSeconds ?? 0 };
    return { status: { upstream, mode, state: 'streaming', lagSeconds, lastContactSeconds, lagBytes }, memory: remembered };
  }
  const lagSeconds = lastContactSeconds === null ? null : (memory?.lagSeconds ?? 0) + lastContactSeconds;
  return {
    status: { upstream, mode, state: broken ? 'broken' : 'disconnected', lagSeconds, lastContactSeconds, lagBytes },
    memory: lastAt === undefined ? memory : { at: lastAt, lagSeconds: memory?.lagSeconds ?? 0 },
  };
}
