// The one write client of the peer bench, the same code for every system: node `pg`
// given a libpq-style connection URI. Like libpq it accepts several hosts
// (`postgres://u@h1:p1,h2:p2/db?target_session_attrs=read-write`), tries them in order,
// and with `target_session_attrs=read-write` skips a server whose sessions are read-only.
// One INSERT of the next sequence number every `intervalMs`; every connect and every
// statement is cut off at `timeoutMs` on the client side; any error drops the connection
// and it connects again. Each acknowledged write records the port of the server that
// committed it (`inet_server_port()`), so a change of primary is visible through a proxy.
import pg from 'pg';

export const WRITES_TABLE = 'bench_writes';
const DDL = `CREATE TABLE IF NOT EXISTS ${WRITES_TABLE} (seq bigint PRIMARY KEY, port int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Splits a libpq URI into one single-host URI per host, plus its `target_session_attrs`. */
export function parseConnectionUri(uri) {
  const match = /^(postgres(?:ql)?:\/\/)(?:([^@/]*)@)?([^/?]*)(\/[^?]*)?(?:\?(.*))?$/.exec(uri);
  if (!match) throw new Error(`not a postgres:// URI: ${uri}`);
  const [, scheme, userinfo, hostlist, path = '/postgres', query = ''] = match;
  const params = new URLSearchParams(query);
  const targetSessionAttrs = params.get('target_session_attrs') ?? 'any';
  // node-postgres does not know these libpq-only keys; the client implements them itself.
  for (const key of ['target_session_attrs', 'connect_timeout']) params.delete(key);
  const rest = params.toString();
  const hosts = hostlist.split(',').map((h) => `${scheme}${userinfo ? `${userinfo}@` : ''}${h}${path}${rest ? `?${rest}` : ''}`);
  return { hosts, targetSessionAttrs };
}

/** Closes a client without waiting for a frozen server to answer. */
function drop(client) {
  client.connection?.stream?.destroy();
  client.end().catch(() => undefined);
}

/**
 * Connects as libpq would: each host in turn, each bounded by `timeoutMs`; with
 * `read-write`, a server in read-only mode is skipped. Rejects when no host fits.
 */
export async function connect(uri, timeoutMs) {
  const { hosts, targetSessionAttrs } = parseConnectionUri(uri);
  const errors = [];
  for (const host of hosts) {
    const client = new pg.Client({ connectionString: host, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs, application_name: 'peer-bench' });
    client.on('error', () => undefined);
    try {
      await client.connect();
      if (targetSessionAttrs === 'read-write') {
        const { rows } = await client.query('SHOW transaction_read_only');
        if (rows[0]?.transaction_read_only !== 'off') throw new Error('read-only');
      }
      return client;
    } catch (error) {
      drop(client);
      errors.push(`${host}: ${error.message}`);
    }
  }
  throw new Error(`no server fits: ${errors.join('; ')}`);
}

/** Creates the writes table through `uri`, retrying for up to `limitMs`. */
export async function createWritesTable(uri, limitMs = 60_000) {
  const deadline = Date.now() + limitMs;
  for (;;) {
    try {
      const client = await connect(uri, 5000);
      try {
        await client.query(DDL);
        return;
      } finally {
        drop(client);
      }
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`could not create ${WRITES_TABLE}: ${error.message}`);
      await sleep(500);
    }
  }
}

/**
 * Which of `seqs` the primary that `uri` leads to does not have. Retries for up to
 * `limitMs` (right after a failover or a thaw the URI may lead nowhere for a while).
 */
export async function missingWrites(uri, seqs, limitMs = 30_000) {
  const deadline = Date.now() + limitMs;
  for (;;) {
    try {
      const client = await connect(uri, 5000);
      try {
        client.connectionParameters.query_timeout = 30_000;
        const { rows } = await client.query({ text: `SELECT seq FROM ${WRITES_TABLE} WHERE seq = ANY($1::bigint[])`, query_timeout: 30_000 }, [seqs]);
        const found = new Set(rows.map((r) => Number(r.seq)));
        const { rows: port } = await client.query('SELECT inet_server_port() AS port');
        return { missing: seqs.filter((s) => !found.has(s)), port: port[0].port };
      } finally {
        drop(client);
      }
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`could not read the writes back: ${error.message}`);
      await sleep(500);
    }
  }
}

/** The writer: see the file's comment. */
export class PeerWriteClient {
  /** `{ seq, at, port }` of every write whose commit returned OK, in order; `at` is Date.now(). */
  acknowledged = [];
  /** Writes that failed or were cut off (outcome unknown), for the record. */
  failed = 0;
  connections = 0;
  #stopped = false;
  #loop;
  #seq = 0;

  constructor(uri, { intervalMs = 20, timeoutMs = 1000, reconnectMs = 100 } = {}) {
    this.uri = uri;
    this.intervalMs = intervalMs;
    this.timeoutMs = timeoutMs;
    this.reconnectMs = reconnectMs;
  }

  start() {
    this.#loop ??= this.#run();
  }

  async stop() {
    this.#stopped = true;
    await this.#loop;
  }

  get last() {
    return this.acknowledged.at(-1);
  }

  async #run() {
    let client;
    while (!this.#stopped) {
      if (!client) {
        try {
          client = await connect(this.uri, this.timeoutMs);
          this.connections++;
        } catch {
          await sleep(this.reconnectMs);
          continue;
        }
      }
      const seq = ++this.#seq;
      try {
        const { rows } = await client.query(`INSERT INTO ${WRITES_TABLE} (seq, port) VALUES ($1, inet_server_port()) RETURNING port`, [seq]);
        this.acknowledged.push({ seq, at: Date.now(), port: rows[0].port });
      } catch {
        this.failed++;
        drop(client);
        client = undefined;
        await sleep(this.reconnectMs);
        continue;
      }
      await sleep(this.intervalMs);
    }
    if (client) drop(client);
  }
}
