import { describe, expect, it } from 'vitest';
import { SimWorld } from '../../../../adapters/sim/SimWorld.js';
import { VirtualClock } from '../../../../src/core/clock/VirtualClock.js';
import { ProviderFailureLog } from '../../../../src/apps/daemon/runtime/ProviderFailureLog.js';
import { parseScenario } from '../../../../src/apps/replay/scenario/loadScenario.js';

/** The simulated aws provider with every listNodes failing from 0 s to 60 s (an `apiFault`). */
function failingWorld() {
  const scenario = parseScenario(
    `name: failing-reads
duration: 10m
topology:
  providers:
    - id: aws
      regions:
        - id: r1
          zones: [a, b]
  groups:
    - { id: web, provider: aws, region: r1, nodes: { a: 1, b: 1 } }
events:
  - at: 0s
    apiFault: { provider: aws, operations: [listNodes], fault: error, until: 60s }
`,
    'failing-reads.yaml',
  );
  const clock = new VirtualClock();
  const world = new SimWorld({ clock, topology: scenario.topology, seed: 1, durationSeconds: scenario.durationSeconds });
  world.scheduleEvents(scenario.events);
  return { clock, provider: world.provider('aws') };
}

describe('ProviderFailureLog', () => {
  it('logs a failing provider once per cause, lists it as failing, and logs its recovery', async () => {
    const { clock, provider } = failingWorld();
    const lines: string[] = [];
    const failures = new ProviderFailureLog((line) => lines.push(line));
    const wrapped = failures.wrap(provider);
    const signal = new AbortController().signal;
    await clock.runUntil(1_000);
    for (let i = 0; i < 3; i++) await expect(wrapped.listNodes({}, { signal })).rejects.toMatchObject({ kind: 'retryable' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^provider aws: listNodes failed \(retryable\): .*; the controller retries with backoff$/);
    expect(failures.failing()).toMatchObject([{ provider: 'aws', failedCalls: 3, operation: 'listNodes', kind: 'retryable' }]);

    await clock.runUntil(61_000);
    expect((await wrapped.listNodes({}, { signal })).length).toBe(2);
    expect(lines).toEqual([lines[0], 'provider aws: calls succeed again (after 3 failed call(s))']);
    expect(failures.failing()).toEqual([]);
  });
});
