import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../../src/core/contract/Prober.js';
import type { DatabaseInstance, Node } from '../../../src/core/contract/types.js';
import { DEFAULT_POLICY } from '../../../src/core/controller/Policy.js';
import { HealthTracker, type KnownZone } from '../../../src/core/health/HealthTracker.js';

const zones: KnownZone[] = [
  { provider: 'aws', region: 'r', zone: 'a', providerStatus: 'available' },
  { provider: 'aws', region: 'r', zone: 'b', providerStatus: 'available' },
];
const nodes: Node[] = ['a1', 'a2', 'b1', 'b2'].map((id) => ({
  id, name: id, provider: 'aws', region: 'r', zone: id[0]!, state: 'running', extra: {},
}));
const primary: DatabaseInstance = { id: 'db', cluster: 'db', provider: 'aws', region: 'r', zone: 'a', engine: 'pg', role: 'primary', state: 'available', extra: {} };
const replica = (contact: number): DatabaseInstance => ({
  id: 'db-b', cluster: 'db', provider: 'aws', region: 'r', zone: 'b', engine: 'pg', role: 'replica', state: 'available', extra: {},
  replication: { upstream: 'db', mode: 'sync', state: contact < 5 ? 'streaming' : 'disconnected', lagSeconds: contact, lastContactSeconds: contact },
});

const keys = [...nodes.map((n) => `aws:${n.id}`), 'aws:db', 'aws:db-b'];
const zoneKeys = [...nodes.map((n) => `aws:${n.zone}`), 'aws:a', 'aws:b'];

/** Runs rounds every 2 s; `zoneAUp(t)` says whether zone a answers our probes at t (ms); `contact(t)` what the replica reports. */
function simulate(
  rounds: number,
  zoneAUp: (t: number) => boolean,
  contact: (t: number) => number,
  zoneList = zones,
  probedContact?: (t: number) => number,
) {
  const tracker = new HealthTracker(DEFAULT_POLICY);
  const states: { t: number; a: string }[] = [];
  for (let i = 0; i < rounds; i++) {
    const now = i * 2000;
    const aUp = zoneAUp(now);
    const seen = probedContact?.(now);
    const replicaResult: ProbeResult =
      seen === undefined
        ? { ok: true }
        : { ok: true, role: 'replica', replication: { state: seen < 5 ? 'streaming' : 'disconnected', lastContactSeconds: seen } };
    const results: ProbeResult[] = [...nodes.map((n) => ({ ok: n.zone === 'b' || aUp })), { ok: aUp, writable: aUp }, replicaResult];
    const probes = { keys, zoneKeys, results };
    const result = tracker.update({ now, zones: zoneList, nodes, databases: [primary, replica(contact(now))], probes, stoppedOnPurpose: () => false });
    states.push({ t: now, a: result.zones.get('aws:a')!.state });
  }
  return states;
}

const firstImpaired = (states: { t: number; a: string }[]) => states.find((s) => s.a === 'impaired')?.t;

describe('HealthTracker', () => {
  it('declares a zone impaired when probes fail and replication from it is cut, after the dwell', () => {
    const cutAt = 10_000;
    const states = simulate(20, (t) => t < cutAt, (t) => (t < cutAt ? 0 : (t - cutAt) / 1000));
    const at = firstImpaired(states);
    expect(at).toBeDefined();
    // Not before three failed rounds and the dwell of bad evidence; not much later either.
    expect(at! - cutAt).toBeGreaterThanOrEqual(DEFAULT_POLICY.impairedAfter * 1000);
    expect(at! - cutAt).toBeLessThanOrEqual(12_000);
  });

  it('never declares impaired on its own probes when replication from the zone goes on (observer partition)', () => {
    const states = simulate(60, (t) => t < 10_000, () => 0);
    expect(firstImpaired(states)).toBeUndefined();
    expect(states.at(-1)!.a).toBe('degraded');
  });

  it('ignores flaps shorter than the dwell', () => {
    // 3 s unreachable, 3 s reachable; replication catches up each time.
    const states = simulate(100, (t) => Math.floor(t / 3000) % 2 === 1, (t) => (Math.floor(t / 3000) % 2 === 1 ? (t % 3000) / 1000 : 0));
    expect(firstImpaired(states)).toBeUndefined();
  });

  it('recovers only after the recovery dwell', () => {
    const cutAt = 10_000;
    const backAt = 60_000;
    const states = simulate(150, (t) => t < cutAt || t >= backAt, (t) => (t >= cutAt && t < backAt ? (t - cutAt) / 1000 : 0));
    const impairedAt = firstImpaired(states)!;
    const recoveredAt = states.find((s) => s.t > impairedAt && s.a !== 'impaired')!.t;
    expect(recoveredAt - backAt).toBeGreaterThanOrEqual(DEFAULT_POLICY.recoveredAfter * 1000);
  });

  it("prefers the replica's own view from this round's probe to the listing's older one", () => {
    const cutAt = 10_000;
    const cut = (t: number) => (t < cutAt ? 0 : (t - cutAt) / 1000);
    // The listing (last control-plane read) still says streaming; the replica, probed now, says cut off.
    const fresh = simulate(20, (t) => t < cutAt, () => 0, zones, cut);
    const at = firstImpaired(fresh);
    expect(at).toBeDefined();
    expect(at! - cutAt).toBeGreaterThanOrEqual(DEFAULT_POLICY.replicationStaleAfter * 1000);
    // The listing says cut off, but the replica probed now still hears its primary: an observer partition.
    const partition = simulate(30, (t) => t < cutAt, cut, zones, () => 0);
    expect(firstImpaired(partition)).toBeUndefined();
    expect(partition.at(-1)!.a).toBe('degraded');
  });

  it('takes the provider status as a vantage point for a zone with no replication to witness', () => {
    const provider: KnownZone[] = [{ ...zones[0]!, providerStatus: 'unavailable' }, zones[1]!];
    const states = simulate(20, (t) => t < 10_000, () => 0, provider);
    // Replication says alive here (contact 0): the veto holds even against the provider.
    expect(firstImpaired(states)).toBeUndefined();
    const noWitness = simulate(20, (t) => t < 10_000, () => 100, provider);
    expect(firstImpaired(noWitness)).toBeDefined();
  });
});

