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
    /** How a failed probe of zone a fails at t (default: no kind given). */
    failure?: (t: number) => ProbeResult['failure'];
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
      probes: {
        keys: probeKeys,
        zoneKeys: probeZones,
        results: nodes.map((n): ProbeResult => (n.zone === 'b' || aUp ? { ok: true } : { ok: false, failure: options.failure?.(now) })),
      },
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

describe('HealthTracker: a zone whose power came back while its machines stay stopped', () => {
  const cutAt = 10_000;
  const powerBackAt = 100_000;
  // Power loss: everything in zone a is listed stopped from cutAt on, and stays so (nothing starts it again).
  const powerLoss = (failure: (t: number) => ProbeResult['failure']) =>
    nodesOnly(250, { probesUp: (t) => t < cutAt, listedState: (t) => (t < cutAt ? 'running' : 'stopped'), failure });

  it('leaves impaired once the stopped machines refuse our probes instead of timing out', () => {
    const states = powerLoss((t) => (t < powerBackAt ? 'timeout' : 'refused'));
    const impairedAt = firstImpaired(states);
    expect(impairedAt).toBeDefined();
    expect(impairedAt!).toBeLessThan(powerBackAt);
    const leftAt = states.find((s) => s.t > impairedAt! && s.a !== 'impaired')?.t;
    expect(leftAt).toBeDefined();
    expect(leftAt! - powerBackAt).toBeGreaterThanOrEqual(DEFAULT_POLICY.recoveredAfter * 1000);
    // Still listed stopped: degraded (one vantage point), not healthy.
    expect(states.at(-1)!).toMatchObject({ a: 'degraded', bad: ['provider'] });
  });

  it('stays impaired while the probes still time out (the zone is dark)', () => {
    const states = powerLoss(() => 'timeout');
    expect(firstImpaired(states)).toBeDefined();
    expect(states.at(-1)!.a).toBe('impaired');
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

/** One round builder for the evidence tests: zones a and b of provider aws, region r. */
function round(
  now: number,
  input: {
    probes: [key: string, zone: string, result: ProbeResult][];
    nodes?: Node[];
    databases?: DatabaseInstance[];
    status?: KnownZone['providerStatus'];
    fenced?: string[];
  },
) {
  return {
    now,
    zones: [{ ...zones[0]!, providerStatus: input.status ?? 'available' }, zones[1]!],
    nodes: input.nodes ?? [],
    databases: input.databases ?? [],
    probes: { keys: input.probes.map((p) => p[0]), zoneKeys: input.probes.map((p) => p[1]), results: input.probes.map((p) => p[2]) },
    stoppedOnPurpose: (key: string) => input.fenced?.includes(key) ?? false,
  };
}
const nodeIn = (id: string, zone: string, state: Node['state'] = 'running'): Node => ({ id, name: id, provider: 'aws', region: 'r', zone, state, extra: {} });
const OK: ProbeResult = { ok: true };
const FAIL: ProbeResult = { ok: false, failure: 'timeout' };

describe('HealthTracker: evidence per vantage point', () => {
  it('reports what each vantage point said, which are bad, and a reason naming them', () => {
    const tracker = new HealthTracker(DEFAULT_POLICY);
    const listed = [nodeIn('a1', 'a'), nodeIn('a2', 'a', 'stopped'), nodeIn('a3', 'a', 'terminated'), nodeIn('b1', 'b')];
    const probes: [string, string, ProbeResult][] = [['aws:a1', 'aws:a', FAIL], ['aws:a2', 'aws:a', FAIL], ['aws:b1', 'aws:b', OK]];
    let last;
    for (let i = 0; i < 3; i++) last = tracker.update(round(i * 2000, { probes, nodes: listed, status: 'impaired' }));
    const a = last!.zones.get('aws:a')!;
    expect(a.evidence).toEqual({
      probes: { total: 2, down: 2, up: 0, failing: 2 },
      providerStatus: 'impaired',
      // The terminated node is not listed evidence; the stopped one is.
      listing: { total: 2, stopped: 1 },
      replication: 'none',
      badVantagePoints: ['probes', 'provider'],
    });
    expect(a.state).toBe('impaired');
    expect(a.reason).toBe('impaired: probes 2/2 down, provider says impaired, 1/2 listed stopped');
    expect(last!.zones.get('aws:b')!.evidence.badVantagePoints).toEqual([]);
    expect(last!.zones.get('aws:b')!.reason).toBe('all probes answer');
  });

  it('counts the probes bad from impairedFraction of the zone down, inclusive', () => {
    const run = (down: number, total: number) => {
      const tracker = new HealthTracker(DEFAULT_POLICY);
      const probes: [string, string, ProbeResult][] = Array.from({ length: total }, (_, i) => [`aws:a${i}`, 'aws:a', i < down ? FAIL : OK]);
      const nodes = Array.from({ length: total }, (_, i) => nodeIn(`a${i}`, 'a'));
      let last;
      for (let i = 0; i < 4; i++) last = tracker.update(round(i * 2000, { probes, nodes, status: 'unavailable' }));
      return last!.zones.get('aws:a')!;
    };
    // Half down (impairedFraction 0.5) is bad: with the provider, two vantage points.
    expect(run(1, 2).state).toBe('impaired');
    expect(run(1, 2).evidence.badVantagePoints).toEqual(['probes', 'provider']);
    // A third down is not: the provider alone.
    expect(run(1, 3).state).toBe('degraded');
    expect(run(1, 3).evidence.badVantagePoints).toEqual(['provider']);
    expect(run(1, 3).reason).toBe('degraded: probes 1/3 down, provider says unavailable');
  });

  it('counts the listing bad from impairedFraction of the zone listed stopped, and never what the controller fenced itself', () => {
    const run = (states: Node['state'][], fenced: string[] = []) => {
      const tracker = new HealthTracker(DEFAULT_POLICY);
      const nodes = states.map((s, i) => nodeIn(`a${i}`, 'a', s));
      const probes: [string, string, ProbeResult][] = nodes.map((n) => [`aws:${n.id}`, 'aws:a', FAIL]);
      let last;
      for (let i = 0; i < 4; i++) last = tracker.update(round(i * 2000, { probes, nodes, fenced }));
      return last!.zones.get('aws:a')!;
    };
    expect(run(['stopped', 'running']).evidence.badVantagePoints).toEqual(['probes', 'provider']);
    expect(run(['stopped', 'running']).state).toBe('impaired');
    expect(run(['stopped', 'running', 'running']).evidence.badVantagePoints).toEqual(['probes']);
    // Fenced on purpose: neither its stop nor its silence says anything about the zone.
    const fenced = run(['stopped', 'running'], ['aws:a0']);
    expect(fenced.evidence.listing).toEqual({ total: 2, stopped: 0 });
    expect(fenced.evidence.probes.total).toBe(1);
    expect(fenced.state).toBe('degraded');
  });
});

describe('HealthTracker: replication as a witness', () => {
  const primaryIn = (zone: string, state: DatabaseInstance['state'] = 'available'): DatabaseInstance => ({ ...primary, zone, state });
  const replicaIn = (id: string, zone: string, replication: Partial<NonNullable<DatabaseInstance['replication']>>): DatabaseInstance => ({
    ...primary,
    id,
    zone,
    role: 'replica',
    replication: { upstream: 'db', mode: 'async', state: 'streaming', lagSeconds: 0, lastContactSeconds: 0, ...replication },
  });
  const cut = { state: 'disconnected' as const, lastContactSeconds: 60 };
  /** Zone a (the primary's) fails our probes; each listed replica's probe is `replicaProbe`. */
  const assess = (replicas: DatabaseInstance[], replicaProbe: ProbeResult = OK, primaryState: DatabaseInstance['state'] = 'available', sameZoneProbe: ProbeResult = FAIL) => {
    const tracker = new HealthTracker(DEFAULT_POLICY);
    const probes: [string, string, ProbeResult][] = [['aws:db', 'aws:a', FAIL], ...replicas.map((r): [string, string, ProbeResult] => [`aws:${r.id}`, `aws:${r.zone}`, r.zone === 'a' ? sameZoneProbe : replicaProbe])];
    let last;
    for (let i = 0; i < 4; i++) last = tracker.update(round(i * 2000, { probes, databases: [primaryIn('a', primaryState), ...replicas] }));
    return { zone: last!.zones.get('aws:a')!, from: last!.replicationFrom.get('aws:db') };
  };

  it('a reachable replica elsewhere that lost its primary is the second vantage point', () => {
    const { zone, from } = assess([replicaIn('r-b', 'b', cut)]);
    expect(zone.evidence.replication).toBe('cut');
    expect(zone.evidence.badVantagePoints).toEqual(['probes', 'replication']);
    expect(zone.state).toBe('impaired');
    expect(zone.reason).toBe('impaired: probes 1/1 down, provider says available, replication cut off');
    expect(from).toBe('cut');
  });

  it('one replica still hearing the primary outweighs another that lost it', () => {
    const { zone, from } = assess([replicaIn('r-b', 'b', cut), replicaIn('r-b2', 'b', {})]);
    expect(zone.evidence.replication).toBe('alive');
    expect(zone.state).toBe('degraded');
    expect(from).toBe('alive');
    // Order does not matter.
    expect(assess([replicaIn('r-b2', 'b', {}), replicaIn('r-b', 'b', cut)]).from).toBe('alive');
  });

  it('a replica that does not answer our probes, or whose replication is broken, is no witness', () => {
    expect(assess([replicaIn('r-b', 'b', cut)], FAIL).zone.evidence.replication).toBe('none');
    expect(assess([replicaIn('r-b', 'b', cut)], FAIL).zone.state).toBe('degraded');
    expect(assess([replicaIn('r-b', 'b', { ...cut, state: 'broken' })]).zone.evidence.replication).toBe('none');
    expect(assess([replicaIn('r-b', 'b', { ...cut, state: 'broken' })]).from).toBeUndefined();
  });

  it('a replica in the same zone says nothing about the zone, though it says its primary is cut off', () => {
    const { zone, from } = assess([replicaIn('r-a', 'a', cut), replicaIn('r-b', 'b', cut)], OK);
    expect(zone.evidence.replication).toBe('cut');
    expect(from).toBe('cut');
    const sameZoneOnly = assess([replicaIn('r-a', 'a', cut)]);
    expect(sameZoneOnly.zone.evidence.replication).toBe('none');
  });

  it('replication from a primary the provider does not list available is no evidence', () => {
    expect(assess([replicaIn('r-b', 'b', cut)], OK, 'stopped').zone.evidence.replication).toBe('none');
  });

  it('a replica listed broken is no witness even when its fresh probe reports a stream, nor one whose probe says broken', () => {
    const probed = (state: 'disconnected' | 'broken'): ProbeResult => ({ ok: true, role: 'replica', replication: { state, lastContactSeconds: 60 } });
    const listedBroken = assess([replicaIn('r-b', 'b', { ...cut, state: 'broken' })], probed('disconnected'));
    expect(listedBroken.zone.evidence.replication).toBe('none');
    expect(listedBroken.from).toBeUndefined();
    const probedBroken = assess([replicaIn('r-b', 'b', cut)], probed('broken'));
    expect(probedBroken.zone.evidence.replication).toBe('none');
    expect(probedBroken.from).toBeUndefined();
  });

  it("finds a replica's upstream by id in its own cluster, wherever the cluster lists it", () => {
    const tracker = new HealthTracker(DEFAULT_POLICY);
    // The replica comes before its primary, and another cluster has its own primary in zone b.
    const other: DatabaseInstance = { ...primary, id: 'other', cluster: 'other', zone: 'b' };
    const databases = [replicaIn('r-b', 'b', cut), primaryIn('a'), other];
    const probes: [string, string, ProbeResult][] = [['aws:db', 'aws:a', FAIL], ['aws:r-b', 'aws:b', OK], ['aws:other', 'aws:b', OK]];
    let last;
    for (let i = 0; i < 4; i++) last = tracker.update(round(i * 2000, { probes, databases }));
    expect(last!.replicationFrom.get('aws:db')).toBe('cut');
    expect([...last!.replicationFrom.keys()]).toEqual(['aws:db']);
    expect(last!.zones.get('aws:a')!.evidence.replication).toBe('cut');
    expect(last!.zones.get('aws:b')!.evidence.replication).toBe('none');
  });

  it('a replica in the same zone that still answers our probes says nothing about the zone either', () => {
    const { zone, from } = assess([replicaIn('r-a', 'a', cut)], OK, 'available', OK);
    expect(zone.evidence.replication).toBe('none');
    // Our probes alone (the primary down, its replica up): one vantage point.
    expect(zone.evidence.badVantagePoints).toEqual(['probes']);
    expect(zone.state).toBe('degraded');
    expect(from).toBe('cut');
  });

  it('a replica of another provider in a zone of the same name is a witness', () => {
    const elsewhere: DatabaseInstance = { ...replicaIn('r-gcp', 'a', cut), provider: 'gcp' };
    const tracker = new HealthTracker(DEFAULT_POLICY);
    const probes: [string, string, ProbeResult][] = [['aws:db', 'aws:a', FAIL], ['gcp:r-gcp', 'gcp:a', OK]];
    let last;
    for (let i = 0; i < 4; i++) last = tracker.update(round(i * 2000, { probes, databases: [primaryIn('a'), elsewhere] }));
    expect(last!.zones.get('aws:a')!.evidence.replication).toBe('cut');
    expect(last!.zones.get('aws:a')!.state).toBe('impaired');
  });

  it('a replica whose stream is in an unknown state with recent contact neither hears nor has lost its primary', () => {
    const unknown: ProbeResult = { ok: true, role: 'replica', replication: { state: 'unknown', lastContactSeconds: 1 } };
    const { zone, from } = assess([replicaIn('r-b', 'b', {})], unknown);
    expect(zone.evidence.replication).toBe('none');
    expect(from).toBeUndefined();
  });

  it('an upstream kept as unknown (its scope could not be listed) is still witnessed by its replicas', () => {
    const { zone, from } = assess([replicaIn('r-b', 'b', cut)], OK, 'unknown');
    expect(zone.evidence.replication).toBe('cut');
    expect(from).toBe('cut');
  });

  it('contact lost for replicationStaleAfter counts as cut even while the stream says streaming; under it, as alive', () => {
    const stale = DEFAULT_POLICY.replicationStaleAfter;
    expect(assess([replicaIn('r-b', 'b', { state: 'streaming', lastContactSeconds: stale })]).zone.evidence.replication).toBe('cut');
    expect(assess([replicaIn('r-b', 'b', { state: 'streaming', lastContactSeconds: stale - 0.1 })]).zone.evidence.replication).toBe('alive');
    expect(assess([replicaIn('r-b', 'b', { state: 'streaming', lastContactSeconds: null })]).zone.evidence.replication).toBe('alive');
    expect(assess([replicaIn('r-b', 'b', { state: 'disconnected', lastContactSeconds: null })]).zone.evidence.replication).toBe('cut');
  });
});

describe('HealthTracker: targets, transitions and stability', () => {
  it('marks a target suspect, then down after failedRounds, and up again at once; counts suspects and says when all is settled', () => {
    const tracker = new HealthTracker(DEFAULT_POLICY);
    const nodes = [nodeIn('a1', 'a'), nodeIn('b1', 'b')];
    const at = (i: number, a1: ProbeResult) => tracker.update(round(i * 2000, { probes: [['aws:a1', 'aws:a', a1], ['aws:b1', 'aws:b', { ok: true, writable: true }]], nodes }));
    const calm = at(0, OK);
    expect(calm.stable).toBe(true);
    expect(calm.suspectTargets).toBe(0);
    expect(calm.targets.get('aws:b1')).toMatchObject({ status: 'up', writable: true });
    const first = at(1, FAIL);
    expect(first.targets.get('aws:a1')).toMatchObject({ status: 'suspect', failedRounds: 1, failingSince: 2000, writable: false });
    expect(first.suspectTargets).toBe(1);
    expect(first.stable).toBe(false);
    expect(first.transitions.map((t) => [t.health.zone, t.from, t.to])).toEqual([['a', 'healthy', 'degraded']]);
    at(2, FAIL);
    const third = at(3, FAIL);
    expect(third.targets.get('aws:a1')).toMatchObject({ status: 'down', failedRounds: 3, failingSince: 2000 });
    expect(third.suspectTargets).toBe(0);
    // Degraded with a settled down target and nothing else: no counter is heading for a transition.
    expect(third.zones.get('aws:a')!.state).toBe('degraded');
    expect(third.transitions).toEqual([]);
    expect(third.stable).toBe(true);
    const back = at(4, OK);
    expect(back.targets.get('aws:a1')).toMatchObject({ status: 'up', failedRounds: 0, upSince: 8000 });
    // Degraded until recoveredRounds clean rounds: counting toward healthy is not stable.
    expect(back.zones.get('aws:a')!.state).toBe('degraded');
    expect(back.stable).toBe(false);
    let healthyAt: number | undefined;
    for (let i = 5; i < 15 && healthyAt === undefined; i++) {
      const r = at(i, OK);
      if (r.zones.get('aws:a')!.state === 'healthy') {
        healthyAt = i;
        expect(r.transitions.map((t) => [t.from, t.to])).toEqual([['degraded', 'healthy']]);
      }
    }
    expect(healthyAt).toBe(4 + DEFAULT_POLICY.recoveredRounds - 1);
  });

  it('marks listed targets it did not probe unprobed, and forgets those no longer listed', () => {
    const tracker = new HealthTracker(DEFAULT_POLICY);
    const both = [nodeIn('a1', 'a'), nodeIn('a2', 'a')];
    tracker.update(round(0, { probes: [['aws:a1', 'aws:a', OK], ['aws:a2', 'aws:a', OK]], nodes: both }));
    const onlyOne = tracker.update(round(2000, { probes: [['aws:a1', 'aws:a', OK]], nodes: both }));
    expect(onlyOne.targets.get('aws:a2')?.status).toBe('unprobed');
    expect(onlyOne.targets.get('aws:a1')?.status).toBe('up');
    const gone = tracker.update(round(4000, { probes: [['aws:a1', 'aws:a', OK]], nodes: [both[0]!] }));
    expect(gone.targets.has('aws:a2')).toBe(false);
    expect([...gone.targets.keys()]).toEqual(['aws:a1']);
  });

  it('keeps reporting the same zone health object while nothing changed, and a new one when the evidence does', () => {
    const tracker = new HealthTracker(DEFAULT_POLICY);
    const nodes = [nodeIn('a1', 'a')];
    const probes: [string, string, ProbeResult][] = [['aws:a1', 'aws:a', OK]];
    const one = tracker.update(round(0, { probes, nodes })).zones.get('aws:a');
    const two = tracker.update(round(2000, { probes, nodes })).zones.get('aws:a');
    expect(two).toBe(one);
    const three = tracker.update(round(4000, { probes, nodes, status: 'impaired' })).zones.get('aws:a')!;
    expect(three).not.toBe(one);
    expect(three.evidence.providerStatus).toBe('impaired');
  });
});

describe('HealthTracker: smaller rules', () => {
  it('follows a target whose writability changes while it stays up (a primary demoted, a replica promoted)', () => {
    const tracker = new HealthTracker(DEFAULT_POLICY);
    const nodes = [nodeIn('a1', 'a')];
    const at = (i: number, writable: boolean) => tracker.update(round(i * 2000, { probes: [['aws:a1', 'aws:a', { ok: true, writable }]], nodes })).targets.get('aws:a1');
    expect(at(0, false)).toMatchObject({ status: 'up', writable: false });
    expect(at(1, true)).toMatchObject({ status: 'up', writable: true });
    expect(at(2, false)).toMatchObject({ status: 'up', writable: false });
  });

  it('says why a zone with bad evidence stays degraded when replication from it goes on', () => {
    const tracker = new HealthTracker(DEFAULT_POLICY);
    const streaming: DatabaseInstance = { ...replica(0), zone: 'b' };
    let zoneA;
    for (let i = 0; i < 4; i++) {
      zoneA = tracker
        .update(round(i * 2000, { probes: [['aws:db', 'aws:a', FAIL], ['aws:db-b', 'aws:b', OK]], databases: [primary, streaming], status: 'unavailable' }))
        .zones.get('aws:a')!;
    }
    expect(zoneA!.state).toBe('degraded');
    expect(zoneA!.reason).toBe('degraded, but replication from it goes on: probes 1/1 down, provider says unavailable, replication flowing');
  });
});

/**
 * Round by round under a small policy (rounds every 2 s): one target in zone
 * a, whose probe and provider status the test sets each round. Both bad is
 * two vantage points; the probe alone is one.
 */
describe('HealthTracker: dwell, recovery, stability and wake-up time round by round', () => {
  const policy = { failedRounds: 1, impairedAfter: 10, recoveredRounds: 2, recoveredAfter: 4, impairedFraction: 0.5, replicationStaleAfter: 10 };
  const stepper = (p: typeof policy = policy) => {
    const tracker = new HealthTracker(p);
    const nodes = [nodeIn('a1', 'a'), nodeIn('b1', 'b')];
    return (t: number, probe: ProbeResult, status: KnownZone['providerStatus'] = 'available', startedAt = t) => {
      const r = tracker.update({ ...round(t, { probes: [['aws:a1', 'aws:a', probe], ['aws:b1', 'aws:b', OK]], nodes, status }), startedAt });
      return { ...r, a: r.zones.get('aws:a')! };
    };
  };

  it('counts the dwell from the first suspect round, is unstable while heading for a transition, and wakes for the dwell', () => {
    const at = stepper();
    const calm = at(0, OK);
    expect(calm).toMatchObject({ stable: true, confirmAt: Infinity });
    expect(calm.a.reason).toBe('all probes answer');
    // Our probe alone fails from 2 s (its round started at 1.5 s): suspect, one vantage point, nothing heading for impaired yet
    // but the dwell is counted from the probe's start, and the controller is told when it ends.
    const first = at(2000, FAIL, 'available', 1500);
    expect(first.a.state).toBe('degraded');
    expect(first.confirmAt).toBe(1500 + 10_000);
    const alone = at(4000, FAIL);
    expect(alone.a.state).toBe('degraded');
    expect(alone.stable).toBe(true);
    expect(alone.confirmAt).toBe(11_500);
    // The provider corroborates at 6 s: confirmed bad, counting toward impaired: not stable.
    for (const t of [6000, 8000, 10_000]) {
      const r = at(t, FAIL, 'unavailable');
      expect(r.a.state).toBe('degraded');
      expect(r.stable).toBe(false);
      expect(r.confirmAt).toBe(11_500);
    }
    // 10 s after the first suspect round's start, not after the provider joined.
    const impaired = at(12_000, FAIL, 'unavailable');
    expect(impaired.a.state).toBe('impaired');
    expect(impaired.transitions.map((t) => [t.from, t.to])).toEqual([['degraded', 'impaired']]);
    expect(impaired.stable).toBe(false);
    expect(impaired.confirmAt).toBe(Infinity);
    const settled = at(14_000, FAIL, 'unavailable');
    expect(impaired.a.reason).toBe('impaired: probes 1/1 down, provider says unavailable');
    expect(settled).toMatchObject({ stable: true, confirmAt: Infinity });
  });

  it('impairs exactly when the dwell is over (inclusive) and after failedRounds suspect rounds (inclusive)', () => {
    // The dwell: bad from 2 s, impaired at 12 s exactly.
    const at = stepper();
    at(0, OK);
    const states = [2000, 4000, 6000, 8000, 10_000, 12_000].map((t) => at(t, FAIL, 'unavailable').a.state);
    expect(states).toEqual(['degraded', 'degraded', 'degraded', 'degraded', 'degraded', 'impaired']);
    // The rounds: no dwell, three suspect rounds. The third round impairs the zone.
    const rounds = stepper({ ...policy, failedRounds: 3, impairedAfter: 0 });
    rounds(0, OK);
    // Provider and listing both bad would be one vantage point; our probe becomes down on its third failure.
    expect([2000, 4000, 6000].map((t) => rounds(t, FAIL, 'unavailable').a.state)).toEqual(['degraded', 'degraded', 'impaired']);
  });

  it('restarts the dwell when a clean round interrupts the bad picture', () => {
    const at = stepper();
    at(0, OK);
    at(2000, FAIL, 'unavailable');
    at(4000, FAIL, 'unavailable');
    at(6000, OK);
    const again = [8000, 10_000, 12_000, 14_000, 16_000].map((t) => at(t, FAIL, 'unavailable'));
    expect(again.map((r) => r.a.state)).toEqual(['degraded', 'degraded', 'degraded', 'degraded', 'degraded']);
    expect(again[0]!.confirmAt).toBe(18_000);
    expect(at(18_000, FAIL, 'unavailable').a.state).toBe('impaired');
  });

  it('recovers exactly when recoveredAfter has passed (inclusive), unstable meanwhile, with a reason saying so', () => {
    const at = stepper();
    at(0, OK);
    for (let t = 2000; t <= 12_000; t += 2000) at(t, FAIL, 'unavailable');
    // Clean from 16 s: 2 clean rounds at 18 s, but recoveredAfter (4 s) only at 20 s.
    at(14_000, FAIL, 'unavailable');
    const clean1 = at(16_000, OK);
    expect(clean1.a.state).toBe('impaired');
    expect(clean1.stable).toBe(false);
    expect(clean1.a.reason).toBe('still impaired: probes 0/1 down, provider says available');
    const clean2 = at(18_000, OK);
    expect(clean2.a.state).toBe('impaired');
    expect(clean2.stable).toBe(false);
    const back = at(20_000, OK);
    expect(back.a.state).toBe('healthy');
    expect(back.a.reason).toBe('answering again for 3 rounds');
    expect(back.transitions.map((t) => [t.from, t.to])).toEqual([['impaired', 'healthy']]);
    expect(at(22_000, OK)).toMatchObject({ stable: true, confirmAt: Infinity });
  });

  it('leaves impaired for degraded when the recovered zone is still suspect (the provider still says so)', () => {
    const at = stepper();
    at(0, OK);
    for (let t = 2000; t <= 12_000; t += 2000) at(t, FAIL, 'unavailable');
    expect(at(14_000, OK, 'unavailable').a.state).toBe('impaired');
    at(16_000, OK, 'unavailable');
    const back = at(18_000, OK, 'unavailable');
    expect(back.a.state).toBe('degraded');
    expect(back.a.reason).toBe('answering again for 3 rounds');
  });

  it('says a degraded zone is recovering while it counts clean rounds toward healthy', () => {
    const at = stepper();
    at(0, OK);
    at(2000, FAIL);
    const clean = at(4000, OK);
    expect(clean.a.state).toBe('degraded');
    expect(clean.a.reason).toBe('recovering from degraded');
    expect(clean.stable).toBe(false);
    const healthy = at(6000, OK);
    expect(healthy.a.state).toBe('healthy');
    expect(healthy.a.reason).toBe('all probes answer');
  });
});

describe('HealthTracker: a zone with failing targets but no bad vantage point', () => {
  it('is plainly degraded while replication from it flows (the replication reason needs bad evidence)', () => {
    const tracker = new HealthTracker(DEFAULT_POLICY);
    const streaming: DatabaseInstance = { ...replica(0), zone: 'b' };
    const nodes = [nodeIn('a1', 'a'), nodeIn('a2', 'a')];
    const probes: [string, string, ProbeResult][] = [['aws:db', 'aws:a', FAIL], ['aws:a1', 'aws:a', OK], ['aws:a2', 'aws:a', OK], ['aws:db-b', 'aws:b', OK]];
    let zoneA;
    for (let i = 0; i < 4; i++) zoneA = tracker.update(round(i * 2000, { probes, nodes, databases: [primary, streaming] })).zones.get('aws:a')!;
    expect(zoneA!.evidence.badVantagePoints).toEqual([]);
    expect(zoneA!.state).toBe('degraded');
    expect(zoneA!.reason).toBe('degraded: probes 1/3 down, provider says available, replication flowing');
  });
});

describe("HealthTracker: a replica's silence about a failing primary, and when to wake for it", () => {
  const policy = { failedRounds: 1, impairedAfter: 20, recoveredRounds: 2, recoveredAfter: 4, impairedFraction: 0.5, replicationStaleAfter: 10 };
  const streamingReplica: DatabaseInstance = { ...replica(0), zone: 'b' };
  const hears = (state: 'streaming' | 'disconnected', lastContactSeconds: number): ProbeResult => ({ ok: true, role: 'replica', replication: { state, lastContactSeconds } });
  /** The primary answers in a round at `answeredAt`, then fails in a round from 9 s to 10 s while its replica reports `seen`. */
  const failingRound = (p: typeof policy, seen: ProbeResult, answeredAt = 2000) => {
    const tracker = new HealthTracker(p);
    const databases = [primary, streamingReplica];
    const probes = (db: ProbeResult, fromReplica: ProbeResult): [string, string, ProbeResult][] => [['aws:db', 'aws:a', db], ['aws:db-b', 'aws:b', fromReplica]];
    tracker.update({ ...round(answeredAt + 500, { probes: probes({ ok: true, writable: true }, hears('streaming', 0)), databases }), startedAt: answeredAt });
    return tracker.update({ ...round(10_000, { probes: probes(FAIL, seen), databases }), startedAt: 9000 });
  };

  it("wakes when the replica's silence, aged by the round's length, reaches replicationStaleAfter", () => {
    // Contact 3 s old when the round started at 9 s, so 4 s at 10 s: stale 6 s later.
    const r = failingRound(policy, hears('streaming', 3));
    expect(r.zones.get('aws:a')!.evidence.replication).toBe('alive');
    expect(r.confirmAt).toBe(16_000);
  });

  it('asks for no wake-up while the primary answers our probes, however old the contact its replica reports', () => {
    const tracker = new HealthTracker(policy);
    const probes: [string, string, ProbeResult][] = [['aws:db', 'aws:a', { ok: true, writable: true }], ['aws:db-b', 'aws:b', hears('streaming', 3)]];
    const r = tracker.update({ ...round(10_000, { probes, databases: [primary, streamingReplica] }), startedAt: 9000 });
    expect(r.zones.get('aws:a')!.state).toBe('healthy');
    expect(r.confirmAt).toBe(Infinity);
  });

  it('dates the bad picture from when the open stream went silent, never before the primary last answered us', () => {
    const longStale = { ...policy, replicationStaleAfter: 100 };
    // Silent since 10 s - 4 s = 6 s, before our failed probe at 9 s: the dwell ends at 6 s + 20 s.
    expect(failingRound(longStale, hears('streaming', 3)).confirmAt).toBe(26_000);
    // The primary answered our probe sent at 7.5 s: silent at most since then.
    expect(failingRound(longStale, hears('streaming', 3), 7500).confirmAt).toBe(27_500);
  });

  it('dates the bad picture from the silence when the primary never answered us', () => {
    const tracker = new HealthTracker({ ...policy, replicationStaleAfter: 100 });
    const r = tracker.update({ ...round(10_000, { probes: [['aws:db', 'aws:a', FAIL], ['aws:db-b', 'aws:b', hears('streaming', 3)]], databases: [primary, streamingReplica] }), startedAt: 9000 });
    expect(r.confirmAt).toBe(6000 + 20_000);
  });

  it('sets no deadline from a replica that reports no contact time at all', () => {
    const none: ProbeResult = { ok: true, role: 'replica', replication: { state: 'streaming', lastContactSeconds: null } };
    expect(failingRound(policy, none).confirmAt).toBe(9000 + 20_000);
  });

  it('wakes for the first of several replicas to reach the window, and dates the silence from the longest', () => {
    const tracker = new HealthTracker(policy);
    const second: DatabaseInstance = { ...streamingReplica, id: 'db-b2' };
    const databases = [primary, streamingReplica, second];
    const probes = (db: ProbeResult, first: ProbeResult, other: ProbeResult): [string, string, ProbeResult][] => [['aws:db', 'aws:a', db], ['aws:db-b', 'aws:b', first], ['aws:db-b2', 'aws:b', other]];
    tracker.update({ ...round(2500, { probes: probes({ ok: true }, hears('streaming', 0), hears('streaming', 0)), databases }), startedAt: 2000 });
    // Contacts 5 s and 3 s at 9 s, aged to 6 s and 4 s at 10 s: the first reaches 10 s at 14 s; silent since 4 s.
    const r = tracker.update({ ...round(10_000, { probes: probes(FAIL, hears('streaming', 5), hears('streaming', 3)), databases }), startedAt: 9000 });
    expect(r.confirmAt).toBe(14_000);
    const longStale = new HealthTracker({ ...policy, replicationStaleAfter: 100 });
    longStale.update({ ...round(2500, { probes: probes({ ok: true }, hears('streaming', 0), hears('streaming', 0)), databases }), startedAt: 2000 });
    expect(longStale.update({ ...round(10_000, { probes: probes(FAIL, hears('streaming', 5), hears('streaming', 3)), databases }), startedAt: 9000 }).confirmAt).toBe(4000 + 20_000);
  });

  it('reads a replica of a primary we do not probe, and does not age the contact of a primary that answers', () => {
    const tracker = new HealthTracker(policy);
    const unprobed = tracker.update({ ...round(10_000, { probes: [['aws:db-b', 'aws:b', hears('streaming', 3)]], databases: [primary, streamingReplica] }), startedAt: 9000 });
    expect(unprobed.replicationFrom.get('aws:db')).toBe('alive');
    // 9.5 s of contact read at 9 s would be 10.5 s at 10 s, were it aged: it is not while the primary answers.
    const answering = new HealthTracker(policy).update({
      ...round(10_000, { probes: [['aws:db', 'aws:a', OK], ['aws:db-b', 'aws:b', hears('streaming', 9.5)]], databases: [primary, streamingReplica] }),
      startedAt: 9000,
    });
    expect(answering.replicationFrom.get('aws:db')).toBe('alive');
  });

  it('does not date the bad picture from a dropped stream, whose last contact may predate the fault', () => {
    const r = failingRound(policy, hears('disconnected', 3));
    expect(r.zones.get('aws:a')!.evidence.replication).toBe('cut');
    expect(r.zones.get('aws:a')!.state).toBe('degraded');
    expect(r.confirmAt).toBe(9000 + 20_000);
  });

  it("dates a failing primary's failure from its replicas' silence, as its zone's, never before it last answered us", () => {
    const longStale = { ...policy, replicationStaleAfter: 100 };
    // Silent since 6 s, our first failed probe at 9 s: the primary has been failing since 6 s.
    expect(failingRound(longStale, hears('streaming', 3)).targets.get('aws:db')!.failingSince).toBe(6000);
    expect(failingRound(longStale, hears('streaming', 3), 7500).targets.get('aws:db')!.failingSince).toBe(7500);
    // A dropped stream (its last contact may predate the fault) or no contact time: from our probe.
    expect(failingRound(longStale, hears('disconnected', 3)).targets.get('aws:db')!.failingSince).toBe(9000);
    const none: ProbeResult = { ok: true, role: 'replica', replication: { state: 'streaming', lastContactSeconds: null } };
    expect(failingRound(longStale, none).targets.get('aws:db')!.failingSince).toBe(9000);
  });

  it("keeps a failing primary's earlier date, and takes no date from a replica in its own zone", () => {
    const tracker = new HealthTracker({ ...policy, replicationStaleAfter: 100 });
    const sameZone: DatabaseInstance = { ...streamingReplica, zone: 'a' };
    const databases = [primary, sameZone];
    const at = (now: number, contact: number) =>
      tracker.update({ ...round(now, { probes: [['aws:db', 'aws:a', FAIL], ['aws:db-b', 'aws:a', hears('streaming', contact)]], databases }), startedAt: now - 1000 });
    expect(at(10_000, 3).targets.get('aws:db')!.failingSince).toBe(9000);
    const other = new HealthTracker({ ...policy, replicationStaleAfter: 100 });
    const elsewhere = [primary, streamingReplica];
    const first = other.update({ ...round(10_000, { probes: [['aws:db', 'aws:a', FAIL], ['aws:db-b', 'aws:b', hears('streaming', 3)]], databases: elsewhere }), startedAt: 9000 });
    expect(first.targets.get('aws:db')!.failingSince).toBe(6000);
    // A later round whose reading would date the silence later keeps the first date.
    const later = other.update({ ...round(12_000, { probes: [['aws:db', 'aws:a', FAIL], ['aws:db-b', 'aws:b', hears('streaming', 4)]], databases: elsewhere }), startedAt: 11_000 });
    expect(later.targets.get('aws:db')!.failingSince).toBe(6000);
  });

  it("wakes when a failing primary's failure reaches impairedAfter, even after its zone's dwell has passed", () => {
    const p = { ...policy, impairedAfter: 4 };
    const tracker = new HealthTracker(p);
    const nodesA = [nodeIn('a1', 'a')];
    const probes = (db: ProbeResult): [string, string, ProbeResult][] => [['aws:a1', 'aws:a', FAIL], ['aws:db', 'aws:a', db]];
    // A node of zone a fails from 0 s on: the zone's dwell ends at 4 s.
    expect(tracker.update(round(0, { probes: probes(OK), nodes: nodesA, databases: [primary] })).confirmAt).toBe(4000);
    expect(tracker.update(round(6000, { probes: probes(OK), nodes: nodesA, databases: [primary] })).confirmAt).toBe(Infinity);
    // The primary fails from 8 s on: its own dwell ends at 12 s, and is waited for on the way.
    expect(tracker.update(round(8000, { probes: probes(FAIL), nodes: nodesA, databases: [primary] })).confirmAt).toBe(12_000);
    expect(tracker.update(round(10_000, { probes: probes(FAIL), nodes: nodesA, databases: [primary] })).confirmAt).toBe(12_000);
    expect(tracker.update(round(12_000, { probes: probes(FAIL), nodes: nodesA, databases: [primary] })).confirmAt).toBe(Infinity);
  });

  it('sets no wake for a failing replica or a node, whose own dwell the controller does not wait on', () => {
    const p = { ...policy, impairedAfter: 4 };
    const run = (databases: DatabaseInstance[], key: string) => {
      const tracker = new HealthTracker(p);
      // The zone went bad long ago (dwell passed); then `key` starts failing at 8 s.
      tracker.update(round(0, { probes: [['aws:a1', 'aws:a', FAIL], [key, 'aws:a', OK]], nodes: [nodeIn('a1', 'a'), nodeIn('a2', 'a')], databases }));
      return tracker.update(round(8000, { probes: [['aws:a1', 'aws:a', FAIL], [key, 'aws:a', FAIL]], nodes: [nodeIn('a1', 'a'), nodeIn('a2', 'a')], databases })).confirmAt;
    };
    expect(run([{ ...primary, role: 'replica' }], 'aws:db')).toBe(Infinity);
    expect(run([], 'aws:a2')).toBe(Infinity);
    expect(run([primary], 'aws:db')).toBe(12_000);
  });
});

describe('HealthTracker: which probes count, and which targets are still settling', () => {
  const policy = { failedRounds: 3, impairedAfter: 0, recoveredRounds: 2, recoveredAfter: 4, impairedFraction: 0.5, replicationStaleAfter: 10 };
  const zoneA = (r: ReturnType<HealthTracker['update']>) => r.zones.get('aws:a')!;

  it('counts a refused probe of a resource listed running, and an answering probe of one listed stopped', () => {
    const refused: ProbeResult = { ok: false, failure: 'refused' };
    const running = new HealthTracker(DEFAULT_POLICY);
    let last;
    for (let i = 0; i < 4; i++) last = running.update(round(i * 2000, { probes: [['aws:a1', 'aws:a', refused]], nodes: [nodeIn('a1', 'a')] }));
    expect(zoneA(last!).evidence.probes).toEqual({ total: 1, down: 1, up: 0, failing: 1 });
    const stopped = new HealthTracker(DEFAULT_POLICY);
    last = stopped.update(round(0, { probes: [['aws:a1', 'aws:a', OK]], nodes: [nodeIn('a1', 'a', 'stopped')] }));
    expect(zoneA(last).evidence.probes).toEqual({ total: 1, down: 0, up: 1, failing: 0 });
  });

  it('takes a probe with no result as failed', () => {
    const tracker = new HealthTracker(policy);
    const r = tracker.update({ ...round(0, { probes: [], nodes: [nodeIn('a1', 'a', 'stopped')] }), probes: { keys: ['aws:a1'], zoneKeys: ['aws:a'], results: [] } });
    expect(r.targets.get('aws:a1')).toMatchObject({ status: 'suspect', failedRounds: 1 });
    expect(zoneA(r).evidence.probes).toEqual({ total: 1, down: 0, up: 0, failing: 1 });
  });

  it("counts nodes listed in error and instances listed failed as the provider's stopped", () => {
    const tracker = new HealthTracker(policy);
    const failedDb: DatabaseInstance = { ...primary, state: 'failed' };
    const r = tracker.update(round(0, { probes: [], nodes: [nodeIn('a1', 'a', 'error')], databases: [failedDb] }));
    expect(zoneA(r).evidence.listing).toEqual({ total: 2, stopped: 2 });
  });

  it('counts a target suspect until its failedRounds-th failure, then down and settled', () => {
    const tracker = new HealthTracker(policy);
    const at = (i: number) => tracker.update(round(i * 2000, { probes: [['aws:a1', 'aws:a', FAIL]], nodes: [nodeIn('a1', 'a')] }));
    expect(at(0).suspectTargets).toBe(1);
    const second = at(1);
    expect(second.suspectTargets).toBe(1);
    // The zone is settled (degraded, one vantage point), the target is not.
    expect(second.transitions).toEqual([]);
    expect(second.stable).toBe(false);
    const third = at(2);
    expect(third.targets.get('aws:a1')!.status).toBe('down');
    expect(third.suspectTargets).toBe(0);
    expect(third.stable).toBe(true);
  });

  it('impairs a zone confirmed bad by the provider and replication only after failedRounds rounds, even with no dwell', () => {
    const tracker = new HealthTracker(policy);
    const cutReplica: DatabaseInstance = { ...replica(60), zone: 'b' };
    const at = (i: number) =>
      zoneA(tracker.update(round(i * 2000, { probes: [['aws:db', 'aws:a', FAIL], ['aws:db-b', 'aws:b', OK]], databases: [primary, cutReplica], status: 'unavailable' })));
    const first = at(0);
    expect(first.evidence.badVantagePoints).toEqual(['provider', 'replication']);
    expect(first.state).toBe('degraded');
    expect(at(1).state).toBe('degraded');
    expect(at(2).state).toBe('impaired');
  });

  it('is not stable while an impaired zone counts clean rounds, even with the provider still saying bad', () => {
    const p = { ...policy, failedRounds: 1, impairedAfter: 0 };
    const tracker = new HealthTracker(p);
    const at = (i: number, probe: ProbeResult) => tracker.update(round(i * 2000, { probes: [['aws:a1', 'aws:a', probe]], nodes: [nodeIn('a1', 'a')], status: 'unavailable' }));
    expect(zoneA(at(0, FAIL)).state).toBe('impaired');
    expect(at(1, FAIL).stable).toBe(true);
    const clean = at(2, OK);
    expect(zoneA(clean).state).toBe('impaired');
    expect(clean.stable).toBe(false);
  });

  it('asks for no wake-up once a zone bad on one vantage point alone has outlasted the dwell', () => {
    const p = { ...policy, failedRounds: 1, impairedAfter: 4 };
    const tracker = new HealthTracker(p);
    const at = (i: number) => tracker.update(round(i * 2000, { probes: [['aws:a1', 'aws:a', FAIL]], nodes: [nodeIn('a1', 'a')] }));
    expect(at(0).confirmAt).toBe(4000);
    expect(at(1).confirmAt).toBe(4000);
    expect(at(2).confirmAt).toBe(Infinity);
    const past = at(3);
    expect(zoneA(past).state).toBe('degraded');
    expect(past.confirmAt).toBe(Infinity);
  });
});

describe('HealthTracker: an impaired zone recovers only on clean rounds', () => {
  const policy = { failedRounds: 1, impairedAfter: 0, recoveredRounds: 1, recoveredAfter: 0, impairedFraction: 0.5, replicationStaleAfter: 10 };
  const nodes = [nodeIn('a1', 'a'), nodeIn('a2', 'a')];
  const stepper = (p = policy) => {
    const tracker = new HealthTracker(p);
    return (i: number, a1: ProbeResult, a2: ProbeResult, status: KnownZone['providerStatus']) =>
      tracker.update(round(i * 2000, { probes: [['aws:a1', 'aws:a', a1], ['aws:a2', 'aws:a', a2]], nodes, status })).zones.get('aws:a')!.state;
  };

  it('stays impaired while confirmed bad, though some of its targets answer', () => {
    const at = stepper();
    expect(at(0, FAIL, OK, 'unavailable')).toBe('impaired');
    expect([1, 2, 3].map((i) => at(i, FAIL, OK, 'unavailable'))).toEqual(['impaired', 'impaired', 'impaired']);
  });

  it('stays impaired while our probes are all down, though the provider says all is well again', () => {
    const at = stepper();
    expect(at(0, FAIL, FAIL, 'unavailable')).toBe('impaired');
    expect([1, 2, 3].map((i) => at(i, FAIL, FAIL, 'available'))).toEqual(['impaired', 'impaired', 'impaired']);
  });

  it('stays impaired while half its probes are down, though the provider says all is well again', () => {
    const at = stepper();
    expect(at(0, FAIL, FAIL, 'unavailable')).toBe('impaired');
    expect([1, 2, 3].map((i) => at(i, FAIL, OK, 'available'))).toEqual(['impaired', 'impaired', 'impaired']);
  });

  it('does not count a round whose probes all fail, not yet down, as clean', () => {
    const at = stepper({ ...policy, failedRounds: 3, recoveredRounds: 2 });
    const states = [0, 1, 2].map((i) => at(i, FAIL, FAIL, 'unavailable'));
    expect(states.at(-1)).toBe('impaired');
    expect(at(3, OK, OK, 'unavailable')).toBe('impaired');
    // Failing again (suspect, not down: the probes are not bad yet) breaks the run of clean rounds.
    expect(at(4, FAIL, FAIL, 'unavailable')).toBe('impaired');
    expect(at(5, FAIL, FAIL, 'unavailable')).toBe('impaired');
  });
});

describe('HealthTracker: what changes between rounds shows at once', () => {
  const policy = { failedRounds: 1, impairedAfter: 1000, recoveredRounds: 2, recoveredAfter: 4, impairedFraction: 0.5, replicationStaleAfter: 10 };

  it("reports a degraded zone's new evidence when only the provider status, the replication or the listing changes", () => {
    const tracker = new HealthTracker(policy);
    const fenced = () => false;
    const streaming: DatabaseInstance = { ...replica(0), zone: 'b' };
    const at = (i: number, input: { status: KnownZone['providerStatus']; nodes: Node[]; databases?: DatabaseInstance[] }) => {
      // The primary (zone a) is listed from the start; its replica in b, probed, only from round 4.
      const databases = input.databases ?? [primary];
      const probes: [string, string, ProbeResult][] = [['aws:a1', 'aws:a', OK], ...(databases.length > 1 ? ([['aws:db-b', 'aws:b', OK]] as [string, string, ProbeResult][]) : [])];
      return tracker.update({ ...round(i * 2000, { probes, nodes: input.nodes, databases }), zones: [{ ...zones[0]!, providerStatus: input.status }, zones[1]!], stoppedOnPurpose: fenced }).zones.get('aws:a')!;
    };
    const one = [nodeIn('a1', 'a')];
    const two = [nodeIn('a1', 'a'), nodeIn('a2', 'a')];
    const twoStopped = [nodeIn('a1', 'a'), nodeIn('a2', 'a', 'stopped')];
    expect(at(0, { status: 'unavailable', nodes: one }).state).toBe('degraded');
    expect(at(1, { status: 'impaired', nodes: one }).evidence.providerStatus).toBe('impaired');
    expect(at(2, { status: 'impaired', nodes: two }).evidence.listing).toEqual({ total: 3, stopped: 0 });
    expect(at(3, { status: 'impaired', nodes: twoStopped }).evidence.listing).toEqual({ total: 3, stopped: 1 });
    const witnessed = at(4, { status: 'impaired', nodes: twoStopped, databases: [primary, streaming] });
    expect(witnessed.state).toBe('degraded');
    expect(witnessed.evidence.replication).toBe('alive');
  });

  it('takes in a new listing of nodes, of databases, or a new set of fenced resources, each alone', () => {
    const tracker = new HealthTracker(policy);
    const probes = { keys: ['aws:a1'], zoneKeys: ['aws:a'], results: [OK] };
    const noFence = () => false;
    const noDatabases: DatabaseInstance[] = [];
    const base = { zones, probes, stoppedOnPurpose: noFence, databases: noDatabases };
    const running = [nodeIn('a1', 'a'), nodeIn('a2', 'a')];
    const stopped = [nodeIn('a1', 'a'), nodeIn('a2', 'a', 'stopped')];
    const listing = (r: ReturnType<HealthTracker['update']>) => r.zones.get('aws:a')!.evidence.listing;
    expect(listing(tracker.update({ ...base, now: 0, nodes: running }))).toEqual({ total: 2, stopped: 0 });
    expect(listing(tracker.update({ ...base, now: 2000, nodes: stopped }))).toEqual({ total: 2, stopped: 1 });
    const failedDb: DatabaseInstance[] = [{ ...primary, state: 'failed' }];
    expect(listing(tracker.update({ ...base, now: 4000, nodes: stopped, databases: failedDb }))).toEqual({ total: 3, stopped: 2 });
    const fenceA2 = (key: string) => key === 'aws:a2';
    expect(listing(tracker.update({ ...base, now: 6000, nodes: stopped, databases: failedDb, stoppedOnPurpose: fenceA2 }))).toEqual({ total: 3, stopped: 1 });
  });

  it('marks a target unprobed when only the probe set changes, and forgets it when only the listing does', () => {
    const tracker = new HealthTracker(policy);
    const nodes = [nodeIn('a1', 'a')];
    const fenced = () => false;
    const both = { keys: ['aws:a1', 'aws:db'], zoneKeys: ['aws:a', 'aws:a'], results: [OK, OK] };
    const nodeOnly = { keys: ['aws:a1'], zoneKeys: ['aws:a'], results: [OK] };
    const withDb = [primary];
    const base = { zones, nodes, stoppedOnPurpose: fenced };
    tracker.update({ ...base, now: 0, databases: withDb, probes: both });
    expect(tracker.update({ ...base, now: 2000, databases: withDb, probes: nodeOnly }).targets.get('aws:db')?.status).toBe('unprobed');
    expect(tracker.update({ ...base, now: 4000, databases: [], probes: nodeOnly }).targets.has('aws:db')).toBe(false);
    // And the same for a node dropped from the listing alone.
    const two = [nodeIn('a1', 'a'), nodeIn('a2', 'a')];
    const t2 = new HealthTracker(policy);
    const noDb: DatabaseInstance[] = [];
    t2.update({ ...base, nodes: two, databases: noDb, now: 0, probes: { keys: ['aws:a1', 'aws:a2'], zoneKeys: ['aws:a', 'aws:a'], results: [OK, OK] } });
    t2.update({ ...base, nodes: two, databases: noDb, now: 2000, probes: nodeOnly });
    expect(t2.update({ ...base, nodes, databases: noDb, now: 4000, probes: nodeOnly }).targets.has('aws:a2')).toBe(false);
  });

  it('keeps the time a target came up while it stays up', () => {
    const tracker = new HealthTracker(policy);
    const at = (i: number) => tracker.update(round(i * 2000, { probes: [['aws:a1', 'aws:a', OK]], nodes: [nodeIn('a1', 'a')] })).targets.get('aws:a1');
    expect(at(0)?.upSince).toBe(0);
    expect(at(1)?.upSince).toBe(0);
  });
});

describe('HealthTracker: a replica that misses a round', () => {
  // Zone a is reported impaired by its provider all along (a stale status); its primary fails our probes from
  // 20 s on; the replica in zone b hears it throughout, but misses its own probe in the rounds `silent` names.
  const reported: KnownZone[] = [{ ...zones[0]!, providerStatus: 'impaired' }, zones[1]!];
  const stream = { state: 'streaming' as const, lastContactSeconds: 0 };
  function run(silent: (t: number) => boolean, rounds: number) {
    const tracker = new HealthTracker(DEFAULT_POLICY);
    const states: { t: number; a: string }[] = [];
    for (let i = 0; i < rounds; i++) {
      const now = i * 2000;
      const primaryUp = now < 20_000;
      const results: ProbeResult[] = [
        { ok: primaryUp, ...(primaryUp ? { writable: true } : { failure: 'error' as const }) },
        silent(now) ? { ok: false, failure: 'error' } : { ok: true, role: 'replica', replication: stream },
      ];
      const probes = { keys: ['aws:db', 'aws:db-b'], zoneKeys: ['aws:a', 'aws:b'], results };
      const out = tracker.update({ now, zones: reported, nodes: [], databases: [primary, replica(0)], probes, stoppedOnPurpose: () => false });
      states.push({ t: now, a: out.zones.get('aws:a')!.state });
    }
    return states;
  }

  it('still vouches that its upstream is alive with what it last said, so one missed probe does not confirm the zone', () => {
    // The primary is down to us by 24 s, the round the replica misses: its report from 22 s says it hears the primary.
    const states = run((t) => t === 24_000, 30);
    expect(firstImpaired(states)).toBeUndefined();
    expect(states.at(-1)!.a).toBe('degraded');
  });

  it('vouches no longer than replicationStaleAfter after its last report', () => {
    const states = run((t) => t >= 24_000, 40);
    const at = firstImpaired(states);
    expect(at).toBeDefined();
    expect(at!).toBeGreaterThanOrEqual(22_000 + DEFAULT_POLICY.replicationStaleAfter * 1000);
    expect(at!).toBeLessThanOrEqual(22_000 + DEFAULT_POLICY.replicationStaleAfter * 1000 + 2_000);
  });
});

describe('HealthTracker: a replica is a witness of a cut only from where it could hear its upstream', () => {
  // The old primary `db-old` and replica `db-r` share zone c, which goes dark at 10 s; `db-new` (zone a) is
  // promoted and `db-r` is re-pointed at it while dark: listed following `db-new`, it has never streamed from it.
  // Zone c answers again at 100 s; `db-r` reports the contact it lost with `db-old` at 10 s. From 100 s `db-new`
  // fails our probes (a noisy zone), so the probes alone say zone a is bad.
  const threeZones: KnownZone[] = [...zones, { provider: 'aws', region: 'r', zone: 'c', providerStatus: 'available' }];
  const instance = (id: string, zone: string, role: 'primary' | 'replica', replication?: DatabaseInstance['replication']): DatabaseInstance => ({
    id, cluster: 'db', provider: 'aws', region: 'r', zone, engine: 'pg', role, state: 'available', extra: {}, ...(replication ? { replication } : {}),
  });
  const following = (upstream: string, state: 'streaming' | 'disconnected', contact: number | null) =>
    ({ upstream, mode: 'async' as const, state, lagSeconds: contact, lastContactSeconds: contact });
  const replicaProbe = (state: 'streaming' | 'disconnected', contact: number | null): ProbeResult => ({ ok: true, role: 'replica', replication: { state, lastContactSeconds: contact } });
  const PRIMARY_OK: ProbeResult = { ok: true, writable: true };
  /** One round at `t` s: who is primary, what `db-r` says and follows, and whether zone c and `db-new` answer. */
  function step(tracker: HealthTracker, t: number, r: { upstream: string; state: 'streaming' | 'disconnected'; contact: number | null }, cDark: boolean, newAnswers: boolean) {
    const promoted = t >= 20;
    const databases = [
      instance('db-old', 'c', 'primary'),
      instance('db-new', 'a', promoted ? 'primary' : 'replica', promoted ? undefined : following('db-old', cDark ? 'disconnected' : 'streaming', cDark ? t - 10 : 0)),
      instance('db-r', 'c', 'replica', following(r.upstream, r.state, r.contact)),
    ];
    const probes = {
      keys: ['aws:db-old', 'aws:db-new', 'aws:db-r'],
      zoneKeys: ['aws:c', 'aws:a', 'aws:c'],
      results: [cDark ? FAIL : PRIMARY_OK, newAnswers ? (promoted ? PRIMARY_OK : OK) : FAIL, cDark ? FAIL : replicaProbe(r.state, r.contact)],
    };
    return tracker.update({ now: t * 1000, zones: threeZones, nodes: [], databases, probes, stoppedOnPurpose: () => false });
  }
  /** The scenario up to zone c's return; `after(t)` is what `db-r` says from 100 s on. */
  function run(after: (t: number) => { upstream: string; state: 'streaming' | 'disconnected'; contact: number | null }, newFailsFrom = 100, until = 112) {
    const tracker = new HealthTracker(DEFAULT_POLICY);
    let last;
    for (let t = 0; t <= until; t += 2) {
      const r = t < 10 ? { upstream: 'db-old', state: 'streaming' as const, contact: 0 }
        : t < 100 ? { upstream: t < 20 ? 'db-old' : 'db-new', state: 'disconnected' as const, contact: t - 10 }
        : after(t);
      last = step(tracker, t, r, t >= 10 && t < 100, t < newFailsFrom);
    }
    return { zone: last!.zones.get('aws:a')!, from: last!.replicationFrom.get('aws:db-new') };
  }

  it('a replica re-pointed at the new primary, back from a dark zone, is no witness against it before it has streamed from it', () => {
    const { zone, from } = run((t) => ({ upstream: 'db-new', state: 'disconnected', contact: t - 10 }));
    expect(zone.evidence.badVantagePoints).toEqual(['probes']);
    expect(zone.evidence.replication).toBe('none');
    expect(zone.state).toBe('degraded');
    expect(from).toBeUndefined();
  });

  it('a replica whose re-point is still under way is no witness against its new upstream', () => {
    // Zone c stays up: db-r streams from db-old until it is re-pointed at db-new at 100 s, which fails our probes from then on.
    const tracker = new HealthTracker(DEFAULT_POLICY);
    let last;
    for (let t = 0; t <= 112; t += 2) {
      const r = t < 100 ? { upstream: 'db-old', state: 'streaming' as const, contact: 0 } : { upstream: 'db-new', state: 'disconnected' as const, contact: t - 100 };
      last = step(tracker, t, r, false, t < 100);
    }
    expect(last!.zones.get('aws:a')!.evidence.replication).toBe('none');
    expect(last!.zones.get('aws:a')!.state).toBe('degraded');
    expect(last!.replicationFrom.get('aws:db-new')).toBeUndefined();
  });

  it('a replica back from its own dark zone, not yet reconnected, is no witness of the silence it was in itself', () => {
    // db-b (zone b) streams from db (zone a) until zone b goes dark at 10 s; back at 100 s it reports the contact it
    // lost at 10 s (PostgreSQL reconnects a few seconds later); db fails our probes from 100 s (a noisy zone).
    const tracker = new HealthTracker(DEFAULT_POLICY);
    const follows = (state: 'streaming' | 'disconnected', contact: number): DatabaseInstance => ({
      ...primary, id: 'db-b', zone: 'b', role: 'replica', replication: { upstream: 'db', mode: 'async', state, lagSeconds: contact, lastContactSeconds: contact },
    });
    let last;
    for (let t = 0; t <= 112; t += 2) {
      const dark = t >= 10 && t < 100;
      const db = follows(t < 10 ? 'streaming' : 'disconnected', t < 10 ? 0 : t - 10);
      const probes: [string, string, ProbeResult][] = [
        ['aws:db', 'aws:a', t < 100 ? { ok: true, writable: true } : FAIL],
        ['aws:db-b', 'aws:b', dark ? FAIL : replicaProbe(db.replication!.state as 'streaming' | 'disconnected', db.replication!.lastContactSeconds)],
      ];
      last = tracker.update(round(t * 1000, { probes, databases: [primary, db] }));
    }
    expect(last!.zones.get('aws:a')!.evidence.replication).toBe('none');
    expect(last!.zones.get('aws:a')!.state).toBe('degraded');
  });

  it('is a witness again once it has streamed from the new primary and then lost it', () => {
    // It streams from db-new from 100 s; db-new goes dark at 104 s and db-r loses it.
    const { zone, from } = run((t) => (t < 104 ? { upstream: 'db-new', state: 'streaming', contact: 0 } : { upstream: 'db-new', state: 'disconnected', contact: t - 104 }), 104, 116);
    expect(zone.evidence.badVantagePoints).toEqual(['probes', 'replication']);
    expect(zone.state).toBe('impaired');
    expect(from).toBe('cut');
  });

  it('a replica never seen streaming is no witness when its upstream answered us after it had lost contact', () => {
    // A tracker started at 90 s (a controller restarted): db-new answers it until 100 s; db-r lost its
    // contact at 10 s, long before; and a replica that never heard anyone (no contact time) is none either.
    for (const contact of [(t: number) => t - 10, () => null]) {
      const tracker = new HealthTracker(DEFAULT_POLICY);
      let last;
      for (let t = 90; t <= 112; t += 2) last = step(tracker, t, { upstream: 'db-new', state: 'disconnected', contact: contact(t) }, t < 100, t < 100);
      expect(last!.zones.get('aws:a')!.evidence.replication).toBe('none');
      expect(last!.zones.get('aws:a')!.state).toBe('degraded');
    }
  });

  it('a replica never seen streaming is a witness when it lost contact no earlier than the upstream last answered us', () => {
    // Started at 90 s, db-r disconnected all along; db-new answers until 100 s and db-r last heard it at 99 s.
    const tracker = new HealthTracker(DEFAULT_POLICY);
    let last;
    for (let t = 90; t <= 112; t += 2) last = step(tracker, t, { upstream: 'db-new', state: 'disconnected', contact: Math.max(0, t - 99) }, false, t < 100);
    expect(last!.zones.get('aws:a')!.evidence.replication).toBe('cut');
    expect(last!.zones.get('aws:a')!.state).toBe('impaired');
  });
});
