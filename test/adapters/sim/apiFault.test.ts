import { describe, expect, it } from 'vitest';
import { isRetryable, isThrottled, isTimeout } from '../../../src/core/contract/errors.js';
import { simFixture } from './simFixture.js';

type Fault = 'error' | 'throttle' | 'hang';
const fault = (fault: Fault, extra: { operations?: string[]; rate?: number; until?: number; region?: string; zone?: string; provider?: string } = {}) => ({
  at: 0,
  kind: 'apiFault' as const,
  provider: extra.provider ?? 'aws',
  operations: extra.operations ?? ['*'],
  fault,
  rate: extra.rate ?? 1,
  ...(extra.until === undefined ? {} : { until: extra.until }),
  ...(extra.region === undefined ? {} : { region: extra.region }),
  ...(extra.zone === undefined ? {} : { zone: extra.zone }),
});

const settled = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: { kind?: string }) => error.kind ?? 'non-provider error',
  );

describe('apiFault', () => {
  it('error: rejects with a retryable InternalError (500), records it, and has no effect', async () => {
    const { at, aws, call, world } = simFixture({ events: [fault('error', { operations: ['createNode'] })] });
    await at(0);
    const error = await aws.createNode({ name: 'n', region: 'us-east-1', zone: 'us-east-1a' }, call()).catch((e: unknown) => e);
    expect(isRetryable(error)).toBe(true);
    expect(error).toMatchObject({ code: 'InternalError', status: 500, provider: 'aws', operation: 'createNode' });
    expect(await aws.listNodes({ zone: 'us-east-1a' }, call())).toHaveLength(2);
    expect(world.calls[0]).toMatchObject({ operation: 'createNode', zone: 'us-east-1a', mutating: true, result: 'error', doneAt: 0 });
    expect(world.calls[1]).toMatchObject({ operation: 'listNodes', result: 'ok' });
  });

  it('throttle: rejects as throttled (Throttling, 400)', async () => {
    const { at, aws, call, world } = simFixture({ events: [fault('throttle', { operations: ['listNodes'] })] });
    await at(0);
    const error = await aws.listNodes({}, call()).catch((e: unknown) => e);
    expect(isThrottled(error)).toBe(true);
    expect(error).toMatchObject({ code: 'Throttling', status: 400 });
    expect(world.calls[0]!.result).toBe('throttled');
  });

  it('hang: never settles until the signal fires, then times out with no effect', async () => {
    const { at, aws, world, nodeNow } = simFixture({ events: [fault('hang', { operations: ['stopNode'] })] });
    await at(0);
    const controller = new AbortController();
    const outcome = settled(aws.stopNode('web-us-east-1a-1', { signal: controller.signal }));
    await at(3600);
    expect(world.calls[0]!.result).toBe('pending');
    controller.abort();
    expect(await outcome).toBe('timeout');
    expect(world.calls[0]).toMatchObject({ result: 'timeout', doneAt: 3600 });
    await at(7200);
    expect((await nodeNow('web-us-east-1a-1')).state).toBe('running');
  });

  it('hang: a timed-out call rejects with a timeout ProviderError', async () => {
    const { at, aws } = simFixture({ events: [fault('hang')] });
    await at(0);
    const controller = new AbortController();
    const pending = aws.listLocations({ signal: controller.signal }).catch((e: unknown) => e);
    controller.abort();
    expect(isTimeout(await pending)).toBe(true);
  });

  it('hits a share `rate` of matching calls, drawn with the seed', async () => {
    const run = async (seed: number) => {
      const { at, aws, call } = simFixture({ seed, events: [fault('error', { rate: 0.25, operations: ['listNodes'] })] });
      await at(0);
      const outcomes: string[] = [];
      for (let i = 0; i < 400; i++) outcomes.push(await settled(aws.listNodes({}, call())));
      return outcomes;
    };
    const outcomes = await run(9);
    const failed = outcomes.filter((outcome) => outcome === 'retryable').length / outcomes.length;
    expect(failed).toBeGreaterThan(0.18);
    expect(failed).toBeLessThan(0.32);
    expect(await run(9)).toEqual(outcomes);
  });

  it('lasts from `at` until `until`, and names the operations it hits', async () => {
    const { at, aws, call, timeline } = simFixture({
      events: [{ ...fault('error', { operations: ['listNodes', 'zoneStatus'], until: 50 }), at: 10 }],
    });
    await at(5);
    expect(await settled(aws.listNodes({}, call()))).toBe('ok');
    await at(10);
    expect(await settled(aws.listNodes({}, call()))).toBe('retryable');
    expect(await settled(aws.zoneStatus({}, call()))).toBe('retryable');
    expect(await settled(aws.listDatabases({}, call()))).toBe('ok');
    await at(49.999);
    expect(await settled(aws.listNodes({}, call()))).toBe('retryable');
    await at(50);
    expect(await settled(aws.listNodes({}, call()))).toBe('ok');
    expect(timeline.map((entry) => [entry.t, entry.kind])).toEqual([
      [10, 'world.apiFault'],
      [50, 'world.apiFaultEnded'],
    ]);
  });

  it('with a zone: hits calls targeting that zone only', async () => {
    const { at, aws, call } = simFixture({ events: [fault('error', { zone: 'us-east-1a' })] });
    await at(0);
    expect(await settled(aws.rebootNode('web-us-east-1a-1', call()))).toBe('retryable');
    expect(await settled(aws.rebootNode('web-us-east-1b-1', call()))).toBe('ok');
    expect(await settled(aws.createNode({ name: 'n', region: 'us-east-1', zone: 'us-east-1a' }, call()))).toBe('retryable');
    expect(await settled(aws.createNode({ name: 'n', region: 'us-east-1', zone: 'us-east-1b' }, call()))).toBe('ok');
    expect(await settled(aws.createNode({ name: 'n', region: 'us-east-1' }, call()))).toBe('ok');
    expect(await settled(aws.listNodes({ zone: 'us-east-1a' }, call()))).toBe('retryable');
    expect(await settled(aws.listDatabases({ zone: 'us-east-1a' }, call()))).toBe('retryable');
    expect(await settled(aws.stopDatabase('orders', call()))).toBe('retryable');
    expect(await settled(aws.listNodes({}, call()))).toBe('ok');
    expect(await settled(aws.listNodes({ region: 'us-east-1' }, call()))).toBe('ok');
    expect(await settled(aws.zoneStatus({ region: 'us-east-1' }, call()))).toBe('ok');
  });

  it('with a region: hits calls in that region and unfiltered lists, not other regions', async () => {
    const { at, aws, call } = simFixture({ events: [fault('throttle', { region: 'us-east-1' })] });
    await at(0);
    expect(await settled(aws.listNodes({}, call()))).toBe('throttled');
    expect(await settled(aws.listLocations(call()))).toBe('throttled');
    expect(await settled(aws.listNodes({ region: 'us-east-1' }, call()))).toBe('throttled');
    expect(await settled(aws.listNodes({ zone: 'us-east-1b' }, call()))).toBe('throttled');
    expect(await settled(aws.zoneStatus({ region: 'us-east-1' }, call()))).toBe('throttled');
    expect(await settled(aws.createNode({ name: 'n', region: 'us-east-1' }, call()))).toBe('throttled');
    expect(await settled(aws.promoteReplica('orders-b', call()))).toBe('throttled');
    expect(await settled(aws.listNodes({ region: 'us-west-2' }, call()))).toBe('ok');
    expect(await settled(aws.zoneStatus({ region: 'us-west-2' }, call()))).toBe('ok');
    expect(await settled(aws.promoteReplica('orders-w', call()))).toBe('ok');
  });

  it('hits only the provider it names', async () => {
    const { at, aws, world, call } = simFixture({ events: [fault('error', { provider: 'gcp' })] });
    await at(0);
    expect(await settled(aws.listNodes({}, call()))).toBe('ok');
    expect(await settled(world.provider('gcp').listNodes({}, call()))).toBe('retryable');
  });

  it('does not hide invalid requests: they are rejected as invalid-input first', async () => {
    const { at, aws, call, world } = simFixture({ events: [fault('error')] });
    await at(0);
    expect(await settled(aws.rebootNode('nope', call()))).toBe('invalid-input');
    expect(world.calls[0]).toMatchObject({ operation: 'rebootNode', target: 'nope', result: 'invalid' });
  });
});

