// The operator's controls end to end on the `local` adapter: real PostgreSQL streaming
// replication, the daemon wired as in localFailover.test.ts (in process, so the test can reach the
// adapter's documented fault hook), and the built `lifeboat` CLI in child processes over HTTP on
// loopback. Two databases have their primaries in local-a; the operator pauses one, the zone goes
// dark: the other fails over, nothing is done to the paused one; on resume its held failover runs.
// A real webhook receiver on loopback (checking each payload's HMAC itself) and a real shell
// post-failover hook see both failovers, and the daemon's JSON log holds a line per step.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalProvider } from '../../../adapters/local/index.js';
import { SystemClock } from '../../../src/core/clock/SystemClock.js';
import { parseDaemonConfig } from '../../../src/apps/daemon/config/loadDaemonConfig.js';
import { Daemon } from '../../../src/apps/daemon/Daemon.js';
import { DaemonApi } from '../../../src/apps/daemon/DaemonApi.js';
import type { DaemonStatus } from '../../../src/apps/daemon/DaemonStatus.js';
import type { AuditRecord } from '../../../src/apps/daemon/audit/AuditRecord.js';
import { buildRuntime, type Runtime } from '../../../src/apps/daemon/runtime/buildRuntime.js';
import { createDaemonLogger } from '../../../src/apps/daemon/logging/createDaemonLogger.js';
import { expectNothingLeft } from '../../adapters/local/localTestKit.js';
import { spawnCli, waitFor } from './daemonProcess.js';

const TOKEN = 'local-operator-token-0123456789';
const ME = `${userInfo().username}@127.0.0.1`;
const SECRET = 'e2e-webhook-secret-0123456789';
const config = (hookFile: string, webhookUrl: string) => `id: e2e-operator
providers:
  - type: local
    topology:
      databases:
        - id: orders
          primary: { zone: local-a, id: orders-a }
          replicas: [{ id: orders-b, zone: local-b, mode: sync }]
        - id: billing
          primary: { zone: local-a, id: billing-a }
          replicas: [{ id: billing-c, zone: local-c, mode: sync }]
protect:
  regions: [{ provider: local, region: local }]
  databases: [{ cluster: orders }, { cluster: billing }]
api: { listen: "127.0.0.1:0", token: ${TOKEN} }
journal: state/journal.json
audit: state/audit.jsonl
hooks:
  postFailover: { command: [${hookFile}] }
notifications:
  webhooks:
    - { url: "${webhookUrl}", events: [failover.completed], secretEnv: E2E_WEBHOOK_SECRET }
`;

/** Webhook payloads received, each with whether its signature checked out (verified here, not by Lifeboat's code). */
const received: { body: Record<string, unknown>; valid: boolean }[] = [];
let receiver: Server | undefined;
/** The daemon's log, one JSON object per line. */
const logLines: Record<string, unknown>[] = [];

let dir: string;
let abort: AbortController;
let runtime: Runtime | undefined;
let local: LocalProvider;
let api: DaemonApi | undefined;
let running: Promise<unknown> | undefined;
let url: string;

