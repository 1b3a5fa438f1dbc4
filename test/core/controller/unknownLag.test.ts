import { describe, expect, it } from 'vitest';
import type { ReplicationStatus } from '../../../src/core/contract/types.js';
import { emptyMemory, type ControllerMemory } from '../../../src/core/controller/ControllerMemory.js';
import { decide } from '../../../src/core/controller/decide.js';
import { rememberObservation } from '../../../src/core/controller/memoryReducers.js';
import { APPLIED_THROUGH_STEP_MS } from '../../../src/core/controller/observeAppliedThrough.js';
import type { PromoteStep } from '../../../src/core/controller/Plan.js';
import { DEFAULT_POLICY } from '../../../src/core/controller/Policy.js';
import type { DatabaseView } from '../../../src/core/controller/Snapshot.js';
import { db, down, key, snapshot, up, upWritable, zone } from './snapshotBuilder.js';

/**
 * A replica whose lag went unknown when its primary died (RDS `ReplicaLag`
 * -1 on MySQL and MariaDB) is promoted when the last position it was seen
 * to have applied bounds the loss within `maxDataLoss`, and refused
 * otherwise.
 */
const zones = [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1'), zone('use1-c', 'us-east-1')];
const T0 = 1_000_000;

function replica(id: string, zoneId: string, replication: Partial<ReplicationStatus>): DatabaseView {
  return { instance: { ...db(id, zoneId, 'us-east-1', 'replica', replication), engine: 'mysql' }, health: up };
}

/** Memory after the controller saw both replicas streaming at `T0` with the given lags (s), then a promotion plan at `now`. */
function planAfter(
  lagsAtT0: { b?: number; c?: number },
  later: { b: Partial<ReplicationStatus>; c: Partial<ReplicationStatus> },
  now: number,
  lagAgeSeconds = 0,
) {
  let memory: ControllerMemory = emptyMemory();
  const seen: DatabaseView[] = [{ instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: upWritable }];
  if (lagsAtT0.b !== undefined) seen.push(replica('orders-b', 'use1-b', { lagSeconds: lagsAtT0.b, lagAgeSeconds }));
  if (lagsAtT0.c !== undefined) seen.push(replica('orders-c', 'use1-c', { lagSeconds: lagsAtT0.c, lagAgeSeconds }));
  memory = rememberObservation(memory, snapshot({ now: T0, zones, databases: seen, memory }), DEFAULT_POLICY).memory;
  const s = snapshot({
    now,
    zones,
    memory,
    databases: [
      { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(T0 + 1_000) },
      replica('orders-b', 'use1-b', later.b),
      replica('orders-c', 'use1-c', later.c),
    ],
  });
  const plan = decide(s, DEFAULT_POLICY);
  return { plan, promote: plan.steps.find((st): st is PromoteStep => st.operation === 'promoteReplica') };
}

const minusOne = (contactSeconds: number | null): Partial<ReplicationStatus> => ({ state: 'disconnected', lagSeconds: null, lastContactSeconds: contactSeconds });

describe('decide: a replica whose lag went unknown', () => {
  it('is promoted when the last lag seen plus the time until it last heard its primary is within maxDataLoss', () => {
    // Seen 2 s behind at T0; contact lost 5 s later (60 s before the plan): about 7 s lost.
    const { promote, plan } = planAfter({ b: 2, c: 2 }, { b: minusOne(60), c: minusOne(60) }, T0 + 65_000);
    expect(promote, plan.notes.join('\n')).toBeDefined();
    expect(promote!.target).toBe('orders-b');
    expect(promote!.estimatedLossSeconds).toBeCloseTo(7, 5);
  });

  it('prefers the replica that was less behind, by the same bound', () => {
    const { promote } = planAfter({ b: 20, c: 3 }, { b: minusOne(60), c: minusOne(60) }, T0 + 65_000);
    expect(promote?.target).toBe('orders-c');
    expect(promote!.estimatedLossSeconds).toBeCloseTo(8, 5);
  });

  it('counts the age of the measurement: a datapoint 60 s old places the replica 60 s further back', () => {
    const { promote, plan } = planAfter({ b: 2, c: 2 }, { b: minusOne(60), c: minusOne(60) }, T0 + 65_000, 60);
    expect(promote, plan.notes.join('\n')).toBeUndefined();
    expect(plan.notes.join('\n')).toMatch(/not promoting orders-b: it would lose about 67s of writes \(maxDataLoss 30s\)/);
  });

  it('without a time of last contact, counts up to now: refused once that passes maxDataLoss', () => {
    const { plan, promote } = planAfter({ b: 2, c: 2 }, { b: minusOne(null), c: minusOne(null) }, T0 + 65_000);
    expect(promote).toBeUndefined();
    expect(plan.notes.join('\n')).toMatch(/not promoting orders-b: it would lose about 67s/);
  });

  it('is refused when it was never seen with a lag', () => {
    const { plan, promote } = planAfter({ c: 40 }, { b: minusOne(60), c: minusOne(60) }, T0 + 65_000);
    expect(promote).toBeUndefined();
    const notes = plan.notes.join('\n');
    expect(notes).toMatch(/not promoting orders-b: its lag is unknown and was never seen/);
    expect(notes).toMatch(/not promoting orders-c: it would lose about 45s/);
  });
});

describe('memory: where each replica was seen to have applied', () => {
  const views = (lag: number, age?: number): DatabaseView[] => [
    { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: upWritable },
    replica('orders-b', 'use1-b', { lagSeconds: lag, ...(age === undefined ? {} : { lagAgeSeconds: age }) }),
  ];
  const observe = (memory: ControllerMemory, databases: DatabaseView[], now: number) =>
    rememberObservation(memory, snapshot({ now, zones, databases, memory }), DEFAULT_POLICY).memory;

  it('is listing time less the measurement age less the lag, moves forward only in steps, and is forgotten with the replica', () => {
    let memory = observe(emptyMemory(), views(2, 30), T0);
    expect(memory.appliedThrough.get(key('aws', 'orders-b'))).toBe(T0 - 32_000);
    const same = observe(memory, views(2, 30), T0 + APPLIED_THROUGH_STEP_MS - 1);
    expect(same).toBe(memory);
    memory = observe(memory, views(2, 30), T0 + APPLIED_THROUGH_STEP_MS);
    expect(memory.appliedThrough.get(key('aws', 'orders-b'))).toBe(T0 + APPLIED_THROUGH_STEP_MS - 32_000);
    // A larger lag later does not move it back, nor does an unknown one.
    const behind = observe(memory, views(50), T0 + APPLIED_THROUGH_STEP_MS + 1_000);
    expect(behind.appliedThrough).toBe(memory.appliedThrough);
    const gone = observe(memory, [views(0)[0]!], T0 + 20_000);
    expect(gone.appliedThrough.has(key('aws', 'orders-b'))).toBe(false);
  });
});

describe('memory: what is not a position', () => {
  const observe = (lagSeconds: number | null) =>
    rememberObservation(
      emptyMemory(),
      snapshot({ now: T0, zones, databases: [{ instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: upWritable }, replica('orders-b', 'use1-b', { lagSeconds })] }),
      DEFAULT_POLICY,
    ).memory.appliedThrough.get(key('aws', 'orders-b'));

  it('an unknown lag, or RDS-style -1, records nothing; a lag of 0 records now', () => {
    expect(observe(null)).toBeUndefined();
    expect(observe(-1)).toBeUndefined();
    expect(observe(0)).toBe(T0);
  });
});
