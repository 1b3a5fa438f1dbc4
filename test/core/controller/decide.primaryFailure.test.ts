import { describe, expect, it } from 'vitest';
import type { DatabaseInstance } from '../../../src/core/contract/types.js';
import { decide } from '../../../src/core/controller/decide.js';
import type { PromoteStep } from '../../../src/core/controller/Plan.js';
import { DEFAULT_POLICY } from '../../../src/core/controller/Policy.js';
import type { TargetHealth, ZoneHealth } from '../../../src/core/health/types.js';
import { db, down, key, snapshot, up, upWritable, zone } from './snapshotBuilder.js';

/**
 * Why a primary counts as failed (never on our probes alone). The primary
 * `orders` lives in use1-a; its zone is degraded unless a case says
 * otherwise, and one sync replica in a healthy zone is always eligible, so
 * a promotion is planned exactly when the primary counts as failed.
 */
const policy = DEFAULT_POLICY;
const NOW = 100_000;

function promotion(input: {
  primary?: Partial<DatabaseInstance>;
  health?: TargetHealth;
  primaryZone?: ZoneHealth;
  replication?: 'alive' | 'cut' | 'none';
}): { step: PromoteStep | undefined; notes: string } {
  const s = snapshot({
    now: NOW,
    zones: [input.primaryZone ?? zone('use1-a', 'us-east-1', 'degraded'), zone('use1-b', 'us-east-1')],
    databases: [
      { instance: { ...db('orders', 'use1-a', 'us-east-1', 'primary'), ...input.primary }, health: input.health ?? down(0) },
      { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { mode: 'sync', lagSeconds: 0, lastContactSeconds: 0 }), health: up },
    ],
    replicationFrom: input.replication ? [[key('aws', 'orders'), input.replication]] : [],
  });
  const plan = decide(s, policy);
  return { step: plan.steps.find((st): st is PromoteStep => st.operation === 'promoteReplica'), notes: plan.notes.join('\n') };
}

const providerSays = (status: ZoneHealth['evidence']['providerStatus']): ZoneHealth => {
  const z = zone('use1-a', 'us-east-1', 'degraded');
  return { ...z, evidence: { ...z.evidence, providerStatus: status } };
};

describe('decide: when the primary counts as failed', () => {
  it('down to our probes alone (its replicas say nothing, the provider lists it available) is not a failure', () => {
    expect(promotion({}).step).toBeUndefined();
  });

  it('down, with its replicas having lost contact: failed, once down for impairedAfter and not before', () => {
    const impairedAfterMs = policy.impairedAfter * 1000;
    const at = promotion({ health: down(NOW - impairedAfterMs), replication: 'cut' });
    expect(at.step?.reason).toMatch(/^primary orders does not answer and its replicas lost contact with it; promote orders-b/);
    expect(promotion({ health: down(NOW - impairedAfterMs + 1), replication: 'cut' }).step).toBeUndefined();
  });

  it('down, and listed stopped or failed by its provider: failed, saying so', () => {
    expect(promotion({ primary: { state: 'stopped' } }).step?.reason).toMatch(/^primary orders does not answer and aws lists it stopped;/);
    expect(promotion({ primary: { state: 'failed' } }).step?.reason).toMatch(/^primary orders does not answer and aws lists it failed;/);
    // A listed state that says nothing about it (rebooting) is no confirmation.
    expect(promotion({ primary: { state: 'rebooting' } }).step).toBeUndefined();
  });

  it('down, and the provider reports its zone impaired or unavailable: failed, saying so', () => {
    expect(promotion({ primaryZone: providerSays('impaired') }).step?.reason).toMatch(/^primary orders does not answer and aws reports zone use1-a impaired;/);
    expect(promotion({ primaryZone: providerSays('unavailable') }).step?.reason).toMatch(/^primary orders does not answer and aws reports zone use1-a unavailable;/);
    expect(promotion({ primaryZone: providerSays('available') }).step).toBeUndefined();
  });

  it('down with no time of failure known is not a failure, whatever else says so', () => {
    const noSince: TargetHealth = { ...down(0), failingSince: undefined };
    expect(promotion({ health: noSince, replication: 'cut' }).step).toBeUndefined();
  });

  it('a replica still hearing it vetoes every confirmation but a confirmed zone outage', () => {
    expect(promotion({ primary: { state: 'stopped' }, replication: 'alive' }).step).toBeUndefined();
    expect(promotion({ primaryZone: zone('use1-a', 'us-east-1', 'impaired'), replication: 'alive' }).step?.reason).toMatch(/^primary orders is in impaired zone use1-a \(impaired\)/);
  });

  it('a primary that answers and takes writes has not failed, even in a zone still marked impaired', () => {
    expect(promotion({ health: upWritable, primaryZone: zone('use1-a', 'us-east-1', 'impaired') }).step).toBeUndefined();
    // Answering but not taking writes in an impaired zone: the zone decides.
    expect(promotion({ health: up, primaryZone: zone('use1-a', 'us-east-1', 'impaired') }).step?.target).toBe('orders-b');
  });

  it('the promotion reason names the candidate: sync, same region, its zone state and the estimated loss', () => {
    const step = promotion({ primaryZone: zone('use1-a', 'us-east-1', 'impaired') }).step!;
    expect(step.reason).toBe('primary orders is in impaired zone use1-a (impaired); promote orders-b (sync, same region, zone use1-b healthy, est. loss 0s)');
    expect(step).toMatchObject({ key: 'promote:orders:aws:orders-b', provider: 'aws', region: 'us-east-1', zone: 'use1-b', cluster: 'orders', from: 'orders' });
  });
});

