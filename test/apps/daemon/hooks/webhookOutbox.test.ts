// The durable webhook outbox. A real daemon process SIGKILLed while a delivery is pending sends it
// after its restart, exactly once, validly signed; a damaged outbox entry is skipped with a log line
// naming it; a webhook whose receiver stays down keeps at most maxPending deliveries, dropping the
// oldest with a log line and a metric.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { SystemClock } from '../../../../src/core/clock/SystemClock.js';
import type { AuditRecord } from '../../../../src/apps/daemon/audit/AuditRecord.js';
import { parseDaemonConfig } from '../../../../src/apps/daemon/config/loadDaemonConfig.js';
import { Daemon, webhookOutboxFolder } from '../../../../src/apps/daemon/Daemon.js';
import type { DaemonLogger } from '../../../../src/apps/daemon/logging/DaemonLogger.js';
import { buildRuntime, type Runtime } from '../../../../src/apps/daemon/runtime/buildRuntime.js';
import { spawnCli, stop, waitFor, type CliProcess } from '../daemonProcess.js';
import { failoverWorld, fastDaemonConfig } from '../failoverWorld.js';
import { webhookReceiver, type WebhookReceiver } from './webhookReceiver.js';

const SECRET = 'whsec-outbox-0123456789abcdef';

const auditOf = (dir: string) =>
  readFileSync(join(dir, 'state', 'audit.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as AuditRecord);

describe('the webhook outbox', () => {
  const procs: CliProcess[] = [];
  const receivers: WebhookReceiver[] = [];
  let dir: string | undefined;
  let abort: AbortController | undefined;
  let running: Promise<unknown> | undefined;
  let runtime: Runtime | undefined;

  afterEach(async () => {
    for (const p of procs.splice(0)) await stop(p);
    abort?.abort();
    await running?.catch(() => undefined);
    await runtime?.close();
    for (const r of receivers.splice(0)) await r.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a delivery pending when the daemon is SIGKILLed is sent after the restart, exactly once, with a valid signature and its delivery id', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-outbox-'));
    // The receiver refuses (503) until the daemon has been killed.
    let accepting = false;
    const receiver = await webhookReceiver(SECRET, () => (accepting ? 204 : 503));
    receivers.push(receiver);
    // The world lives in its own process, so it keeps the failover across the daemon's restart.
    writeFileSync(join(dir, 'world.yaml'), failoverWorld({ name: 'outbox', impairAt: '2s', latency: 'promoteReplica: 300ms' }));
    const sim = spawnCli(['sim-serve', '--world', join(dir, 'world.yaml')]);
    procs.push(sim);
    const simUrl = await waitFor('sim-serve', 10_000, () => /listening on (http:\S+)/.exec(sim.output())?.[1]);
    const config = join(dir, 'lifeboat.yaml');
    const webhook = `notifications:\n  webhooks: [{ url: "${receiver.url}", events: [failover.completed], secretEnv: OUTBOX_TEST_SECRET, timeout: 2s, retries: 10 }]\n`;
    writeFileSync(config, fastDaemonConfig({ id: 'outbox-test', provider: `url: "${simUrl}"`, extra: webhook }));
    const env = { OUTBOX_TEST_SECRET: SECRET };

    const first = spawnCli(['daemon', '--config', config], env);
    procs.push(first);
    const refused = await waitFor('a refused delivery of failover.completed', 30_000, () => receiver.received.find((r) => r.body.kind === 'failover.completed' && r.status === 503));
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const id = refused.body.id as string;
    const attemptsBefore = receiver.received.filter((r) => r.body.id === id).length;

    // A damaged entry beside the real one (a disk that lost its tail) must not stop the restart or the delivery.
    const outbox = webhookOutboxFolder(join(dir, 'state', 'journal.json'));
    mkdirSync(outbox, { recursive: true });
    const damaged = join(outbox, '000000000999-damaged.json');
    writeFileSync(damaged, '{"version":1,"url":"http://127.0.0.1:9/x","attempts":0,"event":{"id":"dam');

    accepting = true;
    const second = spawnCli(['daemon', '--config', config], env);
    procs.push(second);
    await waitFor('the delivery after the restart', 20_000, () => receiver.received.find((r) => r.body.id === id && r.status === 204));
    await waitFor('the delivery audited by the restarted daemon', 10_000, () =>
      auditOf(dir!).some((r) => r.what === 'webhook' && r.why.startsWith(`failover.completed ${id}`) && r.result.startsWith('delivered after')) ? true : undefined,
    );
    // A little longer, so a second send would have been seen.
    await new Promise((r) => setTimeout(r, 1500));

    const afterRestart = receiver.received.slice(attemptsBefore).filter((r) => r.body.id === id);
    expect(afterRestart).toHaveLength(1);
    const delivered = afterRestart[0]!;
    expect(delivered).toMatchObject({ valid: true, status: 204, delivery: id });
    // The same payload, byte for byte: the event's own time and id, re-signed at sending time.
    expect(delivered.raw).toBe(refused.raw);
    expect(receiver.received.filter((r) => r.status === 204 && r.body.kind === 'failover.completed')).toHaveLength(1);
    expect(receiver.received.every((r) => r.valid)).toBe(true);

    // The damaged entry was named in the log and set aside; the delivered one is gone from the outbox.
    expect(second.output()).toContain(`webhook outbox: skipped ${damaged}: not JSON`);
    expect(readdirSync(outbox)).toEqual(['000000000999-damaged.json.corrupt']);
    expect(second.child.exitCode).toBeNull();
  }, 90_000);

  test('at start, a restored delivery keeps its attempts toward the retry bound and its file goes once it ends; one whose URL is no longer configured is dropped', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-outbox-'));
    const receiver = await webhookReceiver(SECRET, () => 503);
    receivers.push(receiver);
    writeFileSync(join(dir, 'world.yaml'), failoverWorld({ name: 'outbox-restore', impairAt: '9m', latency: 'promoteReplica: 300ms' }));
    const text = fastDaemonConfig({
      id: 'outbox-restore',
      provider: 'world: world.yaml',
      extra: `notifications:\n  webhooks: [{ url: "${receiver.url}", events: [failover.completed], secretEnv: OUTBOX_TEST_SECRET, retries: 2 }]\n`,
    });
    const config = await parseDaemonConfig(text, join(dir, 'lifeboat.yaml'));
    // What a previous run left: a delivery that had 2 of its 3 attempts, and one to a webhook since removed.
    const outbox = webhookOutboxFolder(config.journal);
    mkdirSync(outbox, { recursive: true });
    const event = (id: string) => ({ id, kind: 'failover.completed', time: '2026-12-06T02:31:07.412Z', daemon: 'before', detail: 'orders: orders-b is the primary (was orders)' });
    writeFileSync(join(outbox, '000000000007-kept.json'), JSON.stringify({ version: 1, url: receiver.url, attempts: 2, event: event('kept') }));
    writeFileSync(join(outbox, '000000000008-gone.json'), JSON.stringify({ version: 1, url: 'http://127.0.0.1:9/removed', attempts: 0, event: event('gone') }));
    // And a named pipe where an entry would be: reading it would hang the start.
    execFileSync('mkfifo', [join(outbox, '000000000009-pipe.json')]);
    const lines: string[] = [];
    const clock = new SystemClock();
    abort = new AbortController();
    runtime = await buildRuntime(config, clock, abort.signal);
    const daemon = new Daemon({ config, runtime, clock, id: 'outbox-restore', random: () => 0.5, env: { OUTBOX_TEST_SECRET: SECRET }, log: (line) => lines.push(line) });
    running = Promise.all([runtime.run(abort.signal), daemon.run(abort.signal)]);

    const webhooks = () => auditOf(dir!).filter((r) => r.what === 'webhook');
    await waitFor('both entries ended', 10_000, () => (webhooks().length === 2 ? true : undefined));
    expect(webhooks().map((r) => [r.why.replace(/ to .*/, ''), r.result])).toEqual([
      ['failover.completed gone', 'dropped after 0 attempt(s): left in the outbox by a previous run, and no webhook with this URL is configured now'],
      ['failover.completed kept', 'failed after 3 attempt(s): HTTP 503; gave up after 3 attempt(s)'],
    ]);
    // One attempt was left, and it was made at once, validly signed; the original body went out unchanged.
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]).toMatchObject({ valid: true, delivery: 'kept', body: event('kept') });
    expect(lines).toContain(`webhook outbox: skipped ${join(outbox, '000000000009-pipe.json')}: not a regular file; moved aside to ${join(outbox, '000000000009-pipe.json')}.corrupt`);
    expect(readdirSync(outbox)).toEqual(['000000000009-pipe.json.corrupt']);
  }, 60_000);

  test('a receiver that stays down: at most maxPending deliveries wait, the oldest are dropped with a log line and a metric, the rest stay in the outbox at stop', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-outbox-'));
    const receiver = await webhookReceiver(SECRET, () => 503);
    receivers.push(receiver);
    writeFileSync(join(dir, 'world.yaml'), failoverWorld({ name: 'outbox-cap', impairAt: '9m', latency: 'promoteReplica: 300ms' }));
    const text = fastDaemonConfig({
      id: 'outbox-cap',
      provider: 'world: world.yaml',
      extra: `notifications:\n  webhooks: [{ url: "${receiver.url}", events: [config.reloaded], secretEnv: OUTBOX_TEST_SECRET, retries: 20, maxPending: 2 }]\n`,
    });
    const config = await parseDaemonConfig(text, join(dir, 'lifeboat.yaml'));
    const warnings: string[] = [];
    const logger: DaemonLogger = { info: () => undefined, warn: (_fields, message) => warnings.push(message), error: (_fields, message) => warnings.push(message) };
    const clock = new SystemClock();
    abort = new AbortController();
    runtime = await buildRuntime(config, clock, abort.signal);
    const daemon = new Daemon({ config, runtime, clock, id: 'outbox-cap', random: () => 0.5, env: { OUTBOX_TEST_SECRET: SECRET }, logger });
    running = Promise.all([runtime.run(abort.signal), daemon.run(abort.signal)]);

    // Five events: the first is being retried, two wait, the two oldest of the waiting are dropped.
    for (let i = 0; i < 5; i++) await daemon.reload(config);
    const outbox = webhookOutboxFolder(config.journal);
    expect(readdirSync(outbox).filter((n) => n.endsWith('.json'))).toHaveLength(3);
    const dropped = auditOf(dir).filter((r) => r.what === 'webhook' && r.result.startsWith('dropped'));
    expect(dropped.map((r) => r.result)).toEqual([
      'dropped after 0 attempt(s): more than 2 deliveries waiting for this webhook (maxPending): the oldest is dropped',
      'dropped after 0 attempt(s): more than 2 deliveries waiting for this webhook (maxPending): the oldest is dropped',
    ]);
    expect(warnings.filter((w) => w.startsWith('webhook: dropped after 0 attempt(s): more than 2 deliveries waiting'))).toHaveLength(2);
    expect(await daemon.metrics.registry.metrics()).toContain('lifeboat_webhook_deliveries_total{result="dropped"} 2\n');

    // A stop keeps what is still pending for the next start, instead of dropping it.
    abort.abort();
    await running;
    expect(readdirSync(outbox).filter((n) => n.endsWith('.json'))).toHaveLength(3);
    expect(auditOf(dir).filter((r) => r.what === 'webhook' && r.result.startsWith('postponed'))).toHaveLength(3);
  }, 60_000);
});
