import { describe, expect, it } from 'vitest';
import type { ProbeReplication } from '../../../src/core/contract/Prober.js';
import type { ReplicationStatus } from '../../../src/core/contract/types.js';
import { emptyMemory } from '../../../src/core/controller/ControllerMemory.js';
import { decide } from '../../../src/core/controller/decide.js';
import { rememberObservation } from '../../../src/core/controller/memoryReducers.js';
import type { PromoteStep } from '../../../src/core/controller/Plan.js';
import { DEFAULT_POLICY } from '../../../src/core/controller/Policy.js';
import type { Snapshot } from '../../../src/core/controller/Snapshot.js';
import { db, down, key, snapshot, up, zone } from './snapshotBuilder.js';

/**
 * A replica's listed lag and contact are as old as the listing, and its own
 * probe is fresher than both. Found by `lifeboat fuzz --seed 1`: a sync
 * standby was cut off while the primary went on taking writes; the database
 * listing then stopped landing (the region's reads were throttled), and when
 * the primary's storage stalled 35 minutes later the controller took the
 * kept listing ("disconnected for 446 s, lag 446 s") as current and promoted
 * the standby with "est. loss 0s", losing 35 minutes of writes.
 */
const zones = [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1'), zone('use1-c', 'us-east-1')];
const S = 1000;
/** The standby was cut off at 9,815 s; the listing kept was read at 10,261 s; the primary stalled at 11,927 s. */
const CUT_OFF = 9_815 * S;
const LISTED = 10_261 * S;
const STALLED = 11_927 * S;
const NOW = 15_183 * S;

function plan(
  standby: Partial<ReplicationStatus>,
  extra: { listedAt?: number; probed?: ProbeReplication; probedAt?: number; now?: number } = {},
): { promote: PromoteStep | undefined; notes: string } {
  const now = extra.now ?? NOW;
  const base = snapshot({
    now,
    zones,
    databases: [
      { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(STALLED) },
      { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { mode: 'sync', ...standby }), health: up },
    ],
  });
  const s: Snapshot = {
    ...base,
    ...(extra.listedAt === undefined ? {} : { databasesListedAt: new Map([['aws/us-east-1', extra.listedAt]]) }),
    ...(extra.probed === undefined ? {} : { probedReplication: new Map([[key('aws', 'orders-b'), extra.probed]]), probedReplicationAt: extra.probedAt ?? now }),
  };
  const p = decide(s, DEFAULT_POLICY);
  return { promote: p.steps.find((st): st is PromoteStep => st.operation === 'promoteReplica'), notes: p.notes.join('\n') };
}

const cutOffAtListing: Partial<ReplicationStatus> = { state: 'disconnected', lagSeconds: (LISTED - CUT_OFF) / S, lastContactSeconds: (LISTED - CUT_OFF) / S };

describe('decide: replication read from a listing kept while reads fail', () => {
  it('ages a kept listing: the standby cut off at 9,815 s lost what the primary wrote until it stalled at 11,927 s', () => {
    const { promote, notes } = plan(cutOffAtListing, { listedAt: LISTED });
    expect(promote).toBeUndefined();
    expect(notes).toMatch(/not promoting orders-b: it would lose about 2112s of writes \(maxDataLoss 30s\)/);
  });

  it("takes the standby's own probe over the kept listing: cut off since 9,815 s", () => {
    const probed: ProbeReplication = { state: 'disconnected', lastContactSeconds: (NOW - 2 * S - CUT_OFF) / S };
    // A listing that knows nothing of the cut-off (read before it), the probe sent 2 s before the plan.
    const { promote, notes } = plan({ state: 'streaming', lagSeconds: 0, lastContactSeconds: 0 }, { listedAt: CUT_OFF - 20 * S, probed, probedAt: NOW - 2 * S });
    expect(promote).toBeUndefined();
    expect(notes).toMatch(/it would lose about 2112s/);
  });

  it('does not trust "streaming, lag 0" from a listing older than a read cycle: what it may have missed since counts', () => {
    const { promote, notes } = plan({ state: 'streaming', lagSeconds: 0, lastContactSeconds: 0 }, { listedAt: LISTED });
    expect(promote).toBeUndefined();
    // It streamed at least until the listing; the primary wrote at least until our probes found it failing.
    expect(notes).toMatch(/it would lose about 1666s/);
  });

  it('trusts a listing within one read cycle that says streaming at lag 0', () => {
    const listedAt = NOW - (DEFAULT_POLICY.observeInterval + DEFAULT_POLICY.callTimeout) * S;
    const { promote } = plan({ state: 'streaming', lagSeconds: 0, lastContactSeconds: 0 }, { listedAt });
    expect(promote?.target).toBe('orders-b');
    expect(promote?.estimatedLossSeconds).toBe(0);
  });

  it('promotes a sync standby whose own probe says it streamed until the primary failed, however old the listing', () => {
    // Listed streaming 40 minutes before (reads failing since); its probe: contact lost 1 s after the primary stalled.
    const probed: ProbeReplication = { state: 'disconnected', lastContactSeconds: (NOW - (STALLED + S)) / S };
    const { promote, notes } = plan({ state: 'streaming', lagSeconds: 0, lastContactSeconds: 0 }, { listedAt: STALLED - 2_400 * S, probed });
    expect(promote, notes).toBeDefined();
    expect(promote!.estimatedLossSeconds).toBe(0);
  });

  it("reads the probe's contact age as of the round it was sent in", () => {
    // Sent 4 s before the plan: contact lost 10 s before the round is 14 s before the plan, 4 s before the primary stalled.
    const probed: ProbeReplication = { state: 'disconnected', lastContactSeconds: 10 };
    const now = STALLED + 10 * S;
    const { promote } = plan({ state: 'streaming', lagSeconds: 0, lastContactSeconds: 0 }, { listedAt: STALLED - 60 * S, probed, probedAt: now - 4 * S, now });
    expect(promote?.estimatedLossSeconds).toBe(4);
    const late = plan({ state: 'streaming', lagSeconds: 0, lastContactSeconds: 0 }, { listedAt: STALLED - 60 * S, probed: { state: 'disconnected', lastContactSeconds: 30 }, probedAt: now - 4 * S, now });
    // Contact lost 34 s before the plan, 24 s before the primary stalled: 24 s lost, within the guard.
    expect(late.promote?.estimatedLossSeconds).toBe(24);
  });
});

describe('observeAppliedThrough: a kept listing does not move with the clock', () => {
  it('records the position as of the listing, not as of the observation', () => {
    const listed = snapshot({
      now: NOW,
      zones,
      databases: [
        { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: up },
        { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { lagSeconds: 5 }), health: up },
      ],
    });
    const memory = rememberObservation(emptyMemory(), { ...listed, databasesListedAt: new Map([['aws/us-east-1', LISTED]]) }, DEFAULT_POLICY).memory;
    expect(memory.appliedThrough.get(key('aws', 'orders-b'))).toBe(LISTED - 5 * S);
  });
});
