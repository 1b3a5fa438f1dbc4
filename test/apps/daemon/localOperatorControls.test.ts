// The operator's controls end to end on the `local` adapter: real PostgreSQL streaming
// replication, the daemon wired as in localFailover.test.ts (in process, so the test can reach the
// adapter's documented fault hook), and the built `lifeboat` CLI in child processes over HTTP on
// loopback. Two databases have their primaries in local-a; the operator pauses one, the zone goes
// dark: the other fails over, nothing is done to the paused one; on resume its held failover runs.
import { readFileSync, rmSync } from 'node:fs';
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
import { expectNothingLeft } from '../../adapters/local/localTestKit.js';
import { spawnCli, waitFor } from './daemonProcess.js';

const TOKEN = 'local-operator-token-0123456789';
const ME = `${userInfo().username}@127.0.0.1`;
const CONFIG = `id: e2e-operator
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
`;

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
  const config = await parseDaemonConfig(CONFIG, join(dir, 'lifeboat.yaml'));
  const clock = new SystemClock();
  abort = new AbortController();
  runtime = await buildRuntime(config, clock, abort.signal);
  const found = runtime.adapterProviders.find((p) => p instanceof LocalProvider);
  if (!found) throw new Error('the runtime built from the config has no local provider');
  local = found;
  const daemon = new Daemon({ config, runtime, clock, id: 'e2e-operator', random: Math.random });
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
    expect(calls('billing').filter((r) => r.what === 'promoteReplica').map((r) => r.result)).toEqual(['started', 'ok']);
    const table2 = (await cli(['status'])).out;
    expect(table2).toMatch(/^billing\s+billing-c\s+local-c\s+up, writable\s+1\s+-$/m);
  });
});
