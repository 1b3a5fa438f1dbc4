import type { Clock } from '../../core/clock/Clock.js';
import { BoundedConnection, isSqlError, type PgEndpoint } from './BoundedConnection.js';

/** Table the write client inserts its sequence numbers into. */
export const WRITES_TABLE = 'lifeboat_demo_writes';

/** Creates {@link WRITES_TABLE}; run once on the primary before writing. */
export const WRITES_TABLE_DDL = `CREATE TABLE IF NOT EXISTS ${WRITES_TABLE} (
  seq bigint PRIMARY KEY,
  instance text NOT NULL,
  at timestamptz NOT NULL DEFAULT clock_timestamp()
)`;

/** A write whose commit returned OK to the client. */
export interface AcknowledgedWrite {
  readonly seq: number;
  /** Clock time (ms) the commit returned. */
  readonly at: number;
  /** Instance the client was connected to. */
  readonly instance: string;
}

/** A write whose commit did not return OK. */
export interface UnacknowledgedWrite {
  readonly seq: number;
  /** Clock time (ms) the write was sent. */
  readonly at: number;
  readonly instance: string;
  /**
   * `rejected`: the server refused it (it did not commit). `indeterminate`:
   * the connection broke or the bound passed first; it may or may not have
   * committed, so it is neither counted as acknowledged nor as lost.
   */
  readonly outcome: 'rejected' | 'indeterminate';
  readonly error: string;
}

/** Options of {@link WriteClient}. */
export interface WriteClientOptions {
  /** Every instance of the cluster, in the order of a multi-host connection string. */
  readonly endpoints: readonly PgEndpoint[];
  readonly clock: Clock;
  /** Pause between writes, ms (default 20). */
  readonly intervalMs?: number;
  /** Bound of every connect and every statement, ms (default 1000). */
  readonly timeoutMs?: number;
  /** While looking for the primary, how often each reachable host is asked again, ms (default 100). */
  readonly recheckMs?: number;
  /** A host whose write just failed is not chosen again for this long, ms (default 1000). */
  readonly avoidAfterFailureMs?: number;
  /** First sequence number (default 1); give concurrent clients disjoint ranges. */
  readonly firstSeq?: number;
}

/**
 * An application that writes continuously: one `INSERT` of the next sequence
 * number every `intervalMs`, in autocommit, and records which commits were
 * acknowledged. It finds the primary itself, as a client with a multi-host
 * connection string (`target_session_attrs=read-write`) does: it asks every
 * host `SELECT pg_is_in_recovery()` (all in parallel, each bounded) and
 * writes to the first that says it is not a standby; when a write fails it
 * drops the connection and looks again, passing over the host that just
 * failed for a moment. Every connect and statement is bounded by
 * `timeoutMs`, so a frozen server costs at most that.
 */
export class WriteClient {
  /** Writes acknowledged so far, in order. */
  readonly acknowledged: AcknowledgedWrite[] = [];
  /** Writes that were sent but not acknowledged. */
  readonly unacknowledged: UnacknowledgedWrite[] = [];
  /** Each time the client started writing to a host: the host and the clock time. */
  readonly primariesSeen: { readonly instance: string; readonly at: number }[] = [];

  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly recheckMs: number;
  private readonly avoidMs: number;
  private readonly stopping = new AbortController();
  private readonly avoidUntil = new Map<string, number>();
  private seq = 0;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: WriteClientOptions) {
    if (options.endpoints.length === 0) throw new Error('WriteClient needs at least one endpoint');
    this.intervalMs = options.intervalMs ?? 20;
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.recheckMs = options.recheckMs ?? 100;
    this.avoidMs = options.avoidAfterFailureMs ?? 1000;
    this.seq = (options.firstSeq ?? 1) - 1;
  }

  /** Starts writing in the background. */
  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Stops writing and resolves once the write in flight (if any) has been
   * acknowledged or given up, so that {@link acknowledged} is final.
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  /** The last acknowledged write, if any. */
  get lastAcknowledged(): AcknowledgedWrite | undefined {
    return this.acknowledged.at(-1);
  }

  private async run(): Promise<void> {
    const { clock } = this.options;
    const signal = this.stopping.signal;
    let connection: BoundedConnection | undefined;
    try {
      while (!signal.aborted) {
        if (!connection) {
          connection = await this.findPrimary(signal);
          if (!connection) break;
          this.primariesSeen.push({ instance: connection.endpoint.id, at: clock.now() });
        }
        const seq = ++this.seq;
        const instance = connection.endpoint.id;
        const sentAt = clock.now();
        try {
          await connection.query(`INSERT INTO ${WRITES_TABLE} (seq, instance) VALUES ($1, $2)`, [seq, instance], this.timeoutMs);
          this.acknowledged.push({ seq, at: clock.now(), instance });
        } catch (error) {
          this.unacknowledged.push({
            seq,
            at: sentAt,
            instance,
            outcome: isSqlError(error) ? 'rejected' : 'indeterminate',
            error: error instanceof Error ? error.message : String(error),
          });
          connection.close();
          connection = undefined;
          this.avoidUntil.set(instance, clock.now() + this.avoidMs);
          continue;
        }
        await clock.sleep(this.intervalMs, signal).catch(() => undefined);
      }
    } finally {
      connection?.close();
    }
  }

  /** Asks every host, in parallel, until one says it is a primary; its connection is kept. */
  private findPrimary(signal: AbortSignal): Promise<BoundedConnection | undefined> {
    return new Promise((resolve) => {
      const search = new AbortController();
      let done = false;
      const finish = (found: BoundedConnection | undefined): boolean => {
        if (done) return false;
        done = true;
        signal.removeEventListener('abort', onAbort);
        search.abort();
        resolve(found);
        return true;
      };
      const onAbort = () => finish(undefined);
      if (signal.aborted) return void finish(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      for (const endpoint of this.options.endpoints) void this.watchHost(endpoint, search.signal, finish);
    });
  }

  /** Keeps asking one host whether it is the primary until it is, or the search ends. */
  private async watchHost(
    endpoint: PgEndpoint,
    signal: AbortSignal,
    found: (connection: BoundedConnection) => boolean,
  ): Promise<void> {
    const { clock } = this.options;
    let connection: BoundedConnection | undefined;
    try {
      while (!signal.aborted) {
        const avoidFor = (this.avoidUntil.get(endpoint.id) ?? 0) - clock.now();
        if (avoidFor > 0) {
          await clock.sleep(avoidFor, signal).catch(() => undefined);
          continue;
        }
        try {
          connection ??= await BoundedConnection.open(endpoint, clock, this.timeoutMs);
          const result = await connection.query<{ recovery: boolean }>('SELECT pg_is_in_recovery() AS recovery', [], this.timeoutMs);
          if (result.rows[0]?.recovery === false && !signal.aborted && found(connection)) {
            connection = undefined;
            return;
          }
        } catch {
          connection?.close();
          connection = undefined;
        }
        await clock.sleep(this.recheckMs, signal).catch(() => undefined);
      }
    } finally {
      connection?.close();
    }
  }
}
