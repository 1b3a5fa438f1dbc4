import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { spawnCli, stop, waitFor, type CliProcess } from './daemonProcess.js';
import { fastDaemonConfig } from './failoverWorld.js';

const CALL_TIMEOUT_S = 4;

/** local-a goes dark at 1 s; every promote call hangs (until the caller gives up on it). */
const WORLD = `name: shutdown-test
duration: 10m
topology:
  providers:
    - id: local
      latency: { promoteReplica: 500ms }
      regions: [{ id: local, zones: [local-a, local-b, local-c] }]
  databases:
    - id: orders
      writes: 10
      primary: { provider: local, region: local, zone: local-a }
      replicas:
        - { id: orders-b, provider: local, region: local, zone: local-b, mode: sync }
events:
  - { at: 1s, impair: { zone: local-a, mode: unreachable } }
  - { at: 0s, apiFault: { provider: local, operations: [promoteReplica], fault: hang } }
`;

interface Call {
  operation: string;
  target?: string;
  t: number;
  result: string;
  doneAt?: number;
}
interface Audit {
  time: string;
  what: string;
  why: string;
  result: string;
}

describe('daemon shutdown (SIGTERM) with a call in flight', () => {
  const procs: CliProcess[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const p of procs.splice(0)) await stop(p);
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  test('lets the call finish (here: run out its callTimeout), records its result, then writes the journal and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-sigterm-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'world.yaml'), WORLD);
    const sim = spawnCli(['sim-serve', '--world', join(dir, 'world.yaml')]);
    procs.push(sim);
    const simUrl = await waitFor('sim-serve', 10_000, () => /listening on (http:\S+)/.exec(sim.output())?.[1]);
    const config = fastDaemonConfig({ id: 'sigterm-test', provider: `url: "${simUrl}"` }).replace('callTimeout: 3s', `callTimeout: ${CALL_TIMEOUT_S}s`);
    expect(config).toContain(`callTimeout: ${CALL_TIMEOUT_S}s`);
    writeFileSync(join(dir, 'lifeboat.yaml'), config);
    const daemon = spawnCli(['daemon', '--config', join(dir, 'lifeboat.yaml')], {}, dir);
    procs.push(daemon);

    const truth = async () => ((await (await fetch(`${simUrl}/truth`)).json()) as { mutatingCalls: Call[] }).mutatingCalls;
    const promote = await waitFor(`a promote call in flight\n${daemon.output()}`, 20_000, async () =>
      (await truth()).find((c) => c.operation === 'promoteReplica' && c.result === 'pending'),
    );
    // The call is a second into its budget when the signal comes.
    await new Promise((r) => setTimeout(r, 1000));
    const signalledAt = Date.now();
    daemon.child.kill('SIGTERM');
    const exit = await Promise.race([daemon.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000))]);
    expect(exit, daemon.output()).toEqual({ code: 0, signal: null });
    const exitedAt = Date.now();

    // The call was not cut off by the shutdown: it ran its whole budget, and the daemon waited for it.
    const ended = (await truth()).find((c) => c.operation === 'promoteReplica' && c.t === promote.t)!;
    expect(ended.result).toBe('timeout');
    expect(ended.doneAt! - ended.t).toBeGreaterThanOrEqual(CALL_TIMEOUT_S - 0.2);
    expect(exitedAt - signalledAt).toBeGreaterThanOrEqual((CALL_TIMEOUT_S - 1) * 1000 - 500);

    // Its result is in the audit log before the stop, and the journal written after it holds no step in flight.
    const audit = readFileSync(join(dir, 'state', 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Audit);
    const result = audit.findIndex((r) => r.what === 'promoteReplica' && r.result === 'timeout');
    const stopped = audit.findIndex((r) => r.what === 'stop');
    expect(result, JSON.stringify(audit, null, 1)).toBeGreaterThanOrEqual(0);
    expect(stopped).toBeGreaterThan(result);
    const journalFile = join(dir, 'state', 'journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { inFlight: Record<string, unknown> };
    // (Exiting without waiting would leave the promote here, in flight, for the next start to re-observe.)
    expect(journal.inFlight).toEqual({});
  }, 60_000);
});
