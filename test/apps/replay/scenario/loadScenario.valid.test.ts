import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadScenarioFile, parseScenario } from '../../../../src/apps/replay/scenario/loadScenario.js';
import type { Scenario } from '../../../../src/apps/replay/scenario/Scenario.js';
import { BASE } from './fixtures.js';

/** Uses every event kind and every expectation kind of the spec. */
const FULL = `
name: full-example-2024
description: every event and expectation kind
source: https://example.com/postmortem
duration: 24h
seed: 42
topology:
  providers:
    - id: aws
      latency: { promoteReplica: 2m, createNode: 90, destroyNode: 500ms }
      regions:
        - id: us-east-1
          zones: [us-east-1a, us-east-1b, us-east-1c]
        - id: us-west-2
          zones: [us-west-2a, us-west-2b]
    - id: gcp
      regions:
        - id: europe-west1
          zones: [europe-west1-b]
  groups:
    - id: web
      provider: aws
      region: us-east-1
      size: m5.large
      nodes: { us-east-1a: 4, us-east-1b: 4 }
    - id: api
      provider: gcp
      region: europe-west1
      nodes: { europe-west1-b: 3 }
      minHealthy: 2
  databases:
    - id: orders
      engine: postgres
      primary: { provider: aws, region: us-east-1, zone: us-east-1a }
      replicas:
        - { id: orders-b, provider: aws, region: us-east-1, zone: us-east-1b, lag: 1s, mode: sync }
        - { id: orders-w, provider: aws, region: us-west-2, zone: us-west-2a, lag: 8s }
      writes: 50
      endpoint: { provider: aws, name: orders.db.example.com, ttl: 30s }
    - id: billing
      primary: { provider: gcp, region: europe-west1, zone: europe-west1-b }
      endpoint: { provider: aws, name: billing.db.example.com }
  loadBalancers:
    - { id: web-lb, provider: aws, region: us-east-1, group: web }
    - { id: api-lb, provider: gcp, region: europe-west1, group: api }
policy:
  probeInterval: 5s
  failoverCooldown: 10m
  crossProviderFailover: false
events:
  - at: 10m
    impair: { zone: us-east-1a, mode: unreachable }
  - { at: 2.5m, impairRegion: { region: us-west-2, mode: degraded, errorRate: 0.2 } }
  - at: 10m
    apiFault: { provider: aws, region: us-east-1, zone: us-east-1b, operations: [createNode, "*"], fault: throttle, until: 1h }
  - at: 100ms
    providerStatus: { provider: aws, zone: us-east-1a, status: impaired }
  - at: 15m
    replication: { database: orders, replica: orders-w, lag: 30s }
  - at: 15m
    replication: { database: orders, replica: orders-b, broken: true }
  - at: 20m
    nodeFailure: { group: web, count: 2, zone: us-east-1b }
  - at: 0
    observerPartition: { zone: europe-west1-b, until: 1d }
  - at: 1h
    flap: { zone: us-east-1c, mode: degraded, period: 90s, until: 2h }
  - at: 3h
    recover: { zone: us-east-1a }
  - at: 3h
    recover: { region: us-west-2 }
  - at: 90
    apiFault: { provider: gcp, operations: [listNodes], fault: error, rate: 0.5 }
  - at: 24h
    impair: { zone: us-east-1c, mode: power }
  - at: 1h30m
    apiFault: { provider: aws, operations: ["*mutating", updateEndpoint, shiftTraffic, repointReplica, destroyDatabase], fault: lostReply }
  - at: 2h
    replication: { database: orders, replica: orders-b, broken: false }
  - at: 10m20s
    apiFault: { provider: gcp, operations: ["*read", listEndpoints, listLoadBalancers], fault: hang, until: 1h }
expect:
  - failover: { database: orders, to: { region: us-east-1, replica: orders-b }, within: 5m }
  - noFailover: { database: billing }
  - noFailover:
  - never: { action: createNode, zone: us-east-1a }
  - capacity: { group: web, within: 10m }
  - capacity: { group: api, min: 1, within: 0 }
  - maxDataLoss: { database: orders, seconds: 0 }
  - maxFailovers: { count: 1 }
  - maxCalls: { provider: aws, operation: promoteReplica, count: 3, per: 1h }
  - maxCalls: { provider: gcp, count: 100 }
  - endpoint: { database: orders, within: 2m }
  - maxWriteUnavailable: { database: billing, seconds: 1m30s }
  - maxRequestErrors: { loadBalancer: web-lb, seconds: 30 }
  - maxSplitBrain: { seconds: 2s }
  - maxSplitBrain: { database: orders, seconds: 0 }
  - never: { action: updateEndpoint, zone: us-east-1a }
`;

