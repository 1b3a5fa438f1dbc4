import net from 'node:net';
import pg from 'pg';
import { abortError } from '../../src/core/clock/Clock.js';

/** Where and as whom to connect. */
export interface PgTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

/** Options of {@link withPgSession}. */
export interface PgSessionOptions {
  /**
   * When the signal cuts a running statement off, also ask the server to
   * cancel it (a separate cancel-request connection). Without it a backend
   * waiting for a synchronous standby would wait on after we hung up, and
   * repeated probes would pile such backends up until `max_connections`.
   */
  readonly cancelOnAbort?: boolean;
}

/**
 * Opens one connection, runs `work`, closes it. node-postgres has no
 * `AbortSignal` support, so we own the socket and destroy it when `signal`
 * fires: a connect to a frozen server (the kernel completes the TCP handshake,
 * nobody answers the startup message) or a query blocked on a synchronous
 * commit is cut off at once and rejects with an `AbortError`.
 */
export async function withPgSession<T>(
  target: PgTarget,
  signal: AbortSignal,
  work: (client: pg.Client) => Promise<T>,
  options: PgSessionOptions = {},
): Promise<T> {
  if (signal.aborted) throw abortError(signal);
  const socket = new net.Socket();
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    application_name: 'lifeboat',
    stream: () => socket,
  });
  // A destroyed socket makes the client emit 'error'; the pending call already rejects.
  client.on('error', () => undefined);
  let connected = false;
  const onAbort = () => {
    socket.destroy();
    if (connected && options.cancelOnAbort) {
      const ids = client as unknown as { processID: number | null; secretKey: number | null };
      if (ids.processID !== null && ids.secretKey !== null) {
        sendCancelRequest(target.host, target.port, ids.processID, ids.secretKey);
      }
    }
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
    connected = true;
    if (signal.aborted) throw abortError(signal);
    return await work(client);
  } catch (error) {
    if (signal.aborted) {
      const aborted = abortError(signal) as Error & { connected?: boolean };
      aborted.connected = connected;
      throw aborted;
    }
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (!socket.destroyed) {
      // A polite goodbye, but never wait on it: a server frozen right now would never answer.
      client.end().catch(() => undefined);
      socket.unref();
      setTimeout(() => socket.destroy(), 1000).unref();
    }
  }
}

/**
 * PostgreSQL's cancel request: a fresh connection carrying the backend's pid
 * and secret key. Fire and forget, bounded to one second.
 */
function sendCancelRequest(host: string, port: number, pid: number, secret: number): void {
  const message = Buffer.alloc(16);
  message.writeInt32BE(16, 0);
  message.writeInt32BE(80877102, 4);
  message.writeInt32BE(pid, 8);
  message.writeInt32BE(secret, 12);
  const socket = net.connect({ host, port });
  socket.unref();
  socket.setTimeout(1000, () => socket.destroy());
  socket.on('error', () => undefined);
  socket.on('connect', () => socket.end(message));
}
