// The operator CLI (the built `lifeboat`, in child processes) against a daemon on a simulated
// world, over HTTP on loopback: status, pause and resume of one database (held across a restart
// through the journal), approval of a failover, shadow mode, and the CLI's usage rules.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { SystemClock } from '../../../src/core/clock/SystemClock.js';
import { parseDaemonConfig } from '../../../src/apps/daemon/config/loadDaemonConfig.js';
import { Daemon } from '../../../src/apps/daemon/Daemon.js';
import { DaemonApi } from '../../../src/apps/daemon/DaemonApi.js';
import type { DaemonStatus } from '../../../src/apps/daemon/DaemonStatus.js';
import type { AuditRecord } from '../../../src/apps/daemon/audit/AuditRecord.js';
import { buildRuntime } from '../../../src/apps/daemon/runtime/buildRuntime.js';
import { spawnCli, waitFor } from '../daemon/daemonProcess.js';
import { failoverWorld } from '../daemon/failoverWorld.js';

const TOKEN = 'operator-cli-token-0123456789';
const ME = `${userInfo().username}@127.0.0.1`;
const POLICY = 'probeInterval: 200ms, probeTimeout: 150ms, observeInterval: 1s, suspectObserveInterval: 200ms, failedRounds: 2, impairedAfter: 500ms, replicationStaleAfter: 500ms, callTimeout: 3s';
const config = (policy = '', extra = '') => `id: cli-test
providers:
  - { type: sim, world: world.yaml }
protect:
  regions: [{ provider: local, region: local }]
  databases: [{ cluster: orders }]
policy: { ${POLICY}${policy} }
api: { listen: "127.0.0.1:0", token: ${TOKEN} }
journal: state/journal.json
audit: state/audit.jsonl
${extra}`;

interface Running {
  readonly url: string;
  stop(): Promise<void>;
}

