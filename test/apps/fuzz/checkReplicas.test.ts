import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { ScenarioDocument } from '../../../src/apps/fuzz/ScenarioDocument.js';
import { checkInvariants, violationDocument } from '../../../src/apps/fuzz/fuzzScenario.js';
import { loadScenarioFile } from '../../../src/apps/replay/scenario/loadScenario.js';
import { decide } from '../../../src/core/controller/decide.js';
import type { Plan } from '../../../src/core/controller/Plan.js';
import type { Policy } from '../../../src/core/controller/Policy.js';
import type { Snapshot } from '../../../src/core/controller/Snapshot.js';

const scenarios = (name: string) => `${import.meta.dirname}/../../../scenarios/${name}.yaml`;

/** A copy of `decide` with a planted defect: it never rebuilds a replica. */
function decideWithoutReplicas(snapshot: Snapshot, policy: Policy): Plan {
  const plan = decide(snapshot, policy);
  return { ...plan, steps: plan.steps.filter((step) => step.operation !== 'createReplica') };
}

describe('lifeboat fuzz: the replicas invariant', () => {
  // Shipped after the invariant found them: each failed it before the fix it names in its description.
  const found = [
    'synthetic-old-primary-stopped-after-power-loss',
    'synthetic-replica-into-stalled-region',
    'synthetic-replica-into-dark-region',
    'synthetic-stale-impaired-status-in-degraded-region',
  ];

  it.each(found)('%s keeps every invariant', async (name) => {
    const violations = await checkInvariants(await loadScenarioFile(scenarios(name)));
    expect(violations.map((v) => `${v.invariant}: ${v.detail}`)).toEqual([]);
  });

  it('finds a failed-over database left without its replica, names it and its healthy zone, and writes a file that says how to check it', async () => {
    const scenario = await loadScenarioFile(scenarios('synthetic-old-primary-stopped-after-power-loss'));
    const violations = await checkInvariants(scenario, { decide: decideWithoutReplicas });
    expect(violations.map((v) => v.invariant)).toEqual(['replicas']);
    const violation = violations[0]!;
    expect(violation.detail).toBe('ledger has 0 of 1 replicas streaming from its primary ledger-a at the end (none), though nothing touched aws after 1h00m and us-east-1b stayed healthy');
    expect(violation.expectation).toBeUndefined();
    const doc = violationDocument(parse(await readFile(scenarios('synthetic-old-primary-stopped-after-power-loss'), 'utf8')) as ScenarioDocument, violation);
    expect(doc.description).toContain('lifeboat fuzz --check');
  });

  it('is not applied where the scenario leaves no way to keep it: the last event too close to the end', async () => {
    const scenario = await loadScenarioFile(scenarios('synthetic-old-primary-stopped-after-power-loss'));
    // The recovery at 1 h plus the settle time and two creations is past a 1 h 50 min end.
    const short = { ...scenario, durationSeconds: 110 * 60 };
    expect(await checkInvariants(short, { decide: decideWithoutReplicas })).toEqual([]);
  });
});
