import { describe, expect, it } from 'vitest';
import { checkImpairedZoneCalls } from '../../../src/apps/fuzz/checkImpairedZoneCalls.js';
import { zoneConditions } from '../../../src/apps/fuzz/zoneConditions.js';
import type { ActionEntry, ReplayReport, TimelineEntry } from '../../../src/apps/replay/ReplayReport.js';
import { parseScenario } from '../../../src/apps/replay/scenario/loadScenario.js';

const scenario = parseScenario(
  `name: t
duration: 6h
topology:
  providers:
    - id: aws
      regions: [{ id: us-east-1, zones: [us-east-1a, us-east-1b] }]
  groups:
    - { id: web, provider: aws, region: us-east-1, nodes: { us-east-1a: 2, us-east-1b: 2 } }
events:
  - { at: 1000s, impair: { zone: us-east-1a, mode: unreachable } }
  - { at: 2000s, recover: { zone: us-east-1a } }
  - { at: 3000s, impair: { zone: us-east-1b, mode: storage } }
`,
  't.yaml',
);
const zones = zoneConditions(scenario);

function report(timeline: Partial<TimelineEntry>[], actions: Partial<ActionEntry>[]): ReplayReport {
  return { timeline, actions } as unknown as ReplayReport;
}
const declared = (t: number, zone: string): Partial<TimelineEntry> => ({ t, kind: 'zone.impaired', zone });
const create = (t: number, zone: string, operation = 'createNode'): Partial<ActionEntry> => ({ t, operation, zone, provider: 'aws', target: zone });

describe('checkImpairedZoneCalls', () => {
  it('finds a create into a zone that is impaired and declared so', () => {
    const violation = checkImpairedZoneCalls(report([declared(1004, 'us-east-1a')], [create(1010, 'us-east-1a')]), zones);
    expect(violation?.invariant).toBe('impairedZoneCall');
    expect(violation?.expectation).toEqual({ never: { action: 'createNode', zone: 'us-east-1a' } });
  });

  it('allows a create before the controller could know, and after the zone recovered', () => {
    expect(checkImpairedZoneCalls(report([declared(1004, 'us-east-1a')], [create(1002, 'us-east-1a')]), zones)).toBeUndefined();
    expect(checkImpairedZoneCalls(report([declared(1004, 'us-east-1a')], [create(2100, 'us-east-1a')]), zones)).toBeUndefined();
  });

  it('allows a create after the controller declared the zone recovered', () => {
    const timeline = [declared(1004, 'us-east-1a'), { t: 1500, kind: 'zone.recovered', zone: 'us-east-1a' }];
    expect(checkImpairedZoneCalls(report(timeline, [create(1600, 'us-east-1a')]), zones)).toBeUndefined();
  });

  it('lets nodes be created where only storage stalls, but not replicas', () => {
    const timeline = [declared(3004, 'us-east-1b')];
    expect(checkImpairedZoneCalls(report(timeline, [create(3010, 'us-east-1b')]), zones)).toBeUndefined();
    expect(checkImpairedZoneCalls(report(timeline, [create(3010, 'us-east-1b', 'createReplica')]), zones)?.invariant).toBe('impairedZoneCall');
  });
});
