import { setMaxListeners } from 'node:events';
import type pg from 'pg';
import type { DatabaseRole } from '../../src/core/contract/types.js';
import type { ProbeReplication, ProbeResult, ProbeTarget, Prober } from '../../src/core/contract/Prober.js';
import { httpHealth } from './httpHealth.js';
import { withPgSession } from './withPgSession.js';
import { PROBE_TABLE, PROBE_TABLE_DDL } from './serverSettings.js';

/** Credentials of the local clusters (see {@link LocalProvider.ex_prober}). */
export interface LocalProberOptions {
  readonly user?: string;
  readonly password: string;
  readonly database?: string;
}

/**
 * The controller's own probes of local targets, sent straight to them:
 *
 * - node: `GET /health` on its endpoint; `ok` for a 2xx answer.
 * - database: a SQL round trip, `SELECT pg_is_in_recovery()` for its role;
 *   on a standby, its WAL receiver's state and last message time in the same
 *   query (the replication vantage point, as fresh as the probe round);
 *   on a primary, an upsert into `lifeboat_probe` committed in autocommit,
 *   so that `writable` proves the server really commits, including the wait
 *   for a synchronous standby. A write that has not committed when the
 *   batch's signal fires is cut off (and cancelled on the server): the result
 *   is `{ ok: false, failure: 'timeout', role: 'primary', writable: false }`,
 *   a primary that answers but cannot commit.
 *
 * Every probe ends when the batch's `signal` fires, however hung its
 * connection (a frozen process still completes TCP handshakes).
 */
export class LocalProber implements Prober {
  private readonly user: string;
  private readonly password: string;
  private readonly database: string;

  /** Per replica id: epoch seconds (server clock) of the newest message from its upstream seen by a probe. */
  private readonly lastContact = new Map<string, number>();

  constructor(options: LocalProberOptions) {
    this.user = options.user ?? 'postgres';
    this.password = options.password;
    this.database = options.database ?? 'postgres';
  }

  /** Probes every target concurrently; never rejects. */
  async probe(targets: readonly ProbeTarget[], signal: AbortSignal): Promise<ProbeResult[]> {
    // Every probe in the batch listens on the one round signal: that is by design, not a leak.
    setMaxListeners(Math.max(10, targets.length * 2 + 10), signal);
    return Promise.all(
      targets.map((target) => this.probeOne(target, signal).catch((): ProbeResult => ({ ok: false, failure: 'error' }))),
    );
  }

  private async probeOne(target: ProbeTarget, signal: AbortSignal): Promise<ProbeResult> {
    const endpoint = parseEndpoint(target.endpoint);
    if (!endpoint) return { ok: false, failure: 'error' };
    if (signal.aborted) return { ok: false, failure: 'timeout' };
    if (target.kind === 'node') {
      const answer = await httpHealth(endpoint.host, endpoint.port, signal);
      return answer === 'ok' ? { ok: true } : { ok: false, failure: answer };
    }
    return this.probeDatabase(target, endpoint, signal);
  }

  /**
   * The standby's stream as it sees it. PostgreSQL drops the WAL receiver row
   * once the connection times out, so the newest contact ever seen is kept
   * and keeps aging while the stream is down.
   */
  private replicationOf(id: string, row: RoleRow | undefined): ProbeReplication | undefined {
    if (row === undefined) return undefined;
    const previous = this.lastContact.get(id);
    const at = row.last_message_at === null ? previous : Math.max(row.last_message_at, previous ?? -Infinity);
    if (at !== undefined) this.lastContact.set(id, at);
    const lastContactSeconds = contactAge(row.now, at);
    return { state: row.receiver_status === 'streaming' ? 'streaming' : 'disconnected', lastContactSeconds };
  }

  private async probeDatabase(
    target: ProbeTarget,
    endpoint: { host: string; port: number },
    signal: AbortSignal,
  ): Promise<ProbeResult> {
    let role: DatabaseRole | undefined;
    try {
      return await withPgSession(
        { ...endpoint, user: this.user, password: this.password, database: this.database },
        signal,
        async (client) => {
          const answer = await client.query<RoleRow>(ROLE_SQL);
          const row = answer.rows[0];
          role = row?.recovery === false ? 'primary' : 'replica';
          if (role === 'replica') {
            return { ok: true, role, writable: false, replication: this.replicationOf(target.id, row) };
          }
          this.lastContact.delete(target.id);
          return { ok: true, role, writable: await writeProbe(client, target.id) };
        },
        { cancelOnAbort: true },
      );
    } catch (error) {
      if (signal.aborted) return { ok: false, failure: 'timeout', ...(role ? { role, writable: false } : {}) };
      const code = (error as { code?: unknown }).code;
      // Refused by the kernel, or by a postmaster that is starting or shutting down (a fenced primary).
      if (code === 'ECONNREFUSED' || code === '57P03' || code === '57P01') return { ok: false, failure: 'refused' };
      return { ok: false, failure: 'error' };
    }
  }
}

interface RoleRow {
  readonly recovery: boolean;
  readonly now: number;
  readonly receiver_status: string | null;
  readonly last_message_at: number | null;
}

/** Role, and on a standby its WAL receiver, in one round trip. */
const ROLE_SQL = `
SELECT pg_is_in_recovery() AS recovery,
       extract(epoch FROM clock_timestamp())::float8 AS now,
       r.status AS receiver_status,
       extract(epoch FROM r.last_msg_receipt_time)::float8 AS last_message_at
  FROM (SELECT 1) AS one LEFT JOIN pg_stat_wal_receiver AS r ON r.pid IS NOT NULL`;

/**
 * Upserts one row in autocommit: the commit waits for the synchronous
 * standbys, so success means the cluster accepts writes. `false` when the
 * server refuses (read-only, disk full, ...); rejects when cut off.
 */
async function writeProbe(client: pg.Client, id: string): Promise<boolean> {
  const upsert = `INSERT INTO ${PROBE_TABLE} (id, at) VALUES ($1, now()) ON CONFLICT (id) DO UPDATE SET at = excluded.at`;
  try {
    await client.query(upsert, [id]);
    return true;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === '42P01') {
      // A cluster the adapter did not create: make the probe table once, then write.
      await client.query(PROBE_TABLE_DDL);
      await client.query(upsert, [id]);
      return true;
    }
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return false;
    throw error;
  }
}

function contactAge(now: number, at: number | undefined): number | null {
  return at === undefined ? null : Math.max(0, now - at);
}

function parseEndpoint(endpoint: string | undefined): { host: string; port: number } | undefined {
  if (!endpoint) return undefined;
  const match = /^(.*):(\d+)$/.exec(endpoint);
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port <= 0 || port > 65535) return undefined;
  return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}
