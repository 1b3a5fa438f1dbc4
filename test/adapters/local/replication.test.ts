import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { childPids } from '../../../adapters/local/childPids.js';
import { LocalProvider } from '../../../adapters/local/index.js';
import { isTerminal, isTimeout } from '../../../src/core/contract/errors.js';
import { budget, database, eventually, expectNothingLeft, probe, sql } from './localTestKit.js';

// One cluster for the whole file: primary in local-a, a sync standby in local-b and an
// async one in local-c. Tests run in order and the last ones (failover) change the roles.
let local: LocalProvider;
let startupMs = 0;
const PRIMARY = 'orders-local-a';

beforeAll(async () => {
  const started = Date.now();
  local = await LocalProvider.start({
    topology: {
      groups: [{ id: 'web', nodes: { 'local-a': 1, 'local-b': 1 } }],
      databases: [
        {
          id: 'orders',
          primary: { zone: 'local-a' },
          replicas: [
            { id: 'orders-b', zone: 'local-b', mode: 'sync' },
            { id: 'orders-c', zone: 'local-c', mode: 'async' },
          ],
        },
      ],
    },
  });
  startupMs = Date.now() - started;
  console.log(`local: primary + 2 standbys + 2 nodes ready in ${startupMs} ms`);
  await sql(local, PRIMARY, 'CREATE TABLE items (id int PRIMARY KEY, note text)');
});

