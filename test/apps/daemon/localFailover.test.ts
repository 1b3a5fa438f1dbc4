// The daemon end to end on the `local` adapter: real PostgreSQL streaming replication and
// real node processes, started by the daemon's own runtime builder from the config below (the
// same `buildRuntime`, `Daemon` and `DaemonApi` that `lifeboat daemon` wires together, with its
// journal, audit log and post-mortem writer). The primary's zone is knocked out, and everything
// is checked from the outside: over HTTP on loopback and in the files the daemon writes.
//
// Why in-process: the fault has to be injected into the adapter that owns the zone's
// processes. The test takes that adapter out of the runtime the daemon runs on and calls its
// documented fault hook (`ex_injectZoneFault`: SIGSTOP of every process of the zone, the
// provider's status page still saying "available"). The daemon itself has no fault-injection
// path: nothing test-only was added to production code for this. The CLI's own wiring (signals,
// `--listen`, exit codes) is covered by the process tests (killAtEveryStep, etcdLeadership).
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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
import { expectNothingLeft, processesMentioning } from '../../adapters/local/localTestKit.js';
import { waitFor } from './daemonProcess.js';

const DAEMON_ID = 'e2e-local';
const OLD_PRIMARY = 'orders-local-a';

// The production policy (no overrides): detection in seconds is what the defaults are for.
const CONFIG = `id: ${DAEMON_ID}
providers:
  - type: local
    topology:
      groups: [{ id: web, nodes: { local-a: 1, local-b: 1, local-c: 1 } }]
      databases:
        - id: orders
          primary: { zone: local-a }
          replicas:
            - { id: orders-b, zone: local-b, mode: sync }
            - { id: orders-c, zone: local-c, mode: async }
protect:
  regions: [{ provider: local, region: local }]
  groups: [{ id: web, provider: local, region: local, minHealthy: 2 }]
  databases: [{ cluster: orders }]
api: { listen: "127.0.0.1:0" }
journal: state/journal.json
audit: state/audit.jsonl
reports: state/reports
`;

let dir: string;
let abort: AbortController;
let runtime: Runtime | undefined;
let local: LocalProvider;
let api: DaemonApi | undefined;
let running: Promise<unknown> | undefined;
let base: string;

const getJson = async <T>(path: string): Promise<T> => {
  const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
  return (await response.json()) as T;
};
const metrics = async (): Promise<string> => (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
const orders = (s: DaemonStatus) => s.databases.find((d) => d.database === 'orders');
/** One sample of a metric (labels exactly as rendered), or undefined when it has none. */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-e2e-'));
  const config = await parseDaemonConfig(CONFIG, join(dir, 'lifeboat.yaml'));
  const clock = new SystemClock();
  abort = new AbortController();
  runtime = await buildRuntime(config, clock, abort.signal);
  const found = runtime.adapterProviders.find((p) => p instanceof LocalProvider);
  if (!found) throw new Error('the runtime built from the config has no local provider');
  local = found;
  const daemon = new Daemon({ config, runtime, clock, id: DAEMON_ID, random: Math.random });
  api = new DaemonApi(daemon, undefined, abort.signal);
  base = `http://127.0.0.1:${await api.listen('127.0.0.1', 0)}`;
  running = Promise.all([runtime.run(abort.signal), daemon.run(abort.signal)]);
}, 180_000);

// Normally the last test has stopped everything already; this is the safety net when it did not run.
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