describe('decide: when the primary counts as failed, further edges', () => {
  it('suspect (failing, not yet down) is not down, however long', () => {
    const suspect: TargetHealth = { ...down(0), status: 'suspect' };
    expect(promotion({ health: suspect, replication: 'cut' }).step).toBeUndefined();
  });

  it('fenced by this controller and still stopping: failed, nothing promoted in its place', () => {
    const unprobed: TargetHealth = { status: 'unprobed', failedRounds: 0, failingSince: undefined, upSince: undefined, writable: false };
    const s = snapshot({
      zones: [zone('use1-a', 'us-east-1'), zone('use1-b', 'us-east-1')],
      databases: [
        { instance: { ...db('orders', 'use1-a', 'us-east-1', 'primary'), state: 'stopping' }, health: unprobed },
        { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { mode: 'sync', lagSeconds: 0, state: 'disconnected' }), health: up },
      ],
      memory: { fenced: { [key('aws', 'orders')]: 95_000 } },
    });
    const step = decide(s, policy).steps.find((st): st is PromoteStep => st.operation === 'promoteReplica');
    expect(step?.reason).toMatch(/^primary orders was fenced by this controller and nothing was promoted in its place/);
  });

  it('a primary in a zone with no health picture, listed stopped: failed, and not fenced again', () => {
    const s = snapshot({
      now: NOW,
      zones: [zone('use1-b', 'us-east-1')],
      databases: [
        { instance: { ...db('orders', 'use1-x', 'us-east-1', 'primary'), state: 'stopped' }, health: down(0) },
        { instance: db('orders-b', 'use1-b', 'us-east-1', 'replica', { mode: 'sync', lagSeconds: 0 }), health: up },
      ],
    });
    expect(decide(s, policy).steps.map((st) => st.operation)).toEqual(['promoteReplica']);
    // Listed available, down, replicas cut off: fenced along with the promotion.
    const cut = snapshot({ now: NOW, zones: [zone('use1-b', 'us-east-1')], databases: [{ instance: db('orders', 'use1-x', 'us-east-1', 'primary'), health: down(0) }, ...s.databases.slice(1)], replicationFrom: [[key('aws', 'orders'), 'cut']] });
    expect(decide(cut, policy).steps.map((st) => st.operation)).toEqual(['stopDatabase', 'promoteReplica']);
  });

  it('the reason names an async replica in another region and provider', () => {
    const s = snapshot({
      zones: [zone('use1-a', 'us-east-1', 'impaired'), { ...zone('gcp-a', 'us-central1'), provider: 'gcp' }],
      databases: [
        { instance: db('orders', 'use1-a', 'us-east-1', 'primary'), health: down(0) },
        { instance: db('orders-g', 'gcp-a', 'us-central1', 'replica', { lagSeconds: 2, lastContactSeconds: 0 }, 'gcp'), health: up },
      ],
    });
    const step = decide(s, policy).steps.find((st): st is PromoteStep => st.operation === 'promoteReplica')!;
    expect(step.reason).toBe('primary orders is in impaired zone use1-a (impaired); promote orders-g (async, region us-central1, provider gcp, zone gcp-a healthy, est. loss 2s)');
  });
});
