import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { DaemonStatus } from '../../../src/apps/daemon/DaemonStatus.js';
import { spawnCli, stop, waitFor, type CliProcess } from './daemonProcess.js';
import { failoverWorld, fastDaemonConfig } from './failoverWorld.js';

// No outage in this world during the test: `orders` (local-a) is the one writable primary, orders-b and orders-c follow it.
const WORLD = failoverWorld({ name: 'restart-against-world', impairAt: '9m', latency: 'promoteReplica: 500ms, stopDatabase: 300ms' });

interface Truth {
  promotions: unknown[];
  mutatingCalls: { operation: string; target?: string; result: string }[];
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as T;
}

const promote = { operation: 'promoteReplica', key: 'promote:orders:local:orders-b', provider: 'local', region: 'local', zone: 'local-b', cluster: 'orders', target: 'orders-b', from: 'orders', estimatedLossSeconds: 0, reason: 'zone local-a impaired' };
const homes = [
  { provider: 'local', region: 'local', zone: 'local-b' },
  { provider: 'local', region: 'local', zone: 'local-c' },
];

/** A journal a previous daemon left, disagreeing with the world in the way each case names. */
const journals: Record<string, unknown> = {
  'the primary it names is gone': {
    memory: { clusters: { orders: { cluster: 'orders', primary: 'orders-x', provider: 'local', failovers: 1, lastFailoverAt: 0, replicaHomes: homes } } },
    inFlight: {},
  },
  'the primary it names is listed demoted': {
    memory: { clusters: { orders: { cluster: 'orders', primary: 'orders-b', provider: 'local', failovers: 1, lastFailoverAt: 0, replicaHomes: homes } } },
    inFlight: {},
  },
  'the promotion it shows unfinished never reached the provider': {
    memory: {
      clusters: {
        orders: {
          cluster: 'orders', primary: 'orders', provider: 'local', failovers: 0, replicaHomes: homes,
          promotion: { target: 'orders-b', provider: 'local', region: 'local', zone: 'local-b', from: 'orders', fromProvider: 'local', detectedAt: 0, startedAt: 0 },
        },
      },
      issued: { [promote.key]: 0 },
    },
    inFlight: { [promote.key]: { step: promote, startedAt: 0 } },
  },
};

describe('a daemon restarted against a world that disagrees with its journal', () => {
  const procs: CliProcess[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const p of procs.splice(0)) await stop(p);
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  test.each(Object.keys(journals))('%s: the world wins within a few cycles; the one writable primary is never fenced, nothing is promoted', async (name) => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-restart-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'world.yaml'), WORLD);
    const sim = spawnCli(['sim-serve', '--world', join(dir, 'world.yaml')]);
    procs.push(sim);
    const simUrl = await waitFor('sim-serve', 10_000, () => /listening on (http:\S+)/.exec(sim.output())?.[1]);
    writeFileSync(join(dir, 'lifeboat.yaml'), fastDaemonConfig({ id: 'restart-test', provider: `url: "${simUrl}"` }));
    mkdirSync(join(dir, 'state'));
    writeFileSync(join(dir, 'state', 'journal.json'), JSON.stringify({ version: 1, daemon: 'before-restart', ...(journals[name] as object) }));

    const daemon = spawnCli(['daemon', '--config', join(dir, 'lifeboat.yaml')]);
    procs.push(daemon);
    const api = await waitFor('daemon API', 10_000, () => /listening on (http:\S+?)(?:\s|$)/.exec(daemon.output())?.[1]);
    const first = await waitFor('the first cycle', 10_000, async () => {
      const s = await getJson<DaemonStatus>(`${api}/status`);
      return s.observedAt !== undefined ? s : undefined;
    });
    // Corrected as soon as observation shows which instance takes writes (the first probe round may not
    // have answered yet): within a few 200 ms cycles, before anything was decided on the journal's word.
    await waitFor('memory corrected from observation', Date.parse(first.observedAt!) - Date.now() + 1_000, async () => {
      const orders = (await getJson<DaemonStatus>(`${api}/status`)).databases.find((d) => d.database === 'orders');
      return orders?.primary === 'orders' && orders.promotion === undefined ? true : undefined;
    });
    // Give it time to do something wrong: several cycles and a settle window.
    await new Promise((r) => setTimeout(r, 1_500));
    const later = await getJson<DaemonStatus>(`${api}/status`);
    const laterOrders = later.databases.find((d) => d.database === 'orders');
    expect(laterOrders?.primary).toBe('orders');
    expect(laterOrders?.promotion).toBeUndefined();
    const truth = await getJson<Truth>(`${simUrl}/truth`);
    // The only writable instance was never fenced; nothing was promoted, re-pointed or cloned on the journal's word.
    expect(truth.mutatingCalls).toEqual([]);
    expect(truth.promotions).toEqual([]);
    // The audit log says what was dropped and why.
    const audit = readFileSync(join(dir, 'state', 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { what: string; why: string });
    expect(audit.some((r) => r.what === 'restore' && /orders/.test(r.why))).toBe(true);

    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});
