import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { SystemClock } from '../../../src/core/clock/SystemClock.js';
import { parseDaemonConfig } from '../../../src/apps/daemon/config/loadDaemonConfig.js';
import { Daemon } from '../../../src/apps/daemon/Daemon.js';
import { DaemonApi, tokenMatches } from '../../../src/apps/daemon/DaemonApi.js';
import type { DaemonStatus } from '../../../src/apps/daemon/DaemonStatus.js';
import { buildRuntime } from '../../../src/apps/daemon/runtime/buildRuntime.js';
import { waitFor } from './daemonProcess.js';

const TOKEN = 'test-token-0123456789abcdef';
const CONFIG = `id: api-test
providers:
  - type: sim
    topology:
      providers:
        - id: local
          latency: { promoteReplica: 500ms, stopDatabase: 300ms, repointReplica: 500ms }
          regions: [{ id: local, zones: [local-a, local-b, local-c] }]
      groups:
        - { id: web, provider: local, region: local, nodes: { local-a: 1, local-b: 1 } }
      databases:
        - id: orders
          writes: 5
          primary: { provider: local, region: local, zone: local-a }
          replicas:
            - { id: orders-b, provider: local, region: local, zone: local-b, mode: sync }
            - { id: orders-c, provider: local, region: local, zone: local-c, mode: async, lag: 1s }
protect:
  regions: [{ provider: local, region: local }]
  groups: [{ id: web, provider: local, region: local, minHealthy: 2 }]
policy: { probeInterval: 200ms, probeTimeout: 150ms, observeInterval: 1s, suspectObserveInterval: 200ms, callTimeout: 3s }
api: { listen: "127.0.0.1:0", token: ${TOKEN} }
journal: state/journal.json
audit: state/audit.jsonl
`;

