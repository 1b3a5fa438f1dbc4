import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { DaemonStatus } from '../../../src/apps/daemon/DaemonStatus.js';
import { spawnCli, spawnCrashingDaemon, stop, waitFor, type CliProcess } from './daemonProcess.js';
import { ETCD, startEtcd, type EtcdServer } from './etcdServer.js';
import { failoverWorld, fastDaemonConfig } from './failoverWorld.js';

const TTL = 3;

const world = (impairAt: string) =>
  failoverWorld({ name: 'ha-test', impairAt, latency: 'promoteReplica: 500ms, repointReplica: 500ms, stopDatabase: 500ms' });

/** The members' operate token (for the pause test's CLI). */
const TOKEN = 'ha-test-operate-token-0123456789';

const config = (id: string, simUrl: string, etcdUrl: string | undefined) =>
  fastDaemonConfig({
    id,
    provider: `url: "${simUrl}"`,
    token: TOKEN,
    extra: etcdUrl ? `etcd: { endpoints: ["${etcdUrl}"], prefix: /lifeboat-test, ttl: ${TTL}s }\n` : '',
  });

interface Truth {
  promotions: { target?: string; replica?: string }[];
  mutatingCalls: { operation: string; target?: string; result: string }[];
}
interface Audit {
  time: string;
  who: string;
  what: string;
  why: string;
  result: string;
}
const MUTATING = new Set(['promoteReplica', 'repointReplica', 'stopDatabase', 'createNode', 'destroyNode', 'rebootDatabase', 'createReplica']);

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as T;
}

interface Member {
  readonly id: string;
  readonly dir: string;
  readonly proc: CliProcess;
  api: string;
}

