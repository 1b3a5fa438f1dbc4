import { describe, expect, it } from 'vitest';
import type { Capabilities, Node } from '../../../src/core/contract/types.js';
import { decide } from '../../../src/core/controller/decide.js';
import type { CreateNodeStep, Plan } from '../../../src/core/controller/Plan.js';
import { DEFAULT_POLICY, resolvePolicy, type Policy } from '../../../src/core/controller/Policy.js';
import type { GroupConfig } from '../../../src/core/controller/Snapshot.js';
import type { TargetHealth, ZoneHealth } from '../../../src/core/health/types.js';
import { down, node, snapshot, up, zone } from './snapshotBuilder.js';

/**
 * Node capacity of group `web` (aws, us-east-1, 4 healthy nodes wanted):
 * how healthy nodes are counted, where replacements go, what they say, and
 * when a dead node is destroyed.
 */
const group: GroupConfig = { id: 'web', provider: 'aws', region: 'us-east-1', minHealthy: 4, size: 'small' };
const NOW = 100_000;
const nodeDeadAfterMs = DEFAULT_POLICY.nodeDeadAfter * 1000;

function plan(input: {
  nodes: { node: Node; health: TargetHealth }[];
  zones?: ZoneHealth[];
  memory?: Record<string, unknown>;
  policy?: Policy;
  groups?: GroupConfig[];
  capabilities?: Partial<Capabilities>;
  now?: number;
}): Plan {
  return decide(
    snapshot({
      now: input.now ?? NOW,
      zones: input.zones ?? [zone('use1-a', 'us-east-1'), zone('use1-b', 'us-east-1'), zone('use1-c', 'us-east-1')],
      nodes: input.nodes,
      groups: input.groups ?? [group],
      ...(input.memory ? { memory: input.memory } : {}),
      ...(input.capabilities ? { capabilities: input.capabilities } : {}),
    }),
    input.policy ?? DEFAULT_POLICY,
  );
}
const running = (ids: string[], z: string, health: TargetHealth = up) => ids.map((id) => ({ node: node(id, z, 'us-east-1'), health }));
const creates = (p: Plan) => p.steps.filter((st): st is CreateNodeStep => st.operation === 'createNode');

