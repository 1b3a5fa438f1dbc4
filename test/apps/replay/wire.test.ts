import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayScenario } from '../../../src/apps/replay/replayScenario.js';
import type { ReplayReport } from '../../../src/apps/replay/ReplayReport.js';
import { loadScenarioFile } from '../../../src/apps/replay/scenario/loadScenario.js';

/**
 * `lifeboat replay --wire`: the same scenarios with the `aws` and `gcp`
 * providers served by the real adapters over HTTP to loopback emulators.
 * A representative subset (the whole directory takes minutes over the
 * wire): an AWS zone outage, GCP power loss, the cross-provider failover,
 * an AWS storage stall and an AWS region outage with an old primary to fence
 * (RDS will not stop it while a replica follows it), two Cloud SQL failovers
 * in a row (the second needs a replica rebuilt after the first), the
 * throttle storm, and the two scenarios whose region's reads fail while its
 * mutations work (an AWS zone loss, every GCP answer lost).
 */
const scenarioDir = join(import.meta.dirname, '../../../scenarios');
const WIRE_TIMEOUT = 180_000;

async function bothWays(file: string): Promise<{ local: ReplayReport; wire: ReplayReport }> {
  const scenario = await loadScenarioFile(join(scenarioDir, file));
  const local = await replayScenario(scenario);
  const wire = await replayScenario(scenario, { wire: true });
  return { local, wire };
}

const failed = (report: ReplayReport) => report.expectations.filter((e) => !e.passed).map((e) => `${e.kind}: ${e.detail}`);
const promoted = (report: ReplayReport) =>
  report.actions.filter((a) => a.operation === 'promoteReplica').map((a) => [a.provider, a.target, a.result]);
const mutating = (report: ReplayReport, operation: string) =>
  report.actions.filter((a) => a.operation === operation).map((a) => [a.provider, a.target ?? a.zone, a.result]);

/** What must not depend on how the controller reaches the world: the decisions and their outcome. */
function expectSameOutcome(local: ReplayReport, wire: ReplayReport): void {
  expect(wire.wire).toBe(true);
  expect('wire' in local).toBe(false);
  expect(failed(wire)).toEqual(failed(local));
  expect(wire.passed).toBe(local.passed);
  expect(wire.expectations.map((e) => [e.kind, e.passed])).toEqual(local.expectations.map((e) => [e.kind, e.passed]));
  expect(wire.metrics.failovers).toBe(local.metrics.failovers);
  expect(promoted(wire)).toEqual(promoted(local));
  expect(wire.timeline.filter((e) => e.kind === 'world.promoted')).toEqual(local.timeline.filter((e) => e.kind === 'world.promoted'));
  expect(wire.metrics.detectionSeconds).toBe(local.metrics.detectionSeconds);
  expect(wire.metrics.failoverSeconds).toBe(local.metrics.failoverSeconds);
  expect(wire.metrics.dataLossSeconds).toBe(local.metrics.dataLossSeconds);
  // Neither cloud can re-point a replica: what the sim adapter did with repointReplica does not happen.
  expect(mutating(wire, 'repointReplica')).toEqual([]);
}

