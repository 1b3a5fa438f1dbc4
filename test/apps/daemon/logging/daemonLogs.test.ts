// A real daemon process through a failover: its stderr is one JSON object per line (plan, step
// start, step result), with no credential in it; /metrics has the per-instance gauges, build info,
// process metrics and counters at 0 before their first event.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { spawnCli, stop, waitFor, type CliProcess } from '../daemonProcess.js';
import { failoverWorld, fastDaemonConfig } from '../failoverWorld.js';

const TOKEN = 'logs-test-token-0123456789abcdef';

interface LogLine {
  readonly level: string;
  readonly time: string;
  readonly msg: string;
  readonly daemon: string;
  readonly event?: string;
  readonly operation?: string;
  readonly resource?: string;
  readonly step?: string;
  readonly steps?: { operation: string; resource: string }[];
  readonly result?: string;
}

describe('daemon logs and metrics', () => {
  let dir: string;
  let daemon: CliProcess | undefined;

  afterEach(async () => {
    await stop(daemon);
    rmSync(dir, { recursive: true, force: true });
  });

  function setUp(extra = ''): string {
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-logs-'));
    writeFileSync(join(dir, 'world.yaml'), failoverWorld({ name: 'logs', impairAt: '2s', latency: 'promoteReplica: 300ms, repointReplica: 300ms' }));
    const config = join(dir, 'lifeboat.yaml');
    writeFileSync(config, fastDaemonConfig({ id: 'logs-test', provider: 'world: world.yaml' }).replace('api: { listen: "127.0.0.1:0" }', `api: { listen: "127.0.0.1:0", token: ${TOKEN} }`) + extra);
    return config;
  }

  test('one JSON line per plan, step start and step result; credentials never logged; metrics after the failover', async () => {
    const config = setUp();
    daemon = spawnCli(['daemon', '--config', config]);
    const base = await waitFor('daemon API', 10_000, () => /listening on (http:\S+?)(?:\s|$|")/.exec(daemon!.output())?.[1]);
    const auth = { authorization: `Bearer ${TOKEN}` };
    // Counters exist at 0 before the failover.
    const before = await (await fetch(`${base}/metrics`, { headers: auth })).text();
    expect(before).toContain('lifeboat_failovers_total{database="orders",kind="failover"} 0\n');
    expect(before).toContain('lifeboat_hook_runs_total{hook="prePromote",result="veto"} 0\n');
    expect(before).toContain('lifeboat_webhook_deliveries_total{result="failed"} 0\n');
    await waitFor('the failover', 20_000, async () => {
      const s = (await (await fetch(`${base}/status`, { headers: auth })).json()) as { databases: { primary: string; replicas: { id: string; upstream?: string }[] }[] };
      const orders = s.databases[0]!;
      return orders.primary === 'orders-b' && orders.replicas.find((r) => r.id === 'orders-c')?.upstream === 'orders-b' ? true : undefined;
    });
    const metrics = await waitFor('gauges of the new picture', 5_000, async () => {
      const text = await (await fetch(`${base}/metrics`, { headers: auth })).text();
      return /lifeboat_replica_lag_seconds\{database="orders",instance="orders-c",provider="local",zone="local-c"\} \d/.test(text) ? text : undefined;
    });
    expect(metrics).toContain('lifeboat_database_primary{database="orders",instance="orders-b",provider="local",zone="local-b"} 1\n');
    expect(metrics).toContain('lifeboat_database_primary{database="orders",instance="orders",provider="local",zone="local-a"} 0\n');
    expect(metrics).toContain('lifeboat_failovers_total{database="orders",kind="failover"} 1\n');
    expect(metrics).toContain('lifeboat_failovers_total{database="orders",kind="switchover"} 0\n');
    expect(metrics).toMatch(/lifeboat_build_info\{version="\d+\.\d+\.\d+[^"]*",node="v\d+[^"]*"\} 1\n/);
    expect(metrics).toMatch(/lifeboat_process_cpu_seconds_total \d/);
    expect(metrics).toMatch(/lifeboat_nodejs_eventloop_lag_seconds \d/);
    expect(metrics).toContain('lifeboat_paused 0\n');
    expect(metrics).toContain('lifeboat_leader 1\n');

    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    const out = daemon.output();
    expect(out).not.toContain(TOKEN);
    const lines = out.trim().split('\n').map((line) => JSON.parse(line) as LogLine);
    for (const line of lines) {
      expect(line.daemon).toBe('logs-test');
      expect(['debug', 'info', 'warn', 'error']).toContain(line.level);
      expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    const plans = lines.filter((l) => l.event === 'plan');
    expect(plans[0]!.steps!.map((s) => `${s.operation} ${s.resource}`)).toEqual(['promoteReplica orders-b']);
    expect(plans.some((p) => p.steps!.some((s) => s.operation === 'repointReplica' && s.resource === 'orders-c'))).toBe(true);
    const starts = lines.filter((l) => l.event === 'step.start');
    const results = lines.filter((l) => l.event === 'step.result');
    // The failover's steps, then the replica rebuild that follows it.
    expect(starts.slice(0, 2).map((l) => `${l.operation} ${l.resource}`)).toEqual(['promoteReplica orders-b', 'repointReplica orders-c']);
    // One result line per step, matched by the step's key (the daemon drains its calls before it stops).
    expect(results.map((l) => l.step).sort()).toEqual(starts.map((l) => l.step).sort());
    expect(results.filter((l) => l.step === starts[0]!.step || l.step === starts[1]!.step).map((l) => l.result)).toEqual(['ok', 'ok']);
    expect(lines.filter((l) => l.event === 'zone.impaired')).toHaveLength(1);
    expect(lines.filter((l) => l.event === 'failover.completed')).toHaveLength(1);
    expect(lines.at(-1)!.msg).toBe('stopped');
  });

  test('--log-format pretty writes text for a person; a bad format is refused with exit 2', async () => {
    const config = setUp();
    daemon = spawnCli(['daemon', '--config', config, '--log-format', 'pretty']);
    await waitFor('daemon API', 10_000, () => (/INFO.*listening on http:/.test(daemon!.output()) ? true : undefined));
    expect(() => JSON.parse(daemon!.output().split('\n')[0]!)).toThrow();
    await stop(daemon);
    const bad = spawnCli(['daemon', '--config', config, '--log-format', 'xml']);
    expect((await bad.exited).code).toBe(2);
    expect(bad.output()).toContain('lifeboat daemon: --log-format: expected json or pretty, got xml');
  });
});
