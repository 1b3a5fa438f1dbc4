import { createHook } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/core/clock/Clock.js';
import { Controller } from '../../../src/core/controller/Controller.js';
import { DEFAULT_POLICY } from '../../../src/core/controller/Policy.js';
import { simFixture } from '../../adapters/sim/simFixture.js';

const UNTIL_MS = 30 * 60_000;

/**
 * Runs the production controller on the sim fixture through calm stretches,
 * a degraded zone (probe failures drawn at random), a node failure, a
 * dark primary zone and its recovery. `loop`: `run`, whose quiet rounds are
 * taken whole without a promise chain; or the same loop written out with
 * `runCycle` (as `run` was before), where every round goes through the
 * cycle. Returns everything the two could differ in, as of the end, and the
 * promises created on the way.
 */
async function run(loop: 'run' | 'runCycle') {
  const { clock, world } = simFixture({
    events: [
      { at: 120, kind: 'impair', zone: 'us-east-1b', mode: 'degraded', errorRate: 0.3 },
      { at: 300, kind: 'recover', zone: 'us-east-1b' },
      { at: 420, kind: 'nodeFailure', group: 'web', count: 1 },
      { at: 700, kind: 'impair', zone: 'us-east-1a', mode: 'unreachable', errorRate: 0 },
      { at: 1200, kind: 'recover', zone: 'us-east-1a' },
    ],
  });
  const controller = new Controller({
    providers: world.providers(),
    prober: world.prober(),
    clock,
    policy: DEFAULT_POLICY,
    groups: [{ id: 'web', provider: 'aws', region: 'us-east-1', minHealthy: 4 }],
    watch: [
      { provider: 'aws', region: 'us-east-1' },
      { provider: 'aws', region: 'us-west-2' },
    ],
    random: () => 0.5,
  });
  const cycles: unknown[] = [];
  const events: unknown[] = [];
  controller.on('cycle', ({ t, steps, decided }) => cycles.push({ t, decided, steps: steps.map((s) => s.key), healthy: world.groupHealthyCount('web') }));
  controller.on('event', (event) => events.push({ t: event.t, kind: event.kind, zone: event.zone, detail: event.detail }));
  // Rounds that went through the full cycle while us-east-1a was dark and the failover long done: the
  // rounds there wait out the dark zone's silent probes (held rounds).
  let fullCyclesWhileDark = 0;
  // Rounds that went through the full cycle while us-east-1b was degraded: probe failures drawn at
  // random change the answers, so most rounds decide.
  let fullCyclesWhileDegraded = 0;
  let decidedWhileDegraded = 0;
  const fullCycle = (controller as unknown as { cycle: (...args: unknown[]) => Promise<unknown> }).cycle;
  (controller as unknown as { cycle: (...args: unknown[]) => Promise<unknown> }).cycle = function (this: Controller, ...args: unknown[]) {
    const now = clock.now();
    if (now >= 900_000 && now < 1_190_000) fullCyclesWhileDark++;
    if (now >= 150_000 && now < 290_000) fullCyclesWhileDegraded++;
    return fullCycle.apply(this, args);
  };
  controller.on('cycle', ({ t, decided }) => void (decided && t >= 150_000 && t < 290_000 && decidedWhileDegraded++));
  let promises = 0;
  const hook = createHook({ init: (_id, type) => void (type === 'PROMISE' && promises++) }).enable();
  const stop = new AbortController();
  const running = loop === 'run' ? controller.run(stop.signal) : cycleByCycle(controller, clock, stop.signal);
  try {
    await clock.runUntil(UNTIL_MS);
  } finally {
    hook.disable();
  }
  const seen = { cycles, events, calls: world.calls.map((c) => ({ ...c })), memory: controller.memory, promises, fullCyclesWhileDark, fullCyclesWhileDegraded, decidedWhileDegraded };
  stop.abort();
  await clock.runUntil(clock.now());
  await running;
  return seen;
}

/** `Controller.run`'s loop, every round through `runCycle`. */
async function cycleByCycle(controller: Controller, clock: Clock, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const started = clock.now();
    await controller.runCycle(signal);
    await clock.sleep(controller.nextRoundDelay(started), signal).catch(() => {});
  }
  await controller.readsSettled();
}

describe('Controller quiet rounds taken at once', () => {
  it('leave the same cycles, events, calls and memory as rounds through runCycle, without their promises', async () => {
    const viaCycle = await run('runCycle');
    const atOnce = await run('run');
    // The run has calm rounds, decided rounds and actions: the comparison covers each.
    expect(viaCycle.cycles.filter((c) => (c as { decided: boolean }).decided).length).toBeGreaterThan(10);
    expect(viaCycle.cycles.filter((c) => !(c as { decided: boolean }).decided).length).toBeGreaterThan(1000);
    expect(viaCycle.events.some((e) => (e as { kind: string }).kind === 'failover.planned')).toBe(true);
    expect(atOnce.cycles).toEqual(viaCycle.cycles);
    expect(atOnce.events).toEqual(viaCycle.events);
    expect(atOnce.calls).toEqual(viaCycle.calls);
    expect(atOnce.memory).toEqual(viaCycle.memory);
    // Quiet rounds were taken whole: through runCycle each costs at least runCycle's, observe's and the probe round's promises.
    const quietRounds = viaCycle.cycles.filter((c) => !(c as { decided: boolean }).decided).length;
    expect(viaCycle.promises - atOnce.promises).toBeGreaterThanOrEqual(2 * quietRounds);
    // Held rounds too: with a zone dark, most rounds wait out its silent targets and are quiet; only
    // reads (every observeInterval) and what they bring go through the cycle.
    const roundsWhileDark = viaCycle.fullCyclesWhileDark;
    expect(roundsWhileDark).toBeGreaterThan(100);
    expect(atOnce.fullCyclesWhileDark).toBeLessThan(roundsWhileDark / 3);
    // Decided rounds too, when nothing of the controller's is under way: only reads and what they bring
    // go through the cycle.
    expect(viaCycle.decidedWhileDegraded).toBeGreaterThan(100);
    expect(viaCycle.fullCyclesWhileDegraded).toBeGreaterThanOrEqual(viaCycle.decidedWhileDegraded);
    expect(atOnce.fullCyclesWhileDegraded).toBeLessThan(viaCycle.decidedWhileDegraded / 2);
  });
});
