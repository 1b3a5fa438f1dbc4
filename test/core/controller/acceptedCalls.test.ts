import { describe, expect, it } from 'vitest';
import type { ControllerMemory } from '../../../src/core/controller/ControllerMemory.js';
import { decide } from '../../../src/core/controller/decide.js';
import { rememberObservation, rememberStepResult, rememberStepStart } from '../../../src/core/controller/memoryReducers.js';
import type { CreateNodeStep, FenceStep, RepointStep, Step } from '../../../src/core/controller/Plan.js';
import { DEFAULT_POLICY, resolvePolicy } from '../../../src/core/controller/Policy.js';
import type { StepOutcome } from '../../../src/core/controller/ControllerEvent.js';
import type { Snapshot } from '../../../src/core/controller/Snapshot.js';
import { settled } from '../../../src/core/controller/settleWindows.js';
import { db, down, key, node, snapshot, up, upWritable, zone, type SnapshotInput } from './snapshotBuilder.js';

/**
 * An accepted mutating call is trusted until a listing read late enough to
 * show its effect says otherwise; a failed read (the listing stays as it was
 * before the call) never does. Retries of one step are bounded per window.
 */
const policy = DEFAULT_POLICY;
const zones = [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1'), zone('use1-c', 'us-east-1')];

/** After a failover to orders-b, orders-c still follows the old primary (as a listing taken before the re-point shows). */
function afterFailover(input: Partial<SnapshotInput> & { now: number; memory: ControllerMemory | Record<string, unknown> }): Snapshot {
  return snapshot({
    zones,
    databases: [
      { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(0) },
      { instance: db('orders-b', 'use1-b', 'us-east-1', 'primary'), health: upWritable },
      { instance: db('orders-c', 'use1-c', 'us-east-1', 'replica', { upstream: 'orders' }), health: up },
    ],
    ...input,
  });
}

const failedOver = { clusters: { orders: { cluster: 'orders', primary: 'orders-b', provider: 'aws', failovers: 1, lastFailoverAt: 0, replicaHomes: [] } } };

/** Runs one step's call through the reducers: started at `at`, answered `outcome` a second later. */
function call(memory: ControllerMemory, step: Step, outcome: StepOutcome, at: number): ControllerMemory {
  const begun = rememberStepStart(memory, step, at).memory;
  return rememberStepResult(begun, { step, outcome, rejected: false, startedAt: at, finishedAt: at + 1_000 }, policy).memory;
}

/** Memory after the cycle's bookkeeping, as the controller does before `decide`. */
function observe(s: Snapshot): Snapshot {
  const memory = rememberObservation(s.memory, s, policy).memory;
  return { ...s, memory };
}

const repoints = (s: Snapshot) => decide(s, policy).steps.filter((st): st is RepointStep => st.operation === 'repointReplica');

describe('an accepted call is trusted until a listing read after it contradicts it', () => {
  it('does not re-point a replica again while the reads fail, however long; does once a fresh listing still shows the old upstream', () => {
    const first = afterFailover({ now: 100_000, memory: failedOver, listedAt: { aws: 100_000 } });
    const [repoint] = repoints(first);
    expect(repoint).toMatchObject({ target: 'orders-c', upstream: 'orders-b' });
    const memory = call(first.memory, repoint!, 'ok', 100_000);

    // Reads failed since 90 s: every listing is the one from before the call, for 40 minutes.
    for (const now of [170_000, 400_000, 2_500_000]) {
      expect(repoints(observe(afterFailover({ now, memory, listedAt: { aws: 100_000 } })))).toEqual([]);
    }
    // A listing read after the call's settle window that still shows orders-c on the old primary: observation says otherwise.
    const fresh = observe(afterFailover({ now: 2_600_000, memory, listedAt: { aws: 2_590_000 } }));
    expect(fresh.memory.awaiting.size).toBe(0);
    expect(repoints(fresh).map((st) => st.target)).toEqual(['orders-c']);
  });

  it('treats a call whose answer was lost the same way: it may have taken effect, so only a later listing tells', () => {
    const first = afterFailover({ now: 100_000, memory: failedOver, listedAt: { aws: 100_000 } });
    const memory = call(first.memory, repoints(first)[0]!, 'timeout', 100_000);
    expect(memory.awaiting.get(repoints(first)[0]!.key)).toMatchObject({ uncertain: true });
    expect(repoints(observe(afterFailover({ now: 400_000, memory, listedAt: { aws: 150_000 } })))).toEqual([]);
    expect(repoints(observe(afterFailover({ now: 400_000, memory, listedAt: { aws: 390_000 } })))).toHaveLength(1);
  });

  it('keeps a fence whose answer was lost recorded (the instance may be stopped), and forgets a fence that failed', () => {
    const fence: FenceStep = { operation: 'stopDatabase', key: 'fence:aws:orders', provider: 'aws', region: 'us-east-1', zone: 'use1-a', cluster: 'orders', target: 'orders', reason: 'test' };
    const memory = afterFailover({ now: 100_000, memory: failedOver }).memory;
    expect(call(memory, fence, 'timeout', 100_000).fenced.has(key('aws', 'orders'))).toBe(true);
    expect(call(memory, fence, 'error', 100_000).fenced.has(key('aws', 'orders'))).toBe(false);
  });
});

describe('capacity the controller created counts until a listing contradicts it', () => {
  const groups = [{ id: 'web', provider: 'aws', region: 'us-east-1', minHealthy: 3 }];
  const healthyZones = [zone('use1-b', 'us-east-1'), zone('use1-c', 'us-east-1')];
  const nodes = ['b1', 'b2'].map((id) => ({ node: node(id, 'use1-b', 'us-east-1'), health: up }));
  const pending = { pendingCreates: { 'web-1': { group: 'web', provider: 'aws', region: 'us-east-1', zone: 'use1-c', issuedAt: 0 } }, nodeSeq: 1 };
  const creates = (s: Snapshot) => decide(s, policy).steps.filter((st): st is CreateNodeStep => st.operation === 'createNode');

  it('a node create never seen because the reads fail is not given up, nor created again, past nodeStartTimeout', () => {
    const s = observe(snapshot({ now: 3_000_000, zones: healthyZones, nodes, groups, memory: pending, listedAt: { aws: 10_000 } }));
    expect(s.memory.pendingCreates.has('web-1')).toBe(true);
    expect(creates(s)).toEqual([]);
  });

  it('a node create that a listing read nodeStartTimeout after the call does not show is given up, and created again', () => {
    const s = observe(snapshot({ now: 700_000, zones: healthyZones, nodes, groups, memory: pending, listedAt: { aws: 650_000 } }));
    expect(s.memory.pendingCreates.has('web-1')).toBe(false);
    expect(creates(s)).toHaveLength(1);
  });

  it('a node create that a listing read nodeStartTimeout after the call shows still pending is given up, its zone avoided, and created again', () => {
    const stuck = { node: { ...node('web-1', 'use1-c', 'us-east-1'), state: 'pending' as const }, health: { ...up, status: 'unprobed' as const } };
    const early = observe(snapshot({ now: 500_000, zones: healthyZones, nodes: [...nodes, stuck], groups, memory: pending, listedAt: { aws: 490_000 } }));
    expect(early.memory.pendingCreates.has('web-1')).toBe(true);
    expect(creates(early)).toEqual([]);
    const s = observe(snapshot({ now: 700_000, zones: healthyZones, nodes: [...nodes, stuck], groups, memory: pending, listedAt: { aws: 650_000 } }));
    expect(s.memory.pendingCreates.has('web-1')).toBe(false);
    expect(s.memory.zonePenalty.has('aws:use1-c')).toBe(true);
    expect(creates(s).map((st) => st.zone)).toEqual(['use1-b']);
  });

  it('a replica create never listed because the reads fail stays counted; one a fresh listing lacks is given up', () => {
    const memory = {
      clusters: {
        orders: {
          ...failedOver.clusters.orders,
          pendingReplicas: [['orders-r1', { provider: 'aws', region: 'us-east-1', zone: 'use1-c', source: 'orders-b', issuedAt: 0 }]],
          replicaSeq: 1,
        },
      },
    };
    const stale = observe(afterFailover({ now: 3_000_000, memory, listedAt: { aws: 10_000 } }));
    expect(stale.memory.clusters.get('orders')!.pendingReplicas.has('orders-r1')).toBe(true);
    const fresh = observe(afterFailover({ now: 3_000_000, memory, listedAt: { aws: 2_990_000 } }));
    expect(fresh.memory.clusters.get('orders')!.pendingReplicas.has('orders-r1')).toBe(false);
  });
});

describe('retries of one step are bounded per window', () => {
  it('holds a step back once it was called maxStepRetries + 1 times within stepRetryWindow (failed, or accepted and never seen), and plans it again once the oldest call leaves the window', () => {
    const bounded = resolvePolicy({ maxStepRetries: 2, stepRetryWindow: 600 });
    let s = afterFailover({ now: 100_000, memory: failedOver });
    const step = decide(s, bounded).steps.find((st) => st.operation === 'repointReplica')!;
    let memory = s.memory;
    // Accepted twice (a fresh listing still showing it undone each time), failed once; a throttled call is not a try.
    for (const [at, outcome] of [[100_000, 'ok'], [200_000, 'ok'], [250_000, 'throttled'], [260_000, 'error']] as const) {
      memory = rememberStepResult(rememberStepStart(memory, step, at).memory, { step, outcome, rejected: false, startedAt: at, finishedAt: at + 1_000 }, bounded).memory;
    }
    expect(memory.tries.get(step.key)).toEqual([100_000, 200_000, 260_000]);
    s = afterFailover({ now: 300_000, memory, listedAt: { aws: 299_000 } });
    const held = decide({ ...s, memory: rememberObservation(memory, s, bounded).memory }, bounded);
    expect(held.steps.filter((st) => st.operation === 'repointReplica')).toEqual([]);
    expect(held.notes.join('\n')).toContain('maxStepRetries 2');
    // The first call (at 100 s) leaves the 600 s window at 700 s.
    expect(held.wakeAt).toBeLessThanOrEqual(700_000);
    const later = afterFailover({ now: 701_000, memory, listedAt: { aws: 700_000 } });
    expect(decide({ ...later, memory: rememberObservation(memory, later, bounded).memory }, bounded).steps.some((st) => st.key === step.key)).toBe(true);
  });

  it('holds back a promotion past its bound before the endpoint is planned: the endpoint never follows a promotion not made', () => {
    const failing = snapshot({
      now: 1_000_000,
      zones,
      databases: [
        { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(0) },
        { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { mode: 'sync', state: 'disconnected' }), health: up },
      ],
      endpoints: [{ name: 'orders.db', provider: 'aws', database: 'orders', target: 'orders', ttlSeconds: 30, extra: {} }],
    });
    const planned = decide(failing, policy).steps.map((st) => st.operation);
    expect(planned).toEqual(expect.arrayContaining(['promoteReplica', 'updateEndpoint']));
    const promote = decide(failing, policy).steps.find((st) => st.operation === 'promoteReplica')!;
    const exhausted = { ...failing, memory: { ...failing.memory, tries: new Map([[promote.key, [900_000, 950_000, 970_000, 990_000]]]) } };
    const held = decide(exhausted, policy).steps.map((st) => st.operation);
    expect(held).not.toContain('promoteReplica');
    expect(held).not.toContain('updateEndpoint');
  });

  it('counts the node creates of one group that went out together as one try', () => {
    const create = (name: string): CreateNodeStep => ({ operation: 'createNode', key: `create:aws:${name}`, provider: 'aws', region: 'us-east-1', zone: 'use1-b', group: 'web', name, reason: 'test' });
    let memory = afterFailover({ now: 0, memory: failedOver }).memory;
    for (const name of ['web-1', 'web-2', 'web-3']) memory = call(memory, create(name), 'error', 100_000);
    expect(memory.tries.get('createNode:aws:web')).toEqual([101_000]);
  });
});

