import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayScenario } from '../../../src/apps/replay/replayScenario.js';
import { loadScenarioFile, parseScenario } from '../../../src/apps/replay/scenario/loadScenario.js';
import { FAILING } from './failingScenarios.js';

const scenarioDir = join(import.meta.dirname, '../../../scenarios');
const shipped = readdirSync(scenarioDir).filter((f) => f.endsWith('.yaml')).sort();

describe('replay: every shipped scenario passes with production defaults', () => {
  it.each(shipped)('%s', async (file) => {
    const report = await replayScenario(await loadScenarioFile(join(scenarioDir, file)));
    const failed = report.expectations.filter((e) => !e.passed).map((e) => `${e.kind}: ${e.detail}`);
    expect(failed).toEqual([]);
    expect(report.passed).toBe(true);
    // Never two writable primaries for longer than one controller cycle (2 s) plus the fence taking hold.
    expect(report.metrics.splitBrainSeconds).toBeLessThanOrEqual(4);
  });
});

describe('replay: every expectation kind can fail', () => {
  it.each(Object.entries(FAILING))('%s', async (kind, text) => {
    const report = await replayScenario(parseScenario(text, `${kind}.yaml`));
    expect(report.passed).toBe(false);
    const judged = report.expectations.find((e) => e.kind === kind);
    expect(judged?.passed).toBe(false);
    expect(judged?.detail).toBeTruthy();
  });
});

describe('replay: report', () => {
  it('is deterministic: two runs give the same report', async () => {
    const scenario = await loadScenarioFile(join(scenarioDir, 'synthetic-throttle-storm.yaml'));
    const first = await replayScenario(scenario);
    const second = await replayScenario(scenario);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    expect(first.actions.length).toBeGreaterThan(0);
  });

  it('measures detection, failover and data loss and lists every mutating call with its reason', async () => {
    const report = await replayScenario(parseScenario(FAILING.noFailover!, 'outage.yaml'));
    const { metrics } = report;
    expect(metrics.detectionSeconds).toBeGreaterThan(0);
    expect(metrics.detectionSeconds).toBeLessThan(20);
    // Promotion takes 30 s in the sim once the controller decides.
    expect(metrics.failoverSeconds).toBeGreaterThanOrEqual(30 + metrics.detectionSeconds!);
    expect(metrics.failoverSeconds).toBeLessThan(60);
    expect(metrics.dataLossSeconds).toBe(0); // the sync replica
    expect(metrics.failovers).toBe(1);
    const promote = report.actions.find((a) => a.operation === 'promoteReplica');
    expect(promote).toMatchObject({ provider: 'aws', target: 'orders-b', zone: 'use1-b', result: 'ok' });
    expect(promote?.reason).toMatch(/impaired zone use1-a/);
    expect(metrics.calls.aws!.promoteReplica).toBe(1);
    expect(metrics.mutatingCalls).toBe(report.actions.length);
    expect(report.timeline.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['world.impair', 'zone.impaired', 'failover.planned', 'world.promoted', 'failover.completed']),
    );
    // No call into the dead zone but none at all: the old primary is never rebooted or stopped there.
    expect(report.actions.filter((a) => a.zone === 'use1-a')).toEqual([]);
  });

  it('fences the old primary within one cycle of its zone coming back', async () => {
    const text = FAILING.noFailover!.replace(
      'expect:',
      '  - at: 5m\n    recover: { zone: use1-a }\nexpect:',
    );
    const report = await replayScenario(parseScenario(text, 'recover.yaml'));
    const fence = report.actions.find((a) => a.operation === 'stopDatabase');
    expect(fence).toMatchObject({ target: 'orders', zone: 'use1-a', result: 'ok' });
    expect(fence!.t).toBeGreaterThanOrEqual(300);
    expect(fence!.t).toBeLessThanOrEqual(302);
    expect(report.metrics.splitBrainSeconds).toBeLessThanOrEqual(2);
  });
});