describe('daemon HTTP API', () => {
  let dir: string;
  let abort: AbortController;
  let running: Promise<unknown>;
  let api: DaemonApi;
  let base: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-api-'));
    const config = await parseDaemonConfig(CONFIG, join(dir, 'lifeboat.yaml'));
    const clock = new SystemClock();
    abort = new AbortController();
    const runtime = await buildRuntime(config, clock, abort.signal);
    const daemon = new Daemon({ config, runtime, clock, id: 'api-test', random: () => 0.5 });
    api = new DaemonApi(daemon, config.api.token, abort.signal);
    base = `http://127.0.0.1:${await api.listen('127.0.0.1', 0)}`;
    running = Promise.all([runtime.run(abort.signal), daemon.run(abort.signal)]);
    await waitFor('first observation', 5000, async () => ((await status()).databases.length > 0 ? true : undefined));
  });

  afterEach(async () => {
    abort.abort();
    await running;
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const status = async () => (await (await fetch(`${base}/status`)).json()) as DaemonStatus;
  const post = (path: string, body?: string, token: string | undefined = TOKEN) =>
    fetch(`${base}${path}`, { method: 'POST', ...(body !== undefined ? { body } : {}), headers: token ? { authorization: `Bearer ${token}` } : {} });

  test('read endpoints: healthz, status, metrics, events, dashboard', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true, status: 'ok', paused: false, problems: [], missing: [] });
    const s = await status();
    expect(s.leader).toMatchObject({ id: 'api-test', mode: 'local-lock' });
    expect(s.zones.map((z) => `${z.zone}:${z.state}`).sort()).toEqual(['local-a:healthy', 'local-b:healthy', 'local-c:healthy']);
    expect(s.databases[0]).toMatchObject({ database: 'orders', primary: 'orders', failovers: 0 });
    expect(s.databases[0]!.replicas.map((r) => r.id).sort()).toEqual(['orders-b', 'orders-c']);
    expect(s.groups).toEqual([{ group: 'web', provider: 'local', region: 'local', minHealthy: 2, healthy: 2, total: 2 }]);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/lifeboat_adapter_calls_total\{provider="local",operation="listDatabases",result="ok"\} \d+/);
    expect(metrics).toMatch(/lifeboat_zone_health\{provider="local",region="local",zone="local-a"\} 0/);
    expect(await (await fetch(`${base}/events`)).json()).toEqual({ events: [] });
    expect(await (await fetch(`${base}/`)).text()).toContain('<title>Lifeboat</title>');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  test('mutating endpoints need the token; bad requests change nothing', async () => {
    const noToken = await post('/pause', undefined, '');
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toEqual({ error: 'missing or wrong bearer token' });
    expect((await post('/pause', undefined, 'wrong')).status).toBe(401);
    const malformed = await post('/pause', '{nope');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(/^malformed JSON/);
    expect((await status()).paused).toBe(false);
    expect((await post('/switchover', '{"database":"payments"}')).status).toBe(404);
    expect((await post('/switchover', '{"database":"orders","target":"orders-z"}')).status).toBe(404);
    const self = await post('/switchover', '{"database":"orders","target":"orders"}');
    expect(self.status).toBe(409);
    // Refused with the reason the failover rules give, and nothing recorded.
    expect(((await self.json()) as { error: string }).error).toMatch(/orders is not a replica of orders/);
    expect((await status()).databases[0]!.switchover).toBeUndefined();
    expect((await post('/switchover', '[]')).status).toBe(400);
    expect((await status()).databases[0]!.primary).toBe('orders');

    // Pause and approve bodies are checked too; a refused one records nothing.
    expect((await post('/pause', '{"operator":"eve; rm -rf"}')).status).toBe(400);
    expect((await post('/pause', '{"reason":7}')).status).toBe(400);
    expect((await post('/pause', '{"database":"nope"}')).status).toBe(404);
    expect((await post('/approve', '{}')).status).toBe(400);
    expect((await post('/approve', '{"database":"orders"}')).status).toBe(409);
    expect((await status()).pauses).toEqual({ databases: [] });
    expect((await post('/pause', '{"reason":"maintenance"}')).status).toBe(200);
    expect((await status()).paused).toBe(true);
    expect((await post('/resume')).status).toBe(200);
    expect((await status()).paused).toBe(false);
    const audit = readFileSync(join(dir, 'state', 'audit.jsonl'), 'utf8');
    expect(audit).toMatch(/"who":"operator@127\.0\.0\.1","what":"pause","where":\{\},"why":"maintenance"/);
  });

  test('a planned switchover fences, waits for lag 0, promotes, and writes a post-mortem', async () => {
    const accepted = await post('/switchover', '{"database":"orders"}');
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toEqual({ accepted: true, database: 'orders', target: 'orders-b', from: 'orders' });
    // Recorded before the answer: /status shows it at once, and a second request is refused while it runs.
    const asked = await status();
    expect(asked.databases[0]!.switchover).toMatchObject({ requestedBy: 'operator@127.0.0.1', target: 'orders-b' });
    expect(asked.switchover).toMatchObject({ database: 'orders', state: 'requested' });
    const again = await post('/switchover', '{"database":"orders"}');
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: string }).error).toMatch(/under way/);
    const done = await waitFor('switchover to complete', 15_000, async () => {
      const s = await status();
      const orders = s.databases[0]!;
      return orders.primary === 'orders-b' && orders.failovers === 1 && orders.replicas.find((r) => r.id === 'orders-c')?.upstream === 'orders-b' ? s : undefined;
    });
    expect(done.switchover).toMatchObject({ database: 'orders', state: 'completed' });
    expect(done.databases[0]!.switchover).toBeUndefined();
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('lifeboat_failovers_total{database="orders",kind="switchover"} 1');
    const reports = readdirSync(join(dir, 'state')).filter((f) => f.startsWith('postmortem-orders-'));
    expect(reports).toHaveLength(1);
    const report = readFileSync(join(dir, 'state', reports[0]!), 'utf8');
    expect(report).toContain('# Post-mortem: switchover of orders');
    expect(report).toContain('Data loss: none');
    const audit = readFileSync(join(dir, 'state', 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { what: string; result: string });
    const whats = audit.map((a) => `${a.what}:${a.result}`);
    expect(whats.indexOf('stopDatabase:ok')).toBeLessThan(whats.indexOf('promoteReplica:ok'));
    // Planned and run like a failover's steps: each with the operator as who and a reason.
    const steps = audit.filter((a) => (a.what === 'stopDatabase' || a.what === 'promoteReplica') && a.result === 'ok') as unknown as { who: string; why: string }[];
    expect(steps.map((a) => a.who)).toEqual(['operator@127.0.0.1', 'operator@127.0.0.1']);
    expect(steps.every((a) => /planned switchover of orders requested by operator@127\.0\.0\.1/.test(a.why))).toBe(true);
    // A second switchover right away is refused while the new primary's cluster still settles or succeeds safely, never 500.
    expect([202, 409]).toContain((await post('/switchover', '{"database":"orders","target":"orders"}')).status);
  });

  test('paused, a switchover still runs (the operator asked for it), and what is automatic after it waits for resume', async () => {
    // Pause and approve bodies are checked too; a refused one records nothing.
    expect((await post('/pause', '{"operator":"eve; rm -rf"}')).status).toBe(400);
    expect((await post('/pause', '{"reason":7}')).status).toBe(400);
    expect((await post('/pause', '{"database":"nope"}')).status).toBe(404);
    expect((await post('/approve', '{}')).status).toBe(400);
    expect((await post('/approve', '{"database":"orders"}')).status).toBe(409);
    expect((await status()).pauses).toEqual({ databases: [] });
    expect((await post('/pause', '{"reason":"maintenance"}')).status).toBe(200);
    expect((await post('/switchover', '{"database":"orders","target":"orders-b"}')).status).toBe(202);
    const promoted = await waitFor('the switchover to complete while paused', 15_000, async () => {
      const s = await status();
      const orders = s.databases[0]!;
      return orders.primary === 'orders-b' && orders.failovers === 1 && s.pausedPlan.some((p) => p.operation === 'repointReplica') ? s : undefined;
    });
    // Re-pointing orders-c is automatic: held, shown with its reason, not run.
    expect(promoted.pausedPlan.find((p) => p.operation === 'repointReplica')).toMatchObject({ target: 'orders-c' });
    expect(promoted.pausedPlan.every((p) => p.requestedBy === undefined)).toBe(true);
    expect(promoted.databases[0]!.replicas.find((r) => r.id === 'orders-c')?.upstream).toBe('orders');
    expect((await post('/resume')).status).toBe(200);
    await waitFor('orders-c re-pointed after resume', 15_000, async () => {
      const s = await status();
      return s.databases[0]!.replicas.find((r) => r.id === 'orders-c')?.upstream === 'orders-b' ? true : undefined;
    });
  });

  test('constant-time token comparison accepts only the exact token', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokenMatches('', TOKEN)).toBe(false);
  });
});
