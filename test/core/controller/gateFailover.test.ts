import { describe, expect, it } from 'vitest';
import { failureStartedAt, gateFailover } from '../../../src/core/controller/gateFailover.js';
import type { HeldStep, PromoteStep } from '../../../src/core/controller/Plan.js';
import { resolvePolicy } from '../../../src/core/controller/Policy.js';
import type { DatabaseView } from '../../../src/core/controller/Snapshot.js';
import type { TargetHealth } from '../../../src/core/health/types.js';
import { db, down, key, snapshot, up, zone } from './snapshotBuilder.js';

/**
 * The approval gate on its own: when a failure started (what the deadline
 * counts from) and what happens to a promotion before, at and after it.
 */
const step: PromoteStep = {
  operation: 'promoteReplica',
  key: 'promote:orders:aws:orders-b',
  provider: 'aws',
  region: 'us-east-1',
  zone: 'use1-b',
  cluster: 'orders',
  target: 'orders-b',
  from: 'orders',
  estimatedLossSeconds: 0,
  reason: 'primary orders is in impaired zone use1-a',
};
const approval = resolvePolicy({ approveFailovers: true, approvalTimeout: 120 });

function world(input: { now?: number; health?: TargetHealth; zoneSince?: number; zoneState?: 'impaired' | 'degraded'; fencedAt?: number; approvedAt?: number }) {
  const primary: DatabaseView = { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: input.health ?? down(30_000) };
  const s = snapshot({
    now: input.now ?? 100_000,
    zones: [{ ...zone('use1-a', 'us-east-1', input.zoneState ?? 'impaired'), since: input.zoneSince ?? 40_000 }, zone('use1-b', 'us-east-1')],
    databases: [primary],
    memory: {
      ...(input.fencedAt !== undefined ? { fenced: { [key('aws', 'orders')]: input.fencedAt } } : {}),
      ...(input.approvedAt !== undefined ? { approvals: { orders: { cluster: 'orders', approvedBy: 'bob', approvedAt: input.approvedAt } } } : {}),
    },
  });
  return { s, primary };
}

describe('failureStartedAt', () => {
  it('is the earliest of: the zone declared impaired, the primary fenced by us, its probes failing', () => {
    expect(failureStartedAt(world({ zoneSince: 40_000 }).s, world({}).primary)).toBe(30_000);
    const zoneFirst = world({ zoneSince: 20_000 });
    expect(failureStartedAt(zoneFirst.s, zoneFirst.primary)).toBe(20_000);
    const fencedFirst = world({ fencedAt: 10_000 });
    expect(failureStartedAt(fencedFirst.s, fencedFirst.primary)).toBe(10_000);
  });

  it('a primary in a zone the health picture does not know is dated by its probes', () => {
    const { s, primary } = world({ zoneSince: 20_000 });
    const elsewhere = { ...primary, instance: { ...primary.instance, zone: 'use1-x' } };
    expect(failureStartedAt(s, elsewhere)).toBe(30_000);
  });

  it('a zone that is only degraded does not date the failure', () => {
    const degraded = world({ zoneSince: 20_000, zoneState: 'degraded' });
    expect(failureStartedAt(degraded.s, degraded.primary)).toBe(30_000);
  });

  it('with nothing to date it from, is now', () => {
    const none = world({ health: up, zoneState: 'degraded' });
    expect(failureStartedAt(none.s, none.primary)).toBe(100_000);
  });
});

describe('gateFailover', () => {
  const gate = (input: Parameters<typeof world>[0], policy = approval) => {
    const { s, primary } = world(input);
    const held: HeldStep[] = [];
    const notes: string[] = [];
    return { result: gateFailover(s, policy, step, primary, held, notes), held, notes };
  };

  it('without approveFailovers, lets the promotion through untouched', () => {
    expect(gate({}, resolvePolicy()).result).toBe(step);
  });

  it('holds it until the deadline, saying until when and what then', () => {
    const { result, held } = gate({ now: 149_999 });
    expect(result).toBeUndefined();
    expect(held).toEqual([{ step, why: 'approval', until: 150_000, detail: `waiting for approval until ${new Date(150_000).toISOString()} (then proceed)` }]);
  });

  it('at the deadline proceeds, saying so in the reason', () => {
    const { result, held } = gate({ now: 150_000 });
    expect(held).toEqual([]);
    expect(result).toEqual({ ...step, reason: `${step.reason}; not approved within 120s: proceeding (onApprovalTimeout: proceed)` });
  });

  it('an approval given at or after the failure started promotes as its giver; one before it does not', () => {
    expect(gate({ approvedAt: 30_000 }).result).toEqual({ ...step, requestedBy: 'bob', reason: `${step.reason}; approved by bob` });
    expect(gate({ approvedAt: 29_999 }).result).toBeUndefined();
  });
});