describe('the records view (a service reading its own records, as an emulator does inside a request)', () => {
  it('answers as the API reads do, but no fault reaches it, nothing is recorded, and it takes no time', async () => {
    const { at, aws, call, world } = simFixture({ events: [fault('hang', { operations: ['*read'] })] });
    await at(0);
    const records = world.records('aws');
    const nodes = await records.listNodes({ zone: 'us-east-1a' }, call());
    expect(nodes).toHaveLength(2);
    expect((await records.listDatabases({}, call())).length).toBeGreaterThan(0);
    expect(world.calls).toEqual([]);
    // The API's own read still hangs under the fault.
    const controller = new AbortController();
    const listed = settled(aws.listNodes({ zone: 'us-east-1a' }, { signal: controller.signal }));
    controller.abort();
    expect(await listed).toBe('timeout');
    expect(world.calls.map((each) => each.operation)).toEqual(['listNodes']);
  });

  it('only reads: a mutation through it is refused', async () => {
    const { aws, call, world } = simFixture({});
    const records = world.records('aws') as unknown as typeof aws;
    expect(await settled(records.createNode({ name: 'n', region: 'us-east-1', zone: 'us-east-1a' }, call()))).not.toBe('ok');
    expect(await aws.listNodes({ zone: 'us-east-1a' }, call())).toHaveLength(2);
  });
});
