import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioFile, parseScenario } from '../../../../src/apps/replay/scenario/loadScenario.js';
import { BASE, expectIssue, replacingLine, scenarioErrorOf, scenarioErrorOfAsync, withLines } from './fixtures.js';

const parse = (text: string, file = 'scenarios/bad.yaml') => scenarioErrorOf(() => parseScenario(text, file));

describe('parseScenario: malformed files', () => {
  it('reports malformed YAML with the parser line', () => {
    const error = parse('name: a\nduration: 1h\n\ttopology: x\n');
    expect(error.file).toBe('scenarios/bad.yaml');
    expectIssue(error, { path: '', line: 3, message: 'malformed YAML: Tabs are not allowed as indentation' });
    expect(error.line).toBe(3);
    expect(error.path).toBe('');
  });

  it('reports an unclosed flow sequence', () => {
    const error = parse('name: a\nduration: [1h\ntopology: x\n');
    expectIssue(error, { path: '', line: 3, message: 'malformed YAML' });
  });

  it('reports malformed JSON with its line, including what the YAML parser would let through', () => {
    const trailing = parse('{\n  "name": "j",\n  "duration": "1h",\n}\n', 'scenarios/bad.json');
    expectIssue(trailing, { path: '', line: 4, message: 'malformed JSON: trailing comma before "}"' });

    const bareWord = parse('{\n  "name": "j",\n  "duration": tru\n}', 'scenarios/bad.json');
    expectIssue(bareWord, { path: '', line: 3, message: 'malformed JSON: expected a value, found "tru"' });

    const singleQuotes = parse("{\n\n  'name': 'j'\n}", 'bad.json');
    expectIssue(singleQuotes, { path: '', line: 3, message: 'malformed JSON: expected a double-quoted key' });

    const unclosed = parse('{\n  "name": "j",\n  "events": [1, 2\n', 'bad.json');
    expectIssue(unclosed, { path: '', line: 4, message: 'malformed JSON: expected "," or "]" after a value, found the end of the file' });
  });

  it('reports duplicate keys in YAML and JSON, naming the key', () => {
    const yaml = parse(withLines('  - at: 1m', '    impair: { zone: us-east-1a, mode: power, zone: us-east-1b }'));
    expectIssue(yaml, { path: 'events[0].impair.zone', line: 21, message: 'duplicate key' });

    const root = parse('name: a\nduration: 1h\nname: b\n');
    expectIssue(root, { path: 'name', line: 3, message: 'duplicate key' });

    const json = parse('{\n  "name": "a",\n  "duration": "1h",\n  "name": "b"\n}', 'bad.json');
    expectIssue(json, { path: 'name', line: 4, message: 'duplicate key' });
  });

  it('rejects a second YAML document', () => {
    expectIssue(parse('name: a\n---\nname: b\n'), { path: '', line: 2, message: 'a file holds exactly one document' });
  });

  it('rejects an alias without its anchor and non-string keys', () => {
    expectIssue(parse('name: a\nduration: *d\n'), { path: '', line: 2, message: 'unknown alias *d' });
    expectIssue(parse('name: a\n? [x, y]\n: 1\n'), { path: '', line: 2, message: 'mapping keys must be plain strings' });
  });

  it('rejects empty files and files holding only comments', () => {
    for (const [text, file] of [
      ['', 'empty.yaml'],
      ['# nothing yet\n\n   # still nothing\n', 'comments.yml'],
      ['---\n', 'dashes.yaml'],
      ['', 'empty.json'],
      ['  \n\t\n', 'blank.json'],
    ] as const) {
      const error = parse(text, file);
      expect(error.issues).toHaveLength(1);
      expect(error.message).toMatch(new RegExp(`^${file.replace('.', '\\.')}: empty scenario`));
    }
  });

  it('rejects a top level that is not a mapping', () => {
    expectIssue(parse('- a\n- b\n'), { path: '', line: 1, message: 'expected a mapping (name, duration, topology, events, ...) at the top level, got a list' });
    expectIssue(parse('\n\n"just text"', 'x.json'), { path: '', line: 3, message: 'at the top level, got "just text"' });
  });

  it('rejects unsupported extensions before reading anything', () => {
    const error = parse(BASE, 'scenarios/outage.txt');
    expect(error.message).toBe('scenarios/outage.txt: unsupported file type (extension ".txt"): expected a .yaml, .yml or .json file');
    expect(parse(BASE, 'scenarios/outage').message).toContain('(no extension)');
  });
});

