import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import pg from 'pg';
import type { LocalProvider } from '../../../adapters/local/index.js';
import type { ProbeResult } from '../../../src/core/contract/Prober.js';
import type { DatabaseInstance, Node } from '../../../src/core/contract/types.js';

/** Call options with a fresh budget. */
export function budget(ms = 10_000): { signal: AbortSignal } {
  return { signal: AbortSignal.timeout(ms) };
}

/** Polls `check` until it returns something other than `undefined`/`false`, or fails with the last value seen. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${String(last instanceof Error ? last.message : JSON.stringify(last))}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Runs one SQL statement on instance `id` as its superuser. */
export async function sql<T extends Record<string, unknown> = Record<string, unknown>>(
  local: LocalProvider,
  id: string,
  text: string,
  values: unknown[] = [],
  timeoutMs = 5000,
): Promise<T[]> {
  const client = new pg.Client({ ...local.ex_connection(id), connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** One database instance by id. */
export async function database(local: LocalProvider, id: string): Promise<DatabaseInstance> {
  const [found] = await local.listDatabases({ ids: [id] }, budget());
  if (!found) throw new Error(`no database ${id}`);
  return found;
}

/** One node by id. */
export async function node(local: LocalProvider, id: string): Promise<Node> {
  const [found] = await local.listNodes({ ids: [id] }, budget());
  if (!found) throw new Error(`no node ${id}`);
  return found;
}

/** Probes one node or database with the adapter's own prober. */
export async function probe(local: LocalProvider, target: Node | DatabaseInstance, ms = 1500): Promise<ProbeResult> {
  const kind = 'engine' in target ? 'database' : 'node';
  const [result] = await local.ex_prober().probe(
    [{ kind, provider: target.provider, id: target.id, zone: target.zone, ...(target.endpoint ? { endpoint: target.endpoint } : {}) }],
    AbortSignal.timeout(ms),
  );
  return result!;
}

/** Processes whose command line mentions `text` (as `pid args` lines). */
export function processesMentioning(text: string): string[] {
  const listing = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return listing.split('\n').filter((line) => line.includes(text) && !line.includes('ps -eo'));
}

/** Asserts-by-polling that an adapter left nothing behind: no process, no temp dir. */
export async function expectNothingLeft(rootDir: string): Promise<void> {
  await eventually(
    `nothing left of ${rootDir}`,
    async () => processesMentioning(rootDir).length === 0 && !fs.existsSync(rootDir),
    15_000,
  );
}