const EXPECTED: Omit<Scenario, 'file'> = {
  name: 'full-example-2024',
  description: 'every event and expectation kind',
  source: 'https://example.com/postmortem',
  durationSeconds: 86400,
  seed: 42,
  topology: {
    providers: [
      {
        id: 'aws',
        latency: { promoteReplica: 120, createNode: 90, destroyNode: 0.5 },
        regions: [
          { id: 'us-east-1', zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] },
          { id: 'us-west-2', zones: ['us-west-2a', 'us-west-2b'] },
        ],
      },
      { id: 'gcp', latency: {}, regions: [{ id: 'europe-west1', zones: ['europe-west1-b'] }] },
    ],
    groups: [
      { id: 'web', provider: 'aws', region: 'us-east-1', size: 'm5.large', nodes: { 'us-east-1a': 4, 'us-east-1b': 4 }, minHealthy: 8 },
      { id: 'api', provider: 'gcp', region: 'europe-west1', nodes: { 'europe-west1-b': 3 }, minHealthy: 2 },
    ],
    databases: [
      {
        id: 'orders',
        engine: 'postgres',
        primary: { provider: 'aws', region: 'us-east-1', zone: 'us-east-1a' },
        replicas: [
          // A sync replica's lag is ignored.
          { id: 'orders-b', provider: 'aws', region: 'us-east-1', zone: 'us-east-1b', lagSeconds: 0, mode: 'sync' },
          { id: 'orders-w', provider: 'aws', region: 'us-west-2', zone: 'us-west-2a', lagSeconds: 8, mode: 'async' },
        ],
        writes: 50,
        endpoint: { provider: 'aws', name: 'orders.db.example.com', ttlSeconds: 30 },
      },
      {
        id: 'billing',
        primary: { provider: 'gcp', region: 'europe-west1', zone: 'europe-west1-b' },
        replicas: [],
        writes: 0,
        // The endpoint's provider may differ from the database's; its TTL defaults to 60 s.
        endpoint: { provider: 'aws', name: 'billing.db.example.com', ttlSeconds: 60 },
      },
    ],
    loadBalancers: [
      { id: 'web-lb', provider: 'aws', region: 'us-east-1', group: 'web' },
      { id: 'api-lb', provider: 'gcp', region: 'europe-west1', group: 'api' },
    ],
  },
  policy: { probeInterval: 5, failoverCooldown: 600, crossProviderFailover: false },
  // Sorted by `at`; equal `at` keep file order (index 0 before 2, 4 before 5, 9 before 10).
  events: [
    { at: 0, index: 7, kind: 'observerPartition', zone: 'europe-west1-b', until: 86400 },
    { at: 0.1, index: 3, kind: 'providerStatus', provider: 'aws', zone: 'us-east-1a', status: 'impaired' },
    { at: 90, index: 11, kind: 'apiFault', provider: 'gcp', operations: ['listNodes'], fault: 'error', rate: 0.5 },
    { at: 150, index: 1, kind: 'impairRegion', region: 'us-west-2', mode: 'degraded', errorRate: 0.2 },
    { at: 600, index: 0, kind: 'impair', zone: 'us-east-1a', mode: 'unreachable', errorRate: 0.5 },
    {
      at: 600,
      index: 2,
      kind: 'apiFault',
      provider: 'aws',
      region: 'us-east-1',
      zone: 'us-east-1b',
      operations: ['createNode', '*'],
      fault: 'throttle',
      rate: 1,
      until: 3600,
    },
    {
      at: 620,
      index: 15,
      kind: 'apiFault',
      provider: 'gcp',
      operations: ['*read', 'listEndpoints', 'listLoadBalancers'],
      fault: 'hang',
      rate: 1,
      until: 3600,
    },
    { at: 900, index: 4, kind: 'replication', database: 'orders', replica: 'orders-w', lagSeconds: 30 },
    { at: 900, index: 5, kind: 'replication', database: 'orders', replica: 'orders-b', broken: true },
    { at: 1200, index: 6, kind: 'nodeFailure', group: 'web', count: 2, zone: 'us-east-1b' },
    { at: 3600, index: 8, kind: 'flap', zone: 'us-east-1c', mode: 'degraded', periodSeconds: 90, until: 7200 },
    {
      at: 5400,
      index: 13,
      kind: 'apiFault',
      provider: 'aws',
      operations: ['*mutating', 'updateEndpoint', 'shiftTraffic', 'repointReplica', 'destroyDatabase'],
      fault: 'lostReply',
      rate: 1,
    },
    { at: 7200, index: 14, kind: 'replication', database: 'orders', replica: 'orders-b', broken: false },
    { at: 10800, index: 9, kind: 'recover', zone: 'us-east-1a' },
    { at: 10800, index: 10, kind: 'recover', region: 'us-west-2' },
    { at: 86400, index: 12, kind: 'impair', zone: 'us-east-1c', mode: 'power', errorRate: 0.5 },
  ],
  expect: [
    {
      kind: 'failover',
      index: 0,
      spec: { database: 'orders', to: { region: 'us-east-1', replica: 'orders-b' }, within: '5m' },
      database: 'orders',
      to: { region: 'us-east-1', replica: 'orders-b' },
      withinSeconds: 300,
    },
    { kind: 'noFailover', index: 1, spec: { database: 'billing' }, database: 'billing' },
    { kind: 'noFailover', index: 2, spec: {} },
    { kind: 'never', index: 3, spec: { action: 'createNode', zone: 'us-east-1a' }, action: 'createNode', zone: 'us-east-1a' },
    { kind: 'capacity', index: 4, spec: { group: 'web', within: '10m' }, group: 'web', withinSeconds: 600 },
    { kind: 'capacity', index: 5, spec: { group: 'api', min: 1, within: 0 }, group: 'api', min: 1, withinSeconds: 0 },
    { kind: 'maxDataLoss', index: 6, spec: { database: 'orders', seconds: 0 }, database: 'orders', seconds: 0 },
    { kind: 'maxFailovers', index: 7, spec: { count: 1 }, count: 1 },
    {
      kind: 'maxCalls',
      index: 8,
      spec: { provider: 'aws', operation: 'promoteReplica', count: 3, per: '1h' },
      provider: 'aws',
      operation: 'promoteReplica',
      count: 3,
      perSeconds: 3600,
    },
    { kind: 'maxCalls', index: 9, spec: { provider: 'gcp', count: 100 }, provider: 'gcp', count: 100 },
    { kind: 'endpoint', index: 10, spec: { database: 'orders', within: '2m' }, database: 'orders', withinSeconds: 120 },
    { kind: 'maxWriteUnavailable', index: 11, spec: { database: 'billing', seconds: '1m30s' }, database: 'billing', seconds: 90 },
    { kind: 'maxRequestErrors', index: 12, spec: { loadBalancer: 'web-lb', seconds: 30 }, loadBalancer: 'web-lb', seconds: 30 },
    { kind: 'maxSplitBrain', index: 13, spec: { seconds: '2s' }, seconds: 2 },
    { kind: 'maxSplitBrain', index: 14, spec: { database: 'orders', seconds: 0 }, database: 'orders', seconds: 0 },
    { kind: 'never', index: 15, spec: { action: 'updateEndpoint', zone: 'us-east-1a' }, action: 'updateEndpoint', zone: 'us-east-1a' },
  ],
};

