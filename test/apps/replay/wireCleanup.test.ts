import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { VirtualClock } from '../../../src/core/clock/VirtualClock.js';
import { replayScenario } from '../../../src/apps/replay/replayScenario.js';
import { loadScenarioFile } from '../../../src/apps/replay/scenario/loadScenario.js';

/** Shared with the module mock below (hoisted above the imports). */
const state = vi.hoisted(() => ({ failAtMs: undefined as number | undefined, started: 0, closed: 0 }));

// The real wire setup, with a way to make the replay fail half-way, and a count of starts and closes.
vi.mock('../../../src/apps/replay/startWireProviders.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/apps/replay/startWireProviders.js')>();
  return {
    ...real,
    startWireProviders: async (...args: Parameters<typeof real.startWireProviders>) => {
      const wiring = await real.startWireProviders(...args);
      state.started++;
      return {
        ...wiring,
        runUntil: async (clock: VirtualClock, targetMs: number) => {
          const failAt = state.failAtMs;
          if (failAt === undefined || targetMs < failAt) return wiring.runUntil(clock, targetMs);
          await wiring.runUntil(clock, failAt);
          throw new Error('replay failed half-way (test)');
        },
        close: async () => {
          state.closed++;
          await wiring.close();
        },
      };
    },
  };
});

const scenarioFile = join(import.meta.dirname, '../../../scenarios/synthetic-cross-provider.yaml');

/** Listening sockets of this process (the emulators' HTTP servers). */
function servers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap').length;
}

/** Sockets are released by libuv a tick after their close callbacks: wait briefly for the count to come down. */
async function expectServers(count: number): Promise<void> {
  await expect.poll(servers, { timeout: 1_000, interval: 5 }).toBe(count);
}

describe('replay --wire closes its emulators and adapters on every path', () => {
  afterEach(() => {
    state.failAtMs = undefined;
  });

  it('after a replay that ran to the end', async () => {
    const before = servers();
    const { started, closed } = state;
    const report = await replayScenario(await loadScenarioFile(scenarioFile), { wire: true });
    expect(report.passed).toBe(true);
    expect([state.started - started, state.closed - closed]).toEqual([1, 1]);
    await expectServers(before);
  }, 120_000);

  it('after a replay that failed half-way, with calls in flight', async () => {
    const before = servers();
    const { started, closed } = state;
    state.failAtMs = 6 * 60_000; // a minute into the outage: the failover is under way
    await expect(replayScenario(await loadScenarioFile(scenarioFile), { wire: true })).rejects.toThrow(/half-way/);
    expect([state.started - started, state.closed - closed]).toEqual([1, 1]);
    await expectServers(before);
  }, 120_000);

  it('an in-process replay starts no emulator at all', async () => {
    const before = servers();
    const { started } = state;
    await replayScenario(await loadScenarioFile(scenarioFile));
    expect(state.started).toBe(started);
    await expectServers(before);
  }, 60_000);
});
