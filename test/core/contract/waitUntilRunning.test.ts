import { describe, expect, it } from 'vitest';
import { waitUntilRunning } from '../../../src/core/contract/waitUntilRunning.js';
import { simFixture } from '../../adapters/sim/simFixture.js';

/** Settles `promise` while the virtual clock runs to `untilSeconds`. */
async function runWhile<T>(fixture: ReturnType<typeof simFixture>, promise: Promise<T>, untilSeconds: number) {
  const outcome = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await fixture.at(untilSeconds);
  return outcome;
}

describe('waitUntilRunning', () => {
  it('resolves with the nodes, in the order asked, once all run', async () => {
    const fixture = simFixture({ latency: { createNode: 20 } });
    const { aws, call, clock } = fixture;
    const a = await aws.createNode({ name: 'a', region: 'us-east-1', zone: 'us-east-1a' }, call());
    const outcome = await runWhile(fixture, waitUntilRunning(aws, [a.id, 'web-us-east-1b-1'], { clock, timeoutMs: 60_000, intervalMs: 5_000 }), 60);
    expect('value' in outcome && outcome.value.map((node) => [node.id, node.state])).toEqual([
      [a.id, 'running'],
      ['web-us-east-1b-1', 'running'],
    ]);
    // Polled at 0, 5, 10, 15, 20: five listings, then stopped.
    expect(fixture.world.calls.filter((record) => record.operation === 'listNodes').map((record) => record.t)).toEqual([0, 5, 10, 15, 20]);
  });

  it('rejects as terminal once a node is terminated', async () => {
    const fixture = simFixture();
    const { aws, call, clock } = fixture;
    const a = await aws.createNode({ name: 'a', region: 'us-east-1', zone: 'us-east-1c' }, call());
    await aws.destroyNode(a.id, call());
    const outcome = await runWhile(fixture, waitUntilRunning(aws, [a.id], { clock, timeoutMs: 600_000, intervalMs: 5_000 }), 200);
    expect('error' in outcome && outcome.error).toMatchObject({ kind: 'terminal', operation: 'waitUntilRunning' });
    expect(fixture.world.calls.filter((record) => record.operation === 'listNodes').at(-1)!.t).toBe(10);
  });

  it('rejects with a timeout when the nodes are not running in time', async () => {
    const fixture = simFixture({ events: [{ at: 0, kind: 'impair', zone: 'us-east-1c', mode: 'unreachable', errorRate: 0.5 }] });
    const { aws, call, clock } = fixture;
    await fixture.at(0);
    const a = await aws.createNode({ name: 'a', region: 'us-east-1', zone: 'us-east-1c' }, call());
    const outcome = await runWhile(fixture, waitUntilRunning(aws, [a.id], { clock, timeoutMs: 120_000 }), 300);
    expect('error' in outcome && outcome.error).toMatchObject({ kind: 'timeout' });
    expect(('error' in outcome && (outcome.error as Error).message) || '').toMatch(/pending/);
  });

  it('tolerates failing listings until the deadline', async () => {
    const fixture = simFixture({
      events: [{ at: 0, kind: 'apiFault', provider: 'aws', operations: ['listNodes'], fault: 'error', rate: 1, until: 30 }],
    });
    const { aws, clock } = fixture;
    await fixture.at(0);
    const outcome = await runWhile(fixture, waitUntilRunning(aws, ['web-us-east-1a-1'], { clock, timeoutMs: 60_000 }), 60);
    expect('value' in outcome && outcome.value[0]!.state).toBe('running');
  });

  it('gives up at once when its signal already fired, and needs no call for no ids', async () => {
    const fixture = simFixture();
    const { aws, clock } = fixture;
    const controller = new AbortController();
    controller.abort();
    await expect(waitUntilRunning(aws, ['nope'], { clock, timeoutMs: 60_000, signal: controller.signal })).rejects.toMatchObject({ kind: 'timeout' });
    await expect(waitUntilRunning(aws, [], { clock, timeoutMs: 1 })).resolves.toEqual([]);
    expect(fixture.world.calls).toEqual([]);
  });
});
