import type { JournalState } from '../journal/Journal.js';

/** What a leader writes under its fencing token: the journal (memory, steps in flight) and the status followers serve. */
export interface TermTexts {
  /** The journal state, JSON. */
  readonly state: string;
  /** The `/status` body, JSON (followers serve it with their own id). */
  readonly status: string;
}

/**
 * One term of leadership: from winning the leader key until the lease is
 * lost, the key changes hands, etcd cannot confirm the lease for `ttl/2`, or
 * the daemon stops.
 */
export interface LeaderTerm {
  /** The fencing token: the leader key's create revision and lease id (`rev:lease`). */
  readonly token: string;
  /** Fires when this term ends (whatever the reason); nothing may be done on the world after it. */
  readonly signal: AbortSignal;
  /** The memory the previous leader left in etcd (`undefined` on a fresh cluster). */
  readonly handover: JournalState | undefined;
  /** Why the term ended, once it has. */
  readonly ended: string | undefined;
  /**
   * Checks the fencing token against etcd and writes `texts()` under it, in
   * one transaction. Resolves only when etcd confirmed, within the term's
   * validity, that the leader key is still this term's (same create revision
   * and lease). Otherwise it ends the term and rejects: the caller must not
   * touch the world.
   *
   * Writes are serialized and coalesced; each one reads `texts()` when it
   * starts, so a resolved call means everything up to the call is in etcd.
   */
  guard(signal?: AbortSignal): Promise<void>;
  /** Like {@link LeaderTerm.guard} but fire-and-forget and skipped when nothing changed. */
  sync(): void;
  /** Names where the texts to write come from (called once, when the daemon starts leading). */
  source(texts: () => TermTexts): void;
}
