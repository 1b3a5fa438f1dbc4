import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../../src/apps/replay/scenario/loadScenario.js';
import { expectIssue, scenarioErrorOf } from './fixtures.js';

const parse = (text: string) => scenarioErrorOf(() => parseScenario(text, 'scenarios/r2.yaml'));

/** Revision 2 of the scenario spec: traffic in the topology, new faults and expectations. */
describe('parseScenario: revision 2 mistakes', () => {
  it('reports endpoint, load balancer, duration, fault and expectation mistakes with their path and line', () => {
    const error = parse(
      [
        'name: small', // 1
        'duration: 1h', // 2
        'topology:', // 3
        '  providers:', // 4
        '    - id: aws', // 5
        '      regions:', // 6
        '        - id: us-east-1', // 7
        '          zones: [us-east-1a, us-east-1b]', // 8
        '        - { id: us-west-2, zones: [us-west-2a] }', // 9
        '  groups:', // 10
        '    - id: web', // 11
        '      provider: aws', // 12
        '      region: us-east-1', // 13
        '      nodes: { us-east-1a: 2, us-east-1b: 2 }', // 14
        '  databases:', // 15
        '    - id: orders', // 16
        '      primary: { provider: aws, region: us-east-1, zone: us-east-1a }', // 17
        '      endpoint: { provider: aws, name: orders.db, tll: 30s }', // 18
        '    - id: users', // 19
        '      primary: { provider: aws, region: us-east-1, zone: us-east-1b }', // 20
        '      endpoint: { provider: aws, name: orders.db, ttl: 1h30 }', // 21
        '  loadBalancers:', // 22
        '    - { id: web-lb, provider: aws, region: us-east-1, group: wbe }', // 23
        '    - { id: web-lb, provider: aws, region: us-west-2, group: web }', // 24
        '    - { id: api-lb, provider: aws, region: us-east-1, group: web, zones: [us-east-1a] }', // 25
        'events:', // 26
        '  - { at: 30m1h, recover: { zone: us-east-1a } }', // 27
        '  - { at: 1m, apiFault: { provider: aws, operations: ["*write"], fault: lostreply } }', // 28
        'expect:', // 29
        '  - endpoint: { database: users, within: 1m }', // 30
        '  - endpoint: { database: orders }', // 31
        '  - maxWriteUnavailable: { database: order, seconds: 10 }', // 32
        '  - maxRequestErrors: { loadBalancer: web-lbb, seconds: 10 }', // 33
        '  - maxSplitBrain: { database: orders }', // 34
        '  - maxRequestErrors: { loadBalancer: web-lb, seconds: -1 }', // 35
        '',
      ].join('\n'),
    );
    expectIssue(error, { path: 'topology.databases[0].endpoint.tll', line: 18, message: 'unknown key (did you mean ttl?)' });
    expectIssue(error, { path: 'topology.databases[1].endpoint.name', line: 21, message: 'duplicate endpoint name "orders.db" (first declared on line 18)' });
    expectIssue(error, { path: 'topology.databases[1].endpoint.ttl', line: 21, message: 'got "1h30"' });
    expectIssue(error, { path: 'topology.loadBalancers[0].group', line: 23, message: 'unknown group "wbe" (did you mean web?' });
    expectIssue(error, { path: 'topology.loadBalancers[1].id', line: 24, message: 'duplicate load balancer id "web-lb" (first declared on line 23)' });
    expectIssue(error, {
      path: 'topology.loadBalancers[1].region',
      line: 24,
      message: "load balancer web-lb is in aws us-west-2, but group web lives in aws us-east-1: a load balancer's region is its group's home region",
    });
    expectIssue(error, { path: 'topology.loadBalancers[2].zones', line: 25, message: 'unknown key (expected one of: id, provider, region, group)' });
    expectIssue(error, { path: 'events[0].at', line: 27, message: 'expected a duration like 90s, 2.5m, 1h, 1h30m, 100ms, 1d or a number of seconds, got "30m1h"' });
    expectIssue(error, { path: 'events[1].apiFault.operations[0]', line: 28, message: '*, *mutating, *read, got "*write"' });
    expectIssue(error, { path: 'events[1].apiFault.fault', line: 28, message: 'expected one of error, throttle, hang, lostReply, got "lostreply" (did you mean lostReply?)' });
    expectIssue(error, { path: 'expect[1].endpoint.within', line: 31, message: 'missing required key' });
    expectIssue(error, { path: 'expect[2].maxWriteUnavailable.database', line: 32, message: 'unknown database "order" (did you mean orders?' });
    expectIssue(error, { path: 'expect[3].maxRequestErrors.loadBalancer', line: 33, message: 'unknown load balancer "web-lbb" (did you mean web-lb? declared load balancers: web-lb, api-lb)' });
    expectIssue(error, { path: 'expect[4].maxSplitBrain.seconds', line: 34, message: 'missing required key' });
    expectIssue(error, { path: 'expect[5].maxRequestErrors.seconds', line: 35, message: 'a duration cannot be negative' });
    expect(error.issues).toHaveLength(15);
  });

  it('reports group nodes that are not a mapping or missing, unknown providers of endpoints and load balancers, and traffic expectations on a database without an endpoint', () => {
    const error = parse(
      [
        'name: small', // 1
        'duration: 1h', // 2
        'topology:', // 3
        '  providers:', // 4
        '    - id: aws', // 5
        '      regions:', // 6
        '        - id: us-east-1', // 7
        '          zones: [us-east-1a, us-east-1b]', // 8
        '  groups:', // 9
        '    - id: web', // 10
        '      provider: aws', // 11
        '      region: us-east-1', // 12
        '      nodes: [us-east-1a]', // 13
        '    - id: api', // 14
        '      provider: aws', // 15
        '      region: us-east-1', // 16
        '  databases:', // 17
        '    - id: orders', // 18
        '      primary: { provider: aws, region: us-east-1, zone: us-east-1a }', // 19
        '      endpoint: { provider: gpc, name: orders.db }', // 20
        '    - id: users', // 21
        '      primary: { provider: aws, region: us-east-1, zone: us-east-1b }', // 22
        '  loadBalancers:', // 23
        '    - { id: web-lb, provider: azure, region: us-east-1, group: web }', // 24
        'events: []', // 25
        'expect:', // 26
        '  - endpoint: { database: users, within: 1m }', // 27
        '  - maxWriteUnavailable: { database: users, seconds: 1m }', // 28
        '',
      ].join('\n'),
    );
    expectIssue(error, { path: 'topology.groups[0].nodes', line: 13, message: 'expected a mapping, got a list' });
    expectIssue(error, { path: 'topology.groups[1].nodes', line: 14, message: 'missing required key' });
    expectIssue(error, { path: 'topology.databases[0].endpoint.provider', line: 20, message: 'unknown provider "gpc"' });
    expectIssue(error, { path: 'topology.loadBalancers[0].provider', line: 24, message: 'unknown provider "azure"' });
    const noEndpoint = 'database users has no endpoint: declare topology.databases[].endpoint for it (databases with one: orders)';
    expectIssue(error, { path: 'expect[0].endpoint.database', line: 27, message: noEndpoint });
    expectIssue(error, { path: 'expect[1].maxWriteUnavailable.database', line: 28, message: noEndpoint });
    expect(error.issues).toHaveLength(6);
  });

  it('keeps a zone named __proto__ or constructor in a group\'s nodes (they are zones, not object internals)', () => {
    const scenario = parseScenario(
      [
        'name: odd-zones',
        'duration: 1h',
        'topology:',
        '  providers:',
        '    - { id: aws, regions: [{ id: r, zones: [__proto__, constructor] }] }',
        '  groups:',
        '    - { id: web, provider: aws, region: r, nodes: { __proto__: 2, constructor: 1 } }',
        'events: []',
      ].join('\n'),
      'odd.yaml',
    );
    const group = scenario.topology.groups[0]!;
    expect(Object.entries(group.nodes)).toEqual([
      ['__proto__', 2],
      ['constructor', 1],
    ]);
    expect(group.minHealthy).toBe(3);
  });
});
