// Command hooks and webhooks around a real failover: real shell scripts as hooks, a real HTTP
// receiver on loopback that verifies each payload's HMAC signature with its own code.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { SystemClock } from '../../../../src/core/clock/SystemClock.js';
import { parseDaemonConfig } from '../../../../src/apps/daemon/config/loadDaemonConfig.js';
import { Daemon } from '../../../../src/apps/daemon/Daemon.js';
import type { AuditRecord } from '../../../../src/apps/daemon/audit/AuditRecord.js';
import { isHookSetupError } from '../../../../src/apps/daemon/hooks/HookSetupError.js';
import { buildRuntime, type Runtime } from '../../../../src/apps/daemon/runtime/buildRuntime.js';
import { waitFor } from '../daemonProcess.js';
import { failoverWorld, fastDaemonConfig } from '../failoverWorld.js';
import { webhookReceiver } from './webhookReceiver.js';

const SECRET = 'whsec-test-0123456789abcdef';

/** The shared receiver, answering 500 to the first `failFirst` valid deliveries. */
function receiver(failFirst: number) {
  return webhookReceiver(SECRET, (received) => (received.length < failFirst ? 500 : 204));
}

/** A shell hook that appends its LIFEBOAT_* environment as one JSON-ish line per run, then runs `then`. */
function hookScript(dir: string, name: string, then: string): string {
  const file = join(dir, `${name}.sh`);
  writeFileSync(
    file,
    `#!/bin/sh
env | grep '^LIFEBOAT_' | sort | tr '\\n' '|' >> "${join(dir, `${name}.log`)}"
echo >> "${join(dir, `${name}.log`)}"
${then}
`,
  );
  chmodSync(file, 0o755);
  return file;
}

function runs(dir: string, name: string): Record<string, string>[] {
  const file = join(dir, `${name}.log`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => Object.fromEntries(line.split('|').filter((kv) => kv !== '').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])));
}

