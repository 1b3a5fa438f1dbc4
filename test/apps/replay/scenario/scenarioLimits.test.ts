import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../../src/apps/replay/scenario/loadScenario.js';
import { SCENARIO_LIMITS, scenarioLimitIssues } from '../../../../src/apps/replay/scenario/scenarioLimits.js';
import { BASE, expectIssue, replacingLine, scenarioErrorOf, withLines } from './fixtures.js';

const parse = (text: string) => scenarioErrorOf(() => parseScenario(text, 'huge.yaml'));

describe('scenario size limits', () => {
  it('refuses a duration of 1000 days, naming the limit and the line', () => {
    const error = parse(replacingLine(2, 'duration: 1000d'));
    expectIssue(error, { path: 'duration', line: 2, message: '1000d0h of virtual time, over the scenario limit of 3d0h (replay time grows with duration); nothing is replayed' });
    expect(error.issues).toHaveLength(1);
  });

  it('accepts three days, the longest duration allowed', () => {
    expect(parseScenario(replacingLine(2, 'duration: 3d'), 'days.yaml').durationSeconds).toBe(SCENARIO_LIMITS.durationSeconds);
  });

  it('refuses ten million nodes written as two numbers', () => {
    const error = parse(replacingLine(13, '      nodes: { us-east-1a: 5000000, us-east-1b: 5000000 }'));
    expectIssue(error, { path: 'topology.groups', line: 9, message: '10000000 nodes in node groups (initial size or minHealthy, the larger), over the scenario limit of 1000 nodes' });
  });

  it('counts minHealthy when it is larger than the initial size', () => {
    const error = parse(replacingLine(13, '      nodes: { us-east-1a: 2, us-east-1b: 2 }\n      minHealthy: 1001'));
    expectIssue(error, { path: 'topology.groups', line: 9, message: '1001 nodes in node groups' });
  });

  it('refuses more database instances than the limit', () => {
    const replicas = Array.from({ length: SCENARIO_LIMITS.databaseInstances }, (_, i) => `        - { id: r${i}, provider: aws, region: us-east-1, zone: us-east-1b }`);
    const error = parse(replacingLine(18, replicas.join('\n')));
    expectIssue(error, { path: 'topology.databases', line: 14, message: `${SCENARIO_LIMITS.databaseInstances + 1} database instances, over the scenario limit of 200 instances` });
  });

  it('refuses more events than the limit, and accepts exactly the limit', () => {
    const events = (n: number) => Array.from({ length: n }, (_, i) => `  - { at: ${i % 3600}s, recover: { zone: us-east-1a } }`);
    const error = parse(withLines(...events(SCENARIO_LIMITS.events + 1)));
    expectIssue(error, { path: 'events', line: 19, message: `${SCENARIO_LIMITS.events + 1} events, over the scenario limit of 5000 events` });
    expect(parseScenario(withLines(...events(SCENARIO_LIMITS.events)), 'many.yaml').events).toHaveLength(SCENARIO_LIMITS.events);
  });

  it('refuses a scenario whose probe checks exceed the limit, with its own probeInterval', () => {
    // 4 nodes and 2 instances every 10 ms for 3 days: about 156 million checks.
    const error = parse(replacingLine(2, 'duration: 3d\npolicy: { probeInterval: 10ms }'));
    expectIssue(error, { path: 'duration', line: 2, message: 'about 156 million probe checks (3d0h / probeInterval 0.01s x 6 nodes and instances), over the scenario limit of 50 million probe checks' });
    // The same scenario at the default interval (2 s) is under a million checks.
    expect(parseScenario(replacingLine(2, 'duration: 3d'), 'slow.yaml').durationSeconds).toBe(3 * 86400);
  });

  it('counts probe checks with extra policy (such as --policy FILE) on top of the scenario', () => {
    const scenario = parseScenario(BASE.replace('duration: 1h', 'duration: 24h'), 'day.yaml');
    expect(scenarioLimitIssues(scenario)).toEqual([]);
    expect(scenarioLimitIssues(scenario, { probeInterval: 0.001 })).toEqual([
      { path: ['duration'], message: expect.stringContaining('about 518 million probe checks') },
    ]);
  });
});
