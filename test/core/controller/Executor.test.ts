import { describe, expect, it } from 'vitest';
import type { Provider } from '../../../src/core/contract/Provider.js';
import { CallGate } from '../../../src/core/controller/CallGate.js';
import { Executor, type StepResult } from '../../../src/core/controller/Executor.js';
import type { CreateNodeStep, FenceStep } from '../../../src/core/controller/Plan.js';
import { resolvePolicy, type Policy } from '../../../src/core/controller/Policy.js';
import { simFixture } from '../../adapters/sim/simFixture.js';

const createStep = (name: string, region = 'us-east-1', zone = 'us-east-1b'): CreateNodeStep => ({
  operation: 'createNode',
  key: `create:aws:${name}`,
  provider: 'aws',
  region,
  zone,
  group: 'web',
  name,
  size: 'm5.large',
  reason: 'test',
});

/** An executor over the sim world's real `aws` provider, in virtual time; `hang` makes every createNode hang. */
function executorOver(policy: Policy, options: { hang?: boolean } = {}) {
  const fixture = simFixture({
    events: options.hang ? [{ at: 0, kind: 'apiFault', provider: 'aws', operations: ['createNode'], fault: 'hang', rate: 1 }] : [],
  });
  const providers = new Map<string, Provider>([['aws', fixture.aws]]);
  const started: string[] = [];
  const results: StepResult[] = [];
  const gate = new CallGate(policy, () => 0.5);
  const stop = new AbortController();
  const executor = new Executor(providers, fixture.clock, policy, gate, {
    onStart: (step) => started.push(step.key),
    onResult: (result) => results.push(result),
  }, stop.signal);
  return { ...fixture, executor, started, results, stop };
}

describe('Executor', () => {
  it('cuts a hung call off after callTimeout, reports it as a timeout and backs its scope off', async () => {
    const policy = resolvePolicy({ callTimeout: 30 });
    const { at, executor, results, world, started } = executorOver(policy, { hang: true });
    await at(0);
    expect(executor.submit([createStep('web-9')])).toEqual([]);
    expect(started).toEqual(['create:aws:web-9']);
    await at(29.999);
    expect(results).toEqual([]);
    expect(executor.inFlight.has('create:aws:web-9')).toBe(true);
    // Not started twice while in flight.
    expect(executor.submit([createStep('web-9')])).toEqual([]);
    expect(started).toHaveLength(1);
    await at(30);
    // No waiting on the executor here: a call not cut off would hang this test instead of failing it.
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ outcome: 'timeout', rejected: false, startedAt: 0, finishedAt: 30_000 });
    expect(executor.inFlight.size).toBe(0);
    expect(world.calls.find((c) => c.operation === 'createNode')).toMatchObject({ result: 'timeout', doneAt: 30 });
    // The timeout counts against the region: the next step there waits for the backoff.
    const deferred = executor.submit([createStep('web-10')]);
    expect(deferred.map((d) => d.why)).toEqual(['aws/us-east-1 backed off for 1s']);
    // Only its service's: clouds throttle by service, and a node create's trouble must not hold back a fence there.
    const fence: FenceStep = { operation: 'stopDatabase', key: 'fence:aws:orders', provider: 'aws', region: 'us-east-1', zone: 'us-east-1a', cluster: 'orders', target: 'orders', reason: 'test' };
    expect(executor.submit([fence])).toEqual([]);
    expect(started).toEqual(['create:aws:web-9', 'fence:aws:orders']);
    await executor.idle();
  });

  it('lets a call that answers in time finish ok', async () => {
    const { at, executor, results } = executorOver(resolvePolicy({ callTimeout: 30 }));
    await at(0);
    executor.submit([createStep('web-9')]);
    await executor.idle();
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ outcome: 'ok', rejected: false });
  });

  it('spends one token per call and defers what is over the budget of its provider and region only', async () => {
    const { at, executor, started } = executorOver(resolvePolicy({ mutationsPerMinute: 2 }));
    await at(0);
    const deferred = executor.submit([
      createStep('e1'),
      createStep('e2'),
      createStep('e3'),
      createStep('w1', 'us-west-2', 'us-west-2a'),
    ]);
    expect(started).toEqual(['create:aws:e1', 'create:aws:e2', 'create:aws:w1']);
    expect(deferred).toEqual([{ step: createStep('e3'), why: 'aws/us-east-1 mutation budget spent (2/min)' }]);
    await executor.idle();
  });

  it('cuts calls in flight off when its own signal fires (shutdown), before callTimeout', async () => {
    const { at, executor, results, stop } = executorOver(resolvePolicy({ callTimeout: 30 }), { hang: true });
    await at(0);
    executor.submit([createStep('web-9')]);
    await at(5);
    stop.abort();
    await executor.idle();
    expect(results).toMatchObject([{ outcome: 'timeout', finishedAt: 5_000 }]);
  });
});