describe('daemon on the local adapter', () => {
  test('the primary zone goes dark: failover, and status, metrics, audit log and post-mortem all show it', { timeout: 240_000 }, async () => {
    // Settled: every zone healthy, the initial primary adopted, both standbys streaming from it.
    const before = await waitFor('the daemon to see the topology settled', 60_000, async () => {
      const s = await getJson<DaemonStatus>('/status');
      const db = orders(s);
      const settled =
        s.zones.length === 3 &&
        s.zones.every((z) => z.state === 'healthy') &&
        db?.primary === OLD_PRIMARY &&
        db.replicas.length === 2 &&
        db.replicas.every((r) => r.upstream === OLD_PRIMARY && r.replication === 'streaming') &&
        s.groups[0]?.healthy === 3;
      return settled ? s : undefined;
    });
    expect(orders(before)!.failovers).toBe(0);
    const zone = (await local.listDatabases({ ids: [OLD_PRIMARY] }, { signal: AbortSignal.timeout(10_000) }))[0]!.zone;
    expect(zone).toBe('local-a');
    const metricsBefore = await metrics();
    expect(sample(metricsBefore, 'lifeboat_failovers_total{database="orders",kind="failover"}')).toBe(0);
    expect(sample(metricsBefore, 'lifeboat_detection_seconds_count')).toBe(0);
    expect(sample(metricsBefore, 'lifeboat_failover_seconds_count')).toBe(0);
    expect(sample(metricsBefore, `lifeboat_zone_health{provider="local",region="local",zone="${zone}"}`)).toBe(0);

    local.ex_injectZoneFault(zone, 'unreachable');

    // Completed: a new primary adopted, no promotion in flight, the async standby re-pointed to it.
    const after = await waitFor('the failover to complete', 120_000, async () => {
      const s = await getJson<DaemonStatus>('/status');
      const db = orders(s);
      const done =
        db !== undefined &&
        db.primary !== OLD_PRIMARY &&
        db.promotion === undefined &&
        db.failovers === 1 &&
        db.replicas.some((r) => r.id !== OLD_PRIMARY && r.upstream === db.primary && r.replication === 'streaming');
      return done ? s : undefined;
    });
    const db = orders(after)!;
    const newPrimary = db.primary!;

    // /status: the zone is impaired, the new primary is elsewhere. (Its replication evidence is gone
    // now that no primary is left there: the two vantage points at decision time are in the post-mortem.)
    const impaired = after.zones.find((z) => z.zone === zone)!;
    expect(impaired.state).toBe('impaired');
    expect(impaired.evidence.badVantagePoints).toContain('probes');
    expect(impaired.evidence.probes.down).toBeGreaterThan(0);
    expect(newPrimary).toBe('orders-b'); // the sync standby: the only one that cannot have lost a commit
    expect(db.primaryZone).toBeDefined();
    expect(db.primaryZone).not.toBe(zone);
    expect(after.zones.find((z) => z.zone === db.primaryZone)?.state).toBe('healthy');
    expect(db.replicas.find((r) => r.id === OLD_PRIMARY)?.zone).toBe(zone);
    expect(after.inFlight.filter((s) => s.operation === 'promoteReplica')).toEqual([]);

    // /metrics: one failover counted, detection and failover times observed, zone health.
    const text = await metrics();
    expect(sample(text, 'lifeboat_failovers_total{database="orders",kind="failover"}')).toBe(1);
    expect(sample(text, 'lifeboat_detection_seconds_count')).toBe(1);
    expect(sample(text, 'lifeboat_detection_seconds_sum')).toBeGreaterThan(0);
    expect(sample(text, 'lifeboat_failover_seconds_count')).toBe(1);
    expect(sample(text, 'lifeboat_failover_seconds_sum')).toBeGreaterThan(0);
    expect(sample(text, `lifeboat_zone_health{provider="local",region="local",zone="${zone}"}`)).toBe(2);
    expect(sample(text, `lifeboat_zone_health{provider="local",region="local",zone="${db.primaryZone}"}`)).toBe(0);
    expect(sample(text, 'lifeboat_adapter_calls_total{provider="local",operation="promoteReplica",result="ok"}')).toBe(1);

    // The audit log: the promotion, started then ok, with who, what, where, why and result.
    const audit = readFileSync(join(dir, 'state', 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditRecord);
    const promotes = audit.filter((r) => r.what === 'promoteReplica');
    expect(promotes.map((r) => r.result)).toEqual(['started', 'ok']);
    for (const record of promotes) {
      expect(record).toMatchObject({
        who: DAEMON_ID,
        where: { provider: 'local', region: 'local', zone: db.primaryZone, resource: newPrimary },
        database: 'orders',
      });
      expect(record.why).toContain(OLD_PRIMARY);
      expect(record.why).toContain(zone);
      expect(Number.isNaN(Date.parse(record.time))).toBe(false);
    }
    expect(audit.some((r) => r.what === 'report' && r.database === 'orders' && r.result === 'ok')).toBe(true);

    // The post-mortem: one Markdown report with times, data loss, evidence, timeline and actions.
    const reports = readdirSync(join(dir, 'state', 'reports')).filter((f) => /^postmortem-orders-.*\.md$/.test(f));
    expect(reports).toHaveLength(1);
    const report = readFileSync(join(dir, 'state', 'reports', reports[0]!), 'utf8');
    expect(report).toContain('# Post-mortem: failover of orders');
    expect(report).toContain(`Automatic failover from \`${OLD_PRIMARY}\` (zone ${zone}) to \`${newPrimary}\``);
    expect(report).toMatch(/^- Detection time: \d+\.\d s \(first bad sign \S+, zone declared impaired \S+\)\.$/m);
    expect(report).toMatch(/^- Failover time: \d+\.\d s \(from the first bad sign to the new primary taking writes\)\.$/m);
    expect(report).toMatch(/^- Data loss: estimated \d+\.\d s of writes/m);
    expect(report).toMatch(/^## Evidence at decision time\n\n- Own probes: [1-9]\d* of \d+ targets down/m);
    expect(report).toMatch(/^- Vantage points saying bad: probes, replication\.$/m);
    expect(report).toMatch(/^- Replication out of the zone: cut\.$/m);
    const section = (name: string) => report.split(`## ${name}\n`)[1]?.split('\n## ')[0] ?? '';
    expect(section('Timeline')).toMatch(new RegExp(`\\| zone\\.impaired \\| local/${zone} \\|`));
    expect(section('Timeline')).toMatch(/\| failover\.planned \|/);
    expect(section('Timeline')).toMatch(/\| failover\.completed \|/);
    expect(section('Actions')).toMatch(new RegExp(`\\| ${DAEMON_ID} \\| promoteReplica \\| ${newPrimary} \\| ok \\|`));
  });

  test('stopping the daemon stops the topology it started and leaves nothing behind', { timeout: 120_000 }, async () => {
    const root = local.ex_rootDir;
    expect(processesMentioning(root).length).toBeGreaterThan(0);
    abort.abort();
    await running;
    await api!.close();
    await runtime!.close();
    await expectNothingLeft(root);
    const audit = readFileSync(join(dir, 'state', 'audit.jsonl'), 'utf8').trim().split('\n');
    expect((JSON.parse(audit.at(-1)!) as AuditRecord).what).toBe('stop');
    expect(existsSync(join(dir, 'state', 'journal.json'))).toBe(true);
    expect(existsSync(join(dir, 'state', 'journal.json.lock'))).toBe(false);
  });
});
