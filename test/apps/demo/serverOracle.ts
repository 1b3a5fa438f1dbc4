import pg from 'pg';
import type { PgEndpoint } from '../../../src/apps/demo/BoundedConnection.js';
import type { AcknowledgedWrite } from '../../../src/apps/demo/WriteClient.js';
import { WRITES_TABLE } from '../../../src/apps/demo/WriteClient.js';

/**
 * The data-safety oracle: what the PostgreSQL servers themselves say, asked
 * with the plain `pg` driver and nothing of the drill's own checking code
 * (`verify.ts`, `BoundedConnection`), so a bug there cannot hide a lost
 * write or a second writable primary from the test.
 */
export interface ServerAnswer {
  readonly id: string;
  /** `primary`/`standby` by `pg_is_in_recovery()`, or `no answer` (stopped, frozen, cut off) within the bound. */
  readonly role: 'primary' | 'standby' | 'no answer';
  /** A commit returned OK within the bound: a client writing here would get an acknowledgement. */
  readonly commits: boolean;
  /** Sequence numbers in the client's table, when the server answered. */
  readonly seqs: ReadonlySet<number> | undefined;
}

const BOUND_MS = 3000;
const ORACLE_TABLE = 'lifeboat_test_oracle';

/** Runs `fn` on a fresh connection; gives up (and destroys the socket) after `BOUND_MS` per step. */
async function withClient<T>(endpoint: PgEndpoint, fn: (query: (sql: string, values?: unknown[]) => Promise<pg.QueryResult>) => Promise<T>): Promise<T | 'timeout' | Error> {
  const { host, port, user, password, database } = endpoint.target;
  const client = new pg.Client({ host, port, user, password, database, connectionTimeoutMillis: BOUND_MS });
  client.on('error', () => undefined);
  const kill = () => (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  const bounded = <R>(promise: Promise<R>): Promise<R> =>
    new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        kill();
        reject(new Error('timeout'));
      }, BOUND_MS);
      promise.then(
        (value) => (clearTimeout(timer), resolve(value)),
        (error: unknown) => (clearTimeout(timer), reject(error)),
      );
    });
  try {
    await bounded(client.connect());
    return await fn((sql, values) => bounded(client.query(sql, values)));
  } catch (error) {
    return (error as Error).message === 'timeout' ? 'timeout' : (error as Error);
  } finally {
    kill();
  }
}

/** Asks every server, in parallel, its role, whether it commits a write now, and which sequence numbers it holds. */
export async function askServers(endpoints: readonly PgEndpoint[]): Promise<ServerAnswer[]> {
  return Promise.all(
    endpoints.map(async (endpoint): Promise<ServerAnswer> => {
      const looked = await withClient(endpoint, async (query) => {
        const recovery = (await query('SELECT pg_is_in_recovery() AS r')).rows[0]!.r as boolean;
        const seqs = new Set((await query(`SELECT seq FROM ${WRITES_TABLE}`)).rows.map((row: { seq: string }) => Number(row.seq)));
        return { role: recovery ? ('standby' as const) : ('primary' as const), seqs };
      });
      if (looked === 'timeout' || looked instanceof Error) return { id: endpoint.id, role: 'no answer', commits: false, seqs: undefined };
      let commits = false;
      if (looked.role === 'primary') {
        const wrote = await withClient(endpoint, async (query) => {
          await query(`CREATE TABLE IF NOT EXISTS ${ORACLE_TABLE} (id text PRIMARY KEY, at timestamptz NOT NULL)`);
          await query(`INSERT INTO ${ORACLE_TABLE} VALUES ($1, clock_timestamp()) ON CONFLICT (id) DO UPDATE SET at = excluded.at`, [endpoint.id]);
          return true;
        });
        commits = wrote === true;
      }
      return { id: endpoint.id, role: looked.role, commits, seqs: looked.seqs };
    }),
  );
}

/** Acknowledged writes (by the client's own record) missing on `server`. */
export function lostOn(server: ServerAnswer, acknowledged: readonly AcknowledgedWrite[]): number[] {
  if (server.seqs === undefined) throw new Error(`${server.id} did not answer: cannot read its writes`);
  return acknowledged.filter((write) => !server.seqs!.has(write.seq)).map((write) => write.seq);
}
