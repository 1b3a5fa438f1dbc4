import { describe, expect, it } from 'vitest';
import type { Capabilities, DatabaseInstance, ReplicationStatus } from '../../../src/core/contract/types.js';
import { emptyMemory } from '../../../src/core/controller/ControllerMemory.js';
import { chooseCandidate } from '../../../src/core/controller/chooseCandidate.js';
import { rememberObservation } from '../../../src/core/controller/memoryReducers.js';
import { DEFAULT_POLICY, resolvePolicy, type Policy } from '../../../src/core/controller/Policy.js';
import type { DatabaseView } from '../../../src/core/controller/Snapshot.js';
import type { TargetHealth, ZoneHealth } from '../../../src/core/health/types.js';
import { db, down, snapshot, up, upWritable, zone, type SnapshotInput } from './snapshotBuilder.js';

/**
 * The candidate choice on its own: who is rejected and why (the exact
 * reasons an operator reads), who ranks first, and the loss estimate it
 * rests on. The primary `orders` is in use1-a, down for 60 s (now is 100 s)
 * unless a case says otherwise.
 */
const NOW = 100_000;
const zones: ZoneHealth[] = [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1'), zone('use1-c', 'us-east-1', 'degraded'), zone('usw2-a', 'us-west-2')];
const primary: DatabaseView = { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(40_000) };
const replica = (id: string, zoneId: string, replication: Partial<ReplicationStatus> = {}, over: Partial<DatabaseInstance> = {}, health: TargetHealth = up): DatabaseView => ({
  instance: { ...db(id, zoneId, zoneId.startsWith('usw2') ? 'us-west-2' : 'us-east-1', 'replica', { lagSeconds: 0, ...replication }), ...over },
  health,
});

function choose(views: DatabaseView[], input: { policy?: Policy; capabilities?: Partial<Capabilities>; memory?: SnapshotInput['memory']; primary?: DatabaseView } = {}) {
  const p = input.primary ?? primary;
  const s = snapshot({ now: NOW, zones, databases: [p, ...views], ...(input.memory ? { memory: input.memory } : {}), ...(input.capabilities ? { capabilities: input.capabilities } : {}) });
  return chooseCandidate(s, input.policy ?? DEFAULT_POLICY, p, [p, ...views]);
}
const ids = (result: ReturnType<typeof choose>) => result.ranked.map((c) => c.view.instance.id);

describe('chooseCandidate: rejections', () => {
  it('each with its reason, and nothing else rejected', () => {
    const result = choose([
      replica('r-rebooting', 'use1-b', {}, { state: 'rebooting' }),
      replica('r-norepl', 'use1-b', {}, { replication: undefined }),
      replica('r-down', 'use1-b', {}, {}, down(90_000)),
      replica('r-suspect', 'use1-b', {}, {}, { ...down(90_000), status: 'suspect' }),
      replica('r-impaired', 'use1-a'),
      replica('r-ok', 'use1-b'),
    ]);
    expect(result.rejected).toEqual([
      'not promoting r-rebooting: it is rebooting',
      'not promoting r-norepl: it reports no replication',
      'not promoting r-down: it does not answer our probes (down)',
      'not promoting r-suspect: it does not answer our probes (suspect)',
      'not promoting r-impaired: its zone use1-a is impaired',
    ]);
    expect(ids(result)).toEqual(['r-ok']);
    expect(result.chosen?.view.instance.id).toBe('r-ok');
  });

  it('a provider that cannot promote replicas', () => {
    const result = choose([replica('r-b', 'use1-b')], { capabilities: { promoteReplica: false } });
    expect(result.rejected).toEqual(['not promoting r-b: aws cannot promote replicas']);
    expect(result.chosen).toBeUndefined();
  });

  it('a replica of a provider the snapshot does not know cannot be promoted', () => {
    const stray: DatabaseView = { instance: db('r-stray', 'use1-b', 'us-east-1', 'replica', { lagSeconds: 0 }, 'azure'), health: up };
    expect(choose([stray]).rejected).toEqual(['not promoting r-stray: azure cannot promote replicas']);
  });

  it('the primary itself is never a candidate, even listed as a replica (a listing behind a promotion), nor another primary', () => {
    const stale: DatabaseView = { instance: db('orders', 'use1-b', 'us-east-1', 'replica', { lagSeconds: 0, upstream: 'orders' }), health: upWritable };
    const result = choose([replica('r-b', 'use1-b')], { primary: stale });
    expect(ids(result)).toEqual(['r-b']);
    const other = choose([{ instance: db('orders-old', 'use1-b', 'us-east-1', 'primary'), health: up }, replica('r-b', 'use1-b')]);
    expect(ids(other)).toEqual(['r-b']);
    expect(other.rejected).toEqual([]);
  });

  it('a recently failed promotion blocks it until the block ends, not after', () => {
    const blocked = (until: number) => choose([replica('r-b', 'use1-b')], { memory: { failedCandidates: { 'aws:r-b': until } } });
    expect(blocked(NOW + 1).rejected).toEqual(['not promoting r-b: a promotion of it failed recently']);
    expect(ids(blocked(NOW))).toEqual(['r-b']);
  });

  it('cross-provider and cross-region failover, when disabled; a region of the same name on another provider is another region', () => {
    const gcp: DatabaseView = { instance: db('r-gcp', 'use1-b', 'us-east-1', 'replica', { lagSeconds: 0 }, 'gcp'), health: up };
    expect(choose([gcp], { policy: resolvePolicy({ crossProviderFailover: false }) }).rejected).toEqual(['not promoting r-gcp: cross-provider failover is disabled']);
    expect(choose([gcp], { policy: resolvePolicy({ crossRegionFailover: false }) }).rejected).toEqual(['not promoting r-gcp: cross-region failover is disabled']);
    const [candidate] = choose([gcp]).ranked;
    expect(candidate).toMatchObject({ sameRegion: false, sameProvider: false, zoneState: 'unknown' });
    expect(choose([replica('r-w', 'usw2-a')], { policy: resolvePolicy({ crossRegionFailover: false }) }).rejected).toEqual(['not promoting r-w: cross-region failover is disabled']);
  });

  it('a loss of exactly maxDataLoss is within the guard', () => {
    expect(ids(choose([replica('r-b', 'use1-b', { lagSeconds: 30 })]))).toEqual(['r-b']);
    expect(choose([replica('r-b', 'use1-b', { lagSeconds: 30.5 })]).rejected).toEqual(['not promoting r-b: it would lose about 30.5s of writes (maxDataLoss 30s)']);
  });
});

describe('chooseCandidate: ranking', () => {
  it('a degraded zone before one the health picture does not know', () => {
    // Ids favour the unknown zone, so only the zone's rank puts the degraded one first.
    const result = choose([replica('r-a-unknown', 'use1-x'), replica('r-z-degraded', 'use1-c')]);
    expect(ids(result)).toEqual(['r-z-degraded', 'r-a-unknown']);
    expect(result.ranked.map((c) => c.zoneState)).toEqual(['degraded', 'unknown']);
  });

  it('ties go to the lower id, whatever order they are listed in', () => {
    expect(ids(choose([replica('r-z', 'use1-b'), replica('r-a', 'use1-b')]))).toEqual(['r-a', 'r-z']);
    expect(ids(choose([replica('r-a', 'use1-b'), replica('r-z', 'use1-b')]))).toEqual(['r-a', 'r-z']);
  });
});

describe('chooseCandidate: the loss estimate', () => {
  const loss = (replication: Partial<ReplicationStatus>, p: DatabaseView = primary) => choose([replica('r-b', 'use1-b', replication)], { primary: p }).ranked[0]?.estimatedLossSeconds;

  it('streaming in recent contact: the lag as reported', () => {
    expect(loss({ state: 'streaming', lagSeconds: 10, lastContactSeconds: 2 })).toBe(10);
  });

  it('streaming but not heard from for replicationStaleAfter, or not streaming: the lag less the outage it spans', () => {
    // The primary failed 60 s ago; contact 3 s (= replicationStaleAfter) bounds the outage time to 3 s.
    expect(DEFAULT_POLICY.replicationStaleAfter).toBe(3);
    expect(loss({ state: 'streaming', lagSeconds: 10, lastContactSeconds: 3 })).toBe(7);
    expect(loss({ state: 'disconnected', lagSeconds: 10, lastContactSeconds: 1 })).toBe(9);
  });

  it('while the primary answers, all the lag is loss, whatever the contact', () => {
    expect(loss({ state: 'disconnected', lagSeconds: 10, lastContactSeconds: 8 }, { ...primary, health: upWritable })).toBe(10);
    // Not probed at all: nothing dates an outage either.
    const unprobed: TargetHealth = { status: 'unprobed', failedRounds: 0, failingSince: undefined, upSince: undefined, writable: false };
    expect(loss({ state: 'disconnected', lagSeconds: 10, lastContactSeconds: 8 }, { ...primary, health: unprobed })).toBe(10);
  });

  it('an unknown lag counts from the last position seen applied to when the primary stopped writing', () => {
    // Seen 2 s behind at 30 s: applied through 28 s. The primary has been failing since 40 s, and the replica heard it 50 s ago (at 50 s).
    const seen = rememberObservation(emptyMemory(), snapshot({ now: 30_000, zones, databases: [{ ...primary, health: upWritable }, replica('r-b', 'use1-b', { lagSeconds: 2 })] }), DEFAULT_POLICY).memory;
    const result = choose([replica('r-b', 'use1-b', { state: 'disconnected', lagSeconds: null, lastContactSeconds: 50 })], { memory: seen });
    // Stopped writing at now - min(50, 60) s = 50 s: 50 - 28 = 22 s.
    expect(result.ranked[0]?.estimatedLossSeconds).toBe(22);
  });
});