afterAll(async () => {
  if (!local) return;
  const root = local.ex_rootDir;
  const pids = [...(await local.listNodes({}, budget())), ...(await local.listDatabases({}, budget()))]
    .map((item) => item.extra['pid'])
    .filter((pid): pid is number => typeof pid === 'number');
  const family = pids.flatMap((pid) => [pid, ...childPids(pid)]);
  await local.close();
  await expectNothingLeft(root);
  expect(family.filter(isAlive)).toEqual([]);
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function nodeIn(zone: string) {
  const [found] = await local.listNodes({ zone }, budget());
  return found!;
}

describe('streaming replication', () => {
  test('starts a primary and two standbys within a reasonable time', () => {
    expect(startupMs).toBeLessThan(60_000);
  });

  test('a write on the primary is readable on the sync and the async standby', async () => {
    await sql(local, PRIMARY, "INSERT INTO items VALUES (1, 'one')");
    // A sync standby has the commit flushed once the INSERT returns; replay follows at once.
    for (const id of ['orders-b', 'orders-c']) {
      const rows = await eventually(`row on ${id}`, async () => {
        const found = await sql<{ note: string }>(local, id, 'SELECT note FROM items WHERE id = 1');
        return found.length > 0 ? found : undefined;
      });
      expect(rows[0]!.note).toBe('one');
    }
  });

  test('the primary names the sync standby and streams to both', async () => {
    const [names] = await sql<{ synchronous_standby_names: string }>(local, PRIMARY, 'SHOW synchronous_standby_names');
    expect(names!.synchronous_standby_names).toBe('ANY 1 ("orders-b")');
    const senders = await sql<{ application_name: string; sync_state: string; state: string }>(
      local,
      PRIMARY,
      'SELECT application_name, sync_state, state FROM pg_stat_replication ORDER BY application_name',
    );
    expect(senders).toEqual([
      { application_name: 'orders-b', sync_state: 'quorum', state: 'streaming' },
      { application_name: 'orders-c', sync_state: 'async', state: 'streaming' },
    ]);
  });

  test('listDatabases reports roles, modes and lag read from PostgreSQL', async () => {
    const all = await local.listDatabases({ cluster: 'orders' }, budget());
    const byId = new Map(all.map((instance) => [instance.id, instance]));
    expect(byId.get(PRIMARY)).toMatchObject({ role: 'primary', state: 'available', zone: 'local-a', engine: 'postgres' });
    expect(byId.get(PRIMARY)!.replication).toBeUndefined();
    for (const [id, mode] of [['orders-b', 'sync'], ['orders-c', 'async']] as const) {
      const replication = byId.get(id)!.replication!;
      expect(replication).toMatchObject({ upstream: PRIMARY, mode, state: 'streaming' });
      expect(replication.lagSeconds).not.toBeNull();
      expect(replication.lagSeconds!).toBeLessThan(2);
      expect(replication.lastContactSeconds!).toBeLessThan(3);
      expect(replication.lagBytes).toBe(0);
    }
    expect(byId.get('orders-b')!.endpoint).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  test('the prober sees a writable primary and read-only standbys', async () => {
    expect(await probe(local, await database(local, PRIMARY))).toEqual({ ok: true, role: 'primary', writable: true });
    // A standby also reports its own stream, read from pg_stat_wal_receiver in the same round trip.
    const standby = await probe(local, await database(local, 'orders-b'));
    expect(standby).toMatchObject({ ok: true, role: 'replica', writable: false, replication: { state: 'streaming' } });
    expect(standby.replication!.lastContactSeconds).not.toBeNull();
    expect(standby.replication!.lastContactSeconds!).toBeLessThan(3);
    expect(await probe(local, await nodeIn('local-a'))).toEqual({ ok: true });
  });

  test('an unknown database is invalid input', async () => {
    await expect(local.promoteReplica('nope', budget())).rejects.toMatchObject({ kind: 'invalid-input' });
    await expect(local.repointReplica('orders-c', 'nope', budget())).rejects.toMatchObject({ kind: 'invalid-input' });
    await expect(local.stopDatabase('nope', budget())).rejects.toMatchObject({ kind: 'invalid-input' });
    await expect(local.rebootDatabase('nope', budget())).rejects.toMatchObject({ kind: 'invalid-input' });
    await expect(
      local.createReplica({ source: 'nope', id: 'x', region: 'local', zone: 'local-b' }, budget()),
    ).rejects.toMatchObject({ kind: 'invalid-input' });
    await expect(
      local.createReplica({ source: PRIMARY, id: 'x', region: 'local', zone: 'local-z' }, budget()),
    ).rejects.toMatchObject({ kind: 'invalid-input', message: expect.stringContaining('local-z') });
    await expect(local.repointReplica('orders-c', 'orders-c', budget())).rejects.toMatchObject({ kind: 'invalid-input' });
  });

  test('promoting the primary is a no-op; re-pointing the primary is terminal', async () => {
    await local.promoteReplica(PRIMARY, budget());
    expect((await database(local, PRIMARY)).role).toBe('primary');
    const error = await local.repointReplica(PRIMARY, 'orders-b', budget()).catch((caught: unknown) => caught);
    expect(isTerminal(error)).toBe(true);
  });
});

describe('zone faults', () => {
  test('unreachable: the zone freezes, standbys lose contact, the provider still says available', async () => {
    // The prober remembers each standby's last contact from one round to the next.
    expect(await probe(local, await database(local, 'orders-c'))).toMatchObject({ replication: { state: 'streaming' } });
    local.ex_injectZoneFault('local-a', 'unreachable');
    try {
      const zones = await local.zoneStatus({}, budget());
      expect(zones.find((zone) => zone.id === 'local-a')!.status).toBe('available');
      expect(await probe(local, await nodeIn('local-a'), 800)).toEqual({ ok: false, failure: 'timeout' });
      expect(await probe(local, await nodeIn('local-b'), 800)).toEqual({ ok: true });
      const primary = await database(local, PRIMARY);
      expect(primary.state).toBe('available'); // the provider lags
      expect(await probe(local, primary, 800)).toEqual({ ok: false, failure: 'timeout' });
      const cutOff = await eventually(
        'orders-c to lose its upstream',
        async () => {
          const replication = (await database(local, 'orders-c')).replication!;
          return replication.state === 'disconnected' && replication.lastContactSeconds! >= 4 ? replication : undefined;
        },
        20_000,
        250,
      );
      expect(cutOff.lagSeconds!).toBeGreaterThanOrEqual(cutOff.lastContactSeconds!);
      // The standby says the same to a probe, and its contact age keeps counting once the receiver is gone.
      const probed = await probe(local, await database(local, 'orders-c'));
      expect(probed).toMatchObject({ ok: true, role: 'replica', replication: { state: 'disconnected' } });
      expect(probed.replication!.lastContactSeconds!).toBeGreaterThanOrEqual(4);
      const later = await eventually('lastContactSeconds to grow', async () => {
        const replication = (await database(local, 'orders-c')).replication!;
        return replication.lastContactSeconds! > cutOff.lastContactSeconds! + 0.5 ? replication : undefined;
      });
      expect(later.state).toBe('disconnected');
    } finally {
      local.ex_clearZoneFault('local-a');
    }
    await eventually('orders-c to stream again', async () => {
      const replication = (await database(local, 'orders-c')).replication!;
      return replication.state === 'streaming' && replication.lastContactSeconds! < 2;
    });
    expect(await probe(local, await database(local, PRIMARY))).toMatchObject({ ok: true, writable: true });
  });

  test('an unreachable standby reports unknown replication and listDatabases stays within its budget', async () => {
    local.ex_injectZoneFault('local-c', 'unreachable');
    try {
      const started = Date.now();
      const replica = await database(local, 'orders-c');
      expect(Date.now() - started).toBeLessThan(4000);
      expect(replica.state).toBe('available');
      expect(replica.replication).toMatchObject({ state: 'unknown', lagSeconds: null, lastContactSeconds: null });
    } finally {
      local.ex_clearZoneFault('local-c');
    }
  });

  test('storage: the databases stop answering while the nodes keep answering', async () => {
    local.ex_injectZoneFault('local-a', 'storage');
    try {
      expect((await local.zoneStatus({}, budget())).find((zone) => zone.id === 'local-a')!.status).toBe('impaired');
      expect(await probe(local, await nodeIn('local-a'), 800)).toEqual({ ok: true });
      expect(await probe(local, await database(local, PRIMARY), 800)).toEqual({ ok: false, failure: 'timeout' });
    } finally {
      local.ex_clearZoneFault('local-a');
    }
    expect(await probe(local, await database(local, PRIMARY))).toMatchObject({ ok: true, writable: true });
  });

  test('a sync standby that is gone blocks commits; the probe says so within its budget', async () => {
    local.ex_injectZoneFault('local-b', 'unreachable');
    try {
      const result = await probe(local, await database(local, PRIMARY), 1500);
      expect(result).toEqual({ ok: false, failure: 'timeout', role: 'primary', writable: false });
    } finally {
      local.ex_clearZoneFault('local-b');
    }
    // The cancelled probe write committed locally and reaches the standby; writes flow again.
    await eventually('writes to commit again', async () => (await probe(local, await database(local, PRIMARY))).writable);
  });

  test('power: processes die and stay stopped after the fault clears; a reboot brings the standby back', async () => {
    local.ex_injectZoneFault('local-c', 'power');
    expect((await local.zoneStatus({}, budget())).find((zone) => zone.id === 'local-c')!.status).toBe('unavailable');
    await eventually('orders-c to be stopped', async () => (await database(local, 'orders-c')).state === 'stopped');
    await expect(local.rebootDatabase('orders-c', budget())).rejects.toMatchObject({ kind: 'retryable' });
    local.ex_clearZoneFault('local-c');
    expect((await local.zoneStatus({}, budget())).find((zone) => zone.id === 'local-c')!.status).toBe('available');
    expect((await database(local, 'orders-c')).state).toBe('stopped');
    await sql(local, PRIMARY, "INSERT INTO items VALUES (2, 'two')");
    await local.rebootDatabase('orders-c', budget());
    await eventually('orders-c to stream after crash recovery', async () => {
      const replica = await database(local, 'orders-c');
      return replica.state === 'available' && replica.replication?.state === 'streaming';
    });
    const rows = await eventually('row 2 on orders-c', async () => {
      const found = await sql(local, 'orders-c', 'SELECT 1 FROM items WHERE id = 2');
      return found.length > 0 ? found : undefined;
    });
    expect(rows).toHaveLength(1);
  });
});

describe('failover', () => {
  test('stopping the old primary fences it: writes are refused at once', async () => {
    await sql(local, PRIMARY, "INSERT INTO items VALUES (3, 'before failover')");
    await local.stopDatabase(PRIMARY, budget());
    await expect(sql(local, PRIMARY, "INSERT INTO items VALUES (4, 'fenced')", [], 2000)).rejects.toThrow();
    expect(await probe(local, await database(local, PRIMARY))).toMatchObject({ ok: false });
    await eventually('old primary stopped', async () => (await database(local, PRIMARY)).state === 'stopped');
    await local.stopDatabase(PRIMARY, budget()); // idempotent
  });

  test('promoting the sync standby gives a writable primary with every committed row', async () => {
    const started = Date.now();
    await local.promoteReplica('orders-b', budget());
    const promotionMs = Date.now() - started;
    console.log(`local: promoteReplica took ${promotionMs} ms`);
    const promoted = await database(local, 'orders-b');
    expect(promoted).toMatchObject({ role: 'primary', state: 'available' });
    expect(promoted.replication).toBeUndefined();
    expect(await probe(local, promoted)).toEqual({ ok: true, role: 'primary', writable: true });
    const rows = await sql<{ id: number }>(local, 'orders-b', 'SELECT id FROM items ORDER BY id');
    expect(rows.map((row) => row.id)).toEqual([1, 2, 3]);
    // It names no sync standby, so it does not block on one that streams elsewhere.
    const [names] = await sql<{ synchronous_standby_names: string }>(local, 'orders-b', 'SHOW synchronous_standby_names');
    expect(names!.synchronous_standby_names).toBe('');
    await local.promoteReplica('orders-b', budget()); // idempotent
  });

  test('re-pointing the async standby makes it stream from the new primary', async () => {
    await local.repointReplica('orders-c', 'orders-b', budget());
    await sql(local, 'orders-b', "INSERT INTO items VALUES (5, 'after failover')");
    await eventually('orders-c to stream from orders-b', async () => {
      const replica = await database(local, 'orders-c');
      return replica.replication?.upstream === 'orders-b' && replica.replication.state === 'streaming';
    });
    const rows = await eventually('row 5 on orders-c', async () => {
      const found = await sql(local, 'orders-c', 'SELECT 1 FROM items WHERE id = 5');
      return found.length > 0 ? found : undefined;
    });
    expect(rows).toHaveLength(1);
    const senders = await sql<{ application_name: string }>(local, 'orders-b', 'SELECT application_name FROM pg_stat_replication');
    expect(senders.map((sender) => sender.application_name)).toEqual(['orders-c']);
    await local.repointReplica('orders-c', 'orders-b', budget()); // idempotent
  });

  test('the fenced old primary is rebuilt as a sync standby of the new primary', async () => {
    const rebuilt = await local.ex_rebuildReplica(PRIMARY, { upstream: 'orders-b', mode: 'sync' }, budget());
    expect(rebuilt).toMatchObject({ role: 'replica', state: 'creating' });
    await eventually(
      'the old primary to stream as a standby',
      async () => {
        const replica = await database(local, PRIMARY);
        return replica.role === 'replica' && replica.replication?.state === 'streaming';
      },
      60_000,
    );
    await eventually('orders-b to name it as sync standby', async () => {
      const [names] = await sql<{ synchronous_standby_names: string }>(local, 'orders-b', 'SHOW synchronous_standby_names');
      return names!.synchronous_standby_names === `ANY 1 ("${PRIMARY}")`;
    });
    await sql(local, 'orders-b', "INSERT INTO items VALUES (6, 'synchronous again')");
    const rows = await sql<{ id: number }>(local, PRIMARY, 'SELECT id FROM items ORDER BY id');
    expect(rows.map((row) => row.id)).toEqual([1, 2, 3, 5, 6]);
  });

  test('promoting a stopped standby is terminal; a call cut off by its signal is a timeout', async () => {
    await local.stopDatabase('orders-c', budget());
    await eventually('orders-c stopped', async () => (await database(local, 'orders-c')).state === 'stopped');
    await expect(local.promoteReplica('orders-c', budget())).rejects.toMatchObject({ kind: 'terminal' });
    local.ex_injectZoneFault(`local-a`, 'unreachable');
    try {
      const error = await local.promoteReplica(PRIMARY, { signal: AbortSignal.timeout(300) }).catch((caught: unknown) => caught);
      expect(isTimeout(error)).toBe(true);
    } finally {
      local.ex_clearZoneFault('local-a');
    }
  });
});