describe.skipIf(ETCD.skip())('HA on a real etcd', () => {
  const procs: CliProcess[] = [];
  const dirs: string[] = [];
  let etcd: EtcdServer | undefined;
  afterEach(async () => {
    for (const p of procs.splice(0)) await stop(p);
    await etcd?.stop();
    etcd = undefined;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function startWorld(impairAt: string): Promise<{ root: string; simUrl: string; startedAt: number }> {
    const root = mkdtempSync(join(tmpdir(), 'lifeboat-ha-'));
    dirs.push(root);
    writeFileSync(join(root, 'world.yaml'), world(impairAt));
    const sim = spawnCli(['sim-serve', '--world', join(root, 'world.yaml')]);
    procs.push(sim);
    const simUrl = await waitFor('sim-serve', 10_000, () => /listening on (http:\S+)/.exec(sim.output())?.[1]);
    return { root, simUrl, startedAt: Date.now() };
  }

  /** Starts a daemon; with `crashAt` it SIGKILLs itself at that checkpoint. */
  function startDaemon(root: string, id: string, simUrl: string, etcdUrl: string | undefined, crashAt?: string): Member {
    const dir = join(root, id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'lifeboat.yaml'), config(id, simUrl, etcdUrl));
    const file = join(dir, 'lifeboat.yaml');
    const proc = crashAt === undefined ? spawnCli(['daemon', '--config', file]) : spawnCrashingDaemon(['--config', file], crashAt);
    procs.push(proc);
    return { id, dir, proc, api: '' };
  }

  async function apiOf(m: Member): Promise<string> {
    m.api = await waitFor(`${m.id} API`, 10_000, () => /listening on (http:\S+?)(?:;|\s|$)/.exec(m.proc.output())?.[1]);
    return m.api;
  }

  const status = (m: Member) => getJson<DaemonStatus>(`${m.api}/status`);
  const audit = (m: Member): Audit[] => {
    const file = join(m.dir, 'state', 'audit.jsonl');
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Audit) : [];
  };
  const mutations = (m: Member) => audit(m).filter((r) => MUTATING.has(r.what));

  /** Waits until every live member agrees on one leader that says it is the leader; returns it. */
  async function agreedLeader(members: readonly Member[], ms: number): Promise<Member> {
    return waitFor('one agreed leader', ms, async () => {
      const live = members.filter((m) => m.proc.child.exitCode === null && m.proc.child.signalCode === null);
      const views = await Promise.all(live.map(async (m) => ({ m, s: await status(m) })));
      const selves = views.filter((v) => v.s.leader.self);
      if (selves.length !== 1) return undefined;
      const leader = selves[0]!.m;
      return views.every((v) => v.s.leader.id === leader.id && v.s.leader.mode === 'etcd') ? leader : undefined;
    });
  }

  test('three daemons: one acts; the leader dies mid-failover and another finishes it without repeating the promotion', async () => {
    etcd = await startEtcd();
    const { root, simUrl } = await startWorld('7s');
    // Every member dies right after its promote call returns (only a leader ever gets there).
    const members = ['ha-1', 'ha-2', 'ha-3'].map((id) => startDaemon(root, id, simUrl, etcd!.url, 'after:promoteReplica'));
    for (const m of members) await apiOf(m);
    const first = await agreedLeader(members, 10_000);
    const followers = members.filter((m) => m !== first);
    // Followers serve the leader's published picture.
    await waitFor('followers see the database', 10_000, async () => ((await status(followers[0]!)).databases[0]?.primary === 'orders' ? true : undefined));

    const crashed = await Promise.race([first.proc.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 25_000))]);
    expect(crashed, `the leader did not reach its promote call:\n${first.proc.output()}`).toEqual({ code: null, signal: 'SIGKILL' });
    const killedAt = Date.now();
    expect(followers.every((m) => mutations(m).length === 0)).toBe(true);

    const second = await agreedLeader(followers, (TTL + 6) * 1000);
    const takeoverMs = Date.now() - killedAt;
    // Lease ttl, plus a follower poll (<= 1 s) and a status poll (100 ms); a little slack for a loaded machine.
    expect(takeoverMs).toBeLessThan(TTL * 1000 + 2500);

    const done = await waitFor('failover finished by the new leader', 20_000, async () => {
      const s = await status(second);
      const orders = s.databases.find((d) => d.database === 'orders');
      const c = orders?.replicas.find((r) => r.id === 'orders-c');
      return orders?.primary === 'orders-b' && !orders.promotion && c?.upstream === 'orders-b' ? s : undefined;
    });
    expect(done.databases[0]!.failovers).toBe(1);

    // World ground truth: exactly one promotion, and the promote call was made once.
    const truth = await getJson<Truth>(`${simUrl}/truth`);
    expect(truth.promotions).toHaveLength(1);
    expect(truth.mutatingCalls.filter((c) => c.operation === 'promoteReplica')).toHaveLength(1);
    // At most the one replica rebuilt in place of the promoted orders-b (journaled before the call, so never twice).
    expect(truth.mutatingCalls.filter((c) => c.operation === 'createReplica').length).toBeLessThanOrEqual(1);

    // Who acted: the first leader (the promotion), the second (the rest); the third never.
    const third = followers.find((m) => m !== second)!;
    expect(mutations(third)).toEqual([]);
    expect(mutations(first).map((r) => `${r.what} ${r.result}`)).toEqual(['promoteReplica started']);
    const secondAudit = audit(second);
    expect(secondAudit.find((r) => r.what === 'lead')?.why).toMatch(/handed over by ha-/);
    expect(secondAudit.some((r) => r.what === 'restore' && /not re-issued/.test(r.why))).toBe(true);
    expect(secondAudit.filter((r) => r.what === 'promoteReplica')).toEqual([]);
    // The second leader did act (the re-pointing), and only after the first was killed.
    expect(mutations(second).length).toBeGreaterThan(0);
    expect(mutations(second).every((r) => Date.parse(r.time) >= killedAt - 50)).toBe(true);
    expect(mutations(second).some((r) => r.what === 'repointReplica' && r.result === 'ok')).toBe(true);

    // The third member serves the new leader's picture.
    await waitFor('third sees the new primary', 10_000, async () => {
      const s = await status(third);
      return s.leader.id === second.id && !s.leader.self && s.databases[0]?.primary === 'orders-b' ? true : undefined;
    });
    console.log(`takeover after SIGKILL: ${takeoverMs} ms (ttl ${TTL}s)`);
  }, 90_000);

  test('etcd stopped: nobody acts without a lease; after it returns the failover happens exactly once', async () => {
    etcd = await startEtcd();
    const { root, simUrl, startedAt } = await startWorld('9s');
    const members = ['st-1', 'st-2'].map((id) => startDaemon(root, id, simUrl, etcd!.url));
    for (const m of members) await apiOf(m);
    const leader = await agreedLeader(members, 10_000);

    // Freeze etcd from world time ~6 s to ~13 s: longer than the ttl, and across the outage at 9 s.
    await new Promise((r) => setTimeout(r, Math.max(0, startedAt + 6000 - Date.now())));
    expect((await getJson<Truth>(`${simUrl}/truth`)).mutatingCalls).toEqual([]);
    etcd.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    try {
      // The leader stops acting ttl/2 after its last keepalive.
      await waitFor('the leader stops leading', TTL * 1000, async () => ((await status(leader)).leader.self ? undefined : true));
      expect(Date.now() - stoppedAt).toBeLessThan((TTL / 2) * 1000 + 1000);
      // Let the outage be seen (impaired at ~9.7 s) while etcd is still frozen.
      await new Promise((r) => setTimeout(r, Math.max(0, startedAt + 13_000 - Date.now())));
      const frozen = await getJson<Truth>(`${simUrl}/truth`);
      expect(frozen.mutatingCalls).toEqual([]);
      expect(frozen.promotions).toEqual([]);
      for (const m of members) expect((await status(m)).leader.self).toBe(false);
    } finally {
      etcd.child.kill('SIGCONT');
    }
    const resumedAt = Date.now();

    const next = await agreedLeader(members, (TTL + 6) * 1000);
    await waitFor('failover after etcd returned', 20_000, async () => {
      const s = await status(next);
      const orders = s.databases.find((d) => d.database === 'orders');
      return orders?.primary === 'orders-b' && !orders.promotion ? true : undefined;
    });
    // A few more cycles: nothing is repeated.
    await new Promise((r) => setTimeout(r, 1500));
    const truth = await getJson<Truth>(`${simUrl}/truth`);
    expect(truth.promotions).toHaveLength(1);
    expect(truth.mutatingCalls.filter((c) => c.operation === 'promoteReplica')).toHaveLength(1);
    // Every call that reached the world was made by the leader after etcd came back.
    const acted = members.flatMap((m) => mutations(m).filter((r) => r.result === 'ok').map((r) => ({ ...r, m: m.id })));
    expect(new Set(acted.map((r) => r.m))).toEqual(new Set([next.id]));
    expect(acted.every((r) => Date.parse(r.time) >= resumedAt - 50)).toBe(true);
    console.log(`etcd frozen ${resumedAt - stoppedAt} ms; leader before ${leader.id}, after ${next.id}`);
  }, 90_000);

  test('a pause sent to a follower (lifeboat pause) holds on the leader, survives killing the leader, and resume on another member lifts it', async () => {
    etcd = await startEtcd();
    const { root, simUrl, startedAt } = await startWorld('14s');
    const members = ['pz-1', 'pz-2', 'pz-3'].map((id) => startDaemon(root, id, simUrl, etcd!.url));
    for (const m of members) await apiOf(m);
    const leader = await agreedLeader(members, 10_000);
    const [follower, other] = members.filter((m) => m !== leader) as [Member, Member];
    const cli = async (args: string[]) => {
      const p = spawnCli(args, { LIFEBOAT_TOKEN: TOKEN, LIFEBOAT_URL: '' });
      return { ...(await p.exited), out: p.output() };
    };

    const paused = await cli(['pause', '--url', follower.api, '--reason', 'etcd pause test']);
    expect(paused.code, paused.out).toBe(0);
    // The leader reads it from etcd before its next cycle.
    const onLeader = await waitFor('the pause on the leader', 5000, async () => {
      const s = await status(leader);
      return s.paused ? s : undefined;
    });
    expect(onLeader.leader.self).toBe(true);
    expect(onLeader.pauses.all).toMatchObject({ by: expect.stringMatching(/@127\.0\.0\.1$/), reason: 'etcd pause test' });

    // The zone is lost at 14 s: the leader sees it and holds the failover.
    expect(Date.now()).toBeLessThan(startedAt + 14_000);
    await waitFor('the failover held on the leader', 20_000, async () => ((await status(leader)).pausedPlan.some((st) => st.operation === 'promoteReplica') ? true : undefined));
    expect((await getJson<Truth>(`${simUrl}/truth`)).mutatingCalls).toEqual([]);

    // The leader dies: the next one reads the pause from etcd before deciding anything.
    leader.proc.child.kill('SIGKILL');
    await leader.proc.exited;
    const next = await agreedLeader([follower, other], (TTL + 6) * 1000);
    const held = await waitFor('the new leader holding the failover', 10_000, async () => {
      const s = await status(next);
      return s.pausedPlan.some((st) => st.operation === 'promoteReplica') ? s : undefined;
    });
    expect(held.paused).toBe(true);
    expect(held.pauses.all?.reason).toBe('etcd pause test');
    await new Promise((r) => setTimeout(r, 1500));
    expect((await getJson<Truth>(`${simUrl}/truth`)).mutatingCalls).toEqual([]);
    // Audited as held (each leader once), never started.
    const audited = members.flatMap((m) => mutations(m));
    expect(audited.length).toBeGreaterThan(0);
    expect(audited.every((r) => r.what === 'promoteReplica' && r.result === 'held: automatic actions paused by ' + onLeader.pauses.all!.by + ': etcd pause test')).toBe(true);

    // Resume on the member that is not the leader now.
    const elsewhere = next === follower ? other : follower;
    const resumed = await cli(['resume', '--url', elsewhere.api]);
    expect(resumed.code, resumed.out).toBe(0);
    await waitFor('the held failover after resume', 20_000, async () => {
      const s = await status(next);
      return !s.paused && s.databases[0]?.primary === 'orders-b' && !s.databases[0].promotion ? true : undefined;
    });
    const truth = await getJson<Truth>(`${simUrl}/truth`);
    expect(truth.promotions).toHaveLength(1);
    expect(mutations(next).some((r) => r.what === 'promoteReplica' && r.result === 'ok')).toBe(true);
    expect(mutations(elsewhere).filter((r) => !r.result.startsWith('held'))).toEqual([]);
  }, 90_000);
});

