import { describe, expect, it } from 'vitest';
import { replayScenario } from '../../../src/apps/replay/replayScenario.js';
import { parseScenario } from '../../../src/apps/replay/scenario/loadScenario.js';

/**
 * Ids that are also names of `Object.prototype` members (issue 9 item 5):
 * id-keyed state held in plain objects loses them or mixes them up with
 * object internals. From the file through the loader, the world, the
 * controller and the judge, they must be ids like any other.
 */
const ODD_IDS = `
name: odd-ids
duration: 15m
topology:
  providers:
    - id: aws
      regions:
        - id: us-east-1
          zones: [__proto__, constructor, toString]
  groups:
    - id: valueOf
      provider: aws
      region: us-east-1
      nodes: { __proto__: 2, constructor: 2, toString: 2 }
  databases:
    - id: constructor
      primary: { provider: aws, region: us-east-1, zone: __proto__ }
      replicas:
        - { id: toString, provider: aws, region: us-east-1, zone: constructor, mode: sync }
      writes: 10
      endpoint: { provider: aws, name: __proto__, ttl: 10s }
    - id: __proto__
      primary: { provider: aws, region: us-east-1, zone: toString }
      replicas:
        - { id: hasOwnProperty, provider: aws, region: us-east-1, zone: constructor, lag: 2s }
  loadBalancers:
    - { id: __proto__, provider: aws, region: us-east-1, group: valueOf }
events:
  - at: 1m
    impair: { zone: __proto__, mode: unreachable }
expect:
  - failover: { database: constructor, to: { replica: toString, zone: constructor }, within: 2m }
  - noFailover: { database: __proto__ }
  - maxFailovers: { database: constructor, count: 1 }
  - maxDataLoss: { database: constructor, seconds: 0 }
  - capacity: { group: valueOf, min: 4, within: 5m }
  - maxSplitBrain: { database: __proto__, seconds: 0 }
  - maxRequestErrors: { loadBalancer: __proto__, seconds: 1000 }
  - maxWriteUnavailable: { database: constructor, seconds: 1000 }
`;

/** The same world with ordinary database ids: what works end to end today (the controller keys clusters in a plain object). */
const ODD_IDS_BUT_DATABASES = ODD_IDS.replaceAll('database: constructor', 'database: orders')
  .replace('    - id: constructor\n', '    - id: orders\n')
  .replaceAll('database: __proto__', 'database: billing')
  .replace('    - id: __proto__\n      primary', '    - id: billing\n      primary');

describe('replay: ids named like Object.prototype members', () => {
  it('zones, a group, a load balancer, an endpoint and replicas so named load, replay and are judged like any other id', async () => {
    const scenario = parseScenario(ODD_IDS_BUT_DATABASES, 'odd-ids.yaml');
    expect(scenario.topology.groups[0]!.minHealthy).toBe(6);
    const report = await replayScenario(scenario);
    expect(report.expectations.filter((e) => !e.passed).map((e) => `${e.kind}: ${e.detail}`)).toEqual([]);
    expect(report.expectations[0]!.detail).toMatch(/^orders -> toString \(constructor\)/);
    // The load balancer __proto__ shifted away from zone __proto__; the endpoint __proto__ followed the new primary.
    const calls = report.actions.map((a) => `${a.operation} ${a.target} ${a.zone}`);
    expect(calls).toContain('shiftTraffic __proto__ __proto__');
    expect(calls).toContain('updateEndpoint __proto__ constructor');
    expect(report.metrics.requestErrorSeconds).toBeLessThan(280);
    expect(report.metrics.writeUnavailableSeconds).toBeLessThan(840);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it('databases so named fail over like any other (the controller keeps id-keyed records in Maps)', async () => {
    const scenario = parseScenario(ODD_IDS, 'odd-ids.yaml');
    expect(scenario.topology.groups[0]!.minHealthy).toBe(6);
    const report = await replayScenario(scenario);
    expect(report.expectations.filter((e) => !e.passed).map((e) => `${e.kind}: ${e.detail}`)).toEqual([]);
    expect(report.expectations[0]!.detail).toMatch(/^constructor -> toString \(constructor\)/);
    expect(Object.keys(report.metrics.calls)).toEqual(['aws']);
    // Without the shift a third of the requests would fail from 1m on (280 s), and without the endpoint moving every write (840 s).
    expect(report.metrics.requestErrorSeconds).toBeLessThan(280);
    expect(report.metrics.writeUnavailableSeconds).toBeLessThan(840);
    expect(report.actions.map((a) => `${a.operation} ${a.target} ${a.zone}`)).toContain('updateEndpoint __proto__ constructor');
  });
});
