import { describe, expect, it } from 'vitest';
import type { DatabaseEndpoint, LoadBalancer } from '../../../src/core/contract/types.js';
import { decide } from '../../../src/core/controller/decide.js';
import { DEFAULT_POLICY, resolvePolicy } from '../../../src/core/controller/Policy.js';
import { memoryToJson } from '../../../src/core/controller/ControllerMemory.js';
import { rememberStepResult, rememberStepStart } from '../../../src/core/controller/memoryReducers.js';
import { ProviderError } from '../../../src/core/contract/errors.js';
import { db, down, snapshot, up, upWritable, zone } from './snapshotBuilder.js';

const policy = DEFAULT_POLICY;
const endpoint = (target: string, pendingTarget?: string): DatabaseEndpoint => ({ name: 'orders.db', provider: 'aws', database: 'orders', target, ...(pendingTarget ? { pendingTarget } : {}), ttlSeconds: 30, extra: {} });
const lb = (out: string[] = [], shifted: Record<string, number> = {}): LoadBalancer => ({
  id: 'web-lb',
  provider: 'aws',
  region: 'us-east-1',
  group: 'web',
  zones: ['use1-a', 'use1-b', 'use1-c'].map((z) => ({ zone: z, inRotation: !out.includes(z), ...(shifted[z] !== undefined ? { shift: { expiresAt: shifted[z]! } } : {}), healthyTargets: null, targets: null })),
  extra: {},
});
const zones = (states: Record<string, 'impaired' | 'degraded' | 'healthy'> = {}) => ['use1-a', 'use1-b', 'use1-c'].map((z) => zone(z, 'us-east-1', states[z] ?? 'healthy'));
const ops = (steps: readonly { operation: string }[]) => steps.map((s) => s.operation);

describe('endpoints follow the primary', () => {
  const afterFailover = { clusters: { orders: { cluster: 'orders', primary: 'orders-b', provider: 'aws', failovers: 1, lastFailoverAt: 90_000 } } };
  const databases = (health = upWritable) => [
    { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(50_000) },
    { instance: db('orders-b', 'use1-b', 'us-east-1', 'primary'), health },
  ];

  it('points the endpoint at the new primary once it takes writes, with a reason', () => {
    const plan = decide(snapshot({ zones: zones({ 'use1-a': 'impaired' }), databases: databases(), memory: afterFailover, endpoints: [endpoint('orders')] }), policy);
    expect(plan.steps.filter((s) => s.operation === 'updateEndpoint')).toEqual([
      expect.objectContaining({ target: 'orders.db', instance: 'orders-b', cluster: 'orders', zone: 'use1-b', reason: expect.stringMatching(/orders-b is the primary of orders and takes writes/) }),
    ]);
  });

  it('while a promotion is under way, at the replica being promoted, so the change propagates meanwhile', () => {
    const promoting = { clusters: { orders: { cluster: 'orders', primary: 'orders', provider: 'aws', failovers: 0, promotion: { target: 'orders-b', provider: 'aws', region: 'us-east-1', zone: 'use1-b', from: 'orders', fromProvider: 'aws', detectedAt: 99_000, startedAt: 99_000 } } } };
    const plan = decide(snapshot({ zones: zones({ 'use1-a': 'impaired' }), databases: databases(up), memory: promoting, endpoints: [endpoint('orders')] }), policy);
    expect(plan.steps.filter((s) => s.operation === 'updateEndpoint')).toEqual([expect.objectContaining({ instance: 'orders-b', reason: expect.stringMatching(/orders-b is being promoted/) })]);
  });

  it('not before the new primary takes writes, not again while the change is pending, not at all when disabled', () => {
    const notYet = decide(snapshot({ zones: zones(), databases: databases(up), memory: afterFailover, endpoints: [endpoint('orders')] }), policy);
    expect(ops(notYet.steps)).not.toContain('updateEndpoint');
    expect(notYet.notes.join('\n')).toMatch(/moving it once orders-b takes writes/);
    expect(ops(decide(snapshot({ zones: zones(), databases: databases(), memory: afterFailover, endpoints: [endpoint('orders', 'orders-b')] }), policy).steps)).not.toContain('updateEndpoint');
    expect(ops(decide(snapshot({ zones: zones(), databases: databases(), memory: afterFailover, endpoints: [endpoint('orders')] }), resolvePolicy({ moveEndpoints: false })).steps)).not.toContain('updateEndpoint');
  });
});

