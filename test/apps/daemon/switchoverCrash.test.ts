import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { DaemonStatus } from '../../../src/apps/daemon/DaemonStatus.js';
import { spawnCli, spawnCrashingDaemon, stop, waitFor, type CliProcess } from './daemonProcess.js';
import { failoverWorld, fastDaemonConfig } from './failoverWorld.js';

const TOKEN = 'switchover-crash-token-0123456789';
// No outage in this world (the zone fault comes after the test is over): only the operator's switchover moves the primary.
const WORLD = failoverWorld({ name: 'switchover-crash', impairAt: '9m', latency: 'promoteReplica: 1s, stopDatabase: 300ms' });

interface Truth {
  promotions: { replica: string; dataLossSeconds: number }[];
  mutatingCalls: { operation: string; target?: string; result: string }[];
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as T;
}

const listenUrl = (p: CliProcess, pattern: RegExp) => pattern.exec(p.output())?.[1];

describe('a daemon killed in the middle of a planned switchover', () => {
  const procs: CliProcess[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const p of procs.splice(0)) await stop(p);
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  test('SIGKILL after the old primary is fenced, before the target caught up: the restarted daemon leaves exactly one writable primary and loses nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-switchover-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'world.yaml'), WORLD);
    const sim = spawnCli(['sim-serve', '--world', join(dir, 'world.yaml')]);
    procs.push(sim);
    const simUrl = await waitFor('sim-serve', 10_000, () => listenUrl(sim, /listening on (http:\S+)/));
    const config = fastDaemonConfig({ id: 'switchover-crash', provider: `url: "${simUrl}"` }).replace(
      'api: { listen: "127.0.0.1:0" }',
      `api: { listen: "127.0.0.1:0", token: ${TOKEN} }`,
    );
    expect(config).toContain(TOKEN);
    writeFileSync(join(dir, 'lifeboat.yaml'), config);

    const first = spawnCrashingDaemon(['--config', join(dir, 'lifeboat.yaml')], 'done:stopDatabase');
    procs.push(first);
    const firstApi = await waitFor('daemon API', 10_000, () => listenUrl(first, /listening on (http:\S+?)(?:\s|$)/));
    await waitFor('first observation', 10_000, async () => {
      const s = await getJson<DaemonStatus>(`${firstApi}/status`);
      return s.databases.find((d) => d.database === 'orders')?.primary === 'orders' ? true : undefined;
    });
    const accepted = await fetch(`${firstApi}/switchover`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ database: 'orders', target: 'orders-b' }),
    });
    expect(accepted.status).toBe(202);
    const crashed = await Promise.race([first.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 20_000))]);
    expect(crashed, `the daemon did not reach the checkpoint:\n${first.output()}`).toEqual({ code: null, signal: 'SIGKILL' });
    // The crash left the database without a writable primary: the old one is fenced, nothing promoted yet.
    const between = await getJson<Truth>(`${simUrl}/truth`);
    expect(between.mutatingCalls.filter((c) => c.operation === 'stopDatabase').map((c) => c.target)).toEqual(['orders']);
    expect(between.promotions).toEqual([]);

    const second = spawnCli(['daemon', '--config', join(dir, 'lifeboat.yaml')]);
    procs.push(second);
    const api = await waitFor('daemon API', 10_000, () => listenUrl(second, /listening on (http:\S+?)(?:\s|$)/));
    const status = await waitFor('a writable primary again', 30_000, async () => {
      const s = await getJson<DaemonStatus>(`${api}/status`);
      const orders = s.databases.find((d) => d.database === 'orders');
      return orders && orders.primary !== 'orders' && !orders.promotion ? orders : undefined;
    });
    const truth = await getJson<Truth>(`${simUrl}/truth`);
    // Exactly one promotion, of a replica that held every committed write.
    expect(truth.promotions).toHaveLength(1);
    expect(truth.promotions[0]!.replica).toBe(status.primary);
    expect(truth.promotions[0]!.dataLossSeconds).toBe(0);
    // The old primary stays fenced: never started again behind the new primary's back.
    expect(truth.mutatingCalls.filter((c) => c.operation === 'rebootDatabase' && c.target === 'orders')).toEqual([]);

    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  }, 90_000);
});