describe('parseScenario: unknown keys', () => {
  it('reports unknown keys at every depth at once, pointing at the key, with a suggestion', () => {
    const text = replacingLine(
      13,
      '      nodes: { us-east-1a: 2, us-east-1b: 2 }\n      minhealthy: 3', // 13, 14
      [
        '  - at: 1m', // 21
        '    impair: { zone: us-east-1a, mode: power, erorRate: 1 }', // 22
        '    zone: us-east-1a', // 23
        'nmae: x', // 24
        'policy:', // 25
        '  probeIntervl: 2s', // 26
        'expect:', // 27
        '  - failover: { database: orders, withn: 1m }', // 28
        '  - capcity: { group: web }', // 29
        '',
      ].join('\n'),
    );
    const error = parse(text);
    expectIssue(error, { path: 'topology.groups[0].minhealthy', line: 14, message: 'unknown key (did you mean minHealthy?)' });
    expectIssue(error, { path: 'events[0].impair.erorRate', line: 22, message: 'unknown key (did you mean errorRate?)' });
    expectIssue(error, { path: 'events[0].zone', line: 23, message: 'unknown key (zone belongs inside impair)' });
    expectIssue(error, { path: 'nmae', line: 24, message: 'unknown key (did you mean name?)' });
    expectIssue(error, { path: 'policy.probeIntervl', line: 26, message: 'unknown key (did you mean probeInterval?)' });
    expectIssue(error, { path: 'expect[0].failover.withn', line: 28, message: 'unknown key (did you mean within?)' });
    expectIssue(error, { path: 'expect[1].capcity', line: 29, message: 'unknown key (did you mean capacity?)' });
    expectIssue(error, { path: 'expect[1]', line: 29, message: 'no expectation kind' });
    expect(error.issues).toHaveLength(8);
    // In file order, so the first one is what `path` and `line` describe.
    expect(error.issues.map((i) => i.line)).toEqual([14, 22, 23, 24, 26, 28, 29, 29]);
    expect(error.path).toBe('topology.groups[0].minhealthy');
    expect(error.line).toBe(14);
  });

  it('lists the valid keys when nothing is close', () => {
    const error = parse(replacingLine(5, '    - id: aws\n      flavour: x'));
    expectIssue(error, { path: 'topology.providers[0].flavour', line: 6, message: 'unknown key (expected one of: id, latency, regions)' });
  });

  it('rejects unknown operations in a latency map', () => {
    const error = parse(replacingLine(5, '    - id: aws\n      latency: { promoteReplca: 2m }', ' []'));
    expectIssue(error, { path: 'topology.providers[0].latency.promoteReplca', line: 6, message: 'unknown key (did you mean promoteReplica?)' });
  });

  it('reports unknown keys in JSON with their line', () => {
    const json = [
      '{',
      '  "name": "j",',
      '  "duration": "1h",',
      '  "topology": { "providers": [ { "id": "aws", "regions": [ { "id": "r", "zones": ["z"] } ] } ] },',
      '  "events": [',
      '    { "at": 0, "impair": { "zone": "z", "mode": "power" }, "note": "x" }',
      '  ],',
      '  "bogus": 1',
      '}',
    ].join('\n');
    const error = parse(json, 'scenarios/bad.json');
    expectIssue(error, { path: 'events[0].note', line: 6, message: 'unknown key' });
    expectIssue(error, { path: 'bogus', line: 8, message: 'unknown key (expected one of: name, description, source, duration' });
  });
});

