// `lifeboat demo` end to end, as a user runs it: the built CLI in a child process, real
// PostgreSQL, the controller on its production defaults. Needs `npm run build` first
// (`npm test` does it).
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requiredServer } from '../../support/requiredServer.js';

const root = join(import.meta.dirname, '../../..');
const bin = join(root, 'bin/lifeboat.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with its own TMPDIR (so we can see it leaves nothing behind). */
function lifeboat(args: readonly string[], tmp: string, timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: root, env: { ...process.env, TMPDIR: tmp }, timeout: timeoutMs, killSignal: 'SIGINT' },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: unknown }).code as number | null) : 0;
        resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
      },
    );
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-demo-cli-'));
  // PostgreSQL runs as the `postgres` user when we are root: it must pass through to the adapter's dir.
  await chmod(dir, 0o755);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A folder of its own for one run, reachable by the `postgres` user. */
async function runDir(name: string): Promise<string> {
  const own = join(dir, name);
  await mkdir(own);
  await chmod(own, 0o755);
  return own;
}

/**
 * Runs the demo with `--router <router>` and checks what every run must show: exit 0, no
 * acknowledged write lost, one writable primary, the client back through the endpoint on the
 * new primary, and nothing left behind.
 */
async function demoPasses(router: 'haproxy' | 'forwarder'): Promise<void> {
  const tmp = await runDir(router);
  const json = join(tmp, 'demo.json');
  const run = await lifeboat(['demo', '--router', router, '--json', json], tmp, 180_000);
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(run.stdout).toMatch(/^PASS$/m);
  expect(run.stdout).toMatch(/unreachable fault in local-a/);
  expect(run.stdout).toMatch(/promoteReplica orders-local-b: ok/);
  expect(run.stdout).toMatch(/updateEndpoint orders\.db\.local: ok/);
  expect(run.stdout).toMatch(/acknowledged writes\s+\d+, lost 0/);

  const report = JSON.parse(await readFile(json, 'utf8'));
  expect(report).toMatchObject({ fault: 'unreachable', oldPrimary: 'orders-local-a', newPrimary: 'orders-local-b', passed: true, problems: [] });
  expect(report.lostWrites).toBe(0);
  expect(report.acknowledgedWrites).toBeGreaterThan(10);
  expect(Number.isFinite(report.unavailableSeconds)).toBe(true);
  expect(report.unavailableSeconds).toBeGreaterThan(0);
  expect(report.unavailableSeconds).toBeLessThan(60);
  expect(Number.isFinite(report.detectionSeconds)).toBe(true);
  expect(report.detectionSeconds).toBeGreaterThan(0);
  // Writes cannot come back before the controller promoted the standby.
  expect(report.unavailableSeconds).toBeGreaterThanOrEqual(report.detectionSeconds);
  expect(report.actions).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ operation: 'promoteReplica', target: 'orders-local-b', result: 'ok' }),
      expect.objectContaining({ operation: 'updateEndpoint', target: 'orders.db.local', result: 'ok' }),
    ]),
  );
  // The client knew the endpoint only, and got back through it to the new primary.
  expect(report.endpoint).toMatchObject({ name: 'orders.db.local', router, servedAtEnd: 'orders-local-b' });
  expect(report.endpoint.address).toMatch(/^127\.0\.0\.1:\d+$/);
  expect(report.endpoint.clientPath).toContain(`${report.endpoint.address}, ${router === 'haproxy' ? 'HAProxy' : 'built-in forwarder'}) -> orders-local-b`);
  expect(report.endpoint.followSeconds).toBeGreaterThan(0);
  expect(report.endpoint.followSeconds).toBeLessThanOrEqual(report.failoverSeconds);
  expect(report.endpoint.clientConnections).toBeGreaterThanOrEqual(2);
  expect(report.endpoint.hint).toBeUndefined();
  expect(report.exactlyOneWritablePrimary).toBe(true);
  // Recomputed from the per-instance answers rather than the summary flag (the servers themselves are gone
  // with the CLI; test/apps/demo/dataSafety.test.ts asks them directly).
  type Check = { instance: string; state: string };
  const writable = (checks: Check[]) => checks.filter((c) => c.state === 'writable').map((c) => c.instance);
  expect(report.checks.outage).toHaveLength(3);
  expect(writable(report.checks.outage)).toEqual(['orders-local-b']);
  expect(writable(report.checks.afterHeal)).toEqual(['orders-local-b']);

  // Everything it started is gone (HAProxy included): only our JSON file is left in its TMPDIR.
  expect(await readdir(tmp)).toEqual(['demo.json']);
}

const haproxy = requiredServer('HAProxy', 'haproxy', 'apt-get install -y haproxy');

describe('lifeboat demo (CLI)', () => {
  if (!haproxy.skip()) {
    test('through a real HAProxy: fails over under writes, loses no acknowledged write, exits 0 and writes the JSON figures', { timeout: 200_000 }, async () => {
      await demoPasses('haproxy');
    });
  }

  test('through the built-in forwarder: the same, with the client on the forwarder', { timeout: 200_000 }, async () => {
    await demoPasses('forwarder');
  });

  test('rejects an unknown fault with exit 2 before starting anything', async () => {
    const run = await lifeboat(['demo', '--fault', 'flood'], dir, 30_000);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--fault must be one of unreachable, power, storage/);
  });

  test('rejects an unknown router with exit 2 before starting anything', async () => {
    const run = await lifeboat(['demo', '--router', 'nginx'], dir, 30_000);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--router must be one of auto, haproxy, forwarder/);
  });
});
