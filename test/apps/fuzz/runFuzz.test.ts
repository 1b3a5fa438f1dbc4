import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/core/controller/decide.js';
import type { Plan } from '../../../src/core/controller/Plan.js';
import type { Policy } from '../../../src/core/controller/Policy.js';
import type { Snapshot } from '../../../src/core/controller/Snapshot.js';
import { fuzzScenario } from '../../../src/apps/fuzz/fuzzScenario.js';
import { generateScenario } from '../../../src/apps/fuzz/generateScenario.js';
import { runFuzz } from '../../../src/apps/fuzz/runFuzz.js';
import { shrinkScenario } from '../../../src/apps/fuzz/shrinkScenario.js';
import { replayScenario } from '../../../src/apps/replay/replayScenario.js';
import { parseScenario } from '../../../src/apps/replay/scenario/loadScenario.js';

/** A copy of `decide` with a planted defect: it never plans a replacement node. */
function decideWithoutCreates(snapshot: Snapshot, policy: Policy): Plan {
  const plan = decide(snapshot, policy);
  return { ...plan, steps: plan.steps.filter((step) => step.operation !== 'createNode') };
}

const TWO_HOURS = 2 * 3600;

describe('lifeboat fuzz', () => {
  it('finds no violation of the production controller on fixed seeds', async () => {
    const result = await runFuzz({ count: 6, seed: 11, durationSeconds: TWO_HOURS, workers: 1 });
    expect(result.scenarios).toBe(6);
    expect(result.findings.map((f) => `${f.violation.invariant}: ${f.violation.detail}`)).toEqual([]);
  }, 120_000);

  it('finds a defect planted in a copy of decide, shrinks it, and writes a scenario that replays to the same failure', async () => {
    const result = await runFuzz({ count: 2, seed: 3, durationSeconds: TWO_HOURS, workers: 1, decide: decideWithoutCreates, maxFindings: 1, maxShrinkReplays: 25 });
    expect(result.findings).toHaveLength(1);
    const finding = result.findings[0]!;
    expect(finding.violation.invariant).toBe('capacity');
    const original = generateScenario(finding.scenarioSeed, TWO_HOURS);
    // Shrunk: fewer events and fewer parts than generated.
    const size = (d: typeof original) => d.events.length + d.topology.groups.length + d.topology.databases.length + d.topology.loadBalancers.length;
    expect(size(finding.doc)).toBeLessThan(size(original));

    // The written file, replayed by replay's own loader and engine with the defect, fails the same expectation ...
    const scenario = parseScenario(stringify(finding.doc), 'finding.yaml');
    const planted = await replayScenario(scenario, { decide: decideWithoutCreates });
    const failing = planted.expectations.filter((e) => !e.passed);
    expect(failing.map((e) => e.kind)).toEqual(['capacity']);
    expect(failing[0]!.spec).toEqual(finding.violation.expectation?.['capacity']);
    // ... and the production controller passes it: the failure is the planted defect's.
    expect((await replayScenario(scenario)).passed).toBe(true);
  }, 180_000);

  it('shrinks deterministically', async () => {
    const doc = generateScenario(0x1235, TWO_HOURS);
    const [violation] = await fuzzScenario(doc, { decide: decideWithoutCreates });
    expect(violation?.invariant).toBe('capacity');
    const first = await shrinkScenario(doc, violation!, { decide: decideWithoutCreates, maxReplays: 6 });
    const second = await shrinkScenario(doc, violation!, { decide: decideWithoutCreates, maxReplays: 6 });
    expect(second.doc).toEqual(first.doc);
    expect(first.doc).not.toEqual(doc);
  }, 120_000);
});