describe('parseScenario: references', () => {
  it('reports unknown zones with the declared ones, everywhere a zone is named', () => {
    const text = replacingLine(
      18,
      '        - { id: orders-b, provider: aws, region: us-east-1, zone: us-east-1q }', // 18
      [
        '  - at: 1m', // 20
        '    impair: { zone: us-east-1z, mode: power }', // 21
        '  - at: 1m', // 22
        '    flap: { zone: eu-west-1a, mode: degraded, period: 1m, until: 2m }', // 23
        'expect:', // 24
        '  - never: { action: createNode, zone: us-east-1c }', // 25
        '',
      ].join('\n'),
    ).replace('us-east-1b: 2 }', 'us-east-1d: 2 }');
    const error = parse(text);
    expect(error.message.split('\n')).toContain(
      'scenarios/bad.yaml:21: events[0].impair.zone: unknown zone "us-east-1z" (declared zones: us-east-1a, us-east-1b)',
    );
    expectIssue(error, { path: 'topology.groups[0].nodes.us-east-1d', line: 13, message: 'unknown zone "us-east-1d"' });
    expectIssue(error, { path: 'topology.databases[0].replicas[0].zone', line: 18, message: 'unknown zone "us-east-1q"' });
    expectIssue(error, { path: 'events[1].flap.zone', line: 23, message: 'unknown zone "eu-west-1a"' });
    expectIssue(error, { path: 'expect[0].never.zone', line: 25, message: 'unknown zone "us-east-1c"' });
    expect(error.issues).toHaveLength(5);
  });

  it('suggests the likely zone when one is clearly meant', () => {
    const error = parse(withLines('  - { at: 1m, impair: { zone: us-east1a, mode: power } }'));
    expectIssue(error, { path: 'events[0].impair.zone', line: 20, message: 'unknown zone "us-east1a" (did you mean us-east-1a? declared zones: us-east-1a, us-east-1b)' });
  });

  it('keeps a node group inside its home region', () => {
    const text = BASE.replace('zones: [us-east-1a, us-east-1b]', 'zones: [us-east-1a, us-east-1b]\n        - id: us-west-2\n          zones: [us-west-2a]').replace(
      'nodes: { us-east-1a: 2, us-east-1b: 2 }',
      'nodes: { us-east-1a: 2, us-west-2a: 2 }',
    );
    const error = parse(`${text} []\n`);
    expectIssue(error, {
      path: 'topology.groups[0].nodes.us-west-2a',
      line: 15,
      message: 'zone "us-west-2a" is in region us-west-2, not in us-east-1 (a node group spans zones of its home region only)',
    });
  });

  it('checks that providers and regions of groups and databases are declared and consistent', () => {
    const text = BASE.replace('      provider: aws\n      region: us-east-1\n      nodes', '      provider: azure\n      region: us-east-1\n      nodes').replace(
      'primary: { provider: aws, region: us-east-1, zone: us-east-1a }',
      'primary: { provider: aws, region: us-east-2, zone: us-east-1a }',
    );
    const error = parse(`${text} []\n`);
    expectIssue(error, { path: 'topology.groups[0].provider', line: 11, message: 'unknown provider "azure" (declared providers: aws)' });
    expectIssue(error, { path: 'topology.databases[0].primary.region', line: 16, message: 'unknown region "us-east-2" in provider aws' });
  });

  it('checks references of events and expectations to groups, databases, replicas, providers and regions', () => {
    const error = parse(
      withLines(
        '  - { at: 1m, nodeFailure: { group: webb, count: 1 } }', // 20
        '  - { at: 1m, replication: { database: orders, replica: orders-c, lag: 5s } }', // 21
        '  - { at: 1m, replication: { database: order, replica: orders-b, broken: true } }', // 22
        '  - { at: 1m, apiFault: { provider: gcp, operations: ["*"], fault: hang } }', // 23
        '  - { at: 1m, impairRegion: { region: us-east-2, mode: power } }', // 24
        '  - { at: 1m, providerStatus: { provider: aws, zone: us-east-1a, status: down } }', // 25
        'expect:', // 26
        '  - capacity: { group: api, within: 1m }', // 27
        '  - maxDataLoss: { database: orders, seconds: 5 }', // 28
        '  - failover: { database: orders, to: { replica: orders-x } }', // 29
        '  - maxCalls: { provider: gpc, count: 1 }', // 30
      ),
    );
    expectIssue(error, { path: 'events[0].nodeFailure.group', line: 20, message: 'unknown group "webb" (did you mean web? declared groups: web)' });
    expectIssue(error, { path: 'events[1].replication.replica', line: 21, message: '"orders-c" is not a replica of database orders' });
    expectIssue(error, { path: 'events[2].replication.database', line: 22, message: 'unknown database "order"' });
    expectIssue(error, { path: 'events[3].apiFault.provider', line: 23, message: 'unknown provider "gcp"' });
    expectIssue(error, { path: 'events[4].impairRegion.region', line: 24, message: 'unknown region "us-east-2"' });
    expectIssue(error, { path: 'events[5].providerStatus.status', line: 25, message: 'expected one of available, impaired, unavailable, got "down"' });
    expectIssue(error, { path: 'expect[0].capacity.group', line: 27, message: 'unknown group "api"' });
    expectIssue(error, { path: 'expect[2].failover.to.replica', line: 29, message: '"orders-x" is not a replica of database orders' });
    expectIssue(error, { path: 'expect[3].maxCalls.provider', line: 30, message: 'unknown provider "gpc" (declared providers: aws)' });
    expect(error.issues).toHaveLength(9);
  });

  it('keeps a nodeFailure zone inside the group region and an apiFault zone inside its provider', () => {
    const text = BASE.replace('    - id: aws\n', '    - id: gcp\n      regions: [{ id: europe-west1, zones: [europe-west1-b] }]\n    - id: aws\n');
    const error = parse(
      `${text}\n${[
        '  - { at: 1m, nodeFailure: { group: web, count: 1, zone: europe-west1-b } }', // 22
        '  - { at: 1m, apiFault: { provider: aws, zone: europe-west1-b, operations: [createNode], fault: error } }', // 23
      ].join('\n')}\n`,
    );
    expectIssue(error, { path: 'events[0].nodeFailure.zone', line: 22, message: 'zone "europe-west1-b" belongs to provider gcp, not aws' });
    expectIssue(error, { path: 'events[1].apiFault.zone', line: 23, message: 'zone "europe-west1-b" belongs to provider gcp, not aws' });
  });

  it('does not cascade into unknown-name errors when the topology itself is broken', () => {
    const error = parse('name: a\nduration: 1h\ntopology: [aws]\nevents:\n  - { at: 1m, impair: { zone: z, mode: power } }\n');
    expect(error.issues).toHaveLength(1);
    expectIssue(error, { path: 'topology', line: 3, message: 'expected a mapping, got a list' });
  });
});

