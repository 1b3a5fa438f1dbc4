import type { Clock } from '../../core/clock/Clock.js';
import { SystemClock } from '../../core/clock/SystemClock.js';
import { DEFAULT_POLICY, type Policy } from '../../core/controller/Policy.js';
import { DEFAULT_PLACEMENT, DEMO_CLUSTER, instanceId } from './demoTopology.js';
import { disturb, type DisturbanceOutcome } from './disturb.js';
import type { Disturbance } from './Disturbance.js';
import { DrillRig } from './DrillRig.js';
import { pollUntil } from './settleController.js';
import { readBack } from './verify.js';
import { WriteClient } from './WriteClient.js';

/** Options of {@link runFalseFailoverDrill}. */
export interface FalseFailoverDrillOptions {
  readonly disturbance: Disturbance;
  /** Controller policy (default {@link DEFAULT_POLICY}). */
  readonly policy?: Policy;
  /** Clock of the controller, the adapter and the client (default the system clock; it must run in real time). */
  readonly clock?: Clock;
  /** Writes before the disturbance, ms (default 1500). */
  readonly warmupMs?: number;
  /**
   * How long to keep watching after the disturbance ended, ms (default: long
   * enough for the controller to confirm a fault it believed in: its
   * replication-silence window plus `failedRounds` rounds of `probeTimeout`).
   */
  readonly watchMs?: number;
  /** Aborts the drill; everything is cleaned up, then it rejects with an `AbortError`. */
  readonly signal?: AbortSignal;
}

/** What a false-failover drill saw. */
export interface FalseFailoverDrillReport {
  readonly disturbance: Disturbance;
  /** What was done, in one line. */
  readonly description: string;
  /** What shows the disturbance really happened (see {@link DisturbanceOutcome}). */
  readonly effect: number;
  /** Seconds from the start of the disturbance to its end. */
  readonly disturbanceSeconds: number;
  /** `promoteReplica` calls the controller made (each one a failover). */
  readonly promotions: number;
  /** `failover.planned` events (a decision to fail over, carried out or not). */
  readonly failoversPlanned: number;
  /** The primary in the controller's memory at the end. */
  readonly primaryAtEnd: string | null;
  /** Writes acknowledged through the endpoint before, during and after the disturbance. */
  readonly acknowledged: { readonly before: number; readonly during: number; readonly after: number };
  /** Longest time between two acknowledged writes, seconds. */
  readonly longestWriteGapSeconds: number;
  /** Acknowledged writes missing from the primary at the end. */
  readonly lostWrites: number;
  readonly problems: readonly string[];
  /** No failover planned or made, the primary unchanged, writes acknowledged after the disturbance, none lost. */
  readonly passed: boolean;
}


/**
 * The false-failover drill on the `local` adapter, with real PostgreSQL: the
 * demo's topology (three zones, a primary, a sync and an async standby) and
 * the controller on `policy` ({@link DrillRig}), and a {@link WriteClient}
 * writing through the writer endpoint. Once the controller has settled, the healthy primary
 * is disturbed (`disturbance`, see {@link Disturbance}) in a way that must
 * not lead to a failover; the drill keeps watching for `watchMs` afterwards,
 * then counts promotions and planned failovers, checks that writes went on
 * and reads every acknowledged write back from the primary.
 *
 * Everything is stopped and removed before it returns, on every path.
 */
export async function runFalseFailoverDrill(options: FalseFailoverDrillOptions): Promise<FalseFailoverDrillReport> {
  const clock = options.clock ?? new SystemClock();
  const policy = options.policy ?? DEFAULT_POLICY;
  const signal = options.signal ?? new AbortController().signal;
  const placement = DEFAULT_PLACEMENT;
  const watchMs = options.watchMs ?? Math.round((policy.replicationStaleAfter + policy.failedRounds * policy.probeTimeout + policy.probeInterval) * 1000);
  const until = (limitMs: number, check: () => boolean): Promise<boolean> => pollUntil(clock, signal, limitMs, check);

  const rig = await DrillRig.start({ placement, nodesPerZone: 1, policy, clock, random: Math.random, signal });
  const { local, controller, events, primary } = rig;
  const primaryId = primary.id;
  let client: WriteClient | undefined;
  try {
    client = new WriteClient({ endpoint: rig.writerEndpoint().endpoint, clock });
    client.start();
    if (!(await until(20_000, () => client!.acknowledged.length > 0))) throw new Error('the client got no write acknowledged within 20 s');
    await clock.sleep(options.warmupMs ?? 1500, signal);

    const startedAt = clock.now();
    const { description, effect } = await disturb(options.disturbance, {
      local,
      clock,
      signal,
      policy,
      zone: placement.primary,
      primary,
      syncStandby: instanceId(placement.sync),
    });
    const endedAt = clock.now();
    await clock.sleep(watchMs, signal);
    await client.stop();

    const acks = client.acknowledged;
    const problems: string[] = [];
    const promotions = events.filter((e) => e.kind === 'action' && e.step?.operation === 'promoteReplica').length;
    const failoversPlanned = events.filter((e) => e.kind === 'failover.planned').length;
    const primaryAtEnd = controller.memory.clusters.get(DEMO_CLUSTER)?.primary ?? null;
    const after = acks.filter((w) => w.at > endedAt);
    if (promotions > 0) problems.push(`${promotions} promotion(s)`);
    if (failoversPlanned > 0) problems.push(`${failoversPlanned} failover(s) planned: ${events.filter((e) => e.kind === 'failover.planned').map((e) => e.detail).join('; ')}`);
    if (primaryAtEnd !== primaryId) problems.push(`the primary is ${primaryAtEnd ?? 'unknown'} at the end, not ${primaryId}`);
    if (after.length === 0) problems.push('no write acknowledged after the disturbance');
    const elsewhere = after.filter((w) => w.instance !== primaryId);
    if (elsewhere.length > 0) problems.push(`${elsewhere.length} write(s) acknowledged by ${elsewhere[0]!.instance}, not the primary`);
    let lostWrites = acks.length;
    try {
      lostWrites = (await readBack(primary, acks, client.unacknowledged, clock)).lost.length;
    } catch (error) {
      problems.push(`could not read the writes back: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (lostWrites > 0) problems.push(`${lostWrites} acknowledged write(s) lost`);
    let longestGapMs = 0;
    for (let i = 1; i < acks.length; i++) longestGapMs = Math.max(longestGapMs, acks[i]!.at - acks[i - 1]!.at);
    return {
      disturbance: options.disturbance,
      description,
      effect,
      disturbanceSeconds: (endedAt - startedAt) / 1000,
      promotions,
      failoversPlanned,
      primaryAtEnd,
      acknowledged: {
        before: acks.filter((w) => w.at <= startedAt).length,
        during: acks.filter((w) => w.at > startedAt && w.at <= endedAt).length,
        after: after.length,
      },
      longestWriteGapSeconds: longestGapMs / 1000,
      lostWrites,
      problems,
      passed: problems.length === 0,
    };
  } finally {
    await client?.stop();
    await rig.close();
  }
}
