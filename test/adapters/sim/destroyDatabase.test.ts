import { describe, expect, it } from 'vitest';
import { isTerminal } from '../../../src/core/contract/errors.js';
import { simFixture } from './simFixture.js';

describe('destroyDatabase in the simulated world', () => {
  it('stops the instance serving and replicating at once, and removes it after the latency (60 s, spec 2.1 r2)', async () => {
    const { at, aws, call, dbNow, probe, world } = simFixture();
    await at(10);
    await aws.destroyDatabase('orders-w', call());
    expect(await dbNow('orders-w')).toMatchObject({ state: 'stopping', extra: { rawState: 'deleting' }, replication: { state: 'disconnected' } });
    expect(await probe([{ kind: 'database', provider: 'aws', id: 'orders-w', zone: '' }])).toEqual([{ ok: false, failure: 'refused' }]);
    await at(69);
    expect(await dbNow('orders-w')).toBeDefined();
    await at(70);
    expect(await aws.listDatabases({ ids: ['orders-w'] }, call())).toEqual([]);
    expect(await aws.listDatabases({ zone: 'us-west-2a' }, call())).toEqual([]);
    // Forgotten, like a deleted instance: deleting it again succeeds; its id can be used again.
    await aws.destroyDatabase('orders-w', call());
    await aws.createReplica({ source: 'orders', id: 'orders-w', region: 'us-west-2', zone: 'us-west-2a' }, call());
    expect(world.calls.filter((c) => c.operation === 'destroyDatabase').map((c) => c.result)).toEqual(['ok', 'ok']);
  });

  it('refuses an instance that replicas follow, unless they are being deleted too', async () => {
    const { at, aws, call, dbNow } = simFixture();
    await at(1);
    const error = await aws.destroyDatabase('orders', call()).catch((e: unknown) => e);
    expect(isTerminal(error)).toBe(true);
    expect(await dbNow('orders')).toMatchObject({ role: 'primary', state: 'available' });
    for (const replica of ['orders-s', 'orders-b', 'orders-w']) await aws.destroyDatabase(replica, call());
    await aws.destroyDatabase('orders', call());
    expect((await dbNow('orders')).state).toBe('stopping');
  });

  it('in a cut-off zone: stops at once, is removed only after the zone is back; power loss does not cancel it', async () => {
    const { at, aws, call, dbNow } = simFixture({
      events: [
        { at: 10, kind: 'impair', zone: 'us-east-1b', mode: 'power', errorRate: 0.5 },
        { at: 500, kind: 'recover', zone: 'us-east-1b' },
      ],
    });
    await at(5);
    await aws.destroyDatabase('orders-b', call());
    await at(400);
    expect(await dbNow('orders-b')).toMatchObject({ state: 'stopping' });
    await at(559);
    expect(await dbNow('orders-b')).toBeDefined();
    await at(560);
    expect(await aws.listDatabases({ ids: ['orders-b'] }, call())).toEqual([]);
  });

  it('a replication event for a deleted replica is ignored and says so', async () => {
    const { at, aws, call, timeline } = simFixture({ events: [{ at: 200, kind: 'replication', database: 'orders', replica: 'orders-b', lagSeconds: 30 }] });
    await at(1);
    await aws.destroyDatabase('orders-b', call());
    await at(200);
    expect(timeline.at(-1)).toMatchObject({ kind: 'world.replication', detail: 'orders-b: ignored: it was deleted' });
  });
});