describe('single daemon without etcd', () => {
  const procs: CliProcess[] = [];
  let root: string | undefined;
  afterEach(async () => {
    for (const p of procs.splice(0)) await stop(p);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('a second daemon on the same journal is refused by the lock file', async () => {
    root = mkdtempSync(join(tmpdir(), 'lifeboat-lock-'));
    writeFileSync(join(root, 'world.yaml'), world('10m'));
    const file = join(root, 'lifeboat.yaml');
    writeFileSync(file, config('solo', 'http://127.0.0.1:9', undefined).replace(/url: "[^"]+"/, `world: world.yaml`));
    const first = spawnCli(['daemon', '--config', file]);
    procs.push(first);
    await waitFor('first daemon', 10_000, () => (/listening on/.test(first.output()) ? true : undefined));
    await waitFor('lock file', 5000, () => (existsSync(join(root!, 'state', 'journal.json.lock')) ? true : undefined));
    const second = spawnCli(['daemon', '--config', file]);
    procs.push(second);
    expect(await second.exited).toEqual({ code: 2, signal: null });
    expect(second.output()).toMatch(new RegExp(`another daemon \\(pid ${first.child.pid}\\) holds .*journal\\.json\\.lock`));
    expect(first.child.exitCode).toBeNull();
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
  }, 30_000);
});
