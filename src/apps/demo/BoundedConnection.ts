import net from 'node:net';
import pg from 'pg';
import type { PgTarget } from '../../../adapters/local/index.js';
import type { Clock } from '../../core/clock/Clock.js';


/** A named database endpoint: one host of a multi-host connection string. */
export interface PgEndpoint {
  /** Instance id, for reports. */
  readonly id: string;
  readonly target: PgTarget;
}

/** Thrown when a connect or a statement took longer than its bound. */
export class BoundExceededError extends Error {
  override readonly name = 'BoundExceededError';
}

/**
 * One PostgreSQL connection whose every step (connect, each statement) is
 * bounded in time. node-postgres has no `AbortSignal` support, so the
 * connection owns its socket and destroys it when a bound is exceeded: a
 * connect to a frozen server (the kernel completes the TCP handshake and
 * nobody answers) or a commit waiting for a synchronous standby is cut off
 * at once. A connection that exceeded a bound or failed is `broken` and must
 * be replaced.
 */
export class BoundedConnection {
  private failed = false;

  private constructor(
    /** The endpoint this connection goes to. */
    readonly endpoint: PgEndpoint,
    private readonly client: pg.Client,
    private readonly socket: net.Socket,
    private readonly clock: Clock,
  ) {}

  /**
   * Connects to `endpoint` within `timeoutMs` of `clock` time; rejects with
   * {@link BoundExceededError} past it, or with the driver's error.
   */
  static async open(endpoint: PgEndpoint, clock: Clock, timeoutMs: number, applicationName = 'lifeboat-demo'): Promise<BoundedConnection> {
    const socket = new net.Socket();
    const client = new pg.Client({ ...endpoint.target, application_name: applicationName, stream: () => socket });
    // A destroyed socket makes the client emit 'error'; the pending call rejects on its own.
    client.on('error', () => undefined);
    const connection = new BoundedConnection(endpoint, client, socket, clock);
    try {
      await connection.bounded(client.connect(), timeoutMs, `connect to ${endpoint.id}`);
    } catch (error) {
      socket.destroy();
      throw error;
    }
    return connection;
  }

  /** True once a statement failed or exceeded its bound: the connection is unusable. */
  get broken(): boolean {
    return this.failed || this.socket.destroyed;
  }

  /**
   * Runs one statement (autocommit) within `timeoutMs`. Past the bound the
   * socket is destroyed and the call rejects with {@link BoundExceededError};
   * whether the statement took effect on the server is then unknown.
   */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    values: readonly unknown[],
    timeoutMs: number,
  ): Promise<pg.QueryResult<R>> {
    return this.bounded(this.client.query<R>(text, [...values]), timeoutMs, `query on ${this.endpoint.id}`);
  }

  /** Closes the connection without waiting on the server (a frozen one would never answer). */
  close(): void {
    if (this.socket.destroyed) return;
    this.client.end().catch(() => undefined);
    const cancel = this.clock.setTimer(1000, () => this.socket.destroy());
    this.socket.once('close', cancel);
  }

  private bounded<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const cancel = this.clock.setTimer(timeoutMs, () => {
        this.failed = true;
        this.socket.destroy();
        reject(new BoundExceededError(`${what} took longer than ${timeoutMs} ms`));
      });
      work.then(
        (value) => {
          cancel();
          resolve(value);
        },
        (error: unknown) => {
          cancel();
          // A server's SQL error leaves the session usable; anything else (socket, protocol) does not.
          if (!isSqlError(error)) {
            this.failed = true;
            this.socket.destroy();
          }
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }
}

/** An error the server reported with a SQLSTATE (the session is still fine). */
export function isSqlError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}