describe('parseScenario: values', () => {
  it('rejects bad durations, naming the path and the expected format', () => {
    const error = parse(
      withLines(
        '  - at: 10 minutes', // 20
        '    recover: { zone: us-east-1a }',
        '  - at: -5s', // 22
        '    recover: { zone: us-east-1a }',
        '  - at: 1w', // 24
        '    recover: { zone: us-east-1a }',
        '  - at: abc', // 26
        '    recover: { zone: us-east-1a }',
        '  - at: -5', // 28
        '    recover: { zone: us-east-1a }',
        '  - { at: 1m, observerPartition: { zone: us-east-1a, until: "2 hours" } }', // 30
      ),
    );
    const format = 'expected a duration like 90s, 2.5m, 1h, 1h30m, 100ms, 1d or a number of seconds';
    expectIssue(error, { path: 'events[0].at', line: 20, message: `${format}, got "10 minutes"` });
    expectIssue(error, { path: 'events[1].at', line: 22, message: `${format}, got "-5s" (a duration cannot be negative)` });
    expectIssue(error, { path: 'events[2].at', line: 24, message: `${format}, got "1w"` });
    expectIssue(error, { path: 'events[3].at', line: 26, message: `${format}, got "abc"` });
    expectIssue(error, { path: 'events[4].at', line: 28, message: `${format}, got -5 (a duration cannot be negative)` });
    expectIssue(error, { path: 'events[5].observerPartition.until', line: 30, message: `${format}, got "2 hours"` });
    expect(error.issues).toHaveLength(6);
  });

  it('requires a scenario duration greater than zero', () => {
    expectIssue(parse(replacingLine(2, 'duration: 0s', ' []')), { path: 'duration', line: 2, message: 'expected a duration greater than zero, got "0s"' });
  });

  it('rejects values of the wrong type', () => {
    const text = replacingLine(1, 'name: 5', 'expect: {}\nseed: 1.5\n').replace('us-east-1a: 2,', 'us-east-1a: four,').replace('events:\n', 'events: 3\n');
    const error = parse(text);
    expectIssue(error, { path: 'name', line: 1, message: 'expected a string, got 5' });
    expectIssue(error, { path: 'topology.groups[0].nodes.us-east-1a', line: 13, message: 'expected a number, got "four"' });
    expectIssue(error, { path: 'events', line: 19, message: 'expected a list, got 3' });
    expectIssue(error, { path: 'expect', line: 20, message: 'expected a list, got a mapping' });
    expectIssue(error, { path: 'seed', line: 21, message: 'expected an integer, got 1.5' });
    expect(error.issues).toHaveLength(5);
  });

  it('checks names, counts, rates and enums', () => {
    const error = parse(
      replacingLine(
        1,
        'name: AWS Outage', // 1
        [
          '  - { at: 1m, nodeFailure: { group: web, count: 0 } }', // 20
          '  - { at: 1m, impair: { zone: us-east-1a, mode: power, errorRate: 1.5 } }', // 21
          '  - { at: 1m, impair: { zone: us-east-1a, mode: flooded } }', // 22
          '  - { at: 1m, apiFault: { provider: aws, operations: [], fault: error } }', // 23
          '  - { at: 1m, apiFault: { provider: aws, operations: [creatNode], fault: error, rate: -1 } }', // 24
          '  - { at: 1m, flap: { zone: us-east-1a, mode: power, period: 0, until: 2m } }', // 25
          '  - { at: 1m, replication: { database: orders, replica: orders-b, broken: maybe } }', // 26
          'expect:', // 27
          '  - never: { action: rebootNodes }', // 28
          '  - maxCalls: { provider: aws, count: -1, per: 0 }', // 29
          '',
        ].join('\n'),
      ),
    );
    expectIssue(error, { path: 'name', line: 1, message: 'expected lowercase letters, digits and dashes only ([a-z0-9-]+), got "AWS Outage"' });
    expectIssue(error, { path: 'events[0].nodeFailure.count', line: 20, message: 'expected at least 1, got 0' });
    expectIssue(error, { path: 'events[1].impair.errorRate', line: 21, message: 'expected at most 1, got 1.5' });
    expectIssue(error, { path: 'events[2].impair.mode', line: 22, message: 'expected one of unreachable, degraded, power, storage, got "flooded"' });
    expectIssue(error, { path: 'events[3].apiFault.operations', line: 23, message: 'expected a non-empty list' });
    expectIssue(error, { path: 'events[4].apiFault.operations[0]', line: 24, message: 'got "creatNode" (did you mean createNode?)' });
    expectIssue(error, { path: 'events[4].apiFault.rate', line: 24, message: 'expected at least 0, got -1' });
    expectIssue(error, { path: 'events[5].flap.mode', line: 25, message: 'expected one of unreachable, degraded, got "power"' });
    expectIssue(error, { path: 'events[5].flap.period', line: 25, message: 'expected a duration greater than zero, got 0' });
    expectIssue(error, { path: 'events[6].replication.broken', line: 26, message: 'expected true or false, got "maybe"' });
    expectIssue(error, { path: 'expect[0].never.action', line: 28, message: 'got "rebootNodes" (did you mean rebootNode?)' });
    expectIssue(error, { path: 'expect[1].maxCalls.count', line: 29, message: 'expected at least 0, got -1' });
    expectIssue(error, { path: 'expect[1].maxCalls.per', line: 29, message: 'expected a duration greater than zero, got 0' });
    expect(error.issues).toHaveLength(13);
  });

  it('rejects policy keys and values the controller does not know, under policy.<key>', () => {
    const error = parse(`${BASE} []\npolicy:\n  probeIntervl: 2s\n  probeInterval: fast\n  placement: bestzone\n`);
    expectIssue(error, { path: 'policy.probeIntervl', line: 21, message: 'unknown key (did you mean probeInterval?)' });
    expectIssue(error, { path: 'policy.probeInterval', line: 22, message: 'got "fast"' });
    expectIssue(error, { path: 'policy.placement', line: 23, message: 'expected one of best-zone, untargeted, got "bestzone" (did you mean best-zone?)' });
  });
});