/**
 * A zone with nodes only: no database, so no replica anywhere reports on it.
 * Its evidence is our probes and the provider (zone status, listing). Rounds every 2 s.
 */
function nodesOnly(
  rounds: number,
  options: {
    probesUp: (t: number) => boolean;
    providerStatus?: (t: number) => KnownZone['providerStatus'];
    listedState?: (t: number) => Node['state'];
    policy?: typeof DEFAULT_POLICY;
  },
) {
  const tracker = new HealthTracker(options.policy ?? DEFAULT_POLICY);
  const probeKeys = nodes.map((n) => `aws:${n.id}`);
  const probeZones = nodes.map((n) => `aws:${n.zone}`);
  const states: { t: number; a: string; bad: readonly string[] }[] = [];
  for (let i = 0; i < rounds; i++) {
    const now = i * 2000;
    const aUp = options.probesUp(now);
    const status = options.providerStatus?.(now) ?? 'available';
    const state = options.listedState?.(now) ?? 'running';
    const listed = nodes.map((n) => (n.zone === 'a' ? { ...n, state } : n));
    const result = tracker.update({
      now,
      zones: [{ ...zones[0]!, providerStatus: status }, zones[1]!],
      nodes: listed,
      databases: [],
      probes: { keys: probeKeys, zoneKeys: probeZones, results: nodes.map((n) => ({ ok: n.zone === 'b' || aUp })) },
      stoppedOnPurpose: () => false,
    });
    const a = result.zones.get('aws:a')!;
    states.push({ t: now, a: a.state, bad: a.evidence.badVantagePoints });
  }
  return states;
}

describe('HealthTracker: two vantage points for a zone no replica reports on', () => {
  it('keeps a zone degraded, never impaired, on its own probes alone, however long they fail', () => {
    const states = nodesOnly(150, { probesUp: (t) => t < 10_000 });
    // The probes do say bad, for the whole five minutes, and nothing else does.
    expect(states.at(-1)!.bad).toEqual(['probes']);
    expect(firstImpaired(states)).toBeUndefined();
    expect(states.at(-1)!.a).toBe('degraded');
  });

  it("keeps it degraded on the provider's word alone while our probes answer", () => {
    const states = nodesOnly(150, { probesUp: () => true, providerStatus: (t) => (t < 10_000 ? 'available' : 'unavailable') });
    expect(states.at(-1)!.bad).toEqual(['provider']);
    expect(firstImpaired(states)).toBeUndefined();
    expect(states.at(-1)!.a).toBe('degraded');
  });

  it('declares it impaired once the provider corroborates the probes (status, or listing its nodes stopped)', () => {
    const cutAt = 10_000;
    const byStatus = nodesOnly(30, { probesUp: (t) => t < cutAt, providerStatus: (t) => (t < cutAt ? 'available' : 'impaired') });
    expect(firstImpaired(byStatus)).toBeDefined();
    expect(byStatus.find((s) => s.a === 'impaired')!.bad).toEqual(['probes', 'provider']);
    const byListing = nodesOnly(30, { probesUp: (t) => t < cutAt, listedState: (t) => (t < cutAt ? 'running' : 'stopped') });
    expect(firstImpaired(byListing)).toBeDefined();
    expect(firstImpaired(byListing)! - cutAt).toBeGreaterThanOrEqual(DEFAULT_POLICY.impairedAfter * 1000);
  });
});

describe('HealthTracker: recovery needs both recoveredRounds and recoveredAfter', () => {
  const cutAt = 10_000;
  const backAt = 60_000;
  const outage = (policy: typeof DEFAULT_POLICY) =>
    nodesOnly(200, {
      policy,
      probesUp: (t) => t < cutAt || t >= backAt,
      providerStatus: (t) => (t >= cutAt && t < backAt ? 'unavailable' : 'available'),
    });
  const recovery = (states: { t: number; a: string }[]) => {
    const impairedAt = firstImpaired(states);
    expect(impairedAt).toBeLessThan(backAt);
    return states.find((s) => s.t > impairedAt! && s.a !== 'impaired')?.t;
  };

  it('waits out recoveredAfter even when recoveredRounds clean rounds came long before', () => {
    // 2 rounds take 2 s; 100 s is the binding condition.
    const policy = { ...DEFAULT_POLICY, recoveredRounds: 2, recoveredAfter: 100 };
    const at = recovery(outage(policy))!;
    expect(at - backAt).toBeGreaterThanOrEqual(100_000);
    expect(at - backAt).toBeLessThanOrEqual(102_000);
  });

  it('waits for recoveredRounds clean rounds even when recoveredAfter has passed', () => {
    // 40 rounds every 2 s take 78 s; 1 s is no obstacle.
    const policy = { ...DEFAULT_POLICY, recoveredRounds: 40, recoveredAfter: 1 };
    const at = recovery(outage(policy))!;
    expect(at - backAt).toBe(39 * 2000);
  });
});
