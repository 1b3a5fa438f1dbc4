// Startup and runtime truth with a real daemon process: a protected database its provider does not
// list stops the start (exit 2) and fails `config check --online`; SIGHUP reloads the config, and
// a bad new config is refused (logged, audited) while the old one keeps running.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { AuditRecord } from '../../../../src/apps/daemon/audit/AuditRecord.js';
import { spawnCli, stop, waitFor, type CliProcess } from '../daemonProcess.js';
import { failoverWorld, fastDaemonConfig } from '../failoverWorld.js';

describe('startup truth and SIGHUP reload', () => {
  let dir: string;
  let config: string;
  let daemon: CliProcess | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-truth-'));
    // The outage comes late: these tests need a quiet world.
    writeFileSync(join(dir, 'world.yaml'), failoverWorld({ name: 'truth', impairAt: '9m', latency: 'promoteReplica: 300ms' }));
    config = join(dir, 'lifeboat.yaml');
  });

  afterEach(async () => {
    await stop(daemon);
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (text: string) => writeFileSync(config, text);
  const base = (extra = '') => fastDaemonConfig({ id: 'truth-test', provider: 'world: world.yaml', extra });
  const audit = () => {
    const file = join(dir, 'state', 'audit.jsonl');
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditRecord) : [];
  };
  const run = async (...args: string[]) => {
    const p = spawnCli(args);
    return { code: (await p.exited).code, output: p.output() };
  };

  test('a misspelt protected database stops the daemon at start and fails config check --online; the offline check cannot know', async () => {
    write(base().replace('databases: [{ cluster: orders }]', 'databases: [{ cluster: ordrs }]'));
    const expected = `${config}: protect.databases[0].cluster: no database cluster ordrs in the watched regions (local/local); they list: orders`;
    const started = await run('daemon', '--config', config);
    expect(started.code).toBe(2);
    expect(started.output).toContain(`lifeboat daemon: protected resources the providers do not list:\n  ${expected}\n`);
    expect(started.output).not.toContain('    at ');
    const online = await run('config', 'check', config, '--online');
    expect(online.code).toBe(2);
    expect(online.output).toContain(expected);
    expect((await run('config', 'check', config)).code).toBe(0);
    write(base());
    const good = await run('config', 'check', config, '--online');
    expect(good).toMatchObject({ code: 0, output: expect.stringContaining('valid, and every protected resource exists') });
  });

  test('SIGHUP applies a good config and refuses a bad one, keeping the running config; the daemon never exits', async () => {
    write(base());
    daemon = spawnCli(['daemon', '--config', config]);
    const api = await waitFor('daemon API', 10_000, () => /listening on (http:\S+?)(?:\s|$|")/.exec(daemon!.output())?.[1]);
    const hup = async (text: string, what: RegExp) => {
      write(text);
      const before = audit().filter((r) => r.what === 'reload').length;
      daemon!.child.kill('SIGHUP');
      return waitFor(`reload ${what}`, 10_000, () => {
        const reloads = audit().filter((r) => r.what === 'reload');
        return reloads.length > before && what.test(reloads.at(-1)!.result) ? reloads.at(-1)! : undefined;
      });
    };

    // A new policy: applied, and in force from the next cycle.
    await hup(base().replace('probeInterval: 200ms', 'probeInterval: 300ms'), /^applied: policy$/);
    await waitFor('the new controller', 10_000, () => (daemon!.output().includes('the reloaded policy and protected resources are in force') ? true : undefined));

    // A misspelt database: refused, named with its key; the daemon still protects orders.
    const misspelt = await hup(base().replace('databases: [{ cluster: orders }]', 'databases: [{ cluster: ordrs }]'), /^refused/);
    expect(misspelt.result).toContain('protect.databases[0].cluster: no database cluster ordrs');
    // A file that does not parse: refused with its line.
    const broken = await hup(`${base()}policy: [unclosed\n`, /^refused/);
    expect(broken.result).toMatch(/lifeboat\.yaml:\d+: malformed YAML/);
    // A webhook whose secret is not in the environment: refused.
    const secretless = await hup(base('notifications:\n  webhooks: [{ url: "http://127.0.0.1:9/h", events: ["*"], secretEnv: TRUTH_TEST_NO_SUCH_SECRET }]\n'), /^refused/);
    expect(secretless.result).toContain('TRUTH_TEST_NO_SUCH_SECRET is not set');

    expect(daemon.child.exitCode).toBeNull();
    const status = (await (await fetch(`${api}/status`)).json()) as { databases: { database: string }[] };
    expect(status.databases.map((d) => d.database)).toEqual(['orders']);
    expect(await (await fetch(`${api}/healthz`)).json()).toMatchObject({ ok: true, status: 'ok', missing: [] });
    const metrics = await (await fetch(`${api}/metrics`)).text();
    expect(metrics).toContain('lifeboat_config_reloads_total{result="applied"} 1\n');
    expect(metrics).toContain('lifeboat_config_reloads_total{result="refused"} 3\n');
    const refusedLines = daemon.output().split('\n').filter((l) => l.includes('"event":"config.refused"'));
    expect(refusedLines).toHaveLength(3);
    expect(JSON.parse(refusedLines[0]!)).toMatchObject({ level: 'error' });
  });
});
