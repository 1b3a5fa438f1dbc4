// The operator's controls as inputs to decide: pauses (all, or one database), observe mode and
// failover approval. Plain snapshots in, plans out; no fakes.
import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/core/controller/decide.js';
import { rememberApproval, rememberStepStart } from '../../../src/core/controller/memoryReducers.js';
import { resolvePolicy } from '../../../src/core/controller/Policy.js';
import type { Step } from '../../../src/core/controller/Plan.js';
import type { Pause } from '../../../src/core/controller/OperatorPauses.js';
import type { Snapshot } from '../../../src/core/controller/Snapshot.js';
import { db, down, snapshot, up, zone } from './snapshotBuilder.js';

const PAUSE: Pause = { by: 'alice@127.0.0.1', at: 50_000, reason: 'migration' };

/** Two clusters with their primaries in impaired zone use1-a and a sync replica each in use1-b. */
function twoClusters(over: Partial<Snapshot> = {}, memory: Record<string, unknown> = {}): Snapshot {
  const billing = (id: string, zoneId: string, role: 'primary' | 'replica', replication?: Parameters<typeof db>[4]) => ({ ...db(id, zoneId, 'us-east-1', role, replication), cluster: 'billing' });
  const s = snapshot({
    zones: [{ ...zone('use1-a', 'us-east-1', 'impaired'), since: 40_000 }, zone('use1-b', 'us-east-1')],
    databases: [
      { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(30_000) },
      { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { mode: 'sync', lagSeconds: 0 }), health: up },
      { instance: billing('billing', 'use1-a', 'primary'), health: down(30_000) },
      { instance: billing('billing-b', 'use1-b', 'replica', { mode: 'sync', lagSeconds: 0, upstream: 'billing' }), health: up },
    ],
    memory: {
      clusters: {
        orders: { cluster: 'orders', primary: 'orders', provider: 'aws', failovers: 0 },
        billing: { cluster: 'billing', primary: 'billing', provider: 'aws', failovers: 0 },
      },
      ...memory,
    },
  });
  return { ...s, ...over };
}

const promotions = (steps: readonly Step[]) => steps.flatMap((s) => (s.operation === 'promoteReplica' ? [s.cluster] : [])).sort();

describe('decide: pauses', () => {
  it('without pauses, both clusters fail over (the baseline the other cases change)', () => {
    expect(promotions(decide(twoClusters(), resolvePolicy()).steps)).toEqual(['billing', 'orders']);
  });

  it('a pause of one database holds its automatic steps and only its own; the other fails over', () => {
    const plan = decide(twoClusters({ pauses: { databases: new Map([['orders', PAUSE]]) } }), resolvePolicy());
    expect(promotions(plan.steps)).toEqual(['billing']);
    expect(plan.steps.every((s) => !('cluster' in s) || s.cluster !== 'orders')).toBe(true);
    expect(plan.held.map((h) => [h.why, 'cluster' in h.step ? h.step.cluster : undefined, h.step.operation])).toEqual([['paused', 'orders', 'promoteReplica']]);
    expect(plan.held[0]!.detail).toBe('automatic actions paused by alice@127.0.0.1 for orders: migration');
  });

  it('a pause of everything holds every automatic step', () => {
    const plan = decide(twoClusters({ pauses: { all: PAUSE, databases: new Map() } }), resolvePolicy());
    expect(plan.steps).toEqual([]);
    expect(promotions(plan.held.map((h) => h.step))).toEqual(['billing', 'orders']);
    expect(plan.held.every((h) => h.why === 'paused' && h.detail === 'automatic actions paused by alice@127.0.0.1: migration')).toBe(true);
  });
});

describe('decide: observe mode', () => {
  it('holds every step as what it would do, and runs none', () => {
    const plan = decide(twoClusters(), resolvePolicy({ mode: 'observe' }));
    expect(plan.steps).toEqual([]);
    expect(promotions(plan.held.map((h) => h.step))).toEqual(['billing', 'orders']);
    expect(plan.held.every((h) => h.why === 'observe')).toBe(true);
  });
});

describe('decide: failover approval', () => {
  const approval = resolvePolicy({ approveFailovers: true, approvalTimeout: 120 });

  it('holds the promotion until the deadline, counted from when the primary failed', () => {
    const plan = decide(twoClusters(), approval);
    expect(promotions(plan.steps)).toEqual([]);
    const waiting = plan.held.filter((h) => h.why === 'approval');
    expect(promotions(waiting.map((h) => h.step))).toEqual(['billing', 'orders']);
    // Failing since 30 s (before the zone was declared impaired at 40 s): deadline 30 s + 120 s.
    expect(waiting.map((h) => h.until)).toEqual([150_000, 150_000]);
  });

  it('an approval given since the failure started promotes as the operator, even under a pause of everything', () => {
    const s = twoClusters({ pauses: { all: PAUSE, databases: new Map() } }, { approvals: { orders: { cluster: 'orders', approvedBy: 'bob@10.0.0.1', approvedAt: 90_000 } } });
    const plan = decide(s, approval);
    const promote = plan.steps.find((st) => st.operation === 'promoteReplica');
    expect(promote).toMatchObject({ cluster: 'orders', target: 'orders-b', requestedBy: 'bob@10.0.0.1' });
    expect(plan.held.filter((h) => h.why === 'approval').map((h) => 'cluster' in h.step && h.step.cluster)).toEqual(['billing']);
  });

  it('an approval left over from before this failure approves nothing', () => {
    const s = twoClusters({}, { approvals: { orders: { cluster: 'orders', approvedBy: 'bob@10.0.0.1', approvedAt: 10_000 } } });
    expect(promotions(decide(s, approval).steps)).toEqual([]);
  });

  it('at the deadline: proceed runs the failover, abandon leaves it with a note', () => {
    const late = twoClusters({ now: 150_000 });
    expect(promotions(decide(late, approval).steps)).toEqual(['billing', 'orders']);
    expect(decide(late, approval).steps.find((st) => st.operation === 'promoteReplica')!.reason).toContain('not approved within 120s: proceeding');
    const abandoned = decide(late, resolvePolicy({ approveFailovers: true, approvalTimeout: 120, onApprovalTimeout: 'abandon' }));
    expect(abandoned.steps.filter((st) => st.operation === 'promoteReplica' || st.operation === 'stopDatabase')).toEqual([]);
    expect(abandoned.held).toEqual([]);
    expect(abandoned.notes).toContain('orders: failover to orders-b not approved within 120s: abandoned (onApprovalTimeout: abandon); an approval still starts it');
  });

  it('the approval is spent when the promotion starts', () => {
    const s = twoClusters();
    const approved = rememberApproval(s.memory, { cluster: 'orders', approvedBy: 'bob@10.0.0.1', approvedAt: 90_000 });
    expect(approved.memory.approvals.has('orders')).toBe(true);
    expect(approved.events.map((e) => e.kind)).toEqual(['failover.approved']);
    const step = decide({ ...s, memory: approved.memory }, approval).steps.find((st) => st.operation === 'promoteReplica')!;
    expect(rememberStepStart(approved.memory, step, 100_000).memory.approvals.has('orders')).toBe(false);
  });
});
