import { describe, expect, it } from 'vitest';
import { replayScenario } from '../../../src/apps/replay/replayScenario.js';
import { loadScenarioFile, parseScenario } from '../../../src/apps/replay/scenario/loadScenario.js';

const SHIPPED = new URL('../../../scenarios/synthetic-endpoint-slower-than-promotion.yaml', import.meta.url);

/**
 * The failed primary's stop follows its endpoint, through the production
 * controller on the simulated world: the endpoint (Cloud DNS, 90 s to
 * serve a change) is slower than the promotion (20 s).
 */
describe('replay: the endpoint moves before the failed primary is stopped', () => {
  it('the shipped scenario: the stop comes after the endpoint serves the new primary, within a few seconds of it', async () => {
    const report = await replayScenario(await loadScenarioFile(SHIPPED.pathname));
    expect(report.expectations.filter((e) => !e.passed)).toEqual([]);
    const promote = report.actions.find((a) => a.operation === 'promoteReplica');
    const move = report.actions.find((a) => a.operation === 'updateEndpoint');
    const stop = report.actions.find((a) => a.operation === 'stopDatabase' && a.target === 'ledger');
    const served = report.timeline.find((e) => e.kind === 'world.endpointServed');
    expect(promote && move && stop && served).toBeTruthy();
    // The promotion and the endpoint change leave together; the stop waits for the change to be served...
    expect(move!.t).toBe(promote!.t);
    expect(stop!.t).toBeGreaterThanOrEqual(served!.t);
    // ...and follows it within a fast listing (reads stay at suspectObserveInterval while the change is pending).
    expect(stop!.t - served!.t).toBeLessThanOrEqual(6);
  });

  it('an endpoint whose change is throttled for 20 minutes holds the stop endpointMoveTimeout after the new primary took writes, not longer', async () => {
    const text = `
name: endpoint-throttled
duration: 40m
topology:
  providers:
    - id: aws
      regions: [{ id: us-east-1, zones: [use1-a, use1-b] }]
  groups:
    - { id: web, provider: aws, region: us-east-1, nodes: { use1-a: 2, use1-b: 2 } }
  databases:
    - id: orders
      primary: { provider: aws, region: us-east-1, zone: use1-a }
      replicas: [{ id: orders-b, provider: aws, region: us-east-1, zone: use1-b, mode: sync }]
      writes: 10
      endpoint: { provider: aws, name: orders.db, ttl: 30s }
policy: { endpointMoveTimeout: 2m }
events:
  - { at: 1m, apiFault: { provider: aws, region: us-east-1, operations: [updateEndpoint], fault: throttle, until: 21m } }
  - { at: 2m, impair: { zone: use1-a, mode: storage } }
expect:
  - maxSplitBrain: { seconds: 0 }
`;
    const report = await replayScenario(parseScenario(text, 'endpoint-throttled.yaml'));
    const completed = report.timeline.find((e) => e.kind === 'failover.completed');
    const stop = report.actions.find((a) => a.operation === 'stopDatabase' && a.target === 'orders');
    expect(completed && stop).toBeTruthy();
    expect(stop!.reason).toMatch(/endpoint orders\.db still answers it 120s after the new primary took writes \(endpointMoveTimeout\): fenced anyway/);
    expect(stop!.t - completed!.t).toBeGreaterThanOrEqual(120);
    expect(stop!.t - completed!.t).toBeLessThanOrEqual(125);
    expect(report.passed).toBe(true);
  });
});