describe('every step whose effect only a listing shows waits for a listing read after it, whatever its answer', () => {
  const base = { provider: 'aws', region: 'us-east-1', zone: 'use1-b', reason: 'test' } as const;
  const steps: Step[] = [
    { ...base, operation: 'stopDatabase', key: 'fence:aws:orders', cluster: 'orders', target: 'orders' },
    { ...base, operation: 'rebootDatabase', key: 'unfence:aws:orders', cluster: 'orders', target: 'orders' },
    { ...base, operation: 'repointReplica', key: 'repoint:aws:orders-c:orders-b', cluster: 'orders', target: 'orders-c', upstream: 'orders-b' },
    { ...base, operation: 'destroyNode', key: 'destroy:aws:web-1', group: 'web', target: 'web-1' },
    { ...base, operation: 'destroyDatabase', key: 'retire:aws:orders-c', cluster: 'orders', target: 'orders-c' },
    { ...base, operation: 'updateEndpoint', key: 'endpoint:aws:orders.db:orders-b', cluster: 'orders', target: 'orders.db', instance: 'orders-b' },
    { ...base, operation: 'shiftTraffic', key: 'shift:aws:web-lb:use1-a:away', target: 'web-lb', group: 'web', zone: 'use1-a', away: true, expiresInSeconds: 1800 },
  ];
  const memory = afterFailover({ now: 0, memory: failedOver }).memory;
  it.each(steps.flatMap((step) => (['ok', 'timeout'] as const).map((outcome) => ({ step, outcome, name: `${step.operation} ${outcome}` }))))('$name', ({ step, outcome }) => {
    const after = call(memory, step, outcome, 100_000);
    const at = (now: number, listed: number) => settled({ ...afterFailover({ now, memory: after, listedAt: { aws: listed } }), memory: after }, step.key);
    // An hour later, with every read since 90 s failing: not made again.
    expect(at(3_700_000, 90_000)).toBe(false);
    // A listing read after the call's effect could show: the listing decides.
    expect(at(3_700_000, 3_690_000)).toBe(true);
  });
});
