import { describe, expect, it } from 'vitest';
import { SimWorld } from '../../../adapters/sim/index.js';
import { evaluateExpectations } from '../../../src/apps/replay/evaluateExpectations.js';
import { formatReport } from '../../../src/apps/replay/formatReport.js';
import { replayScenario } from '../../../src/apps/replay/replayScenario.js';
import { parseScenario } from '../../../src/apps/replay/scenario/loadScenario.js';
import { VirtualClock } from '../../../src/core/clock/VirtualClock.js';
import { FAILING_R2 } from './failingScenarios.js';

describe('replay: every r2 expectation kind can fail', () => {
  it.each(Object.entries(FAILING_R2))('%s', async (kind, text) => {
    const report = await replayScenario(parseScenario(text, `${kind}.yaml`));
    expect(formatReport(report)).toContain(`FAIL ${kind}: `);
    expect(report.passed).toBe(false);
    const judged = report.expectations.find((e) => e.kind === kind);
    expect(judged?.passed).toBe(false);
    expect(judged?.detail).toBeTruthy();
  });
});

describe('replay: judging traffic on ground truth', () => {
  const text = `
name: judged-by-hand
duration: 10m
topology:
  providers:
    - id: aws
      regions: [{ id: us-east-1, zones: [use1-a, use1-b] }]
  databases:
    - id: orders
      primary: { provider: aws, region: us-east-1, zone: use1-a }
      replicas: [{ id: orders-b, provider: aws, region: us-east-1, zone: use1-b, mode: sync }]
      writes: 10
      endpoint: { provider: aws, name: orders.db, ttl: 30s }
events:
  - { at: 1m, impair: { zone: use1-a, mode: unreachable } }
expect:
  - endpoint: { database: orders, within: 1m }
  - endpoint: { database: orders, within: 29s }
  - maxWriteUnavailable: { database: orders, seconds: 1m25s }
  - maxWriteUnavailable: { database: orders, seconds: 1m24s }
  - maxSplitBrain: { seconds: 0 }
`;

  /**
   * The world driven through its own adapter, as a controller that moves
   * endpoints would (the shipped controller does not yet): promote at 70 s
   * (writable at 100 s), point the endpoint at 100 s (served at 130 s, every
   * client by 160 s), optionally fence the old primary before that.
   */
  async function judge(fenceFirst: boolean) {
    const scenario = parseScenario(text, 'judged.yaml');
    const clock = new VirtualClock(0, { settle: 'microtasks' });
    const world = new SimWorld({ topology: scenario.topology, clock, seed: 0, durationSeconds: scenario.durationSeconds });
    world.scheduleEvents(scenario.events);
    const aws = world.provider('aws');
    const call = { signal: new AbortController().signal };
    await clock.runUntil(70_000);
    await aws.promoteReplica('orders-b', call);
    await clock.runUntil(100_000);
    if (fenceFirst) await aws.stopDatabase('orders', call);
    await aws.updateEndpoint!('orders.db', 'orders-b', call);
    await clock.runUntil(600_000);
    const { expectations } = evaluateExpectations({
      scenario,
      promotions: world.promotions,
      calls: world.calls,
      capacitySamples: new Map(),
      controllerEvents: [],
      clients: world.clientTruth(),
    });
    return expectations;
  }

  it('endpoint and maxWriteUnavailable hold exactly up to their limits', async () => {
    const results = await judge(false);
    expect(results.map((r) => [r.kind, r.passed])).toEqual([
      ['endpoint', true],
      ['endpoint', false],
      ['maxWriteUnavailable', true],
      ['maxWriteUnavailable', false],
      ['maxSplitBrain', true],
    ]);
    expect(results[0]!.detail).toBe('every client on orders-b 1m00s after it took writes (limit 1m00s)');
    // No client can write from 60 s to 130 s (70 s), then the share falls over the 30 s TTL (15 s).
    expect(results[2]!.detail).toBe('worst of 1 incident(s): 1m25s of writes unavailable from 1m00s to 2m40s (limit 1m25s)');
  });

  it('endpoint fails when it answered an instance the controller had fenced while a writable primary existed', async () => {
    const [endpoint] = await judge(true);
    expect(endpoint!.passed).toBe(false);
    expect(endpoint!.detail).toContain('answered orders, fenced by the controller, from 1m40s to 2m10s while a writable primary existed');
  });
});

describe('replay: the endpoint judge at the end of the scenario', () => {
  it('cannot fail a promotion whose deadline falls after the end, and says so', async () => {
    // A controller that does not move endpoints (policy), so clients are still on the old primary at the end.
    const text = FAILING_R2.endpoint!.replace('endpoint: { database: orders, within: 10s }', 'endpoint: { database: orders, within: 1h }').replace('events:', 'policy: { moveEndpoints: false }\nevents:');
    const report = await replayScenario(parseScenario(text, 'late.yaml'));
    const [endpoint] = report.expectations;
    expect(endpoint).toMatchObject({ kind: 'endpoint', passed: true });
    expect(endpoint!.detail).toBe('orders-b (writable at 1m33s): not every client yet when the scenario ended, before its deadline (limit 1h00m)');
  });
});

