// The false-failover suite on the `local` adapter: real PostgreSQL (a primary, a sync and an
// async standby), the controller on its production defaults, a client writing through the
// writer endpoint. Each case disturbs the healthy primary in a way that must not lead to a
// failover (a freeze a little shorter than the tolerance, a network blip, a checkpoint stall,
// CPU starvation, a replica restart), keeps watching long enough for the controller to have
// confirmed a fault it believed in, and asserts: no promotion, no failover planned, the same
// primary, writes acknowledged after the disturbance, none lost. Each case also checks that
// its disturbance really happened, so a no-op disturbance cannot pass.
import { describe, expect, test } from 'vitest';
import { DEFAULT_POLICY } from '../../../src/core/controller/Policy.js';
import type { Disturbance } from '../../../src/apps/demo/Disturbance.js';
import { runFalseFailoverDrill, type FalseFailoverDrillReport } from '../../../src/apps/demo/runFalseFailoverDrill.js';

const PRIMARY = 'orders-local-a';

async function drill(disturbance: Disturbance): Promise<FalseFailoverDrillReport> {
  const report = await runFalseFailoverDrill({ disturbance, policy: DEFAULT_POLICY });
  console.log(`${disturbance}: ${report.description}; promotions ${report.promotions}, planned ${report.failoversPlanned}, writes ${JSON.stringify(report.acknowledged)}, longest gap ${report.longestWriteGapSeconds.toFixed(2)} s${report.problems.length ? `; ${report.problems.join('; ')}` : ''}`);
  expect(report.problems).toEqual([]);
  expect(report.promotions).toBe(0);
  expect(report.failoversPlanned).toBe(0);
  expect(report.primaryAtEnd).toBe(PRIMARY);
  expect(report.acknowledged.before).toBeGreaterThan(0);
  expect(report.acknowledged.after).toBeGreaterThan(10);
  expect(report.lostWrites).toBe(0);
  expect(report.passed).toBe(true);
  return report;
}

describe('no false failover on local (production defaults)', () => {
  test('the primary zone frozen a little less than the tolerance, then resumed', { timeout: 120_000 }, async () => {
    const report = await drill('brief-freeze');
    const frozenSeconds = DEFAULT_POLICY.replicationStaleAfter - 0.5;
    expect(report.effect).toBe(frozenSeconds * 1000);
    // The client really stalled for the freeze: writes through the endpoint stopped and came back.
    expect(report.longestWriteGapSeconds).toBeGreaterThanOrEqual(frozenSeconds - 0.3);
  });

  test('a network blip: a one-second partition, then every connection to the primary reset', { timeout: 120_000 }, async () => {
    const report = await drill('network-blip');
    // At least the two standbys' WAL streams were cut (the client's connection too, usually).
    expect(report.effect).toBeGreaterThanOrEqual(2);
    expect(report.longestWriteGapSeconds).toBeGreaterThanOrEqual(0.7);
  });

  test('a checkpoint stall: CHECKPOINT after a bulk write, with the checkpointer and WAL writer frozen', { timeout: 120_000 }, async () => {
    const report = await drill('checkpoint-stall');
    // The CHECKPOINT waited on the frozen checkpointer for the whole freeze.
    expect(report.effect).toBeGreaterThanOrEqual((DEFAULT_POLICY.replicationStaleAfter - 0.5) * 1000);
    expect(report.acknowledged.during).toBeGreaterThan(0);
  });

  test('CPU starvation: the primary zone stopped and resumed at a 50 % duty cycle for 10 s', { timeout: 120_000 }, async () => {
    const report = await drill('cpu-starvation');
    expect(report.effect).toBeGreaterThanOrEqual(20);
    expect(report.acknowledged.during).toBeGreaterThan(0);
  });

  test('a replica restart: the synchronous standby rebooted', { timeout: 120_000 }, async () => {
    const report = await drill('replica-restart');
    expect(report.effect).toBeGreaterThan(0);
  });
});