async function cli(args: readonly string[]): Promise<{ code: number | null; out: string }> {
  const p = spawnCli([...args, '--url', url], { LIFEBOAT_TOKEN: TOKEN, LIFEBOAT_URL: '' });
  const { code } = await p.exited;
  return { code, out: p.output() };
}
const status = async (): Promise<DaemonStatus> => {
  const r = await cli(['status', '--json']);
  if (r.code !== 0) throw new Error(r.out);
  return JSON.parse(r.out) as DaemonStatus;
};
const db = (s: DaemonStatus, name: string) => s.databases.find((d) => d.database === name);
const audit = () =>
  readFileSync(join(dir, 'state', 'audit.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as AuditRecord);
/** Audit records of calls made (started or finished), not of steps held back. */
const calls = (database: string) => audit().filter((r) => r.database === database && r.where.resource !== undefined && !r.result.startsWith('held'));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-e2e-op-'));
  receiver = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const header = String(req.headers['x-lifeboat-signature'] ?? '');
      const t = /t=(\d+)/.exec(header)?.[1] ?? '';
      const given = Buffer.from(/v1=([0-9a-f]+)/.exec(header)?.[1] ?? '', 'hex');
      const expected = createHmac('sha256', SECRET).update(`${t}.${raw}`).digest();
      received.push({ body: JSON.parse(raw) as Record<string, unknown>, valid: given.length === expected.length && timingSafeEqual(given, expected) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', r));
  const hookFile = join(dir, 'post-failover.sh');
  writeFileSync(hookFile, `#!/bin/sh\necho "$LIFEBOAT_DATABASE $LIFEBOAT_OLD_PRIMARY $LIFEBOAT_NEW_PRIMARY" >> "${join(dir, 'post-failover.log')}"\n`);
  chmodSync(hookFile, 0o755);
  const text = config(hookFile, `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`);
  const config_ = await parseDaemonConfig(text, join(dir, 'lifeboat.yaml'));
  const logStream = new PassThrough();
  let partial = '';
  logStream.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line !== '') logLines.push(JSON.parse(line) as Record<string, unknown>);
  });
  const logger = createDaemonLogger({ format: 'json', destination: logStream }, { daemon: 'e2e-operator' });
  const clock = new SystemClock();
  abort = new AbortController();
  runtime = await buildRuntime(config_, clock, abort.signal);
  const found = runtime.adapterProviders.find((p) => p instanceof LocalProvider);
  if (!found) throw new Error('the runtime built from the config has no local provider');
  local = found;
  const daemon = new Daemon({ config: config_, runtime, clock, id: 'e2e-operator', random: Math.random, logger, env: { ...process.env, E2E_WEBHOOK_SECRET: SECRET } });
  api = new DaemonApi(daemon, TOKEN, abort.signal);
  url = `http://127.0.0.1:${await api.listen('127.0.0.1', 0)}`;
  running = Promise.all([runtime.run(abort.signal), daemon.run(abort.signal)]);
}, 180_000);

