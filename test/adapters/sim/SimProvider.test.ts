import { describe, expect, it } from 'vitest';
import { isInvalidInput } from '../../../src/core/contract/errors.js';
import { simFixture } from './simFixture.js';

describe('SimProvider: node life cycle', () => {
  it('takes each operation latency from request to effect', async () => {
    const { at, aws, call, nodeNow } = simFixture();
    const node = await aws.createNode({ name: 'n', region: 'us-east-1', zone: 'us-east-1c', group: 'api', size: 'sim.small' }, call());
    expect(node).toMatchObject({ name: 'n', state: 'pending', zone: 'us-east-1c', group: 'api', size: 'sim.small', createdAt: 0 });
    await at(59);
    expect((await nodeNow(node.id)).state).toBe('pending');
    await at(60);
    expect((await nodeNow(node.id)).state).toBe('running');

    await aws.stopNode(node.id, call());
    expect((await nodeNow(node.id)).state).toBe('stopping');
    await at(90);
    expect((await nodeNow(node.id)).state).toBe('stopped');

    await aws.startNode(node.id, call());
    expect((await nodeNow(node.id)).state).toBe('pending');
    await at(120);
    expect((await nodeNow(node.id)).state).toBe('running');

    await aws.rebootNode(node.id, call());
    expect((await nodeNow(node.id)).state).toBe('rebooting');
    await at(150);
    expect((await nodeNow(node.id)).state).toBe('running');

    await aws.destroyNode(node.id, call());
    expect(await nodeNow(node.id)).toMatchObject({ state: 'stopping', extra: { rawState: 'shutting-down' } });
    await at(160);
    expect((await nodeNow(node.id)).state).toBe('terminated');
    await aws.destroyNode(node.id, call());
  });

  it('lets a destroy supersede a create in flight', async () => {
    const { at, aws, call, nodeNow } = simFixture();
    const node = await aws.createNode({ name: 'n', region: 'us-east-1', zone: 'us-east-1c' }, call());
    await at(5);
    await aws.destroyNode(node.id, call());
    await at(200);
    expect((await nodeNow(node.id)).state).toBe('terminated');
  });

  it('refuses transitions a real cloud refuses, as terminal', async () => {
    const { at, aws, call } = simFixture();
    await aws.destroyNode('web-us-east-1a-1', call());
    await expect(aws.startNode('web-us-east-1a-1', call())).rejects.toMatchObject({ kind: 'terminal', code: 'IncorrectInstanceState' });
    await expect(aws.stopNode('web-us-east-1a-1', call())).rejects.toMatchObject({ kind: 'terminal' });
    await at(10);
    await expect(aws.rebootNode('web-us-east-1a-1', call())).rejects.toMatchObject({ kind: 'terminal' });
  });

  it('honours clientToken idempotency and refuses a token reused for another request', async () => {
    const { aws, call, world } = simFixture();
    const request = { name: 'n', region: 'us-east-1', zone: 'us-east-1c', clientToken: 't-1' };
    const first = await aws.createNode(request, call());
    const second = await aws.createNode(request, call());
    expect(second).toBe(first);
    await expect(aws.createNode({ ...request, zone: 'us-east-1b' }, call())).rejects.toMatchObject({
      kind: 'invalid-input',
      code: 'IdempotentParameterMismatch',
    });
    expect(await aws.listNodes({ zone: 'us-east-1c' }, call())).toHaveLength(1);
    expect(world.calls.filter((record) => record.operation === 'createNode').map((record) => record.result)).toEqual(['ok', 'ok', 'invalid']);
  });
});

