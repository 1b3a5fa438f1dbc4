import { z } from 'zod';
import { policyOverridesSchema, type PolicyOverrides } from '../../../core/controller/Policy.js';
import { describeValue } from './describeValue.js';
import { IssueList, unknownKeyMessage } from './IssueList.js';
import { readEvents } from './readEvents.js';
import { readExpectations } from './readExpectations.js';
import { readTopology } from './readTopology.js';
import type { Expectation, Scenario, ScenarioEvent, Topology } from './Scenario.js';
import { ScenarioError } from './ScenarioError.js';
import { scenarioLimitIssues } from './scenarioLimits.js';
import { nameSchema, nullAsEmpty, positiveDuration, seedSchema } from './scenarioSchemas.js';
import { SourceDocument } from './SourceDocument.js';
import { TopologyIndex } from './TopologyIndex.js';

const ROOT_KEYS = ['name', 'description', 'source', 'duration', 'seed', 'topology', 'policy', 'events', 'expect'] as const;
const REQUIRED_KEYS = ['name', 'duration', 'topology', 'events'] as const;

const listSchema = nullAsEmpty([], z.array(z.unknown()));
const scenarioPolicySchema = nullAsEmpty({}, policyOverridesSchema);

/**
 * Reads, parses and validates a scenario file (`.yaml`, `.yml` or `.json`).
 *
 * @param path - The file, as the user named it (messages repeat it as given).
 * @returns The scenario with every duration in seconds and every default applied; deeply frozen.
 * @throws {@link ScenarioError} listing every problem, each with the key path
 * and line, when the file cannot be read, is not a valid scenario, or is
 * over a size limit (`SCENARIO_LIMITS`, `INPUT_LIMITS`).
 */
export async function loadScenarioFile(path: string): Promise<Scenario> {
  return readScenario(await SourceDocument.load(path));
}

/**
 * Parses and validates scenario text. Pure: `file` is only used in messages
 * and, through its extension, to choose between YAML and JSON.
 *
 * @returns The scenario with every duration in seconds and every default applied; deeply frozen.
 * @throws {@link ScenarioError} listing every problem found.
 */
export function parseScenario(text: string, file: string): Scenario {
  return readScenario(SourceDocument.parse(text, file));
}

function readScenario(source: SourceDocument): Scenario {
  const { file, value } = source;
  if (value === undefined) {
    throw new ScenarioError(file, { path: '', message: 'empty scenario: expected a mapping with at least name, duration, topology and events' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const line = source.lineOf([]);
    throw new ScenarioError(file, {
      path: '',
      ...(line !== undefined ? { line } : {}),
      message: `expected a mapping (name, duration, topology, events, ...) at the top level, got ${describeValue(value)}`,
    });
  }
  const root = value as Record<string, unknown>;
  const has = (key: string) => Object.hasOwn(root, key);
  const issues = new IssueList(source);

  for (const key of Object.keys(root)) {
    if (!(ROOT_KEYS as readonly string[]).includes(key)) issues.add([key], unknownKeyMessage(key, ROOT_KEYS));
  }
  for (const key of REQUIRED_KEYS) if (!has(key)) issues.add([key], 'missing required key');

  // Each section is validated on its own, so one bad section does not hide the problems of the others.
  const name = has('name') ? issues.parse(nameSchema, root['name'], ['name']) : undefined;
  const description = has('description') ? issues.parse(z.string(), root['description'], ['description']) : undefined;
  const sourceUrl = has('source') ? issues.parse(z.string(), root['source'], ['source']) : undefined;
  const durationSeconds = has('duration') ? issues.parse(positiveDuration, root['duration'], ['duration']) : undefined;
  const seed = has('seed') ? issues.parse(seedSchema, root['seed'], ['seed']) : 0;
  const policy: PolicyOverrides = (has('policy') ? issues.parse(scenarioPolicySchema, root['policy'], ['policy']) : undefined) ?? {};

  let topology: Topology = { providers: [], groups: [], databases: [], loadBalancers: [] };
  let index = TopologyIndex.untrusted(issues);
  if (has('topology')) ({ topology, index } = readTopology(root['topology'], issues));

  let events: ScenarioEvent[] = [];
  const eventItems = has('events') ? issues.parse(listSchema, root['events'], ['events']) : undefined;
  if (eventItems) {
    events = readEvents(eventItems, { issues, index, durationSeconds, durationText: String(root['duration']) });
  }

  let expect: Expectation[] = [];
  const expectItems = has('expect') ? issues.parse(listSchema, root['expect'], ['expect']) : undefined;
  if (expectItems) expect = readExpectations(expectItems, issues, index);

  issues.throwIfAny();
  const scenario: Scenario = {
    file,
    name: name!,
    ...(description !== undefined ? { description } : {}),
    ...(sourceUrl !== undefined ? { source: sourceUrl } : {}),
    durationSeconds: durationSeconds!,
    seed: seed!,
    topology,
    policy,
    events,
    expect,
  };
  // Valid but too large to replay in reasonable time and memory: refused like any other bad input, with the line.
  for (const issue of scenarioLimitIssues(scenario)) issues.add(issue.path, issue.message);
  issues.throwIfAny();
  return deepFreeze(scenario);
}

/** A scenario is one immutable snapshot: nothing downstream may edit what the file said. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