describe('parseScenario: structure of events and expectations', () => {
  it('rejects zero or two kind keys, naming them and the valid kinds', () => {
    const error = parse(
      withLines(
        '  - at: 1m', // 20
        '    impair: { zone: us-east-1a, mode: power }',
        '    recover: { zone: us-east-1a }',
        '  - at: 2m', // 23
        '  - at: 3m', // 24
        '    impiar: { zone: us-east-1a, mode: power }', // 25
        '  - 5', // 26
        'expect:', // 27
        '  - { noFailover: {}, maxFailovers: { count: 1 } }', // 28
      ),
    );
    expectIssue(error, {
      path: 'events[0]',
      line: 20,
      message:
        '2 event kinds (impair and recover): an event has "at" and exactly one kind key, one of: impair, impairRegion, recover, apiFault, providerStatus, replication, nodeFailure, observerPartition, flap',
    });
    expectIssue(error, { path: 'events[1]', line: 23, message: 'no event kind: an event has "at" and exactly one kind key, one of: impair,' });
    expectIssue(error, { path: 'events[2]', line: 24, message: 'no event kind' });
    expectIssue(error, { path: 'events[2].impiar', line: 25, message: 'unknown key (did you mean impair?)' });
    expectIssue(error, { path: 'events[3]', line: 26, message: 'expected a mapping like { at: 10m, impair: { zone: ..., mode: ... } }, got 5' });
    expectIssue(error, { path: 'expect[0]', line: 28, message: '2 expectation kinds (noFailover and maxFailovers): an expectation has exactly one kind key, one of: failover,' });
  });

  it('reports missing required keys at the parent line', () => {
    const text = [
      'duration: 1h', // 1
      'topology:', // 2
      '  providers:', // 3
      '    - id: aws', // 4
      '      regions: [{ id: r, zones: [z] }]', // 5
      '  groups:', // 6
      '    - { id: g, provider: aws, nodes: {} }', // 7
      'expect:', // 8
      '  - capacity: { group: g }', // 9
    ].join('\n');
    const error = parse(text);
    expectIssue(error, { path: 'name', line: 1, message: 'missing required key' });
    expectIssue(error, { path: 'events', line: 1, message: 'missing required key' });
    expectIssue(error, { path: 'topology.groups[0].region', line: 7, message: 'missing required key' });
    expectIssue(error, { path: 'expect[0].capacity.within', line: 9, message: 'missing required key' });
    expect(error.issues).toHaveLength(4);

    const noAt = parse(withLines('  - recover: { zone: us-east-1a }'));
    expectIssue(noAt, { path: 'events[0].at', line: 20, message: 'missing required key' });
  });

  it('checks recover, apiFault/flap/observerPartition until, and replication content', () => {
    const error = parse(
      withLines(
        '  - { at: 1m, recover: { zone: us-east-1a, region: us-east-1 } }', // 20
        '  - { at: 1m, recover: {} }', // 21
        '  - { at: 10m, apiFault: { provider: aws, operations: [createNode], fault: error, until: 5m } }', // 22
        '  - { at: 10m, flap: { zone: us-east-1a, mode: degraded, period: 1m, until: 10m } }', // 23
        '  - { at: 10m, observerPartition: { zone: us-east-1a, until: 1m } }', // 24
        '  - { at: 1m, replication: { database: orders, replica: orders-b } }', // 25
      ),
    );
    expectIssue(error, { path: 'events[0].recover', line: 20, message: 'expected exactly one of zone or region, got both' });
    expectIssue(error, { path: 'events[1].recover', line: 21, message: 'expected exactly one of zone or region, got neither' });
    expectIssue(error, { path: 'events[2].apiFault.until', line: 22, message: 'until (5m) must be after at (10m)' });
    expectIssue(error, { path: 'events[3].flap.until', line: 23, message: 'until (10m) must be after at (10m)' });
    expectIssue(error, { path: 'events[4].observerPartition.until', line: 24, message: 'until (1m) must be after at (10m)' });
    expectIssue(error, { path: 'events[5].replication', line: 25, message: 'expected lag, broken (true to break replication, false to resume it), or both' });
    expect(error.issues).toHaveLength(6);
  });

  it('rejects an event after the end of the scenario, and accepts one at the very end', () => {
    const error = parse(withLines('  - at: 61m', '    recover: { zone: us-east-1a }', '  - { at: 3600, recover: { zone: us-east-1a } }'));
    expect(error.issues).toHaveLength(1);
    expectIssue(error, { path: 'events[0].at', line: 20, message: '61m is after the end of the scenario (duration: 1h)' });
  });
});