describe('parseScenario: a valid scenario', () => {
  it('parses every event and expectation kind, with durations in seconds and defaults applied', () => {
    const scenario = parseScenario(FULL, 'scenarios/full.yaml');
    expect(scenario).toEqual({ file: 'scenarios/full.yaml', ...EXPECTED });
  });

  it('leaves optional keys out rather than setting them to undefined', () => {
    const scenario = parseScenario(FULL, 'full.yaml');
    const apiFault = scenario.events.find((e) => e.index === 11)!;
    expect(Object.keys(apiFault).sort()).toEqual(['at', 'fault', 'index', 'kind', 'operations', 'provider', 'rate']);
    expect(Object.hasOwn(scenario.topology.groups[1]!, 'size')).toBe(false);
    expect(Object.hasOwn(scenario.expect[2]!, 'database')).toBe(false);
  });

  it('parses the same scenario written as JSON to the same result', () => {
    const json = JSON.stringify(parseYaml(FULL), null, 2);
    expect(parseScenario(json, 'scenarios/full.json')).toEqual({ file: 'scenarios/full.json', ...EXPECTED });
  });

  it('accepts .yml and upper-case extensions', () => {
    expect(parseScenario(FULL, 'full.yml').name).toBe('full-example-2024');
    expect(parseScenario(FULL, 'FULL.YAML').name).toBe('full-example-2024');
  });

  it('applies the spec defaults to a minimal scenario', () => {
    const scenario = parseScenario(
      ['name: tiny', 'duration: 90', 'topology:', '  providers:', '    - { id: local, regions: [{ id: here, zones: [z1] }] }', 'events: []'].join('\n'),
      'tiny.yaml',
    );
    expect(scenario).toEqual({
      file: 'tiny.yaml',
      name: 'tiny',
      durationSeconds: 90,
      seed: 0,
      topology: { providers: [{ id: 'local', latency: {}, regions: [{ id: 'here', zones: ['z1'] }] }], groups: [], databases: [], loadBalancers: [] },
      policy: {},
      events: [],
      expect: [],
    });
  });

  it('reads an async replica without lag as lag 0, and mode async by default', () => {
    const scenario = parseScenario(`${BASE} []\n`, 'base.yaml');
    expect(scenario.topology.databases[0]!.replicas[0]).toEqual({
      id: 'orders-b',
      provider: 'aws',
      region: 'us-east-1',
      zone: 'us-east-1b',
      lagSeconds: 0,
      mode: 'async',
    });
    expect(scenario.topology.groups[0]!.minHealthy).toBe(4);
  });

  it('treats empty (null) optional sections as empty', () => {
    const scenario = parseScenario(`${BASE}\nexpect:\npolicy:\n`, 'nulls.yaml');
    expect(scenario.events).toEqual([]);
    expect(scenario.expect).toEqual([]);
    expect(scenario.policy).toEqual({});
  });

  it('returns a deeply frozen scenario', () => {
    const scenario = parseScenario(FULL, 'full.yaml');
    expect(Object.isFrozen(scenario)).toBe(true);
    expect(Object.isFrozen(scenario.topology.groups[0]!.nodes)).toBe(true);
    expect(Object.isFrozen(scenario.events[0])).toBe(true);
    expect(Object.isFrozen(scenario.expect[0]!.spec)).toBe(true);
  });
});

describe('loadScenarioFile', () => {
  it('reads a scenario from disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lifeboat-scenario-'));
    try {
      const file = join(dir, 'full.yaml');
      await writeFile(file, FULL);
      expect(await loadScenarioFile(file)).toEqual({ file, ...EXPECTED });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
