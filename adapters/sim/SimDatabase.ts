import type {
  DatabaseInstance,
  DatabaseState,
  ReplicationMode,
  ReplicationStatus,
} from '../../src/core/contract/types.js';
import { emptyExtra } from './emptyExtra.js';
import type { SimCluster } from './SimCluster.js';
import type { SimZone } from './SimZone.js';
import { roundSeconds } from './roundSeconds.js';
import type { Writable } from './Writable.js';

/** `extra` of an instance being deleted: its contract state is `stopping`, the provider's own is `deleting`. */
const DELETING_EXTRA: Readonly<Record<string, unknown>> = Object.freeze({ rawState: 'deleting' });

/**
 * A database instance of the simulated world, with its replication position.
 *
 * Positions are virtual-time stamps of writes, in seconds: a primary that
 * accepts writes has committed everything up to now; one that does not keeps
 * the stamp of its last commit (`committedFrozen`). A connected replica has
 * replayed everything its upstream has, up to `now - baseLag`; a cut-off one
 * keeps the position it had when contact was lost (`frozenPos`). Data loss on
 * promotion is then an exact subtraction.
 */
export class SimDatabase {
  state: DatabaseState;
  /** Bumped by every state transition; an effect scheduled under an older generation does nothing. */
  generation = 0;

  /** Primary side: accepts client writes right now (kept current by the world's recompute). */
  accepting = false;
  /** Primary side: stamp of the last commit while not accepting. */
  committedFrozen: number;

  /** Replica side. */
  upstream: SimDatabase | undefined = undefined;
  mode: ReplicationMode = 'async';
  /** Seconds of replay lag while streaming (0 for sync). */
  baseLag = 0;
  /** Replication broke (a `replication` event): the replica stops advancing until repaired. */
  broken = false;
  /** A repoint was accepted and has not taken effect yet: not streaming from anyone. */
  repointing = false;
  repointGeneration = 0;
  /** Streaming from the upstream right now (kept current by the world's recompute). */
  connected = false;
  frozenPos: number;
  /** Virtual seconds when the replica last heard from its upstream. */
  contactLostAt: number;
  /** False for a replica being created: its lag is unknown until it first streams. */
  streamedOnce = false;
  /** A `destroyDatabase` was accepted: it neither serves nor replicates, and leaves the world after the latency. */
  destroying = false;
  /** The controller stopped or deleted it (an accepted `stopDatabase` or `destroyDatabase`; a reboot undoes it). */
  fenced = false;

  private cached: DatabaseInstance | undefined;
  private cachedAt = Number.NaN;

  constructor(
    readonly id: string,
    readonly cluster: SimCluster,
    readonly provider: string,
    readonly zone: SimZone,
    public role: 'primary' | 'replica',
    state: DatabaseState,
    /** Virtual seconds at creation. */
    now: number,
  ) {
    this.state = state;
    this.committedFrozen = now;
    this.frozenPos = now;
    this.contactLostAt = now;
  }

  /** Stamp of the newest write this instance holds at `t`. */
  dataAt(t: number): number {
    if (this.role === 'primary') return this.accepting ? t : this.committedFrozen;
    return this.posAt(t);
  }

  /** Replica side: replayed position at `t` (upstream chains are acyclic: repoint refuses cycles). */
  posAt(t: number): number {
    if (!this.connected || this.upstream === undefined) return this.frozenPos;
    return Math.min(this.upstream.dataAt(t), t - this.baseLag);
  }

  setState(state: DatabaseState): void {
    this.state = state;
    this.touch();
  }

  /** Drops the cached snapshot (after any change to this instance or its upstream). */
  touch(): void {
    this.cached = undefined;
  }

  /**
   * A frozen snapshot at virtual second `t`. A replica whose reported lag
   * moves with time is rebuilt when `t` changes; everything else only after
   * a change.
   */
  snapshot(t: number): DatabaseInstance {
    if (this.cached !== undefined && (this.cachedAt === t || !this.lagMovesWithTime())) return this.cached;
    const instance: Writable<DatabaseInstance> = {
      id: this.id,
      cluster: this.cluster.id,
      provider: this.provider,
      region: this.zone.region,
      zone: this.zone.id,
      engine: this.cluster.engine,
      role: this.role,
      state: this.state,
      endpoint: `sim://${this.id}`,
      extra: this.destroying ? DELETING_EXTRA : emptyExtra,
    };
    if (this.role === 'replica' && this.upstream !== undefined) instance.replication = this.replicationAt(t);
    this.cached = Object.freeze(instance);
    this.cachedAt = t;
    return this.cached;
  }

  private replicationAt(t: number): ReplicationStatus {
    const upstream = this.upstream!;
    const known = this.streamedOnce;
    const pos = this.posAt(t);
    // While streaming the replica knows how far behind its upstream it is
    // (0 once an idle or fenced upstream has been caught up with); cut off, it
    // only knows how old its newest data is.
    const lag = !known ? null : this.connected ? roundSeconds(Math.max(0, upstream.dataAt(t) - pos)) : roundSeconds(t - pos);
    return Object.freeze({
      upstream: upstream.id,
      mode: this.mode,
      state: this.broken ? 'broken' : this.connected ? 'streaming' : 'disconnected',
      lagSeconds: lag,
      lastContactSeconds: !known ? null : this.connected ? 0 : roundSeconds(t - this.contactLostAt),
    });
  }

  private lagMovesWithTime(): boolean {
    if (this.role !== 'replica' || !this.streamedOnce) return false;
    const upstream = this.upstream;
    return !(this.connected && upstream !== undefined && upstream.role === 'primary' && upstream.accepting);
  }
}
