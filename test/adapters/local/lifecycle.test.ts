import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { allocatePort } from '../../../adapters/local/allocatePort.js';
import { LocalProvider } from '../../../adapters/local/index.js';
import { isProviderError, isTerminal } from '../../../src/core/contract/errors.js';
import { budget, database, eventually, expectNothingLeft, probe, sql } from './localTestKit.js';

// A port another process holds: the adapter is handed it for its first server and must pick another.
let blocker: net.Server;
let busyPort = 0;
let local: LocalProvider;

beforeAll(async () => {
  blocker = net.createServer((socket) => socket.resume());
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  busyPort = (blocker.address() as net.AddressInfo).port;
  let first = true;
  local = await LocalProvider.start({
    allocatePort: async (purpose) => {
      const port = first && purpose === 'database' ? busyPort : await allocatePort();
      if (purpose === 'database') first = false;
      return port;
    },
  });
});

afterAll(async () => {
  const root = local?.ex_rootDir;
  await local?.close();
  if (root) await expectNothingLeft(root);
  await new Promise((resolve) => blocker.close(resolve));
});

/** The SysV shared memory ids in use (PostgreSQL keeps a small segment per running server). */
function sharedMemoryIds(): string[] {
  return execFileSync('ipcs', ['-m'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[1] ?? '')
    .filter((id) => /^\d+$/.test(id));
}

describe('database life cycle', () => {
  test('a cluster starts even when its first port is taken', async () => {
    const primary = await local.ex_createCluster({ cluster: 'ledger', zone: 'local-a' }, budget(60_000));
    expect(primary).toMatchObject({ id: 'ledger-local-a', role: 'primary', state: 'available', cluster: 'ledger' });
    expect(primary.endpoint).not.toBe(`127.0.0.1:${busyPort}`);
    expect(await probe(local, primary)).toEqual({ ok: true, role: 'primary', writable: true });
    // Idempotent by id.
    expect((await local.ex_createCluster({ cluster: 'ledger', zone: 'local-a' }, budget())).id).toBe('ledger-local-a');
  });

  test('creation requests that cannot work are rejected with the right kind', async () => {
    await expect(local.ex_createCluster({ cluster: 'ledger', zone: 'local-b', id: 'other' }, budget())).rejects.toMatchObject({
      kind: 'invalid-input',
      message: expect.stringContaining('cluster ledger already exists'),
    });
    await expect(local.ex_createCluster({ cluster: 'Bad_Name', zone: 'local-a' }, budget())).rejects.toMatchObject({
      kind: 'invalid-input',
    });
    await expect(local.ex_createCluster({ cluster: 'x', zone: 'local-q' }, budget())).rejects.toMatchObject({
      kind: 'invalid-input',
      message: expect.stringContaining('unknown zone "local-q"'),
    });
    await expect(
      local.createReplica({ source: 'ledger-local-a', id: 'ledger-b', region: 'elsewhere', zone: 'local-b' }, budget()),
    ).rejects.toMatchObject({ kind: 'invalid-input', message: expect.stringContaining('unknown region') });
    local.ex_injectZoneFault('local-c', 'power');
    try {
      await expect(
        local.createReplica({ source: 'ledger-local-a', id: 'ledger-c', region: 'local', zone: 'local-c' }, budget()),
      ).rejects.toMatchObject({ kind: 'retryable', message: expect.stringContaining('no power') });
    } finally {
      local.ex_clearZoneFault('local-c');
    }
  });

  test('an existing data dir is refused with a clear error, and the adapter carries on', async () => {
    const dataDir = path.join(local.ex_rootDir, 'db', 'stale-local-a');
    fs.mkdirSync(dataDir);
    fs.writeFileSync(path.join(dataDir, 'PG_VERSION'), '18\n');
    const error = await local.ex_createCluster({ cluster: 'stale', zone: 'local-a' }, budget()).catch((caught: unknown) => caught);
    expect(isTerminal(error)).toBe(true);
    expect(String((error as Error).message)).toContain(`data directory ${dataDir} already exists`);
    expect(await local.listDatabases({ cluster: 'stale' }, budget())).toEqual([]);
    // An empty leftover dir is fine.
    fs.rmSync(dataDir, { recursive: true });
    fs.mkdirSync(dataDir);
    expect((await local.ex_createCluster({ cluster: 'stale', zone: 'local-a' }, budget(60_000))).state).toBe('available');
  });

  test('createReplica returns the replica creating, is idempotent by id, and the replica streams', async () => {
    const request = { source: 'ledger-local-a', id: 'ledger-b', region: 'local', zone: 'local-b', mode: 'async' } as const;
    const replica = await local.createReplica(request, budget());
    expect(replica).toMatchObject({ id: 'ledger-b', role: 'replica', state: 'creating', zone: 'local-b' });
    expect((await local.createReplica(request, budget())).id).toBe('ledger-b');
    await eventually('ledger-b streaming', async () => (await database(local, 'ledger-b')).replication?.state === 'streaming');
    await expect(
      local.createReplica({ ...request, zone: 'local-c' }, budget()),
    ).rejects.toMatchObject({ kind: 'invalid-input' });
  });

  test('rebootDatabase restarts the server, keeping its data', async () => {
    await sql(local, 'ledger-local-a', 'CREATE TABLE entries (id int)');
    await sql(local, 'ledger-local-a', 'INSERT INTO entries VALUES (42)');
    const before = await database(local, 'ledger-local-a');
    await local.rebootDatabase('ledger-local-a', budget());
    expect((await database(local, 'ledger-local-a')).state).toBe('rebooting');
    await local.rebootDatabase('ledger-local-a', budget()); // no-op while rebooting
    const after = await eventually('available again', async () => {
      const current = await database(local, 'ledger-local-a');
      return current.state === 'available' ? current : undefined;
    });
    expect(after.extra['pid']).not.toBe(before.extra['pid']);
    expect(await sql(local, 'ledger-local-a', 'SELECT id FROM entries')).toEqual([{ id: 42 }]);
    await eventually('the standby to follow again', async () => (await database(local, 'ledger-b')).replication?.state === 'streaming');
  });

  test('rebootDatabase starts a stopped instance', async () => {
    await local.stopDatabase('ledger-b', budget());
    await eventually('stopped', async () => (await database(local, 'ledger-b')).state === 'stopped');
    expect((await database(local, 'ledger-b')).replication).toMatchObject({ state: 'unknown' });
    await local.rebootDatabase('ledger-b', budget());
    await eventually('streaming again', async () => (await database(local, 'ledger-b')).replication?.state === 'streaming');
  });

  test('stopping a frozen server kills it, and it stays stopped once the fault clears', async () => {
    local.ex_injectZoneFault('local-b', 'storage');
    try {
      const started = Date.now();
      await local.stopDatabase('ledger-b', budget());
      expect(Date.now() - started).toBeLessThan(3000);
      await eventually('stopped', async () => (await database(local, 'ledger-b')).state === 'stopped');
    } finally {
      local.ex_clearZoneFault('local-b');
    }
    const stopped = await database(local, 'ledger-b');
    expect(stopped.state).toBe('stopped');
    expect(await probe(local, stopped)).toEqual({ ok: false, failure: 'refused' });
  });

  test('destroying a standby removes its data dir and its slot on the primary', async () => {
    const slots = () => sql<{ slot_name: string }>(local, 'ledger-local-a', 'SELECT slot_name FROM pg_replication_slots');
    expect(await slots()).toEqual([{ slot_name: 'lifeboat_ledger_b' }]);
    await local.ex_destroyDatabase('ledger-b', budget());
    expect(fs.existsSync(path.join(local.ex_rootDir, 'db', 'ledger-b'))).toBe(false);
    expect(await local.listDatabases({ cluster: 'ledger' }, budget())).toHaveLength(1);
    await eventually('the slot dropped', async () => (await slots()).length === 0);
    await local.ex_destroyDatabase('ledger-b', budget()); // idempotent
  });

  test('a server killed by a power cut leaves no shared memory behind once the adapter closes', async () => {
    const doomed = await LocalProvider.start({ topology: { databases: [{ id: 'doomed', primary: { zone: 'local-c' } }] } });
    const root = doomed.ex_rootDir;
    const pidFile = path.join(root, 'db', 'doomed-local-c', 'postmaster.pid');
    const shmid = fs.readFileSync(pidFile, 'utf8').split('\n')[6]!.trim().split(/\s+/)[1]!;
    expect(sharedMemoryIds()).toContain(shmid);
    doomed.ex_injectZoneFault('local-c', 'power');
    await eventually('stopped', async () => (await database(doomed, 'doomed-local-c')).state === 'stopped');
    expect(sharedMemoryIds()).toContain(shmid);
    await doomed.close();
    await expectNothingLeft(root);
    expect(sharedMemoryIds()).not.toContain(shmid);
  });
});

describe('clean-up', () => {
  test('close is idempotent and every call after it is terminal', async () => {
    const short = await LocalProvider.start({ topology: { groups: [{ id: 'web', nodes: { 'local-a': 1 } }] } });
    await Promise.all([short.close(), short.close()]);
    await expectNothingLeft(short.ex_rootDir);
    const error = await short.listNodes({}, budget()).catch((caught: unknown) => caught);
    expect(isProviderError(error) && isTerminal(error)).toBe(true);
  });

  test('when the process dies without close(), the watchdog stops everything and removes the temp dir', async () => {
    const crashed = await LocalProvider.start({
      topology: {
        groups: [{ id: 'web', nodes: { 'local-a': 1 } }],
        databases: [{ id: 'orphan', primary: { zone: 'local-b' } }],
      },
    });
    const root = crashed.ex_rootDir;
    // One frozen zone too: the watchdog must resume before it can shut down.
    crashed.ex_injectZoneFault('local-b', 'unreachable');
    const postmaster = (await crashed.listDatabases({}, budget()))[0]!.extra['pid'] as number;
    expect(fs.existsSync(root)).toBe(true);
    crashed.ex_abandon();
    await expectNothingLeft(root);
    expect(() => process.kill(postmaster, 0)).toThrow();
  });
});