describe('hooks and webhooks around a failover', () => {
  let dir: string;
  let abort: AbortController;
  let runtime: Runtime | undefined;
  let running: Promise<unknown> | undefined;
  let server: Server | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-hooks-'));
  });

  afterEach(async () => {
    abort?.abort();
    await running?.catch(() => undefined);
    await runtime?.close();
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(extra: string, env: NodeJS.ProcessEnv = {}) {
    writeFileSync(join(dir, 'world.yaml'), failoverWorld({ name: 'hooks', impairAt: '1s', latency: 'promoteReplica: 300ms' }));
    const text = fastDaemonConfig({ id: 'hooks-test', provider: 'world: world.yaml', extra: extra.replaceAll('$DIR', dir) });
    const config = await parseDaemonConfig(text, join(dir, 'lifeboat.yaml'));
    const clock = new SystemClock();
    abort = new AbortController();
    runtime = await buildRuntime(config, clock, abort.signal);
    const daemon = new Daemon({ config, runtime, clock, id: 'hooks-test', random: () => 0.5, env });
    running = Promise.all([runtime.run(abort.signal), daemon.run(abort.signal)]);
    return daemon;
  }

  const audit = () =>
    readFileSync(join(dir, 'state', 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditRecord);

  test('a pre-promote veto moves the failover to the next candidate; post-failover and role-change hooks and a signed webhook see it', async () => {
    const hook = await receiver(1);
    server = hook.server;
    const scripts = dir;
    const pre = hookScript(scripts, 'pre', 'if [ "$LIFEBOAT_NEW_PRIMARY" = orders-b ]; then echo "orders-b is being rebuilt" >&2; exit 3; fi');
    const post = hookScript(scripts, 'post', 'exit 0');
    const role = hookScript(scripts, 'role', 'exit 0');
    const extra = `hooks:
  prePromote: { command: [${pre}], timeout: 5s }
  postFailover: { command: [${post}] }
  roleChange: { command: [${role}] }
notifications:
  webhooks:
    - { url: "${hook.url}", events: [failover.completed, role.changed, hook.result], secretEnv: HOOKS_TEST_SECRET, retries: 3 }
`;
    const daemon = await start(extra, { HOOKS_TEST_SECRET: SECRET });
    await waitFor('orders-c promoted after the veto of orders-b', 20_000, () => (daemon.status().databases[0]?.primary === 'orders-c' ? true : undefined));
    await waitFor('the post-failover and role-change hooks', 10_000, () => (runs(scripts, 'post').length === 1 && runs(scripts, 'role').length === 1 ? true : undefined));
    await waitFor('the completed failover delivered', 10_000, () => (hook.received.some((r) => r.body.kind === 'failover.completed' && r.status === 204) ? true : undefined));

    // The pre-promote hook was asked about orders-b (vetoed) and orders-c (proceeded), with the facts.
    const asked = runs(scripts, 'pre');
    expect(asked.map((r) => r.LIFEBOAT_NEW_PRIMARY)).toEqual(['orders-b', 'orders-c']);
    expect(asked[0]).toMatchObject({ LIFEBOAT_HOOK: 'pre-promote', LIFEBOAT_DATABASE: 'orders', LIFEBOAT_OLD_PRIMARY: 'orders', LIFEBOAT_OLD_ZONE: 'local-a', LIFEBOAT_NEW_ZONE: 'local-b', LIFEBOAT_DAEMON: 'hooks-test' });
    expect(asked[0]!.LIFEBOAT_REASON).toContain('impaired zone local-a');
    expect(asked[0]!.LIFEBOAT_STEP_ID).toContain('orders-b');
    const verdicts = audit().filter((r) => r.what === 'hook.prePromote');
    expect(verdicts.map((r) => [r.where.resource, r.result.replace(/after \d+ ms/, 'after N ms')])).toEqual([
      ['orders-b', 'veto: exit 3 after N ms: orders-b is being rebuilt'],
      ['orders-c', 'proceed: exit 0 after N ms'],
    ]);
    // No promote call was made for the vetoed candidate.
    expect(audit().filter((r) => r.what === 'promoteReplica' && r.result === 'ok').map((r) => r.where.resource)).toEqual(['orders-c']);

    const [posted] = runs(scripts, 'post');
    expect(posted).toMatchObject({ LIFEBOAT_HOOK: 'post-failover', LIFEBOAT_DATABASE: 'orders', LIFEBOAT_OLD_PRIMARY: 'orders', LIFEBOAT_NEW_PRIMARY: 'orders-c', LIFEBOAT_OLD_ZONE: 'local-a', LIFEBOAT_NEW_ZONE: 'local-c', LIFEBOAT_PROVIDER: 'local' });
    expect(posted!.LIFEBOAT_STEP_ID).toContain('orders-c');
    const [changed] = runs(scripts, 'role');
    expect(changed).toMatchObject({ LIFEBOAT_HOOK: 'role-change', LIFEBOAT_OLD_PRIMARY: 'orders', LIFEBOAT_NEW_PRIMARY: 'orders-c', LIFEBOAT_OLD_ZONE: 'local-a', LIFEBOAT_NEW_ZONE: 'local-c' });
    await waitFor('hook results audited', 5_000, () => (audit().some((r) => r.what === 'hook.postFailover') && audit().some((r) => r.what === 'hook.roleChange') ? true : undefined));
    expect(audit().find((r) => r.what === 'hook.postFailover')!.result).toMatch(/^ok: exit 0/);

    // Every payload carried a valid signature; the first delivery got a 500 and was retried with the same id.
    expect(hook.received.every((r) => r.valid)).toBe(true);
    expect(hook.received[0]!.status).toBe(500);
    expect(hook.received[1]!.body.id).toBe(hook.received[0]!.body.id);
    const completed = hook.received.find((r) => r.body.kind === 'failover.completed')!.body;
    expect(completed).toMatchObject({ daemon: 'hooks-test', database: 'orders', facts: expect.objectContaining({ LIFEBOAT_NEW_PRIMARY: 'orders-c', LIFEBOAT_OLD_PRIMARY: 'orders' }) });
    // One queue per URL, in order: what was queued after the completed failover may still be on its way.
    const delivered = () => hook.received.filter((r) => r.status === 204).map((r) => r.body.kind);
    await waitFor('the role change and a hook result delivered', 10_000, () => (delivered().includes('role.changed') && delivered().includes('hook.result') ? true : undefined));
    const kinds = delivered();
    expect(kinds).toContain('role.changed');
    expect(kinds).toContain('hook.result');
    // Only the subscribed kinds were sent.
    expect(kinds.every((k) => ['failover.completed', 'role.changed', 'hook.result'].includes(String(k)))).toBe(true);
    await waitFor('deliveries audited', 5_000, () => (audit().some((r) => r.what === 'webhook' && r.result.startsWith('delivered after 2 attempt(s)')) ? true : undefined));
  });

  test('a pre-promote hook that hangs does not stop the failover: it proceeds at its timeout, and the loop goes on meanwhile; a receiver that never answers delays nothing', async () => {
    const scripts = dir;
    const pre = hookScript(scripts, 'pre', 'sleep 30');
    // A webhook receiver that takes every request and never answers.
    const silent = createServer(() => undefined);
    server = silent;
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
    const daemon = await start(
      `hooks:\n  prePromote: { command: [${pre}], timeout: 1500ms }\nnotifications:\n  webhooks: [{ url: "${url}", events: ["*"], secretEnv: HOOKS_TEST_SECRET, timeout: 500ms, retries: 1 }]\n`,
      { HOOKS_TEST_SECRET: SECRET },
    );
    const startedAt = Date.now();
    await waitFor('orders-b promoted after the hook timed out', 20_000, () => (daemon.status().databases[0]?.primary === 'orders-b' ? true : undefined));
    const verdict = audit().find((r) => r.what === 'hook.prePromote')!;
    expect(verdict.result).toMatch(/^proceed: no exit within 1[5-9]\d\d ms; killed \(onTimeout: proceed\)/);
    // While the hook hung, cycles went on: observations were made in that window.
    const promoteStart = Date.parse(audit().find((r) => r.what === 'promoteReplica' && r.result === 'started')!.time);
    expect(Date.now() - startedAt).toBeLessThan(20_000);
    expect(Date.parse(daemon.status().observedAt!)).toBeGreaterThan(promoteStart + 1500);
    // The silent receiver's deliveries time out and are given up, audited; the failover did not wait for them.
    await waitFor('a delivery given up', 10_000, () => (audit().some((r) => r.what === 'webhook' && /^failed after 2 attempt\(s\): timeout after 500 ms; gave up after 2 attempt\(s\)$/.test(r.result)) ? true : undefined));
    silent.closeAllConnections();
  });

  test('a hook killed by a signal is a crash, not an answer: the promotion proceeds', async () => {
    const pre = hookScript(dir, 'pre', 'kill -9 $$');
    const daemon = await start(`hooks:\n  prePromote: { command: [${pre}], timeout: 5s }\n`);
    await waitFor('orders-b promoted despite the crashed hook', 20_000, () => (daemon.status().databases[0]?.primary === 'orders-b' ? true : undefined));
    expect(audit().find((r) => r.what === 'hook.prePromote')!.result).toMatch(/^proceed: killed by SIGKILL after \d+ ms \(a crash is not an answer: proceeding\)/);
  });

  test('a webhook whose secret variable is unset is refused at start, without the secret in the message', async () => {
    await expect(start('notifications:\n  webhooks: [{ url: "http://127.0.0.1:9/x", events: ["*"], secretEnv: HOOKS_TEST_MISSING }]\n')).rejects.toSatisfy(
      (error: unknown) => isHookSetupError(error) && /notifications\.webhooks\[0\]\.secretEnv: environment variable HOOKS_TEST_MISSING is not set/.test((error as Error).message),
    );
  });
});