describe('parseScenario: duplicate ids', () => {
  it('reports duplicate providers, regions, zones, groups, databases and instance ids', () => {
    const text = [
      'name: d', // 1
      'duration: 1h', // 2
      'topology:', // 3
      '  providers:', // 4
      '    - id: aws', // 5
      '      regions:', // 6
      '        - { id: r1, zones: [a, b] }', // 7
      '        - { id: r1, zones: [c] }', // 8
      '        - { id: r2, zones: [a] }', // 9
      '    - id: aws', // 10
      '      regions: [{ id: r3, zones: [d] }]', // 11
      '  groups:', // 12
      '    - { id: g, provider: aws, region: r1, nodes: { a: 1 } }', // 13
      '    - { id: g, provider: aws, region: r1, nodes: { a: 1 } }', // 14
      '  databases:', // 15
      '    - id: db', // 16
      '      primary: { provider: aws, region: r1, zone: a }', // 17
      '      replicas: [{ id: db, provider: aws, region: r1, zone: b }, { id: db2, provider: aws, region: r1, zone: b }]', // 18
      '    - id: db2', // 19
      '      primary: { provider: aws, region: r1, zone: b }', // 20
      '    - id: db', // 21
      '      primary: { provider: aws, region: r1, zone: b }', // 22
      'events: []', // 23
    ].join('\n');
    const error = parse(text);
    expectIssue(error, { path: 'topology.providers[0].regions[1].id', line: 8, message: 'duplicate region id "r1" in provider aws (first declared on line 7)' });
    expectIssue(error, { path: 'topology.providers[0].regions[2].zones[0]', line: 9, message: 'duplicate zone id "a" (first declared on line 7, in aws/r1)' });
    expectIssue(error, { path: 'topology.providers[1].id', line: 10, message: 'duplicate provider id "aws" (first declared on line 5)' });
    expectIssue(error, { path: 'topology.groups[1].id', line: 14, message: 'duplicate group id "g" (first declared on line 13)' });
    expectIssue(error, {
      path: 'topology.databases[0].replicas[0].id',
      line: 18,
      message: 'duplicate database instance id "db": already the id of database db (its primary) (first declared on line 16)',
    });
    expectIssue(error, { path: 'topology.databases[1].id', line: 19, message: 'duplicate database instance id "db2": already the id of a replica (first declared on line 18)' });
    expectIssue(error, { path: 'topology.databases[2].id', line: 21, message: 'duplicate database id "db" (first declared on line 16)' });
    expect(error.issues).toHaveLength(7);
  });
});

