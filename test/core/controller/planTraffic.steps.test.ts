import { describe, expect, it } from 'vitest';
import type { DatabaseEndpoint, LoadBalancer } from '../../../src/core/contract/types.js';
import { decide } from '../../../src/core/controller/decide.js';
import { DEFAULT_POLICY, resolvePolicy } from '../../../src/core/controller/Policy.js';
import type { ZoneHealth } from '../../../src/core/health/types.js';
import { db, down, snapshot, up, upWritable, zone } from './snapshotBuilder.js';

/**
 * The exact steps and notes of endpoint moves and traffic shifts: keys (one
 * per intent, so settle windows and retry bounds count the right calls),
 * reasons, and the edges of renewal and refusal.
 */
const policy = DEFAULT_POLICY;
const expiryMs = policy.trafficShiftExpiry * 1000;
const endpoint = (target: string, pendingTarget?: string): DatabaseEndpoint => ({ name: 'orders.db', provider: 'aws', database: 'orders', target, ...(pendingTarget ? { pendingTarget } : {}), ttlSeconds: 30, extra: {} });

describe('endpoint steps', () => {
  const failedOver = { clusters: { orders: { cluster: 'orders', primary: 'orders-b', provider: 'aws', failovers: 1, lastFailoverAt: 90_000 } } };
  const databases = (health = upWritable) => [
    { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(50_000) },
    { instance: db('orders-b', 'use1-b', 'us-east-1', 'primary'), health },
  ];
  const zones = [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1')];

  it('points it at the primary with key, zone and reason, naming a change still pending elsewhere', () => {
    const plan = decide(snapshot({ zones, databases: databases(), memory: failedOver, endpoints: [endpoint('orders', 'orders-x')] }), policy);
    expect(plan.steps).toEqual([
      {
        operation: 'updateEndpoint',
        key: 'endpoint:aws:orders.db:orders-b',
        provider: 'aws',
        region: 'us-east-1',
        zone: 'use1-b',
        cluster: 'orders',
        target: 'orders.db',
        instance: 'orders-b',
        reason: 'orders.db answers orders (orders-x pending), but orders-b is the primary of orders and takes writes: point clients at it',
      },
    ]);
  });

  it('already pointing at the primary: nothing; within its settle window: nothing', () => {
    expect(decide(snapshot({ zones, databases: databases(), memory: failedOver, endpoints: [endpoint('orders-b')] }), policy).steps).toEqual([]);
    expect(decide(snapshot({ zones, databases: databases(), memory: { ...failedOver, issued: { 'endpoint:aws:orders.db:orders-b': 100_001 } }, endpoints: [endpoint('orders')] }), policy).steps).toEqual([]);
  });

  it('an endpoint of a database the controller does not know is left alone', () => {
    const plan = decide(snapshot({ zones, databases: databases(), memory: failedOver, endpoints: [{ ...endpoint('orders'), database: 'billing' }] }), policy);
    expect(plan.steps).toEqual([]);
    expect(plan.notes.join('\n')).not.toMatch(/endpoint/);
  });

  it('during a promotion, waits for the target to answer, and says so', () => {
    const promoting = { clusters: { orders: { cluster: 'orders', primary: 'orders', provider: 'aws', failovers: 0, promotion: { target: 'orders-b', provider: 'aws', region: 'us-east-1', zone: 'use1-b', from: 'orders', fromProvider: 'aws', detectedAt: 99_000, startedAt: 99_000 } } } };
    const plan = decide(snapshot({ zones, databases: databases(down(99_000)), memory: promoting, endpoints: [endpoint('orders')] }), policy);
    expect(plan.steps).toEqual([]);
    expect(plan.notes).toContain('orders: endpoint orders.db answers orders, not orders-b; moving it once orders-b answers');
  });

  it('a target of the same id on another provider is not the one promoted', () => {
    const elsewhere = [{ instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(50_000) }, { instance: db('orders-b', 'use1-b', 'us-east-1', 'primary', undefined, 'gcp'), health: upWritable }];
    const plan = decide(snapshot({ zones, databases: elsewhere, memory: failedOver, endpoints: [endpoint('orders')] }), policy);
    expect(plan.steps.filter((st) => st.operation === 'updateEndpoint')).toEqual([]);
  });
});

describe('traffic shift steps', () => {
  const lb = (out: string[] = [], shifted: Record<string, number> = {}): LoadBalancer => ({
    id: 'web-lb',
    provider: 'aws',
    region: 'us-east-1',
    group: 'web',
    zones: ['use1-a', 'use1-b', 'use1-c'].map((z) => ({ zone: z, inRotation: !out.includes(z), ...(shifted[z] !== undefined ? { shift: { expiresAt: shifted[z]! } } : {}), healthyTargets: null, targets: null })),
    extra: {},
  });
  const zones = (states: Record<string, ZoneHealth['state']> = {}) => ['use1-a', 'use1-b', 'use1-c'].map((z) => ({ ...zone(z, 'us-east-1', states[z] ?? 'healthy'), reason: `${states[z] ?? 'healthy'}: 2 vantage points` }));
  const ours = (zoneId: string, extra: Record<string, unknown> = {}) => ({ [`aws:web-lb:${zoneId}`]: { provider: 'aws', loadBalancer: 'web-lb', region: 'us-east-1', group: 'web', zone: zoneId, issuedAt: 90_000, expiresAt: 90_000 + expiryMs, confirmed: true, returning: false, ...extra } });

  it('a shift away: key, expiry and the zone\'s reason', () => {
    const plan = decide(snapshot({ zones: zones({ 'use1-a': 'impaired' }), loadBalancers: [lb()] }), policy);
    expect(plan.steps).toEqual([
      {
        operation: 'shiftTraffic',
        key: 'shift:aws:web-lb:use1-a:away',
        provider: 'aws',
        region: 'us-east-1',
        zone: 'use1-a',
        target: 'web-lb',
        group: 'web',
        away: true,
        expiresInSeconds: 1800,
        reason: "zone use1-a is impaired (impaired: 2 vantage points): shift web-lb's traffic away from it for 1800s, renewed while it stays impaired",
      },
    ]);
  });

  it('not when disabled; not a zone an operator already took out of rotation', () => {
    expect(decide(snapshot({ zones: zones({ 'use1-a': 'impaired' }), loadBalancers: [lb()] }), resolvePolicy({ shiftTraffic: false })).steps).toEqual([]);
    expect(decide(snapshot({ zones: zones({ 'use1-a': 'impaired' }), loadBalancers: [lb(['use1-a'])] }), policy).steps).toEqual([]);
  });

  it('a zone of ours on its way back still serves: a second impaired zone may be shifted then', () => {
    const memory = { shifts: ours('use1-b', { returning: true }) };
    const plan = decide(snapshot({ zones: zones({ 'use1-a': 'impaired', 'use1-c': 'impaired' }), loadBalancers: [lb(['use1-b'])], memory }), policy);
    expect(plan.steps.map((st) => st.zone)).toEqual(['use1-a']);
    expect(plan.notes).toContain('web-lb: zone use1-c is impaired, but it is the last zone in rotation; not shifting it away');
  });

  it('a renewal is a call of its own, keyed by the expiry it extends, once less than half is left and not before', () => {
    const lbShifted = [lb(['use1-a'], { 'use1-a': 90_000 + expiryMs })];
    const due = 90_000 + expiryMs - expiryMs / 2;
    const at = (now: number) => decide(snapshot({ now, zones: zones({ 'use1-a': 'impaired' }), loadBalancers: lbShifted, memory: { shifts: ours('use1-a') } }), policy);
    expect(at(due).steps).toEqual([]);
    const renewal = at(due + 1_000).steps;
    expect(renewal).toEqual([
      expect.objectContaining({
        key: `shift:aws:web-lb:use1-a:away:renew:${90_000 + expiryMs}`,
        away: true,
        expiresInSeconds: 1800,
        reason: `zone use1-a is still impaired and web-lb's shift away from it ends in ${(expiryMs / 2 - 1_000) / 1000}s: renew it for 1800s`,
      }),
    ]);
    // Being put back: never renewed.
    expect(decide(snapshot({ now: due + 1_000, zones: zones({ 'use1-a': 'impaired' }), loadBalancers: lbShifted, memory: { shifts: ours('use1-a', { returning: true }) } }), policy).steps).toEqual([]);
  });

  it('renewed while degraded with nothing answering, only once less than half is left', () => {
    const dark = (() => {
      const z = zone('use1-a', 'us-east-1', 'degraded');
      return { ...z, evidence: { ...z.evidence, probes: { total: 3, down: 3, up: 0, failing: 0 } } };
    })();
    const due = 90_000 + expiryMs / 2;
    const at = (now: number) => decide(snapshot({ now, zones: [dark, zone('use1-b', 'us-east-1'), zone('use1-c', 'us-east-1')], loadBalancers: [lb(['use1-a'])], memory: { shifts: ours('use1-a') } }), policy);
    expect(at(due).steps).toEqual([]);
    expect(at(due + 2_000).steps).toEqual([
      expect.objectContaining({ key: 'shift:aws:web-lb:use1-a:away', away: true, reason: `zone use1-a is degraded and nothing in it answers, and web-lb's shift away from it ends in ${(expiryMs / 2 - 2_000) / 1000}s: renew it for 1800s` }),
    ]);
  });

  it('putting a recovered zone back: key, no expiry, reason; not while it is back in rotation or already returning', () => {
    const plan = decide(snapshot({ zones: zones(), loadBalancers: [lb(['use1-a'])], memory: { shifts: ours('use1-a') } }), policy);
    expect(plan.steps).toEqual([
      {
        operation: 'shiftTraffic',
        key: 'shift:aws:web-lb:use1-a:back',
        provider: 'aws',
        region: 'us-east-1',
        zone: 'use1-a',
        target: 'web-lb',
        group: 'web',
        away: false,
        reason: "zone use1-a has recovered (healthy after the recovery rounds and dwell): put it back in web-lb's rotation",
      },
    ]);
    expect(decide(snapshot({ zones: zones(), loadBalancers: [lb()], memory: { shifts: ours('use1-a') } }), policy).steps).toEqual([]);
    expect(decide(snapshot({ zones: zones(), loadBalancers: [lb(['use1-a'])], memory: { shifts: ours('use1-a', { returning: true }) } }), policy).steps).toEqual([]);
    expect(decide(snapshot({ zones: zones(), loadBalancers: [lb(['use1-a'])], memory: { shifts: ours('use1-a'), issued: { 'shift:aws:web-lb:use1-a:back': 100_001 } } }), policy).steps).toEqual([]);
  });

  it('a refusal note names every zone shifted away, and says nothing of others when none is', () => {
    const refusedUntil = 100_000 + 300_000;
    const memory = { issued: { 'shift:aws:web-lb:use1-c:away': refusedUntil } };
    const two = decide(snapshot({ zones: zones({ 'use1-c': 'impaired' }), loadBalancers: [{ ...lb(['use1-a']), zones: [...lb(['use1-a', 'use1-b']).zones, { zone: 'use1-d', inRotation: true, healthyTargets: null, targets: null }] }], memory }), policy);
    expect(two.notes).toContain('web-lb: zone use1-c is impaired, but the provider refused to shift it away while use1-a, use1-b are shifted away (ARC holds one zonal shift per load balancer); that shift stays; asking again in 300s (backoffMax), not before');
    const none = decide(snapshot({ zones: zones({ 'use1-c': 'impaired' }), loadBalancers: [lb()], memory }), policy);
    expect(none.notes).toContain('web-lb: zone use1-c is impaired, but the provider refused to shift it away; asking again in 300s (backoffMax), not before');
    // Held exactly one settle window: only settling, not refused; in flight: not refused either.
    const settling = decide(snapshot({ zones: zones({ 'use1-c': 'impaired' }), loadBalancers: [lb()], memory: { issued: { 'shift:aws:web-lb:use1-c:away': 100_000 + 30_000 } } }), policy);
    expect(settling.notes.join('\n')).not.toMatch(/refused/);
    const inFlight = decide(snapshot({ zones: zones({ 'use1-c': 'impaired' }), loadBalancers: [lb()], memory, inFlight: ['shift:aws:web-lb:use1-c:away'] }), policy);
    expect(inFlight.notes.join('\n')).not.toMatch(/refused/);
    expect(inFlight.steps).toEqual([]);
  });
});

describe('traffic shifts and endpoints together', () => {
  it('follow a promotion planned in the same cycle', () => {
    const plan = decide(
      snapshot({
        zones: [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1')],
        databases: [
          { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(0) },
          { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { mode: 'sync', lagSeconds: 0 }), health: up },
        ],
        endpoints: [endpoint('orders')],
      }),
      policy,
    );
    expect(plan.steps.map((st) => st.operation)).toEqual(['promoteReplica', 'updateEndpoint']);
    expect(plan.steps[1]!.reason).toBe('orders.db answers orders, which orders is failing over from; orders-b is being promoted: point clients at it now, so the change propagates while the promotion completes');
  });
});

describe('endpoints and shifts: further edges', () => {
  const lb = (out: string[] = []): LoadBalancer => ({
    id: 'web-lb',
    provider: 'aws',
    region: 'us-east-1',
    group: 'web',
    zones: ['use1-a', 'use1-b', 'use1-c'].map((z) => ({ zone: z, inRotation: !out.includes(z), healthyTargets: null, targets: null })),
    extra: {},
  });
  const ours = (zoneId: string, expiresAt: number) => ({ [`aws:web-lb:${zoneId}`]: { provider: 'aws', loadBalancer: 'web-lb', region: 'us-east-1', group: 'web', zone: zoneId, issuedAt: 90_000, expiresAt, confirmed: true, returning: false } });

  it('an endpoint follows only its own database\'s promotion', () => {
    const cluster = (name: string) => ({ cluster: name, primary: name, provider: 'aws', failovers: 0 });
    const plan = decide(
      snapshot({
        zones: [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1')],
        databases: [
          { instance: { ...db('billing', 'use1-a', 'us-east-1', 'primary'), cluster: 'billing' }, health: down(0) },
          { instance: { ...db('billing-b', 'use1-b', 'us-east-1', 'replica', { mode: 'sync', lagSeconds: 0, upstream: 'billing' }), cluster: 'billing' }, health: up },
          { instance: db('orders', 'use1-b', 'us-east-1', 'primary'), health: upWritable },
        ],
        memory: { clusters: { billing: cluster('billing'), orders: cluster('orders') } },
        endpoints: [endpoint('orders')],
      }),
      policy,
    );
    expect(plan.steps.map((st) => st.operation)).toEqual(['promoteReplica']);
  });

  it('an endpoint with no change pending says nothing of one', () => {
    const plan = decide(
      snapshot({
        zones: [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1')],
        databases: [{ instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(50_000) }, { instance: db('orders-b', 'use1-b', 'us-east-1', 'primary'), health: upWritable }],
        memory: { clusters: { orders: { cluster: 'orders', primary: 'orders-b', provider: 'aws', failovers: 1 } } },
        endpoints: [endpoint('orders')],
      }),
      policy,
    );
    expect(plan.steps.find((st) => st.operation === 'updateEndpoint')?.reason).toBe('orders.db answers orders, but orders-b is the primary of orders and takes writes: point clients at it');
  });

  it('a zone of ours the listing still shows in rotation is not counted as serving', () => {
    // use1-a is ours (shifted away, the listing not yet showing it); use1-b and use1-c go impaired: only one more may go.
    const plan = decide(snapshot({ now: 100_000, zones: [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1', 'impaired'), zone('use1-c', 'us-east-1', 'impaired')], loadBalancers: [lb()], memory: { shifts: ours('use1-a', 1_890_000) } }), policy);
    expect(plan.steps.map((st) => st.zone)).toEqual(['use1-b']);
    expect(plan.notes).toContain('web-lb: zone use1-c is impaired, but it is the last zone in rotation; not shifting it away');
  });

  it('a renewal is not sent again while it settles', () => {
    const key = `shift:aws:web-lb:use1-a:away:renew:${1_890_000}`;
    const late = (issued: Record<string, number>) => decide(snapshot({ now: 1_000_000, zones: [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1'), zone('use1-c', 'us-east-1')], loadBalancers: [lb(['use1-a'])], memory: { shifts: ours('use1-a', 1_890_000), issued } }), policy);
    expect(late({}).steps.map((st) => st.key)).toEqual([key]);
    expect(late({ [key]: 1_000_001 }).steps).toEqual([]);
    const dark = (() => {
      const z = zone('use1-a', 'us-east-1', 'degraded');
      return { ...z, evidence: { ...z.evidence, probes: { total: 3, down: 3, up: 0, failing: 0 } } };
    })();
    const renewKey = 'shift:aws:web-lb:use1-a:away';
    const darkPlan = decide(snapshot({ now: 1_000_000, zones: [dark, zone('use1-b', 'us-east-1'), zone('use1-c', 'us-east-1')], loadBalancers: [lb(['use1-a'])], memory: { shifts: ours('use1-a', 1_890_000), issued: { [renewKey]: 1_000_001 } } }), policy);
    expect(darkPlan.steps).toEqual([]);
  });

  it('a healthy zone nothing in it is probed for is put back, not renewed', () => {
    const plan = decide(snapshot({ now: 1_000_000, zones: [zone('use1-a', 'us-east-1', 'healthy', 0), zone('use1-b', 'us-east-1'), zone('use1-c', 'us-east-1')], loadBalancers: [lb(['use1-a'])], memory: { shifts: ours('use1-a', 1_890_000) } }), policy);
    expect(plan.steps).toEqual([expect.objectContaining({ zone: 'use1-a', away: false })]);
  });
});
