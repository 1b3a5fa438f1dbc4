import { stringify } from 'yaml';
import type { ControllerOptions } from '../../core/controller/Controller.js';
import { replayScenario } from '../replay/replayScenario.js';
import { parseScenario } from '../replay/scenario/loadScenario.js';
import type { Scenario } from '../replay/scenario/Scenario.js';
import { checkImpairedZoneCalls } from './checkImpairedZoneCalls.js';
import { checkReplicas } from './checkReplicas.js';
import type { Violation } from './Invariant.js';
import { invariantExpectations, toExpectation } from './invariantExpectations.js';
import type { ScenarioDocument } from './ScenarioDocument.js';
import { zoneConditions } from './zoneConditions.js';

/** Options of {@link fuzzScenario}. */
export interface FuzzScenarioOptions {
  /** A decision function to replay with instead of the production one (tests plant defects through it). */
  readonly decide?: ControllerOptions['decide'];
}

/**
 * Replays one generated scenario through `lifeboat replay`'s engine with
 * the fuzz's invariants as its expectations, and returns the invariants
 * that did not hold (empty when all did). The document goes through the
 * replay loader, so an invalid one throws its `ScenarioError`.
 */
export async function fuzzScenario(doc: ScenarioDocument, options: FuzzScenarioOptions = {}): Promise<Violation[]> {
  const { expect: _ignored, ...body } = doc;
  return checkInvariants(parseScenario(stringify(body), `${doc.name}.yaml`), options);
}

/**
 * Replays a scenario with the fuzz's invariants as its expectations (its
 * own `expect` list is set aside) and returns the invariants that did not
 * hold: {@link fuzzScenario}'s judge, and `lifeboat fuzz --check`'s.
 */
export async function checkInvariants(scenario: Scenario, options: FuzzScenarioOptions = {}): Promise<Violation[]> {
  const invariants = invariantExpectations(scenario);
  const zones = zoneConditions(scenario);
  let replicas: Violation | undefined;
  const report = await replayScenario(
    { ...scenario, expect: invariants.map((inv, i) => toExpectation(inv.item, i)) },
    { ...(options.decide ? { decide: options.decide } : {}), onEnd: (world) => (replicas = checkReplicas(scenario, world, zones)) },
  );
  const violations: Violation[] = [];
  report.expectations.forEach((result, i) => {
    if (!result.passed) violations.push({ invariant: invariants[i]!.invariant, detail: result.detail, expectation: invariants[i]!.item });
  });
  const call = checkImpairedZoneCalls(report, zones);
  if (call !== undefined) violations.push(call);
  if (replicas !== undefined) violations.push(replicas);
  return violations;
}

/**
 * The scenario file for a violation: the document with the invariants'
 * expectations (the violated one among them, failing when replayed) and a
 * description saying which invariant and what the judge saw.
 */
export function violationDocument(doc: ScenarioDocument, violation: Violation): ScenarioDocument {
  const { expect: _ignored, ...body } = doc;
  const scenario = parseScenario(stringify(body), `${doc.name}.yaml`);
  const items: Record<string, unknown>[] = invariantExpectations(scenario).map((inv) => inv.item);
  const failing = violation.expectation;
  if (failing !== undefined && !items.some((item) => JSON.stringify(item) === JSON.stringify(failing))) items.push(failing);
  const { name, ...rest } = body;
  const how =
    failing !== undefined
      ? `The expectation ${JSON.stringify(failing)} fails when this file is replayed.`
      : `No expectation kind of the scenario format states it: \`lifeboat fuzz --check\` on this file replays it and reports the violation.`;
  return {
    name,
    description: `Found by lifeboat fuzz: invariant ${violation.invariant} does not hold (${violation.detail}). ${how}`,
    ...rest,
    expect: items,
  };
}
