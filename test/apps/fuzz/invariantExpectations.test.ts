import { describe, expect, it } from 'vitest';
import { invariantExpectations } from '../../../src/apps/fuzz/invariantExpectations.js';
import { parseScenario } from '../../../src/apps/replay/scenario/loadScenario.js';

const TOPOLOGY = `
topology:
  providers:
    - id: aws
      regions:
        - { id: us-east-1, zones: [us-east-1a, us-east-1b] }
  groups:
    - { id: web, provider: aws, region: us-east-1, nodes: { us-east-1a: 2, us-east-1b: 2 } }
  databases:
    - id: db
      primary: { provider: aws, region: us-east-1, zone: us-east-1a }
      replicas: [{ id: db-b, provider: aws, region: us-east-1, zone: us-east-1b, lag: 1s }]
      endpoint: { provider: aws, name: db.example.internal, ttl: 30s }
`;

function invariants(events: string) {
  const scenario = parseScenario(`name: t\nduration: 6h\n${TOPOLOGY}\nevents:\n${events}\n`, 't.yaml');
  return invariantExpectations(scenario);
}
const find = (list: ReturnType<typeof invariants>, kind: string) => list.find((i) => kind in i.item)?.item[kind];

describe('invariantExpectations', () => {
  it('states every invariant of a calm scenario', () => {
    const list = invariants('  []');
    expect(list.map((i) => i.invariant).sort()).toEqual(['callsPerWindow', 'capacity', 'dataLoss', 'endpoint', 'splitBrain']);
    // A fence (stopDatabase, 30 s by default) and a minute of cycles.
    expect(find(list, 'maxSplitBrain')).toEqual({ database: 'db', seconds: 90 });
    expect(find(list, 'maxDataLoss')).toEqual({ database: 'db', seconds: 30 });
    // Burst plus a minute's refill of 20 per minute, for one region and region-less calls.
    expect(find(list, 'maxCalls')).toEqual({ provider: 'aws', count: 80, per: 60 });
  });

  it('gives the split brain bound the time a fence was impossible', () => {
    const list = invariants('  - { at: 1h, apiFault: { provider: aws, operations: [stopDatabase], fault: error, until: 2h } }');
    // One hour of failing fences, plus the longest backoff after it.
    expect(find(list, 'maxSplitBrain')).toEqual({ database: 'db', seconds: 90 + 3600 + 300 });
  });

  it('does not count a lost reply as a failed fence: the stop takes effect', () => {
    const list = invariants('  - { at: 1h, apiFault: { provider: aws, operations: ["*mutating"], fault: lostReply, until: 2h } }');
    expect(find(list, 'maxSplitBrain')).toEqual({ database: 'db', seconds: 90 });
  });

  it('judges capacity from 45 minutes after the last event that touched the group', () => {
    const list = invariants('  - { at: 1h, impair: { zone: us-east-1a, mode: unreachable } }\n  - { at: 2h, recover: { zone: us-east-1a } }');
    expect(find(list, 'capacity')).toEqual({ group: 'web', within: 3600 + 2700 });
  });

  it('does not ask for capacity when no zone of the region is healthy at the end', () => {
    expect(find(invariants('  - { at: 1h, impairRegion: { region: us-east-1, mode: power } }'), 'capacity')).toBeUndefined();
  });

  it('does not ask for capacity while reads or creates fail to the end', () => {
    expect(find(invariants('  - { at: 1h, apiFault: { provider: aws, operations: ["*read"], fault: hang } }'), 'capacity')).toBeUndefined();
  });

  it('does not ask for capacity when the provider reports every other zone impaired', () => {
    const events = '  - { at: 1h, impair: { zone: us-east-1a, mode: power } }\n  - { at: 1h, providerStatus: { provider: aws, zone: us-east-1b, status: impaired } }';
    expect(find(invariants(events), 'capacity')).toBeUndefined();
  });
});

describe('invariantExpectations where the controller cannot keep an invariant', () => {
  it('does not ask for capacity when the whole region went dark and a zone still is', () => {
    // Nothing told the zones apart: replacements may sit in the zone that stays dark, counted by maxNodesFactor.
    const dark = '  - { at: 1h, impairRegion: { region: us-east-1, mode: unreachable } }\n  - { at: 2h, recover: { zone: us-east-1b } }';
    expect(find(invariants(dark), 'capacity')).toBeUndefined();
    const oneZone = '  - { at: 1h, impair: { zone: us-east-1a, mode: unreachable } }';
    expect(find(invariants(oneZone), 'capacity')).toEqual({ group: 'web', within: 2700 });
  });

  it('does not judge the endpoint while updateEndpoint fails (the fence of the old primary still comes first)', () => {
    expect(find(invariants('  - { at: 1h, apiFault: { provider: aws, operations: ["*"], fault: throttle, until: 2h } }'), 'endpoint')).toBeUndefined();
    expect(find(invariants('  - { at: 1h, apiFault: { provider: aws, operations: [listEndpoints], fault: error, until: 2h } }'), 'endpoint')).toEqual({ database: 'db', within: 30 + 30 + 120 + 3600 + 300 });
  });
});
