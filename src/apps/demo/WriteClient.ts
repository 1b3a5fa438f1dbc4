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
  /** Instance that committed it, as the server said (its `cluster_name`). */
  readonly instance: string;
}

/** A write whose commit did not return OK. */
export interface UnacknowledgedWrite {
  readonly seq: number;
  /** Clock time (ms) the write was sent. */
  readonly at: number;
  /** Instance of the client's last acknowledged write (through an endpoint, where it was probably sent), or the endpoint's name before any. */
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
  /** The one host and port the client knows: the database's writer endpoint (or, pinned, one instance). */
  readonly endpoint: PgEndpoint;
  /**
   * Instead of writing through `endpoint`, find the primary among these
   * hosts, as a client with a multi-host connection string
   * (`target_session_attrs=read-write`) does: the comparison without an
   * endpoint. `endpoint` then only names the client before its first write.
   */
  readonly discover?: readonly PgEndpoint[];
  /** With `discover`: how long a host whose write just failed is passed over, ms (default 1000). */
  readonly avoidAfterFailureMs?: number;
  readonly clock: Clock;
  /** Pause between writes, ms (default 20). */
  readonly intervalMs?: number;
  /** Bound of every connect and every statement, ms (default 1000). */
  readonly timeoutMs?: number;
  /** Pause before connecting again after a failure, ms (default 100). */
  readonly reconnectMs?: number;
  /** First sequence number (default 1); give concurrent clients disjoint ranges. */
  readonly firstSeq?: number;
}

/**
 * An application that writes continuously: one `INSERT` of the next sequence
 * number every `intervalMs`, in autocommit, and records which commits were
 * acknowledged. Like most applications it knows one host and port (the
 * writer endpoint) and does no discovery of its own: when a connect or a
 * write fails it drops the connection and connects to the same address
 * again, after `reconnectMs`. Which instance committed a write is what the
 * server itself says (`cluster_name`, returned by the `INSERT`), so the
 * report can tell where writes went through the endpoint. Every connect and
 * statement is bounded by `timeoutMs`, so a frozen server costs at most that.
 *
 * With `discover`, it finds the primary itself instead: it asks every host
 * `SELECT pg_is_in_recovery()` (in parallel, each bounded) and writes to the
 * first that says it is not a standby; after a failed write it looks again,
 * passing over the host that just failed for a moment.
 */
export class WriteClient {
  /** Writes acknowledged so far, in order. */
  readonly acknowledged: AcknowledgedWrite[] = [];
  /** Writes that were sent but not acknowledged. */
  readonly unacknowledged: UnacknowledgedWrite[] = [];
  /** Each time a write was acknowledged by another instance than the one before: the instance and the clock time. */
  readonly primariesSeen: { readonly instance: string; readonly at: number }[] = [];
  /** Connections opened to the endpoint (the first, then one per reconnect). */
  connections = 0;

  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly reconnectMs: number;
  private readonly stopping = new AbortController();
  private readonly avoidUntil = new Map<string, number>();
  private seq = 0;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: WriteClientOptions) {
    this.intervalMs = options.intervalMs ?? 20;
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.reconnectMs = options.reconnectMs ?? 100;
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
    const { clock, endpoint } = this.options;
    const signal = this.stopping.signal;
    let connection: BoundedConnection | undefined;
    /** Where the connection's last write went: the server's answer, or the endpoint's name before any. */
    let instance = endpoint.id;
    try {
      while (!signal.aborted) {
        if (!connection) {
          try {
            connection = this.options.discover ? await this.findPrimary(this.options.discover, signal) : await BoundedConnection.open(endpoint, clock, this.timeoutMs);
            if (!connection) break;
            this.connections++;
          } catch {
            await clock.sleep(this.reconnectMs, signal).catch(() => undefined);
            continue;
          }
        }
        const seq = ++this.seq;
        const sentAt = clock.now();
        try {
          const result = await connection.query<{ instance: string }>(
            `INSERT INTO ${WRITES_TABLE} (seq, instance) VALUES ($1, current_setting('cluster_name')) RETURNING instance`,
            [seq],
            this.timeoutMs,
          );
          instance = result.rows[0]?.instance ?? instance;
          if (this.lastAcknowledged?.instance !== instance) this.primariesSeen.push({ instance, at: clock.now() });
          this.acknowledged.push({ seq, at: clock.now(), instance });
        } catch (error) {
          this.unacknowledged.push({
            seq,
            at: sentAt,
            instance,
            outcome: isSqlError(error) ? 'rejected' : 'indeterminate',
            error: error instanceof Error ? error.message : String(error),
          });
          if (this.options.discover) this.avoidUntil.set(connection.endpoint.id, clock.now() + (this.options.avoidAfterFailureMs ?? 1000));
          connection.close();
          connection = undefined;
          await clock.sleep(this.reconnectMs, signal).catch(() => undefined);
          continue;
        }
        await clock.sleep(this.intervalMs, signal).catch(() => undefined);
      }
    } finally {
      connection?.close();
    }
  }

  /** Asks every host, in parallel, until one says it is a primary; its connection is kept. `undefined` once stopped. */
  private findPrimary(hosts: readonly PgEndpoint[], signal: AbortSignal): Promise<BoundedConnection | undefined> {
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
      for (const host of hosts) void this.watchHost(host, search.signal, finish);
    });
  }

  /** Keeps asking one host whether it is the primary until it is, or the search ends. */
  private async watchHost(host: PgEndpoint, signal: AbortSignal, found: (connection: BoundedConnection) => boolean): Promise<void> {
    const { clock } = this.options;
    let connection: BoundedConnection | undefined;
    try {
      while (!signal.aborted) {
        const avoidFor = (this.avoidUntil.get(host.id) ?? 0) - clock.now();
        if (avoidFor > 0) {
          await clock.sleep(avoidFor, signal).catch(() => undefined);
          continue;
        }
        try {
          connection ??= await BoundedConnection.open(host, clock, this.timeoutMs);
          const result = await connection.query<{ recovery: boolean }>('SELECT pg_is_in_recovery() AS recovery', [], this.timeoutMs);
          if (result.rows[0]?.recovery === false && !signal.aborted && found(connection)) {
            connection = undefined;
            return;
          }
        } catch {
          connection?.close();
          connection = undefined;
        }
        await clock.sleep(this.reconnectMs, signal).catch(() => undefined);
      }
    } finally {
      connection?.close();
    }
  }
}