describe('replay: traffic in the report', () => {
  it('reports writeUnavailableSeconds, requestErrorSeconds and divergedWrites, the same byte for byte on every run', async () => {
    // Traffic left where it was (policy): the endpoint stays on the dead primary from 1m to the end (9 min);
    // a third of web-lb's requests land in the dead zone.
    const still = parseScenario(FAILING_R2.maxRequestErrors!.replace('events:', 'policy: { moveEndpoints: false, shiftTraffic: false }\nevents:'), 'traffic.yaml');
    const first = await replayScenario(still);
    const second = await replayScenario(still);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    expect(first.metrics).toMatchObject({ writeUnavailableSeconds: 540, requestErrorSeconds: 180, divergedWrites: 0 });
    expect(first.metrics.calls.aws).toMatchObject({ updateEndpoint: 0, shiftTraffic: 0 });
    expect(formatReport(first, { quiet: true })).toContain('writes unavailable 9m00s (worst incident), request errors 3m00s');
  });

  it('with the default policy the endpoint follows the new primary and traffic leaves the dark zone, and the report says by how much', async () => {
    const report = await replayScenario(parseScenario(FAILING_R2.maxRequestErrors!, 'traffic.yaml'));
    const calls = report.actions.map((a) => `${a.operation} ${a.target} ${a.zone} ${a.result}`);
    expect(calls).toContain('shiftTraffic web-lb use1-a ok');
    expect(calls).toContain('updateEndpoint orders.db.internal use1-b ok');
    // Detected in seconds, shifted (60 s to take effect); promoted (30 s) while the endpoint change is served (30 s),
    // then followed (30 s TTL).
    expect(report.metrics.requestErrorSeconds).toBeGreaterThan(0);
    expect(report.metrics.requestErrorSeconds).toBeLessThan(30);
    expect(report.metrics.writeUnavailableSeconds).toBeGreaterThan(30);
    expect(report.metrics.writeUnavailableSeconds).toBeLessThan(90);
    // The endpoint change leaves with the promotion, not a cycle after it, nor before it.
    const promoted = report.actions.find((a) => a.operation === 'promoteReplica')!;
    const moved = report.actions.find((a) => a.operation === 'updateEndpoint')!;
    expect(moved.t).toBe(promoted.t);
  });

  it('leaves the traffic metrics null without endpoints or load balancers, and counts an old primary\'s unreplicated writes as diverged', async () => {
    const report = await replayScenario(parseScenario(FAILING_R2.maxSplitBrain!, 'split.yaml'));
    expect(report.metrics.writeUnavailableSeconds).toBeNull();
    expect(report.metrics.requestErrorSeconds).toBeNull();
    // No endpoint: r1's model, every writable primary takes the full 100 writes/s; orders took them for the whole split brain (5 s, until its fence could be made).
    expect(report.metrics.splitBrainSeconds).toBe(5);
    expect(report.metrics.divergedWrites).toBe(report.metrics.splitBrainSeconds * 100);
  });
});

describe('replay: lostReply', () => {
  it('a promotion whose answer is lost still takes effect, and does not lead to a second promotion', async () => {
    const text = `
name: lost-promotion-reply
duration: 20m
topology:
  providers:
    - id: aws
      regions: [{ id: us-east-1, zones: [use1-a, use1-b, use1-c] }]
  databases:
    - id: orders
      primary: { provider: aws, region: us-east-1, zone: use1-a }
      replicas:
        - { id: orders-b, provider: aws, region: us-east-1, zone: use1-b, mode: sync }
        - { id: orders-c, provider: aws, region: us-east-1, zone: use1-c, lag: 5s }
      writes: 10
events:
  - { at: 0, apiFault: { provider: aws, operations: [promoteReplica], fault: lostReply } }
  - { at: 1m, impair: { zone: use1-a, mode: unreachable } }
expect:
  - failover: { database: orders, to: { replica: orders-b }, within: 3m }
  - maxFailovers: { database: orders, count: 1 }
  - maxSplitBrain: { seconds: 0 }
`;
    const report = await replayScenario(parseScenario(text, 'lost.yaml'));
    expect(report.expectations.filter((e) => !e.passed).map((e) => `${e.kind}: ${e.detail}`)).toEqual([]);
    const promotions = report.actions.filter((a) => a.operation === 'promoteReplica');
    expect(promotions.length).toBeGreaterThanOrEqual(1);
    expect(promotions[0]).toMatchObject({ target: 'orders-b', result: 'timeout' });
    expect(new Set(promotions.map((a) => a.target))).toEqual(new Set(['orders-b']));
  });
});