describe('lifeboat status / pause / resume / switchover / approve / events', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  function folder(impairAt: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-cli-op-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'world.yaml'), failoverWorld({ name: 'cli-test', impairAt, latency: 'promoteReplica: 300ms, repointReplica: 300ms, stopDatabase: 300ms' }));
    return dir;
  }

  async function start(dir: string, text: string): Promise<Running> {
    const parsed = await parseDaemonConfig(text, join(dir, 'lifeboat.yaml'));
    const clock = new SystemClock();
    const abort = new AbortController();
    const runtime = await buildRuntime(parsed, clock, abort.signal);
    const daemon = new Daemon({ config: parsed, runtime, clock, id: 'cli-test', random: () => 0.5 });
    const api = new DaemonApi(daemon, TOKEN, abort.signal);
    const url = `http://127.0.0.1:${await api.listen('127.0.0.1', 0)}`;
    const running = Promise.all([runtime.run(abort.signal), daemon.run(abort.signal)]);
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      abort.abort();
      await running.catch(() => undefined);
      await api.close();
      await runtime.close();
    };
    cleanup.push(stop);
    return { url, stop };
  }

  /** Runs the CLI to its end: exit code and output (stdout and stderr). */
  async function cli(args: readonly string[], env: NodeJS.ProcessEnv = { LIFEBOAT_TOKEN: TOKEN }): Promise<{ code: number | null; out: string }> {
    const p = spawnCli(args, { LIFEBOAT_URL: '', ...env });
    const { code } = await p.exited;
    return { code, out: p.output() };
  }
  const status = async (url: string): Promise<DaemonStatus> => {
    const r = await cli(['status', '--url', url, '--json']);
    if (r.code !== 0) throw new Error(r.out);
    return JSON.parse(r.out) as DaemonStatus;
  };
  const audit = (dir: string) =>
    readFileSync(join(dir, 'state', 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditRecord);

  test('usage: --help exits 0 for every command, --version works, mistakes exit 2, an unreachable daemon exits 1 in one line', { timeout: 60_000 }, async () => {
    for (const command of ['status', 'pause', 'resume', 'switchover', 'approve', 'events', 'replay', 'daemon', 'config', 'init', 'sim-serve', 'demo']) {
      const r = await cli([command, '--help']);
      expect(r.code, `${command} --help`).toBe(0);
      expect(r.out).toContain(command);
    }
    const version = await cli(['--version']);
    expect(version).toEqual({ code: 0, out: `lifeboat ${(JSON.parse(readFileSync(join(import.meta.dirname, '../../../package.json'), 'utf8')) as { version: string }).version}\n` });
    expect(await cli(['status', '--bogus'])).toEqual({ code: 2, out: "lifeboat: unknown option '--bogus'\n" });
    expect((await cli(['switchover'])).code).toBe(2);
    expect(await cli(['events', '--limit', 'lots', '--url', 'http://127.0.0.1:7400'])).toEqual({ code: 2, out: 'lifeboat events: --limit: expected a whole number from 1 to 10000, got lots\n' });
    expect((await cli(['frobnicate'])).out).toContain('lifeboat: unknown command "frobnicate"');
    // A port nothing listens on (taken, then released).
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = s.address() as { port: number };
        s.close(() => resolve(p));
      });
    });
    const down = await cli(['status', '--url', `http://127.0.0.1:${port}`]);
    expect(down).toEqual({ code: 1, out: `lifeboat status: cannot reach the daemon at http://127.0.0.1:${port}: ECONNREFUSED\n` });
  });

  test('status shows the cluster; a database paused with a reason stays paused across a restart (the journal) until resume', { timeout: 90_000 }, async () => {
    const dir = folder('9m');
    const first = await start(dir, config());
    const human = await waitFor('the cluster in lifeboat status', 15_000, async () => {
      const r = await cli(['status', '--url', first.url]);
      return r.code === 0 && /orders-b\s+local-b\s+replica\s+streaming/.test(r.out) ? r.out : undefined;
    });
    expect(human).toMatch(/^leader\s+cli-test \(lock file\)$/m);
    expect(human).toMatch(/^paused\s+no$/m);
    expect(human).toMatch(/^local\/local-a\s+healthy/m);
    expect(human).toMatch(/^orders\s+orders\s+local-a\s+up, writable\s+0\s+-$/m);

    // The wrong token: refused, exit 1, and the token never printed.
    const wrong = await cli(['pause', 'orders', '--url', first.url], { LIFEBOAT_TOKEN: 'not-the-token-0123456789' });
    expect(wrong).toEqual({ code: 1, out: 'lifeboat pause: the daemon refused: missing or wrong bearer token (set LIFEBOAT_TOKEN to the daemon\'s token)\n' });
    expect((await cli(['pause', 'nosuchdb', '--url', first.url])).out).toBe('lifeboat pause: the daemon refused: unknown database nosuchdb (protected: orders)\n');

    const paused = await cli(['pause', 'orders', '--reason', 'schema migration', '--url', first.url]);
    expect(paused.code).toBe(0);
    expect(paused.out).toMatch(new RegExp(`^paused orders \\(by ${ME} at \\S+: schema migration\\)\\n$`));
    const s = await status(first.url);
    expect(s.paused).toBe(false);
    expect(s.pauses.databases).toEqual([{ database: 'orders', by: ME, at: expect.any(String), reason: 'schema migration' }]);
    expect(s.databases[0]!.paused).toMatchObject({ by: ME, reason: 'schema migration' });
    expect(audit(dir).filter((r) => r.what === 'pause')).toEqual([expect.objectContaining({ who: ME, why: 'schema migration', database: 'orders', result: 'ok' })]);

    // Restarted on the same journal: still paused, by the same operator.
    await first.stop();
    const second = await start(dir, config());
    const after = await waitFor('the restarted daemon', 15_000, async () => {
      const st = await status(second.url);
      return st.observedAt ? st : undefined;
    });
    expect(after.pauses.databases).toEqual(s.pauses.databases);
    expect((await cli(['status', '--url', second.url])).out).toMatch(/^paused\s+only orders$/m);

    expect(await cli(['resume', 'orders', '--url', second.url])).toEqual({ code: 0, out: 'resumed orders\n' });
    expect((await status(second.url)).pauses).toEqual({ databases: [] });

    // A calm world: the only event since the restart is the operator's resume (the pause went with the first daemon's memory).
    const events = await cli(['events', '--url', second.url, '--limit', '5']);
    expect(events.code).toBe(0);
    expect(events.out.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^TIME\s+KIND\s+WHERE\s+DETAIL$/),
      expect.stringMatching(new RegExp(`^\\S+Z\\s+operator\\.resumed\\s+orders\\s+${ME.replace(/\./g, '\\.')} resumed automatic actions for orders: operator request$`)),
    ]);
  });

  test('approval: the failover waits in status until lifeboat approve, then runs as the operator\'s', { timeout: 90_000 }, async () => {
    const dir = folder('1s');
    const { url } = await start(dir, config(', approveFailovers: true, approvalTimeout: 10m'));
    const waiting = await waitFor('a failover awaiting approval', 20_000, async () => {
      const s = await status(url);
      return s.awaitingApproval.length > 0 ? s : undefined;
    });
    expect(waiting.awaitingApproval).toEqual([expect.objectContaining({ database: 'orders', operation: 'promoteReplica', target: 'orders-b' })]);
    expect(waiting.databases[0]).toMatchObject({ primary: 'orders', failovers: 0 });
    expect((await cli(['status', '--url', url])).out).toContain('AWAITING APPROVAL');

    const approved = await cli(['approve', 'orders', '--url', url]);
    expect(approved).toEqual({ code: 0, out: 'approved the failover of orders; it starts at the next cycle\n' });
    await waitFor('the approved failover', 20_000, async () => {
      const s = await status(url);
      return s.databases[0]!.primary === 'orders-b' && s.databases[0]!.failovers === 1 ? s : undefined;
    });
    const events = await cli(['events', '--url', url]);
    expect(events.code).toBe(0);
    expect(events.out).toMatch(/^TIME\s+KIND\s+WHERE\s+DETAIL$/m);
    expect(events.out).toMatch(/^\S+\s+zone\.impaired\s+local\/local-a\s/m);
    expect(events.out).toMatch(new RegExp(`^\\S+\\s+failover\\.approved\\s+orders\\s+${ME} approved the failover of orders$`, 'm'));
    const json = JSON.parse((await cli(['events', '--url', url, '--json', '--limit', '3'])).out) as { events: unknown[] };
    expect(json.events).toHaveLength(3);
    const promotes = audit(dir).filter((r) => r.what === 'promoteReplica');
    expect(promotes[0]).toMatchObject({ result: expect.stringMatching(/^held: waiting for approval until /) });
    expect(promotes.filter((r) => r.result === 'ok')).toEqual([expect.objectContaining({ who: ME, why: expect.stringContaining(`approved by ${ME}`) })]);
  });

  test('approval is refused where failovers need none (exit 1, the daemon\'s reason)', { timeout: 60_000 }, async () => {
    const { url } = await start(folder('9m'), config());
    await waitFor('the daemon', 10_000, async () => ((await status(url)).observedAt ? true : undefined));
    expect(await cli(['approve', 'orders', '--url', url])).toEqual({ code: 1, out: 'lifeboat approve: the daemon refused: failovers need no approval here (policy.approveFailovers is off)\n' });
  });

  test('shadow mode (mode: observe): the zone is lost, the failover is only reported and audited, no mutating call is made', { timeout: 60_000 }, async () => {
    const dir = folder('1s');
    const { url } = await start(dir, config('', 'mode: observe\n'));
    const seen = await waitFor('what it would do', 20_000, async () => {
      const s = await status(url);
      return s.wouldDo.some((w) => w.operation === 'promoteReplica') ? s : undefined;
    });
    expect(seen.mode).toBe('observe');
    expect(seen.zones.find((z) => z.zone === 'local-a')?.state).toBe('impaired');
    expect(seen.wouldDo).toEqual([expect.objectContaining({ operation: 'promoteReplica', target: 'orders-b', reason: expect.stringContaining('impaired zone local-a') })]);
    // Some more cycles: still nothing done.
    await new Promise((r) => setTimeout(r, 1500));
    const later = await status(url);
    expect(later.databases[0]).toMatchObject({ primary: 'orders', failovers: 0 });
    expect(later.inFlight).toEqual([]);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/operation="listDatabases",result="ok"/);
    // Mutating operations' counters exist at 0 from the start; none may have moved.
    expect(metrics).toMatch(/operation="promoteReplica",result="ok"\} 0\n/);
    expect(metrics).not.toMatch(/operation="(promoteReplica|repointReplica|stopDatabase|createNode|createReplica|destroyDatabase|rebootDatabase|updateEndpoint|shiftTraffic)",result="[a-z]+"\} [1-9]/);
    expect(audit(dir).filter((r) => r.what === 'promoteReplica')).toEqual([expect.objectContaining({ result: 'would run (mode: observe)', database: 'orders', where: expect.objectContaining({ resource: 'orders-b' }) })]);
    expect((await cli(['status', '--url', url])).out).toMatch(/^WOULD DO \(mode observe\)\n {2}promoteReplica orders-b \(local-b\): /m);
  });
});