describe('replay --wire: representative scenarios, compared with the in-process replay', () => {
  it(
    'aws zone outage (unreachable, a lagging replica): same failover to the current replica, from replication evidence over RDS',
    async () => {
      const { local, wire } = await bothWays('synthetic-lagging-replica.yaml');
      expectSameOutcome(local, wire);
      expect(wire.passed).toBe(true);
      expect(promoted(wire)).toEqual([['aws', 'orders-c', 'ok']]);
      // The second vantage point came from RDS StatusInfos: the zone was impaired on replication, not on probes alone.
      const impaired = wire.timeline.find((e) => e.kind === 'zone.impaired');
      expect(impaired?.detail).toMatch(/replication cut off/);
      // Reads are per HTTP request over the wire: DescribeDBInstances and GetMetricData are both listDatabases.
      expect(wire.metrics.calls['aws']!['listDatabases']!).toBeGreaterThan(local.metrics.calls['aws']!['listDatabases']!);
    },
    WIRE_TIMEOUT,
  );

  it(
    'rds for mysql, lag -1 after the primary dies: the replica last seen current is promoted on the loss bound from where it was last seen, the lagging one never',
    async () => {
      const { local, wire } = await bothWays('synthetic-rds-lag-unknown.yaml');
      expect(local.passed).toBe(true);
      expect(wire.passed).toBe(true);
      expect(promoted(wire)).toEqual([['aws', 'orders-b', 'error'], ['aws', 'orders-b', 'ok']]);
      expect(wire.metrics.dataLossSeconds).toBe(local.metrics.dataLossSeconds);
      // In-process the world reports lag; over the wire CloudWatch says -1, so the bound (last lag seen plus
      // the metric's minute and delay) is what admitted orders-b.
      const reasons = (report: ReplayReport) => report.actions.filter((a) => a.operation === 'promoteReplica' && a.result === 'ok').map((a) => a.reason);
      expect(reasons(local)[0]).toMatch(/est\. loss 1s/);
      const bound = Number(/est\. loss (\d+)s/.exec(reasons(wire)[0] ?? '')?.[1]);
      expect(bound).toBeGreaterThan(30);
      expect(bound).toBeLessThanOrEqual(120);
    },
    WIRE_TIMEOUT,
  );

  it(
    'gcp power loss: same failover to the sync replica in the next zone, same replacements, lag and state from Cloud Monitoring',
    async () => {
      const { local, wire } = await bothWays('synthetic-power-loss.yaml');
      expectSameOutcome(local, wire);
      expect(wire.passed).toBe(true);
      expect(promoted(wire)).toEqual([['gcp', 'orders-c', 'ok']]);
      expect(mutating(wire, 'createNode')).toEqual(mutating(local, 'createNode'));
      // Every call carries the controller's reason, over the wire too (GCE node ids are zone/name there).
      expect(wire.actions.every((a) => a.reason !== undefined)).toBe(true);
      const creates = (report: ReplayReport) => report.actions.filter((a) => a.operation === 'createNode').map((a) => a.reason);
      expect(creates(wire)).toEqual(creates(local));
      // The promotion's reason differs in what the wire can say: Cloud SQL read replicas are asynchronous, and
      // Cloud Monitoring gives no time of last contact, so the lag since the cut counts as possible loss.
      const reasonOf = (report: ReplayReport) => report.actions.find((a) => a.operation === 'promoteReplica')?.reason;
      expect(reasonOf(local)).toMatch(/promote orders-c \(sync, .* est\. loss 0s\)/);
      expect(reasonOf(wire)).toMatch(/promote orders-c \(async, .* est\. loss \d+s\)/);
    },
    WIRE_TIMEOUT,
  );

  it(
    'cross-provider: the aws region goes dark, the database moves to the gcp replica over both wires',
    async () => {
      const { local, wire } = await bothWays('synthetic-cross-provider.yaml');
      expectSameOutcome(local, wire);
      expect(wire.passed).toBe(true);
      expect(promoted(wire)).toEqual([['gcp', 'orders-g', 'ok']]);
      expect(Object.keys(wire.metrics.calls).sort()).toEqual(['aws', 'gcp']);
    },
    WIRE_TIMEOUT,
  );

  it(
    'aws storage stall: same failover; the replica left on the old primary is retired so that RDS lets the old primary be fenced',
    async () => {
      const { local, wire } = await bothWays('synthetic-storage-stall.yaml');
      expectSameOutcome(local, wire);
      expect(wire.passed).toBe(true);
      // In process the other replica is re-pointed, the old primary fenced once, one replica rebuilt for the promoted one.
      expect(mutating(local, 'stopDatabase')).toEqual([['aws', 'orders', 'ok']]);
      expect(mutating(local, 'destroyDatabase')).toEqual([]);
      expect(mutating(local, 'createReplica')).toEqual([['aws', 'orders-r1', 'ok']]);
      // On RDS orders-w cannot follow orders-b, and while it follows orders, StopDBInstance on orders is refused:
      // it is deleted first (DeleteDBInstance), then orders is stopped, never refused; two replicas are rebuilt.
      expect(mutating(wire, 'destroyDatabase')).toEqual([['aws', 'orders-w', 'ok']]);
      const fences = mutating(wire, 'stopDatabase');
      expect(fences.length).toBeGreaterThan(0);
      expect(fences.every(([provider, target, result]) => provider === 'aws' && target === 'orders' && result === 'ok')).toBe(true);
      const at = (operation: string) => wire.actions.find((a) => a.operation === operation)!.t;
      expect(at('destroyDatabase')).toBeLessThanOrEqual(at('stopDatabase'));
      expect(mutating(wire, 'createReplica')).toEqual([
        ['aws', 'orders-r1', 'ok'],
        ['aws', 'orders-r2', 'ok'],
      ]);
      expect(wire.metrics.mutatingCalls).toBe(wire.actions.length);
      // ... so the old primary, back from the stall, never takes writes next to the new one.
      expect(local.metrics.splitBrainSeconds).toBe(0);
      expect(wire.metrics.splitBrainSeconds).toBe(0);
    },
    WIRE_TIMEOUT,
  );

  it(
    'aws region outage: the old primary and its stranded replica come back together; it is fenced within one cycle',
    async () => {
      const scenario = await loadScenarioFile(join(scenarioDir, 'synthetic-region-dark.yaml'));
      const wire = await replayScenario(scenario, { wire: true });
      expect(failed(wire)).toEqual([]);
      // orders-b was retired while the region was dark (the call is accepted; the delete completes after recovery).
      expect(mutating(wire, 'destroyDatabase')).toEqual([['aws', 'orders-b', 'ok']]);
      expect(mutating(wire, 'stopDatabase')).toEqual([['aws', 'orders', 'ok']]);
      expect(wire.metrics.splitBrainSeconds).toBeLessThanOrEqual(2); // one controller cycle (probeInterval)
    },
    WIRE_TIMEOUT,
  );

  it(
    'gcp, two failovers in a row: replicas rebuilt after the first (Cloud SQL cannot re-point) make the second possible',
    async () => {
      const scenario = await loadScenarioFile(join(scenarioDir, 'gcp-europe-west9-2023-04-25.yaml'));
      const wire = await replayScenario(scenario, { wire: true });
      expect(failed(wire)).toEqual([]);
      expect(promoted(wire)).toEqual([
        ['gcp', 'orders-b', 'ok'],
        ['gcp', 'orders-r2', 'ok'],
      ]);
      // The Belgian replica left on the old primary is retired only once its replacements stream (Cloud SQL can stop
      // a primary that has replicas, so nothing hurries it).
      const retire = wire.actions.find((a) => a.operation === 'destroyDatabase');
      expect(retire).toMatchObject({ target: 'orders-be', result: 'ok' });
      const created = wire.actions.filter((a) => a.operation === 'createReplica');
      expect(retire!.t).toBeGreaterThanOrEqual(created[1]!.t + 600);
      // Nothing is done to what is in the dark zone (shifting traffic away from it is done to the load balancer).
      expect(wire.actions.filter((a) => a.zone === 'europe-west9-a' && a.operation !== 'shiftTraffic').map((a) => a.operation)).toEqual([]);
      expect(wire.actions.filter((a) => a.operation === 'shiftTraffic' && a.zone === 'europe-west9-a').length).toBeGreaterThan(0);
    },
    WIRE_TIMEOUT,
  );

  it(
    'throttle storm: no call storm over the wire either, and capacity back as in-process (the same expectations hold)',
    async () => {
      const { local, wire } = await bothWays('synthetic-throttle-storm.yaml');
      expect(local.passed).toBe(true);
      expect(wire.wire).toBe(true);
      // Every expectation, capacity included, holds over the wire as in-process. (Over the wire the world draws its
      // 50% throttles per HTTP request, so more calls are throttled; a throttled create no longer penalises its zone,
      // so capacity does not depend on those draws.)
      expect(wire.expectations.length).toBeGreaterThan(0);
      expect(wire.expectations.map((e) => [e.kind, e.passed, e.detail])).toEqual(wire.expectations.map((e) => [e.kind, true, e.detail]));
      expect(wire.expectations.map((e) => [e.kind, e.passed])).toEqual(local.expectations.map((e) => [e.kind, e.passed]));
      expect(wire.expectations.some((e) => e.kind === 'capacity')).toBe(true);
      expect(wire.metrics.failovers).toBe(0);
      // Replacements go to the healthy zones only, over the wire too.
      expect(wire.actions.filter((a) => a.zone === 'us-east-1a')).toEqual([]);
      expect(wire.actions.every((a) => a.operation === 'createNode')).toBe(true);
      expect(wire.actions.some((a) => a.result === 'throttled')).toBe(true);
    },
    WIRE_TIMEOUT,
  );

  it.each(['synthetic-zone-loss-while-reads-fail.yaml', 'synthetic-lost-answers.yaml'])(
    '%s: the region reads fail while its mutations work; the failover goes out at once over the wire too (no read before a promotion)',
    async (file) => {
      const { local, wire } = await bothWays(file);
      expect(failed(local)).toEqual([]);
      expectSameOutcome(local, wire);
      // One promotion, sent when the zone was found impaired, not when the reads came back.
      expect(wire.actions.filter((a) => a.operation === 'promoteReplica').map((a) => a.t)).toEqual(local.actions.filter((a) => a.operation === 'promoteReplica').map((a) => a.t));
    },
    WIRE_TIMEOUT,
  );
});