afterAll(async () => {
  const root = runtime ? local?.ex_rootDir : undefined;
  try {
    abort?.abort();
    await running?.catch(() => undefined);
    await api?.close();
    await runtime?.close();
    receiver?.close();
    if (root) await expectNothingLeft(root);
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

describe('operator controls on the local adapter (real PostgreSQL)', () => {
  test('one database paused through a zone loss: the other fails over, the paused one is left alone until resume', { timeout: 300_000 }, async () => {
    // The CLI shows the settled cluster: both primaries in local-a, each replica streaming from its primary.
    const table = await waitFor('lifeboat status showing both databases settled', 90_000, async () => {
      const r = await cli(['status']);
      return r.code === 0 && /^orders\s+orders-b\s+local-b\s+replica\s+streaming\s+\S+\s+orders-a$/m.test(r.out) && /^billing\s+billing-c\s+local-c\s+replica\s+streaming\s+\S+\s+billing-a$/m.test(r.out) ? r.out : undefined;
    });
    expect(table).toMatch(/^orders\s+orders-a\s+local-a\s+up, writable\s+0\s+-$/m);
    expect(table).toMatch(/^billing\s+billing-a\s+local-a\s+up, writable\s+0\s+-$/m);
    expect(table).toMatch(/^local\/local-a\s+healthy/m);

    const paused = await cli(['pause', 'billing', '--reason', 'vacuum full running']);
    expect(paused.code, paused.out).toBe(0);
    expect(db(await status(), 'billing')!.paused).toMatchObject({ by: ME, reason: 'vacuum full running' });
    const pausedMetrics = await (await fetch(`${url}/metrics`)).text();
    expect(pausedMetrics).toContain('lifeboat_database_paused{database="billing"} 1\n');
    expect(pausedMetrics).toContain('lifeboat_database_paused{database="orders"} 0\n');

    local.ex_injectZoneFault('local-a', 'unreachable');

    // orders fails over; billing's failover is decided and held.
    const after = await waitFor('orders failed over and billing held', 120_000, async () => {
      const s = await status();
      const orders = db(s, 'orders');
      const done = orders?.primary === 'orders-b' && orders.failovers === 1 && !orders.promotion;
      return done && s.pausedPlan.some((st) => st.operation === 'promoteReplica' && st.target === 'billing-c') ? s : undefined;
    });
    expect(after.zones.find((z) => z.zone === 'local-a')?.state).toBe('impaired');
    expect(db(after, 'billing')).toMatchObject({ primary: 'billing-a', failovers: 0 });
    expect(db(after, 'billing')!.promotion).toBeUndefined();
    // A few more cycles: still nothing done to billing.
    await new Promise((r) => setTimeout(r, 3000));
    expect(db(await status(), 'billing')).toMatchObject({ primary: 'billing-a', failovers: 0 });
    expect(calls('billing')).toEqual([]);
    expect(calls('orders').filter((r) => r.what === 'promoteReplica').map((r) => r.result)).toEqual(['started', 'ok']);
    expect(audit().filter((r) => r.database === 'billing' && r.what === 'promoteReplica')).toEqual([
      expect.objectContaining({ result: `held: automatic actions paused by ${ME} for billing: vacuum full running` }),
    ]);
    const held = await cli(['status']);
    expect(held.out).toMatch(/^HELD BY A PAUSE \(runs on resume\)\n {2}promoteReplica billing-c \(local-c\): primary billing-a is in impaired zone local-a/m);

    // Resume: the held failover happens.
    expect(await cli(['resume', 'billing'])).toEqual({ code: 0, out: 'resumed billing\n' });
    const resumed = await waitFor('billing failed over after resume', 60_000, async () => {
      const s = await status();
      const billing = db(s, 'billing');
      return billing?.primary === 'billing-c' && billing.failovers === 1 && !billing.promotion ? s : undefined;
    });
    expect(db(resumed, 'billing')!.primaryZone).toBe('local-c');
    expect(resumed.pauses).toEqual({ databases: [] });
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('lifeboat_database_paused{database="billing"} 0\n');
    expect(calls('billing').filter((r) => r.what === 'promoteReplica').map((r) => r.result)).toEqual(['started', 'ok']);
    const table2 = (await cli(['status'])).out;
    expect(table2).toMatch(/^billing\s+billing-c\s+local-c\s+up, writable\s+1\s+-$/m);

    // The post-failover hook ran once per failover, with the facts; the webhook receiver got both, signed.
    const hookLog = join(dir, 'post-failover.log');
    await waitFor('the post-failover hook for both databases', 20_000, () => (existsSync(hookLog) && readFileSync(hookLog, 'utf8').trim().split('\n').length === 2 ? true : undefined));
    expect(readFileSync(hookLog, 'utf8').trim().split('\n').sort()).toEqual(['billing billing-a billing-c', 'orders orders-a orders-b']);
    await waitFor('both failovers delivered to the webhook', 20_000, () => (received.filter((r) => r.body.kind === 'failover.completed').length === 2 ? true : undefined));
    expect(received.length).toBeGreaterThan(0);
    expect(received.every((r) => r.valid)).toBe(true);
    expect(received.map((r) => r.body.database).sort()).toEqual(['billing', 'orders']);

    // One JSON log line per step start and one per result, for every call the audit log records.
    const count = <T,>(items: T[], key: (t: T) => string) => items.reduce((m, t) => m.set(key(t), (m.get(key(t)) ?? 0) + 1), new Map<string, number>());
    const startedCalls = count(audit().filter((r) => r.result === 'started'), (r) => `${r.what} ${r.where.resource}`);
    const operations = new Set(audit().filter((r) => r.result === 'started').map((r) => r.what));
    const finishedCalls = count(audit().filter((r) => operations.has(r.what) && r.result !== 'started' && !r.result.startsWith('held')), (r) => `${r.what} ${r.where.resource}`);
    expect(startedCalls.size).toBeGreaterThan(0);
    expect(count(logLines.filter((l) => l.event === 'step.start'), (l) => `${String(l.operation)} ${String(l.resource)}`)).toEqual(startedCalls);
    expect(count(logLines.filter((l) => l.event === 'step.result'), (l) => `${String(l.operation)} ${String(l.resource)}`)).toEqual(finishedCalls);
    expect(logLines.every((l) => typeof l.time === 'string' && typeof l.level === 'string')).toBe(true);
  });
});
