// POST /pause stops automatic actions, not observation: while paused the daemon keeps
// observing (status, metrics and zone health stay live, a dead zone still turns impaired) and
// shows the plan it holds back, but executes nothing; POST /resume lets that plan run.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { SystemClock } from '../../../src/core/clock/SystemClock.js';
import { parseDaemonConfig } from '../../../src/apps/daemon/config/loadDaemonConfig.js';
import { Daemon } from '../../../src/apps/daemon/Daemon.js';
import { DaemonApi } from '../../../src/apps/daemon/DaemonApi.js';
import type { DaemonStatus } from '../../../src/apps/daemon/DaemonStatus.js';
import type { AuditRecord } from '../../../src/apps/daemon/audit/AuditRecord.js';
import { buildRuntime, type Runtime } from '../../../src/apps/daemon/runtime/buildRuntime.js';
import { waitFor } from './daemonProcess.js';
import { failoverWorld } from './failoverWorld.js';

const TOKEN = 'pause-test-token-0123456789';
// local-a (the primary's zone) goes dark 1 s of world time after the world starts.
const WORLD = failoverWorld({ name: 'pause-test', impairAt: '1s', latency: 'promoteReplica: 300ms, repointReplica: 300ms' });
const CONFIG = `id: pause-test
providers:
  - { type: sim, world: world.yaml }
protect:
  regions: [{ provider: local, region: local }]
  databases: [{ cluster: orders }]
policy: { probeInterval: 200ms, probeTimeout: 150ms, observeInterval: 1s, suspectObserveInterval: 200ms, failedRounds: 2, impairedAfter: 500ms, replicationStaleAfter: 500ms, callTimeout: 3s }
api: { listen: "127.0.0.1:0", token: ${TOKEN} }
journal: state/journal.json
audit: state/audit.jsonl
`;

describe('pause holds automatic actions back but keeps observing', () => {
  let dir: string;
  let abort: AbortController;
  let runtime: Runtime;
  let daemon: Daemon;
  let api: DaemonApi;
  let base: string;
  let running: Promise<unknown> | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-pause-'));
    writeFileSync(join(dir, 'world.yaml'), WORLD);
    const config = await parseDaemonConfig(CONFIG, join(dir, 'lifeboat.yaml'));
    const clock = new SystemClock();
    abort = new AbortController();
    runtime = await buildRuntime(config, clock, abort.signal);
    daemon = new Daemon({ config, runtime, clock, id: 'pause-test', random: () => 0.5 });
    api = new DaemonApi(daemon, TOKEN, abort.signal);
    base = `http://127.0.0.1:${await api.listen('127.0.0.1', 0)}`;
  });

  afterEach(async () => {
    try {
      abort.abort();
      await running?.catch(() => undefined);
      await api.close();
      await runtime.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const status = async () => (await (await fetch(`${base}/status`)).json()) as DaemonStatus;
  const metrics = async () => (await fetch(`${base}/metrics`)).text();
  const post = (path: string, body: string) => fetch(`${base}${path}`, { method: 'POST', body, headers: { authorization: `Bearer ${TOKEN}` } });
  const audit = () =>
    readFileSync(join(dir, 'state', 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditRecord);

  test('paused through an outage: the zone turns impaired and the failover is only shown; on resume it runs', async () => {
    // Paused before the daemon and the world start, so the outage can only happen while paused.
    expect((await post('/pause', '{"reason":"game day"}')).status).toBe(200);
    running = Promise.all([runtime.run(abort.signal), daemon.run(abort.signal)]);

    const impaired = await waitFor('local-a impaired while paused', 15_000, async () => {
      const s = await status();
      return s.zones.find((z) => z.zone === 'local-a')?.state === 'impaired' && s.pausedPlan.length > 0 ? s : undefined;
    });
    // Let a few more cycles run paused: still nothing may be executed.
    const t0 = Date.parse(impaired.observedAt!);
    const later = await waitFor('more paused cycles', 10_000, async () => {
      const s = await status();
      return Date.parse(s.observedAt!) >= t0 + 1000 ? s : undefined;
    });

    for (const s of [impaired, later]) {
      expect(s.paused).toBe(true);
      expect(s.zones.map((z) => `${z.zone}:${z.state}`).sort()).toEqual(['local-a:impaired', 'local-b:healthy', 'local-c:healthy']);
      expect(s.databases[0]).toMatchObject({ database: 'orders', primary: 'orders', failovers: 0 });
      expect(s.databases[0]!.promotion).toBeUndefined();
      expect(s.inFlight).toEqual([]);
      expect(s.pausedPlan).toEqual([expect.objectContaining({ operation: 'promoteReplica', target: 'orders-b', zone: 'local-b', reason: expect.stringContaining('impaired zone local-a') })]);
    }
    expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({ ok: true, paused: true });
    const paused = await metrics();
    expect(paused).toContain('lifeboat_paused 1');
    expect(paused).toContain('lifeboat_zone_health{provider="local",region="local",zone="local-a"} 2');
    expect(paused).toContain('lifeboat_detection_seconds_count 1');
    expect(paused).toMatch(/lifeboat_adapter_calls_total\{provider="local",operation="listDatabases",result="ok"\} \d+/);
    // Counters exist at 0 before their first event: the mutating calls stay at 0 while paused.
    expect(paused).toMatch(/lifeboat_adapter_calls_total\{provider="local",operation="promoteReplica",result="ok"\} 0\n/);
    expect(paused).not.toMatch(/operation="(promoteReplica|repointReplica|stopDatabase|createNode)",result="\w+"\} [1-9]/);
    expect(paused).toContain('lifeboat_failovers_total{database="orders",kind="failover"} 0\n');
    type Listed = { kind: string; detail: string; by?: string };
    const listed = async () => ((await (await fetch(`${base}/events`)).json()) as { events: Listed[] }).events;
    const events = (await listed()).map((e) => e.kind);
    expect(events).toContain('zone.impaired');
    expect(events).not.toContain('failover.planned');
    // The pause is in the timeline, before what it held back, with who asked and why.
    expect(events[0]).toBe('operator.paused');
    expect((await listed())[0]).toMatchObject({ by: 'operator@127.0.0.1', detail: 'operator@127.0.0.1 paused automatic actions for everything: game day' });
    const held = audit().filter((r) => r.what === 'promoteReplica');
    expect(held).toEqual([expect.objectContaining({ who: 'pause-test', result: 'held: automatic actions paused by operator@127.0.0.1: game day', database: 'orders', where: expect.objectContaining({ resource: 'orders-b' }) })]);

    expect((await post('/resume', '{}')).status).toBe(200);
    const resumed = await waitFor('the failover after resume', 15_000, async () => {
      const s = await status();
      const orders = s.databases[0]!;
      return orders.primary === 'orders-b' && orders.failovers === 1 && !orders.promotion ? s : undefined;
    });
    expect(resumed.paused).toBe(false);
    const timeline = (await listed()).map((e) => e.kind);
    expect(timeline.indexOf('operator.resumed')).toBeGreaterThan(timeline.indexOf('zone.impaired'));
    expect(timeline.indexOf('operator.resumed')).toBeLessThan(timeline.indexOf('failover.planned'));
    expect(resumed.pausedPlan).toEqual([]);
    expect(await metrics()).toContain('lifeboat_failovers_total{database="orders",kind="failover"} 1');
    expect(audit().filter((r) => r.what === 'promoteReplica').map((r) => r.result)).toEqual(['held: automatic actions paused by operator@127.0.0.1: game day', 'started', 'ok']);
  });
});
