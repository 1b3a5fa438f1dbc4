import type { DatabaseRole, ReplicationState } from './types.js';

/** Something the controller probes on its own, outside the provider's API. */
export interface ProbeTarget {
  readonly kind: 'node' | 'database';
  readonly provider: string;
  readonly id: string;
  readonly zone: string;
  /** `host:port`, when the provider reported one. */
  readonly endpoint?: string;
}

/** Outcome of one probe. */
export interface ProbeResult {
  /** The target answered within the time budget. */
  readonly ok: boolean;
  /** For databases that answered: whether it accepted a write (is a writable primary). */
  readonly writable?: boolean;
  /** For databases that answered: the role it reports for itself. */
  readonly role?: DatabaseRole;
  /** Why it failed, when it did. */
  readonly failure?: 'timeout' | 'refused' | 'error';
  /**
   * For a replica that answered: its own view of its stream, read from the
   * replica itself in the same round trip (PostgreSQL's
   * `pg_stat_wal_receiver`). Replication is the controller's second vantage
   * point on the upstream's zone; read through the probe it is as fresh as
   * the probe round, instead of as old as the last control-plane read.
   * Absent when the prober cannot tell; the listing's status is used then.
   */
  readonly replication?: ProbeReplication;
}

/** A replica's stream as the replica itself reports it during a probe. */
export interface ProbeReplication {
  /** `streaming` while connected to its upstream; `disconnected` while it is trying to reconnect. */
  readonly state: ReplicationState;
  /** Seconds since the replica last received anything (WAL or keepalive) from its upstream; `null` if it never did. */
  readonly lastContactSeconds: number | null;
}

/**
 * The controller's own vantage point: health checks it sends straight to
 * nodes and databases (HTTP, TCP, a SQL round trip). One call probes a whole
 * batch so that 10,000 targets cost one round, not 10,000 awaits.
 */
export interface Prober {
  /**
   * Probes every target; the result at index i is for target i. Never
   * rejects: a probe that did not answer before `signal` fired is a
   * `timeout` failure.
   */
  probe(targets: readonly ProbeTarget[], signal: AbortSignal): Promise<ProbeResult[]>;
  /**
   * Optional, for probers that know every answer the moment a round is sent
   * (the simulated world): the same round as {@link probe}, answered at
   * once, with `timedOut` set when a target did not answer. The caller
   * then holds the results until the round's time is up, exactly as
   * `probe` would resolve only when its signal fires. It spares a round
   * with a silent target the `AbortSignal` that `probe` needs, which costs
   * more than the rest of a quiet cycle in replay.
   */
  probeAtOnce?(targets: readonly ProbeTarget[]): ProbeRoundAnswer;
}

/** What {@link Prober.probeAtOnce} answers. */
export interface ProbeRoundAnswer {
  /** The result at index i is for target i. */
  readonly results: ProbeResult[];
  /** Some target timed out: the round lasts until its timeout (or its caller stops). */
  readonly timedOut: boolean;
}