describe('SimProvider: requests it refuses', () => {
  it.each([
    ['an unknown region', { name: 'n', region: 'mars-1' }, /unknown region mars-1; aws has us-east-1, us-west-2/],
    ['an unknown zone', { name: 'n', region: 'us-east-1', zone: 'mars-1a' }, /unknown zone mars-1a/],
    ['a zone of another region', { name: 'n', region: 'us-east-1', zone: 'us-west-2a' }, /us-west-2a is in us-west-2, not in us-east-1/],
    ['an unknown size', { name: 'n', region: 'us-east-1', size: 'huge' }, /unknown size huge/],
    ['a zone of another provider', { name: 'n', region: 'us-east-1', zone: 'us-central1-a' }, /unknown zone us-central1-a/],
    ['no name', { name: '', region: 'us-east-1' }, /needs a non-empty name/],
  ])('createNode with %s is invalid-input', async (_, request, message) => {
    const { aws, call, world } = simFixture();
    const error = await aws.createNode(request, call()).catch((e: unknown) => e);
    expect(isInvalidInput(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect(world.calls[0]!.result).toBe('invalid');
  });

  it('refuses unknown ids and filters', async () => {
    const { aws, call, world } = simFixture();
    await expect(aws.stopNode('nope', call())).rejects.toMatchObject({ kind: 'invalid-input', code: 'InvalidInstanceID.NotFound' });
    await expect(aws.promoteReplica('nope', call())).rejects.toMatchObject({ kind: 'invalid-input', code: 'DBInstanceNotFound' });
    await expect(aws.listNodes({ zone: 'nope' }, call())).rejects.toMatchObject({ kind: 'invalid-input' });
    await expect(aws.listDatabases({ region: 'nope' }, call())).rejects.toMatchObject({ kind: 'invalid-input' });
    await expect(aws.zoneStatus({ region: 'nope' }, call())).rejects.toMatchObject({ kind: 'invalid-input' });
    await expect(aws.createReplica({ source: 'nope', id: 'x', region: 'us-east-1' }, call())).rejects.toMatchObject({ kind: 'invalid-input' });
    // Another provider's instance is unknown to this one.
    await expect(world.provider('gcp').promoteReplica('orders-b', call())).rejects.toMatchObject({ kind: 'invalid-input' });
  });

  it('rejects a call whose signal already fired as a timeout, without effect', async () => {
    const { aws, world } = simFixture();
    const controller = new AbortController();
    controller.abort();
    await expect(aws.stopNode('web-us-east-1a-1', { signal: controller.signal })).rejects.toMatchObject({ kind: 'timeout' });
    expect(world.groupHealthyCount('web')).toBe(4);
    expect(world.calls[0]).toMatchObject({ operation: 'stopNode', result: 'timeout' });
  });
});

describe('SimProvider: what it hands out', () => {
  it('returns frozen snapshots that later changes do not touch, in fresh arrays', async () => {
    const { at, aws, call } = simFixture();
    const before = await aws.listNodes({ zone: 'us-east-1a' }, call());
    expect(Object.isFrozen(before[0])).toBe(true);
    expect(Object.isFrozen(before[0]!.extra)).toBe(true);
    before.pop();
    await aws.stopNode('web-us-east-1a-1', call());
    await at(30);
    const after = await aws.listNodes({ zone: 'us-east-1a' }, call());
    expect(after).toHaveLength(2);
    expect(before[0]!.state).toBe('running');
    expect(after[0]!.state).toBe('stopped');
    const db = (await aws.listDatabases({ ids: ['orders-b'] }, call()))[0]!;
    expect(Object.isFrozen(db)).toBe(true);
    expect(Object.isFrozen(db.replication)).toBe(true);
  });

  it('reuses a snapshot until the resource changes', async () => {
    const { aws, call } = simFixture();
    const [a] = await aws.listNodes({ ids: ['web-us-east-1a-1'] }, call());
    const [b] = await aws.listNodes({ ids: ['web-us-east-1a-1'] }, call());
    expect(b).toBe(a);
  });

  it('filters nodes and databases', async () => {
    const { aws, call } = simFixture();
    const ids = async (filter: Parameters<typeof aws.listNodes>[0]) => (await aws.listNodes(filter, call())).map((node) => node.id);
    expect(await ids({ zone: 'us-east-1b' })).toEqual(['web-us-east-1b-1', 'web-us-east-1b-2']);
    expect(await ids({ region: 'us-west-2' })).toEqual([]);
    expect(await ids({ group: 'web', zone: 'us-east-1a', states: ['running'] })).toEqual(['web-us-east-1a-1', 'web-us-east-1a-2']);
    expect(await ids({ group: 'web', states: ['stopped'] })).toEqual([]);
    expect(await ids({ ids: ['web-us-east-1b-2', 'nope', 'web-us-east-1a-1'] })).toEqual(['web-us-east-1b-2', 'web-us-east-1a-1']);
    const dbs = async (filter: Parameters<typeof aws.listDatabases>[0]) => (await aws.listDatabases(filter, call())).map((db) => db.id);
    expect(await dbs({})).toEqual(['orders', 'orders-s', 'orders-b', 'orders-w']);
    expect(await dbs({ region: 'us-west-2' })).toEqual(['orders-w']);
    expect(await dbs({ zone: 'us-east-1b' })).toEqual(['orders-b']);
    expect(await dbs({ cluster: 'nope' })).toEqual([]);
  });

  it('records every call with its target, region, zone and outcome', async () => {
    const { at, aws, call, world } = simFixture();
    await at(7);
    await aws.listNodes({ zone: 'us-east-1a' }, call());
    await aws.promoteReplica('orders-w', call());
    await aws.createNode({ name: 'n', region: 'us-east-1' }, call());
    expect(world.calls).toEqual([
      { seq: 1, t: 7, provider: 'aws', operation: 'listNodes', target: 'us-east-1a', region: 'us-east-1', zone: 'us-east-1a', mutating: false, result: 'ok', doneAt: 7 },
      { seq: 2, t: 7, provider: 'aws', operation: 'promoteReplica', target: 'orders-w', region: 'us-west-2', zone: 'us-west-2a', mutating: true, result: 'ok', doneAt: 7 },
      { seq: 3, t: 7, provider: 'aws', operation: 'createNode', region: 'us-east-1', mutating: true, result: 'ok', doneAt: 7 },
    ]);
  });
});