describe('decide: node capacity', () => {
  it('a create says what it is for: key, name from the sequence, size, zone, and the count in its reason', () => {
    const p = plan({ nodes: running(['a1', 'a2', 'b1'], 'use1-a'), memory: { nodeSeq: 7 } });
    expect(p.steps).toEqual([
      {
        operation: 'createNode',
        key: 'create:aws:web-8',
        provider: 'aws',
        region: 'us-east-1',
        zone: 'use1-b',
        group: 'web',
        name: 'web-8',
        size: 'small',
        replaces: undefined,
        reason: 'web has 3 healthy of 4 required; create in use1-b',
      },
    ]);
  });

  it('spreads creates over the healthy zones with the fewest nodes, ties to the first zone of the region', () => {
    expect(creates(plan({ nodes: running(['a1'], 'use1-a') })).map((c) => c.zone)).toEqual(['use1-b', 'use1-c', 'use1-a']);
    expect(creates(plan({ nodes: [...running(['a1'], 'use1-a'), ...running(['c1'], 'use1-c')] })).map((c) => c.zone)).toEqual(['use1-b', 'use1-a']);
  });

  it('untargeted placement leaves the zone to the provider and says so', () => {
    const p = plan({ nodes: running(['a1', 'a2', 'a3'], 'use1-a'), policy: resolvePolicy({ placement: 'untargeted' }) });
    expect(creates(p)).toEqual([expect.objectContaining({ zone: undefined, reason: 'web has 3 healthy of 4 required; create in us-east-1 (untargeted)' })]);
  });

  it('untargeted placement creates even where no zone is healthy', () => {
    const zones = ['use1-a', 'use1-b', 'use1-c'].map((z) => zone(z, 'us-east-1', 'impaired'));
    const p = plan({ zones, nodes: [], policy: resolvePolicy({ placement: 'untargeted' }) });
    expect(creates(p)).toHaveLength(4);
    expect(p.notes.join('\n')).not.toMatch(/no zone of us-east-1 is healthy/);
  });

  it('a node failing its first rounds still counts; written off after nodeDeadAfter, and then replaced by name', () => {
    const failing = (since: number) => [...running(['a1', 'b1', 'c1'], 'use1-b'), { node: node('a2', 'use1-a', 'us-east-1'), health: down(since) }];
    expect(plan({ nodes: failing(NOW - nodeDeadAfterMs + 1) }).steps).toEqual([]);
    const dead = plan({ nodes: failing(NOW - nodeDeadAfterMs) });
    expect(creates(dead)).toEqual([expect.objectContaining({ replaces: 'a2', reason: 'web has 3 healthy of 4 required; replacing dead node a2; create in use1-a' })]);
  });

  it('a node not yet probed, or listed anything but running, is not counted healthy', () => {
    const unprobed: TargetHealth = { status: 'unprobed', failedRounds: 0, failingSince: undefined, upSince: undefined, writable: false };
    expect(creates(plan({ nodes: [...running(['a1', 'b1', 'c1'], 'use1-a'), { node: node('a2', 'use1-a', 'us-east-1'), health: unprobed }] }))).toHaveLength(1);
    expect(creates(plan({ nodes: [...running(['a1', 'b1', 'c1'], 'use1-a'), { node: { ...node('a2', 'use1-a', 'us-east-1'), state: 'pending' }, health: up }] }))).toHaveLength(1);
  });

  it('a name already listed is not created again', () => {
    const p = plan({ nodes: [...running(['a1', 'a2'], 'use1-a'), { node: { ...node('web-1', 'use1-b', 'us-east-1'), state: 'pending' }, health: up }] });
    expect(creates(p).map((c) => c.name)).toEqual(['web-2']);
  });

  it('counts creates on the way in the reason, but not those gone to a zone now impaired, listed failed, or of another group', () => {
    const pending = (zoneId: string, group = 'web') => ({ group, provider: 'aws', region: 'us-east-1', zone: zoneId, issuedAt: 90_000 });
    const withPending = (pendingCreates: Record<string, unknown>, zones?: ZoneHealth[], extra: { node: Node; health: TargetHealth }[] = []) =>
      plan({ nodes: [...running(['a1', 'a2'], 'use1-a'), ...extra], zones, memory: { pendingCreates, nodeSeq: 10 } });
    expect(creates(withPending({ 'web-9': pending('use1-b') }))).toEqual([expect.objectContaining({ reason: 'web has 2 healthy of 4 required (1 on the way); create in use1-c' })]);
    // The one on the way counts in its zone: the next goes elsewhere.
    expect(creates(withPending({ 'web-9': pending('use1-b') }))[0]!.zone).toBe('use1-c');
    expect(creates(withPending({ 'web-9': pending('use1-b', 'api') }))).toHaveLength(2);
    expect(creates(withPending({ 'web-9': pending('use1-b') }, [zone('use1-a', 'us-east-1'), zone('use1-b', 'us-east-1', 'impaired'), zone('use1-c', 'us-east-1')]))).toHaveLength(2);
    const failed = { node: { ...node('web-9', 'use1-b', 'us-east-1'), state: 'error' as const }, health: up };
    expect(creates(withPending({ 'web-9': pending('use1-b') }, undefined, [failed]))).toHaveLength(2);
    const terminated = { node: { ...node('web-9', 'use1-b', 'us-east-1'), state: 'terminated' as const }, health: up };
    expect(creates(withPending({ 'web-9': pending('use1-b') }, undefined, [terminated]))).toHaveLength(2);
    // A pending create already listed and answering counts once, as healthy.
    const arrived = { node: node('web-9', 'use1-b', 'us-east-1'), health: up };
    expect(creates(withPending({ 'web-9': pending('use1-b') }, undefined, [arrived]))).toEqual([expect.objectContaining({ reason: 'web has 3 healthy of 4 required; create in use1-c' })]);
  });

  it('a pending create with no zone (untargeted) counts, wherever it goes', () => {
    const p = plan({ nodes: running(['a1', 'a2', 'a3'], 'use1-a'), memory: { pendingCreates: { 'web-1': { group: 'web', provider: 'aws', region: 'us-east-1', issuedAt: 90_000 } }, nodeSeq: 1 } });
    expect(p.steps).toEqual([]);
  });

  it('never in a zone penalised after a failed create while another healthy zone is free', () => {
    const p = plan({ nodes: running(['a1', 'a2', 'a3'], 'use1-a'), memory: { zonePenalty: { 'aws:use1-b': NOW + 1 } } });
    expect(creates(p).map((c) => c.zone)).toEqual(['use1-c']);
    const over = plan({ nodes: running(['a1', 'a2', 'a3'], 'use1-a'), memory: { zonePenalty: { 'aws:use1-b': NOW } } });
    expect(creates(over).map((c) => c.zone)).toEqual(['use1-b']);
  });

  it('falls back to a degraded zone that answers, never one where nothing answers', () => {
    const silentB = zone('use1-b', 'us-east-1', 'degraded');
    const zones = [zone('use1-a', 'us-east-1', 'impaired'), { ...silentB, evidence: { ...silentB.evidence, probes: { total: 2, down: 2, up: 0, failing: 0 } } }, zone('use1-c', 'us-east-1', 'degraded', 2)];
    const p = plan({ zones, nodes: running(['c1', 'c2', 'c3'], 'use1-c') });
    expect(creates(p).map((c) => c.zone)).toEqual(['use1-c']);
    // A degraded zone not probed at all is no evidence against it.
    const unprobed = [zone('use1-a', 'us-east-1', 'impaired'), { ...zone('use1-b', 'us-east-1', 'degraded'), evidence: { ...zone('use1-b', 'us-east-1').evidence, probes: { total: 0, down: 0, up: 0, failing: 0 } } }];
    expect(creates(plan({ zones: unprobed, nodes: running(['b1', 'b2', 'b3'], 'use1-b') })).map((c) => c.zone)).toEqual(['use1-b']);
  });

  it('says so when no zone is healthy and answering, and creates nothing', () => {
    const zones = ['use1-a', 'use1-b', 'use1-c'].map((z) => zone(z, 'us-east-1', 'impaired'));
    const p = plan({ zones, nodes: [] });
    expect(p.steps).toEqual([]);
    expect(p.notes).toEqual(['web: 4 nodes short, but no zone of us-east-1 is healthy and answering']);
  });

  it('nothing without maintainCapacity, nothing for a provider without nodes, a note for a region the provider does not offer', () => {
    expect(plan({ nodes: [], policy: resolvePolicy({ maintainCapacity: false }) }).steps).toEqual([]);
    expect(plan({ nodes: [], capabilities: { nodes: false } })).toMatchObject({ steps: [], notes: [] });
    const elsewhere = plan({ nodes: [], groups: [{ ...group, region: 'eu-west-1' }] });
    expect(elsewhere.steps).toEqual([]);
    expect(elsewhere.notes).toEqual(['web: region eu-west-1 not offered by aws']);
  });

  it('the runaway guard counts every machine not terminated or stopped, and creates up to its limit with a note', () => {
    // 4 x 2 = 8 allowed. Two nodes answer; the five in impaired use1-a are written off but still listed running,
    // so only one of the two missing may be made; with one of them terminated, both.
    const zones = [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1'), zone('use1-c', 'us-east-1')];
    const silent = (ids: string[]) => ids.map((id) => ({ node: node(id, 'use1-a', 'us-east-1'), health: down(NOW - 1_000) }));
    const p = plan({ zones, nodes: [...running(['b1', 'b2'], 'use1-b'), ...silent(['a1', 'a2', 'a3', 'a4', 'a5'])] });
    expect(creates(p)).toHaveLength(1);
    expect(p.notes).toContain('web: 2 nodes short, but it already has 7 nodes (limit 2x 4)');
    const terminated = [...running(['b1', 'b2'], 'use1-b'), ...silent(['a1', 'a2', 'a3', 'a4']), { node: { ...node('a5', 'use1-a', 'us-east-1'), state: 'terminated' as const }, health: down(0) }];
    expect(creates(plan({ zones, nodes: terminated }))).toHaveLength(2);
  });
});

describe('decide: which nodes belong to a group', () => {
  it('only its own provider\'s nodes of that group; nodes of no group count for none', () => {
    const gcpWeb = ['g1', 'g2', 'g3', 'g4'].map((id) => ({ node: { ...node(id, 'use1-a', 'us-east-1'), provider: 'gcp' }, health: up }));
    expect(creates(plan({ nodes: [...running(['a1', 'a2'], 'use1-a'), ...gcpWeb] }))).toHaveLength(2);
    const ungrouped = ['u1', 'u2'].map((id) => ({ node: { ...node(id, 'use1-a', 'us-east-1'), group: undefined }, health: up }));
    expect(creates(plan({ nodes: [...running(['a1', 'a2'], 'use1-a'), ...ungrouped] }))).toHaveLength(2);
    expect(creates(plan({ nodes: [...running(['a1', 'a2'], 'use1-a'), ...running(['x1', 'x2'], 'use1-b', up).map((v) => ({ ...v, node: { ...v.node, group: 'api' } }))] }))).toHaveLength(2);
  });
});

describe('decide: destroying dead nodes', () => {
  const deadSince = NOW - nodeDeadAfterMs;
  const whole = (deadHealth: TargetHealth, zones?: ZoneHealth[]) => plan({ zones, nodes: [...running(['b1', 'b2', 'c1', 'c2'], 'use1-b'), { node: node('a1', 'use1-a', 'us-east-1'), health: deadHealth }] });

  it('destroys a node silent for nodeDeadAfter once the group is whole and its zone answers, with the reason', () => {
    expect(whole(down(deadSince)).steps).toEqual([
      {
        operation: 'destroyNode',
        key: 'destroy:aws:a1',
        provider: 'aws',
        region: 'us-east-1',
        zone: 'use1-a',
        group: 'web',
        target: 'a1',
        reason: 'a1 has not answered for 60s while its zone use1-a answers; web is back at 4/4',
      },
    ]);
  });

  it('not before nodeDeadAfter, not while the group is short, not in an impaired or silent zone, not within its settle window', () => {
    expect(whole(down(deadSince + 1)).steps).toEqual([]);
    const short = plan({ nodes: [...running(['b1', 'b2', 'c1'], 'use1-b'), { node: node('a1', 'use1-a', 'us-east-1'), health: down(deadSince) }] });
    expect(short.steps.map((st) => st.operation)).toEqual(['createNode']);
    expect(whole(down(deadSince), [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1')]).steps).toEqual([]);
    expect(whole(down(deadSince), [zone('use1-a', 'us-east-1', 'degraded', 0), zone('use1-b', 'us-east-1')]).steps).toEqual([]);
    // A zone the health picture does not know.
    expect(whole(down(deadSince), [zone('use1-b', 'us-east-1')]).steps).toEqual([]);
    const settling = plan({ nodes: [...running(['b1', 'b2', 'c1', 'c2'], 'use1-b'), { node: node('a1', 'use1-a', 'us-east-1'), health: down(deadSince) }], memory: { issued: { 'destroy:aws:a1': NOW + 1 } } });
    expect(settling.steps).toEqual([]);
  });
});

describe('decide: node capacity, further edges', () => {
  const impairedA = [zone('use1-a', 'us-east-1', 'impaired'), zone('use1-b', 'us-east-1'), zone('use1-c', 'us-east-1')];

  it('a node that answers counts, even in an impaired zone (a failing one there does not)', () => {
    expect(plan({ zones: impairedA, nodes: [...running(['a1', 'a2'], 'use1-a'), ...running(['b1', 'b2'], 'use1-b')] }).steps).toEqual([]);
    const suspect: TargetHealth = { ...down(NOW - 1_000), status: 'suspect' };
    expect(plan({ zones: impairedA, nodes: [...running(['a1'], 'use1-a', suspect), ...running(['b1', 'b2', 'b3'], 'use1-b')] }).steps).toEqual([]);
  });

  it('a node listed unknown by its provider (not kept from an unreadable zone) is not counted', () => {
    const unknown = { node: { ...node('a4', 'use1-a', 'us-east-1'), state: 'unknown' as const }, health: up };
    expect(creates(plan({ nodes: [...running(['a1', 'a2', 'a3'], 'use1-a'), unknown] }))).toHaveLength(1);
  });

  it('a replacement names only a dead node outside an impaired zone, never one not yet probed', () => {
    const unprobed: TargetHealth = { status: 'unprobed', failedRounds: 0, failingSince: undefined, upSince: undefined, writable: false };
    const fresh = plan({ nodes: [...running(['b1', 'b2', 'b3'], 'use1-b'), { node: node('b4', 'use1-b', 'us-east-1'), health: unprobed }] });
    expect(creates(fresh)).toEqual([expect.objectContaining({ replaces: undefined })]);
    const inImpaired = plan({ zones: impairedA, nodes: [...running(['b1', 'b2', 'b3'], 'use1-b'), { node: node('a1', 'use1-a', 'us-east-1'), health: down(0) }] });
    expect(creates(inImpaired)).toEqual([expect.objectContaining({ replaces: undefined, reason: 'web has 3 healthy of 4 required; create in use1-c' })]);
  });

  it('a pending create of another provider\'s group of the same name does not count', () => {
    const p = plan({ nodes: running(['a1', 'a2', 'a3'], 'use1-a'), memory: { pendingCreates: { 'web-1': { group: 'web', provider: 'gcp', region: 'us-east-1', zone: 'use1-b', issuedAt: 90_000 } }, nodeSeq: 1 } });
    expect(creates(p)).toHaveLength(1);
  });

  it('a create on the way to the first zone of the region counts there', () => {
    const p = plan({ nodes: running(['b1', 'b2'], 'use1-b'), memory: { pendingCreates: { 'web-1': { group: 'web', provider: 'aws', region: 'us-east-1', zone: 'use1-a', issuedAt: 90_000 } }, nodeSeq: 1 } });
    expect(creates(p).map((c) => c.zone)).toEqual(['use1-c']);
  });

  it('the runaway guard counts creates on the way', () => {
    // 2 answer, 5 written off in impaired use1-a (listed running), 1 on the way: 8 of 8 allowed, so none is made.
    const silent = ['a1', 'a2', 'a3', 'a4', 'a5'].map((id) => ({ node: node(id, 'use1-a', 'us-east-1'), health: down(0) }));
    const p = plan({ zones: impairedA, nodes: [...running(['b1', 'b2'], 'use1-b'), ...silent], memory: { pendingCreates: { 'web-1': { group: 'web', provider: 'aws', region: 'us-east-1', zone: 'use1-c', issuedAt: 90_000 } }, nodeSeq: 1 } });
    expect(creates(p)).toEqual([]);
    expect(p.notes).toEqual(['web: 1 nodes short, but it already has 8 nodes (limit 2x 4)']);
  });

  it('says only what holds: no note for a create that can be placed, only the guard\'s when it leaves no room', () => {
    expect(plan({ nodes: running(['a1', 'a2', 'a3'], 'use1-a') }).notes).toEqual([]);
    const allImpaired = ['use1-a', 'use1-b', 'use1-c'].map((z) => zone(z, 'us-east-1', 'impaired'));
    const full = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8'].map((id) => ({ node: node(id, 'use1-a', 'us-east-1'), health: down(0) }));
    expect(plan({ zones: allImpaired, nodes: full }).notes).toEqual(['web: 4 nodes short, but it already has 8 nodes (limit 2x 4)']);
  });

  it('a group of a provider the snapshot does not know is left alone', () => {
    expect(plan({ nodes: [], groups: [{ ...group, provider: 'azure' }] })).toMatchObject({ steps: [], notes: [] });
  });
});

describe('decide: a create on the way that is listed', () => {
  it('counts while it boots (listed pending)', () => {
    const pendingCreate = { pendingCreates: { 'web-1': { group: 'web', provider: 'aws', region: 'us-east-1', zone: 'use1-b', issuedAt: 90_000 } }, nodeSeq: 1 };
    const booting = { node: { ...node('web-1', 'use1-b', 'us-east-1'), state: 'pending' as const }, health: { status: 'unprobed' as const, failedRounds: 0, failingSince: undefined, upSince: undefined, writable: false } };
    expect(plan({ nodes: [...running(['a1', 'a2', 'a3'], 'use1-a'), booting], memory: pendingCreate }).steps).toEqual([]);
  });
});
