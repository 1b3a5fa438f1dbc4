/**
 * A `never` expectation can only fail if the controller could make the call
 * it forbids, where it forbids it. This checks every shipped one: the
 * operation is one the controller has a plan step for (`Plan.ts`), and the
 * scenario has something there it could call it on (a node group for node
 * operations, a database for database operations).
 */
import { readdirSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/apps/replay/scenario/loadScenario.js';
import type { Expectation, Scenario } from '../../src/apps/replay/scenario/Scenario.js';
import type { Step } from '../../src/core/controller/Plan.js';

const SCENARIO_DIR = resolve(fileURLToPath(new URL('../../scenarios', import.meta.url)));
const FILES = readdirSync(SCENARIO_DIR)
  .filter((file) => ['.yaml', '.yml', '.json'].includes(extname(file)))
  .sort();

/**
 * Every operation the controller has a step for, and what it acts on. Checked
 * against `Plan.ts` by the compiler: a step kind added there or removed from
 * there breaks the typecheck until this table follows.
 */
const STEP_OPERATIONS = {
  promoteReplica: 'database',
  stopDatabase: 'database',
  rebootDatabase: 'database',
  repointReplica: 'database',
  createReplica: 'database',
  destroyDatabase: 'database',
  createNode: 'node',
  destroyNode: 'node',
  updateEndpoint: 'database',
  shiftTraffic: 'node',
} as const satisfies Record<Step['operation'], 'database' | 'node'>;

type Never = Extract<Expectation, { kind: 'never' }>;

/** Why the controller could never make the call `never` forbids in `scenario`, or `undefined` when it could. */
function cannotFail(scenario: Scenario, never: Never): string | undefined {
  const target = STEP_OPERATIONS[never.action as keyof typeof STEP_OPERATIONS];
  const where = never.zone ?? never.region ?? 'anywhere';
  if (target === undefined) {
    return `never ${never.action} in ${where}: the controller has no step that calls ${never.action} (steps: ${Object.keys(STEP_OPERATIONS).join(', ')}), so this cannot fail`;
  }
  const regionOfZone = new Map<string, string>();
  for (const provider of scenario.topology.providers) for (const region of provider.regions) for (const zone of region.zones) regionOfZone.set(zone, region.id);
  const region = never.region ?? (never.zone === undefined ? undefined : regionOfZone.get(never.zone));
  if (never.zone !== undefined && region === undefined) return `never ${never.action} in ${never.zone}: no such zone in the topology`;
  // Creates can go to any zone of the region of what they serve; the rest act on what is already there.
  const creates = never.action === 'createNode' || never.action === 'createReplica';
  const there = (home: { region: string; zone?: string }) =>
    (region === undefined || home.region === region) && (never.zone === undefined || creates || home.zone === never.zone);
  if (target === 'node') {
    const homes = scenario.topology.groups.flatMap((g) => Object.keys(g.nodes).map((zone) => ({ region: g.region, zone })));
    if (!homes.some(there)) return `never ${never.action} in ${where}: no node group has nodes there`;
    return undefined;
  }
  const homes = scenario.topology.databases.flatMap((d) => [d.primary, ...d.replicas]);
  if (!homes.some(there)) return `never ${never.action} in ${where}: no database instance is there`;
  return undefined;
}

describe('shipped never expectations can fail', () => {
  it.each(FILES)('%s', async (file) => {
    const scenario = await loadScenarioFile(join(SCENARIO_DIR, file));
    const problems = scenario.expect.flatMap((x) => (x.kind === 'never' ? [cannotFail(scenario, x)] : [])).filter((p) => p !== undefined);
    expect(problems).toEqual([]);
  });

  it('the folder has never expectations to check', async () => {
    const scenarios = await Promise.all(FILES.map((file) => loadScenarioFile(join(SCENARIO_DIR, file))));
    expect(scenarios.flatMap((s) => s.expect.filter((x) => x.kind === 'never')).length).toBeGreaterThan(20);
  });
});

describe('the check itself', () => {
  it('fails a never naming an operation the controller has no step for, and one with nothing to act on there', async () => {
    const scenario = await loadScenarioFile(join(SCENARIO_DIR, 'synthetic-power-loss.yaml'));
    const never = (action: string, zone?: string): Never => ({ kind: 'never', index: 0, spec: {}, action, ...(zone ? { zone } : {}) });
    expect(cannotFail(scenario, never('rebootNode', 'us-central1-b'))).toMatch(/no step that calls rebootNode/);
    expect(cannotFail(scenario, never('stopNode', 'us-central1-b'))).toMatch(/no step that calls stopNode/);
    expect(cannotFail(scenario, never('rebootNode', 'us-central1-b'))).toMatch(/no step that calls rebootNode/);
    // A group in us-central1 (a, b, c) and the database in us-central1-b/-c and us-east1-b.
    expect(cannotFail(scenario, never('createNode', 'us-central1-b'))).toBeUndefined();
    expect(cannotFail(scenario, never('destroyNode', 'us-east1-b'))).toMatch(/no node group has nodes there/);
    expect(cannotFail(scenario, never('stopDatabase', 'us-central1-a'))).toMatch(/no database instance is there/);
    expect(cannotFail(scenario, never('createReplica', 'us-central1-a'))).toBeUndefined();
    expect(cannotFail(scenario, never('createNode', 'mars-1a'))).toMatch(/no such zone/);
  });
});