describe('traffic shifts away from an impaired zone', () => {
  const shifts = (zone: string, extra: Record<string, unknown> = {}) => ({ [`aws:web-lb:${zone}`]: { provider: 'aws', loadBalancer: 'web-lb', region: 'us-east-1', group: 'web', zone, issuedAt: 90_000, expiresAt: 90_000 + 1_800_000, confirmed: true, returning: false, ...extra } });

  it('shifts an impaired zone away with the expiry, and never on one vantage point (degraded)', () => {
    const plan = decide(snapshot({ zones: zones({ 'use1-a': 'impaired' }), loadBalancers: [lb()] }), policy);
    expect(plan.steps).toEqual([expect.objectContaining({ operation: 'shiftTraffic', target: 'web-lb', zone: 'use1-a', away: true, expiresInSeconds: 1800 })]);
    expect(decide(snapshot({ zones: zones({ 'use1-a': 'degraded' }), loadBalancers: [lb()] }), policy).steps).toEqual([]);
  });

  it('never takes the last zone out of rotation', () => {
    const plan = decide(snapshot({ zones: zones({ 'use1-a': 'impaired', 'use1-b': 'impaired', 'use1-c': 'impaired' }), loadBalancers: [lb()] }), policy);
    expect(plan.steps.map((s) => s.zone)).toEqual(['use1-a', 'use1-b']);
    expect(plan.notes.join('\n')).toMatch(/use1-c is impaired, but it is the last zone in rotation/);
    const twoOut = decide(snapshot({ zones: zones({ 'use1-c': 'impaired' }), loadBalancers: [lb(['use1-a', 'use1-b'])] }), policy);
    expect(twoOut.steps).toEqual([]);
  });

  it('renews its own shift while the zone stays impaired, once less than half is left', () => {
    const fresh = decide(snapshot({ now: 100_000, zones: zones({ 'use1-a': 'impaired' }), loadBalancers: [lb(['use1-a'], { 'use1-a': 1_890_000 })], memory: { shifts: shifts('use1-a') } }), policy);
    expect(fresh.steps).toEqual([]);
    expect(fresh.wakeAt).toBe(90_000 + 1_800_000 - 900_000);
    const late = decide(snapshot({ now: 1_000_000, zones: zones({ 'use1-a': 'impaired' }), loadBalancers: [lb(['use1-a'], { 'use1-a': 1_890_000 })], memory: { shifts: shifts('use1-a') } }), policy);
    expect(late.steps).toEqual([expect.objectContaining({ operation: 'shiftTraffic', zone: 'use1-a', away: true, reason: expect.stringMatching(/renew/) })]);
  });

  it('keeps renewing it while the zone, no longer impaired, is degraded with nothing in it answering (machines still stopped), not when something answers', () => {
    const at = (probesUp: number) =>
      decide(
        snapshot({
          now: 1_000_000,
          zones: [zone('use1-a', 'us-east-1', 'degraded', probesUp), zone('use1-b', 'us-east-1'), zone('use1-c', 'us-east-1')],
          loadBalancers: [lb(['use1-a'], { 'use1-a': 1_890_000 })],
          memory: { shifts: shifts('use1-a') },
        }),
        policy,
      );
    expect(at(0).steps).toEqual([expect.objectContaining({ operation: 'shiftTraffic', zone: 'use1-a', away: true, reason: expect.stringMatching(/nothing in it answers.*renew/) })]);
    expect(at(1).steps).toEqual([]);
  });

  it('a second zone refused by the provider (ARC: one shift per load balancer) keeps the first shift, says why, and is asked again only after backoffMax', () => {
    const world = { zones: zones({ 'use1-a': 'impaired', 'use1-b': 'impaired' }), loadBalancers: [lb(['use1-a'], { 'use1-a': 1_890_000 })] };
    const start = snapshot({ now: 100_000, ...world, memory: { shifts: shifts('use1-a') } });
    const asked = decide(start, policy).steps.filter((s) => s.operation === 'shiftTraffic');
    expect(asked).toEqual([expect.objectContaining({ zone: 'use1-b', away: true })]);
    // The provider refuses it (terminal), as the aws adapter does while use1-a is shifted.
    let memory = rememberStepStart(start.memory, asked[0]!, 100_000).memory;
    const error = new ProviderError('terminal', 'shiftTraffic: use1-a is already shifted away (ARC allows one zonal shift per resource)', { provider: 'aws', operation: 'shiftTraffic', code: 'ConflictException' });
    memory = rememberStepResult(memory, { step: asked[0]!, outcome: 'error', rejected: true, error, startedAt: 100_000, finishedAt: 100_500 }, policy).memory;
    const remembered = memoryToJson(memory) as unknown as Record<string, unknown>;
    const backoffEnds = 100_500 + (policy.backoffMax + 30) * 1000;
    // Every cycle until the backoff ends: no call, the first shift untouched, a note that says why.
    for (const now of [101_000, 160_000, backoffEnds - 60_000]) {
      const plan = decide(snapshot({ now, ...world, memory: remembered }), policy);
      expect(plan.steps.filter((s) => s.operation === 'shiftTraffic')).toEqual([]);
      expect(plan.notes.join('\n')).toMatch(/web-lb: zone use1-b is impaired, but the provider refused to shift it away while use1-a is shifted away \(ARC holds one zonal shift per load balancer\); that shift stays; asking again in \d+s/);
    }
    // A shift only settling (just issued, not refused) is not reported as refused.
    const settling = decide(snapshot({ now: 101_000, ...world, memory: memoryToJson(rememberStepStart(start.memory, asked[0]!, 100_000).memory) as unknown as Record<string, unknown> }), policy);
    expect(settling.notes.join('\n')).not.toMatch(/refused/);
    // Nothing is asked before the backoff ends; then once more.
    expect(decide(snapshot({ now: backoffEnds - 1_000, ...world, memory: remembered }), policy).steps.filter((s) => s.operation === 'shiftTraffic')).toEqual([]);
    const again = decide(snapshot({ now: backoffEnds, ...world, memory: remembered }), policy);
    expect(again.steps.filter((s) => s.operation === 'shiftTraffic')).toEqual([expect.objectContaining({ zone: 'use1-b', away: true })]);
  });

  it('puts its own shift back only once the zone has recovered, and never touches a shift it did not make', () => {
    const recovering = decide(snapshot({ zones: zones({ 'use1-a': 'degraded' }), loadBalancers: [lb(['use1-a'])], memory: { shifts: shifts('use1-a') } }), policy);
    expect(recovering.steps).toEqual([]);
    const healthy = decide(snapshot({ zones: zones(), loadBalancers: [lb(['use1-a'])], memory: { shifts: shifts('use1-a') } }), policy);
    expect(healthy.steps).toEqual([expect.objectContaining({ operation: 'shiftTraffic', zone: 'use1-a', away: false })]);
    const operators = decide(snapshot({ zones: zones(), loadBalancers: [lb(['use1-a'], { 'use1-a': 5_000_000 })] }), policy);
    expect(operators.steps).toEqual([]);
  });
});
