// Jepsen-style data safety on the local adapter: repeated randomized failovers under
// continuous writes, with real PostgreSQL (a primary, a sync and an async standby), the
// controller on its production defaults and the system clock. After every round, every
// write a client was told had committed must be on the new primary, and exactly one
// instance may take writes, while the zone is down and after it came back.
//
// Rounds come from a seed (LIFEBOAT_SEED, random when unset) and are logged; to replay a
// failing round: LIFEBOAT_SEED=<seed> npx vitest run test/demo/dataSafety.test.ts
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { instanceId } from '../../../src/apps/demo/demoTopology.js';
import { randomDrillRounds, roundOptions, type DrillRound } from '../../../src/apps/demo/drillRounds.js';
import { runFailoverDrill, type DrillEvidence, type FailoverDrillReport } from '../../../src/apps/demo/runFailoverDrill.js';
import { askServers, lostOn, type ServerAnswer } from './serverOracle.js';

const ROUNDS = Number(process.env['LIFEBOAT_ROUNDS'] ?? 5);
const SEED = Number(process.env['LIFEBOAT_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const rounds = randomDrillRounds(SEED, ROUNDS);
console.log(`data safety: seed ${SEED} (replay with LIFEBOAT_SEED=${SEED}), ${ROUNDS} rounds`);

/** A temp dir PostgreSQL's OS user (when we are root) can pass through to the adapter's own dir. */
function traversableTempDir(under: string, prefix: string): string {
  const dir = mkdtempSync(join(under, prefix));
  chmodSync(dir, 0o755);
  return dir;
}

const parent = traversableTempDir(tmpdir(), 'lifeboat-safety-');
afterAll(() => rmSync(parent, { recursive: true, force: true }));

function describeRound(r: DrillRound): string {
  const p = r.placement;
  return `round ${r.round} (seed ${SEED}): ${r.fault} fault on primary ${p.primary}, sync ${p.sync}, async ${p.async}; warm-up ${r.warmupMs} ms, write every ${r.writeIntervalMs} ms, heal ${r.healAfterMs} ms after failover`;
}

function summary(report: FailoverDrillReport): string {
  return [
    `new primary ${report.newPrimary}`,
    `detection ${report.detectionSeconds}s`,
    `unavailable ${report.unavailableSeconds}s`,
    `acknowledged ${report.acknowledgedWrites}`,
    `lost ${report.lostWrites}`,
    `indeterminate found ${report.indeterminateWritesFound}/${report.unacknowledgedWrites}`,
    `writable ${report.writablePrimaries.join('+')} / after heal ${report.writablePrimariesAfterHeal?.join('+')}`,
    `actions ${report.actions.map((a) => `${a.operation} ${a.target} ${a.result}`).join(', ')}`,
  ].join('; ');
}

/** Processes whose command line mentions `text`. */
function processesMentioning(text: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(text) && !line.includes('ps -eo'));
}

describe('acknowledged writes survive randomized zone failovers', () => {
  for (const round of rounds) {
    test(describeRound(round), { timeout: 180_000 }, async () => {
      const dir = traversableTempDir(parent, `round-${round.round}-`);
      let evidence: DrillEvidence | undefined;
      let servers: ServerAnswer[] = [];
      const report = await runFailoverDrill({
        ...roundOptions(round),
        nodesPerZone: 1,
        tmpDir: dir,
        beforeTeardown: async (e) => {
          evidence = e;
          servers = await askServers(e.endpoints);
        },
      });
      const context = `${describeRound(round)}\n  ${summary(report)}\n  problems: ${report.problems.join('; ') || 'none'}\n  servers: ${servers.map((s) => `${s.id} ${s.role}${s.commits ? ' commits' : ''}`).join(', ')}`;
      console.log(context);

      // The oracle, independent of the drill's figures: the servers themselves and what the client was told.
      expect(evidence, context).toBeDefined();
      expect(evidence!.acknowledged.length, context).toBeGreaterThan(0);
      const writable = servers.filter((s) => s.commits).map((s) => s.id);
      // Exactly one server commits a write now: the sync standby, promoted.
      expect(writable, context).toEqual([instanceId(round.placement.sync)]);
      const [promoted] = servers.filter((s) => s.commits);
      // Every write the client was told had committed is on it.
      expect(lostOn(promoted!, evidence!.acknowledged), context).toEqual([]);
      // After the promoted server acknowledged its first write, no other server acknowledged any.
      const firstOnPromoted = evidence!.acknowledged.find((w) => w.instance === promoted!.id && w.at > evidence!.faultAt);
      expect(firstOnPromoted, context).toBeDefined();
      expect(evidence!.acknowledged.filter((w) => w.at > firstOnPromoted!.at && w.instance !== promoted!.id), context).toEqual([]);
      // The report agrees with the oracle.
      expect(report.acknowledgedWrites, context).toBe(evidence!.acknowledged.length);
      if (report.writablePrimariesAfterHeal !== null) expect(report.writablePrimariesAfterHeal, context).toEqual(writable);

      // The failover happened, to the sync standby (the only promotion that cannot lose a commit).
      expect(report.newPrimary, context).toBe(instanceId(round.placement.sync));
      expect(report.failoverSeconds, context).toBeLessThan(60);
      // Writes went on before and after it.
      expect(report.acknowledgedWrites, context).toBeGreaterThan(0);
      expect(report.firstWriteAfterSeconds, context).not.toBeNull();
      expect(Number.isFinite(report.unavailableSeconds), context).toBe(true);
      // Nothing acknowledged is missing on the new primary.
      expect(report.lostSequences, context).toEqual([]);
      expect(report.lostWrites, context).toBe(0);
      // Exactly one instance takes writes: while the zone is down, and once it is back.
      expect(report.writablePrimaries, context).toEqual([report.newPrimary]);
      expect(report.writablePrimariesAfterHeal, context).toEqual([report.newPrimary]);
      expect(report.checks.afterHeal?.find((c) => c.instance === report.oldPrimary)?.state, context).not.toBe('writable');
      expect(report.passed, context).toBe(true);

      // Everything the round started is gone.
      expect(readdirSync(dir), context).toEqual([]);
      expect(processesMentioning(dir), context).toEqual([]);
    });
  }
});

// A client pinned to the old primary (an app server in the failed zone with a single-host
// connection string) keeps writing through the outage and the heal. With the zone back soon
// after the promotion, the old primary must still not acknowledge writes the new primary
// never sees. (It caught a promotion that cleared synchronous_standby_names on the old primary,
// letting it acknowledge writes alone once reachable again.)
describe('a client in the failed zone', () => {
  test('gets no acknowledged write lost when the zone comes back right after the failover', { timeout: 180_000 }, async () => {
    const dir = traversableTempDir(parent, 'zone-client-');
    let servers: ServerAnswer[] = [];
    let acknowledged: DrillEvidence['acknowledged'] = [];
    const report = await runFailoverDrill({
      fault: 'unreachable',
      nodesPerZone: 1,
      healAfterMs: 0,
      zoneClient: true,
      tmpDir: dir,
      beforeTeardown: async (e) => {
        acknowledged = e.acknowledged;
        servers = await askServers(e.endpoints);
      },
    });
    const context = summary(report);
    console.log(`zone client: ${context}`);
    expect(report.newPrimary, context).not.toBeNull();
    expect(report.lostSequences, context).toEqual([]);
    // The oracle: both clients' acknowledged writes (the pinned one's numbered from 1 000 000 001) are on the one server that commits.
    const writable = servers.filter((s) => s.commits);
    expect(writable.map((s) => s.id), context).toEqual([report.newPrimary]);
    expect(acknowledged.some((w) => w.seq > 1_000_000_000), context).toBe(true);
    expect(lostOn(writable[0]!, acknowledged), context).toEqual([]);
  });
});

// The bench's comparison: a client that finds the primary itself (no endpoint) writes beside the
// one that goes through the endpoint, in the same failover. Both get back, and both clients'
// acknowledged writes (the discovering one's numbered from 2 000 000 001) are on the new primary.
describe('a client without the endpoint', () => {
  test('finds the new primary itself, and its acknowledged writes survive too', { timeout: 180_000 }, async () => {
    const dir = traversableTempDir(parent, 'discovery-client-');
    let servers: ServerAnswer[] = [];
    let acknowledged: DrillEvidence['acknowledged'] = [];
    const report = await runFailoverDrill({
      fault: 'power',
      nodesPerZone: 1,
      healAfterMs: false,
      discoveryClient: true,
      tmpDir: dir,
      beforeTeardown: async (e) => {
        acknowledged = e.acknowledged;
        servers = await askServers(e.endpoints);
      },
    });
    const context = `${summary(report)}, without the endpoint ${JSON.stringify(report.withoutEndpoint)}`;
    console.log(`discovery client: ${context}`);
    expect(report.newPrimary, context).not.toBeNull();
    expect(report.withoutEndpoint?.unavailableSeconds, context).toEqual(expect.any(Number));
    // The endpoint moved with the promotion, yet its client never reached a server still in recovery.
    expect(report.endpoint.readOnlyRefusals, context).toBe(0);
    const discovered = acknowledged.filter((w) => w.seq > 2_000_000_000);
    expect(report.withoutEndpoint?.acknowledgedWrites, context).toBe(discovered.length);
    // It wrote to the old primary before the fault and to the new one after it, with no endpoint in between.
    expect(discovered.some((w) => w.instance === report.oldPrimary), context).toBe(true);
    expect(discovered.some((w) => w.instance === report.newPrimary), context).toBe(true);
    const writable = servers.filter((s) => s.commits);
    expect(writable.map((s) => s.id), context).toEqual([report.newPrimary]);
    expect(lostOn(writable[0]!, acknowledged), context).toEqual([]);
    expect(report.passed, context).toBe(true);
  });
});
