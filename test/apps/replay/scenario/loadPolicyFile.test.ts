import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicyFile, parsePolicy } from '../../../../src/apps/replay/scenario/loadPolicyFile.js';
import { expectIssue, scenarioErrorOf, scenarioErrorOfAsync } from './fixtures.js';

describe('loadPolicyFile', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lifeboat-policy-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads YAML policy keys, durations in seconds', async () => {
    const file = join(dir, 'policy.yaml');
    await writeFile(file, '# tighter detection\nprobeInterval: 1s\nimpairedAfter: 2\nfailoverCooldown: 15m\nplacement: untargeted\nmaxDataLoss: 0\n');
    expect(await loadPolicyFile(file)).toEqual({ probeInterval: 1, impairedAfter: 2, failoverCooldown: 900, placement: 'untargeted', maxDataLoss: 0 });
  });

  it('reads JSON policy keys', async () => {
    const file = join(dir, 'policy.json');
    await writeFile(file, '{ "crossRegionFailover": false, "backoffMax": "2m" }');
    expect(await loadPolicyFile(file)).toEqual({ crossRegionFailover: false, backoffMax: 120 });
  });

  it('treats an empty or comment-only file as no overrides', async () => {
    const file = join(dir, 'empty.yml');
    await writeFile(file, '# probeInterval: 1s\n');
    expect(await loadPolicyFile(file)).toEqual({});
    expect(parsePolicy('', 'empty.json')).toEqual({});
  });

  it('reports unknown keys and bad values with path and line, all at once', () => {
    const error = scenarioErrorOf(() => parsePolicy('probeInterval: 1s\nfailedround: 3\nprobeTimeout: -1s\nplacement: anywhere\n', 'lifeboat.yaml'));
    expectIssue(error, { path: 'failedround', line: 2, message: 'unknown key (did you mean failedRounds?)' });
    expectIssue(error, { path: 'probeTimeout', line: 3, message: 'got "-1s"' });
    expectIssue(error, { path: 'placement', line: 4, message: 'expected one of best-zone, untargeted, got "anywhere"' });
    expect(error.issues).toHaveLength(3);
    expect(error.message.split('\n')[0]).toBe('lifeboat.yaml:2: failedround: unknown key (did you mean failedRounds?)');
  });

  it('reports wrong types in JSON with their line', () => {
    const error = scenarioErrorOf(() => parsePolicy('{\n  "fenceOldPrimary": "yes",\n  "mutationsPerMinute": 0\n}', 'p.json'));
    expectIssue(error, { path: 'fenceOldPrimary', line: 2, message: 'expected true or false, got "yes"' });
    expectIssue(error, { path: 'mutationsPerMinute', line: 3, message: 'expected more than 0, got 0' });
  });

  it('rejects malformed files, a non-mapping and unsupported extensions', () => {
    expectIssue(scenarioErrorOf(() => parsePolicy('a: [1\nb: 2\n', 'p.yaml')), { path: '', line: 2, message: 'malformed YAML' });
    expectIssue(scenarioErrorOf(() => parsePolicy('{"a": 1,}', 'p.json')), { path: '', line: 1, message: 'malformed JSON: trailing comma' });
    expectIssue(scenarioErrorOf(() => parsePolicy('- probeInterval\n', 'p.yaml')), { path: '', line: 1, message: 'expected a mapping of policy keys' });
    expect(scenarioErrorOf(() => parsePolicy('x: 1', 'policy.ini')).message).toContain('unsupported file type (extension ".ini")');
  });

  it('names a file that cannot be read', async () => {
    const file = join(dir, 'nope.yaml');
    const error = await scenarioErrorOfAsync(() => loadPolicyFile(file));
    expect(error.message).toBe(`${file}: cannot read the file: no such file (ENOENT)`);
  });
});