describe('loadScenarioFile: files', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lifeboat-scenario-errors-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names a file that does not exist', async () => {
    const file = join(dir, 'missing.yaml');
    const error = await scenarioErrorOfAsync(() => loadScenarioFile(file));
    expect(error.file).toBe(file);
    expect(error.message).toBe(`${file}: cannot read the file: no such file (ENOENT)`);
  });

  it('names a directory given as a file', async () => {
    const file = join(dir, 'folder.yaml');
    await mkdir(file);
    const error = await scenarioErrorOfAsync(() => loadScenarioFile(file));
    expect(error.message).toBe(`${file}: cannot read the file: it is a directory, not a file (EISDIR)`);
  });

  // A file it may not read: test/apps/cli/replayCommand.test.ts (run as an unprivileged user, so it runs as root too).

  it('reports problems of a file on disk with its path and lines', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, withLines('  - { at: 1m, impair: { zone: us-east-1z, mode: power } }'));
    const error = await scenarioErrorOfAsync(() => loadScenarioFile(file));
    expect(error.message).toBe(`${file}:20: events[0].impair.zone: unknown zone "us-east-1z" (declared zones: us-east-1a, us-east-1b)`);
  });

  it('rejects an unsupported extension without reading the file', async () => {
    const error = await scenarioErrorOfAsync(() => loadScenarioFile(join(dir, 'nothing-here.toml')));
    expect(error.message).toContain('unsupported file type (extension ".toml")');
  });
});
