import { describe, expect, it } from 'vitest';
import { simFixture } from './simFixture.js';

describe('SimProber', () => {
  it('reports role and writability for databases, and refuses what is not running', async () => {
    const { at, aws, call, probe, node, db } = simFixture();
    const created = await aws.createNode({ name: 'n', region: 'us-east-1', zone: 'us-east-1c' }, call());
    await aws.promoteReplica('orders-b', call());
    await aws.createReplica({ source: 'orders', id: 'orders-x', region: 'us-east-1' }, call());
    await at(1);
    expect(
      await probe([node('web-us-east-1a-1'), node(created.id), node('nope'), db('orders'), db('orders-s'), db('orders-b'), db('orders-x')]),
    ).toEqual([
      { ok: true },
      { ok: false, failure: 'refused' },
      { ok: false, failure: 'refused' },
      { ok: true, writable: true, role: 'primary' },
      { ok: true, writable: false, role: 'replica', replication: { state: 'streaming', lastContactSeconds: 0 } },
      { ok: true, writable: false, role: 'replica', replication: { state: 'streaming', lastContactSeconds: 0 } },
      { ok: false, failure: 'refused' },
    ]);
  });

  it('answers for what the world holds at each round when the same targets are probed round after round', async () => {
    const { at, aws, call, probe, db } = simFixture();
    // The controller hands the prober one array for as long as its probe set is unchanged.
    const targets = [db('orders-w'), db('orders-x')];
    await at(1);
    expect((await probe(targets)).map((r) => r.ok)).toEqual([true, false]);
    await aws.destroyDatabase('orders-w', call());
    await aws.createReplica({ source: 'orders', id: 'orders-x', region: 'us-east-1', zone: 'us-east-1b' }, call());
    await at(2_000);
    expect(await probe(targets)).toEqual([
      { ok: false, failure: 'refused' },
      { ok: true, writable: false, role: 'replica', replication: { state: 'streaming', lastContactSeconds: 0 } },
    ]);
  });

  it("reports a replica's own view of its stream: contact ages while its upstream's zone is cut off", async () => {
    const { at, probe, db } = simFixture({
      events: [{ at: 10, kind: 'impair', zone: 'us-east-1a', mode: 'unreachable', errorRate: 0 }],
    });
    await at(5);
    expect(await probe([db('orders-b')])).toEqual([
      { ok: true, writable: false, role: 'replica', replication: { state: 'streaming', lastContactSeconds: 0 } },
    ]);
    await at(14);
    const [cut] = await probe([db('orders-b')]);
    expect(cut?.ok).toBe(true);
    expect(cut?.replication?.state).toBe('disconnected');
    expect(cut?.replication?.lastContactSeconds).toBe(4);
  });

  it('reports a primary whose zone cannot commit as not writable, after promotion too', async () => {
    const { at, aws, call, probe, db } = simFixture({
      events: [{ at: 0, kind: 'impair', zone: 'us-east-1b', mode: 'degraded', errorRate: 0 }],
    });
    await at(0);
    await aws.stopDatabase('orders', call());
    expect(await probe([db('orders')])).toEqual([{ ok: false, failure: 'refused' }]);
    await aws.promoteReplica('orders-b', call());
    await at(30);
    expect(await probe([db('orders-b')])).toEqual([{ ok: true, writable: true, role: 'primary' }]);
  });

  it('resolves at once when nothing timed out, and waits for the signal otherwise', async () => {
    const { at, prober, node } = simFixture({
      events: [{ at: 0, kind: 'impair', zone: 'us-east-1a', mode: 'unreachable', errorRate: 0.5 }],
    });
    await at(0);
    const fast = await prober.probe([node('web-us-east-1b-1')], new AbortController().signal);
    expect(fast).toEqual([{ ok: true }]);

    const controller = new AbortController();
    let resolved = false;
    const slow = prober.probe([node('web-us-east-1b-1'), node('web-us-east-1a-1')], controller.signal).then((results) => {
      resolved = true;
      return results;
    });
    await at(100);
    expect(resolved).toBe(false);
    controller.abort();
    expect(await slow).toEqual([{ ok: true }, { ok: false, failure: 'timeout' }]);

    const aborted = new AbortController();
    aborted.abort();
    expect(await prober.probe([node('web-us-east-1a-1')], aborted.signal)).toEqual([{ ok: false, failure: 'timeout' }]);
  });

  it('refuses targets of unknown providers instead of throwing', async () => {
    const { prober } = simFixture();
    expect(await prober.probe([{ kind: 'node', provider: 'azure', id: 'x', zone: 'z' }], new AbortController().signal)).toEqual([
      { ok: false, failure: 'refused' },
    ]);
  });
});
