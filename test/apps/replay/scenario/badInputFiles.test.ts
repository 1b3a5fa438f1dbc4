import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INPUT_LIMITS } from '../../../../src/apps/replay/scenario/inputLimits.js';
import { loadPolicyFile } from '../../../../src/apps/replay/scenario/loadPolicyFile.js';
import { loadScenarioFile, parseScenario } from '../../../../src/apps/replay/scenario/loadScenario.js';
import { BASE, expectIssue, scenarioErrorOf, scenarioErrorOfAsync, withLines } from './fixtures.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-bad-input-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Fails the test instead of hanging it: a FIFO read blocks forever without the type check. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}

describe('files that are not regular files', () => {
  it.skipIf(process.platform === 'win32')('refuses a named pipe (FIFO) at once instead of waiting for a writer', async () => {
    const fifo = join(dir, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    const error = await within(2000, scenarioErrorOfAsync(() => loadScenarioFile(fifo)));
    expect(error.message).toBe(`${fifo}: cannot read the file: it is a named pipe (FIFO), not a regular file`);
    const policy = await within(2000, scenarioErrorOfAsync(() => loadPolicyFile(fifo)));
    expect(policy.message).toContain('named pipe (FIFO)');
  });

  it.skipIf(process.platform === 'win32')('refuses /dev/zero (through a .yaml symlink) instead of reading it forever', async () => {
    const zero = join(dir, 'zero.yaml');
    execFileSync('ln', ['-s', '/dev/zero', zero]);
    const error = await within(2000, scenarioErrorOfAsync(() => loadScenarioFile(zero)));
    expect(error.message).toBe(`${zero}: cannot read the file: it is a character device, not a regular file`);
  });
});

describe('file size', () => {
  it('refuses a file over the size limit before reading it, naming the limit', async () => {
    const big = join(dir, 'big.yaml');
    await writeFile(big, `${BASE}\n${'# padding\n'.repeat(30 * 1024)}`);
    const error = await scenarioErrorOfAsync(() => loadScenarioFile(big));
    expect(error.message).toBe(`${big}: the file is 300.4 KiB, over the size limit of 256 KiB for this kind of file`);
    const justOver = join(dir, 'just-over.yaml');
    await writeFile(justOver, '#'.repeat(INPUT_LIMITS.sourceBytes + 1));
    expect((await scenarioErrorOfAsync(() => loadScenarioFile(justOver))).message).toBe(
      `${justOver}: the file is 262145 bytes, over the size limit of 262144 bytes for this kind of file`,
    );
  });

  it('reads a file just under the limit', async () => {
    const padded = join(dir, 'padded.yaml');
    const text = `${BASE}\n`;
    await writeFile(padded, text + '#'.repeat(INPUT_LIMITS.sourceBytes - Buffer.byteLength(text)));
    expect((await loadScenarioFile(padded)).name).toBe('small');
  });
});

describe('UTF-8', () => {
  it('refuses invalid UTF-8 with its line (a Latin-1 "é")', async () => {
    const latin1 = join(dir, 'latin1.yaml');
    await writeFile(latin1, Buffer.concat([Buffer.from(`${BASE}\n# caf`), Buffer.from([0xe9]), Buffer.from('\n')]));
    const error = await scenarioErrorOfAsync(() => loadScenarioFile(latin1));
    expectIssue(error, { path: '', line: 20, message: 'not valid UTF-8: byte 0xE9 at byte 6 of the line (save the file as UTF-8)' });
  });

  it('refuses an overlong encoding and a UTF-16 surrogate written as UTF-8', async () => {
    for (const [name, bytes] of [
      ['overlong-slash.yaml', [0xc0, 0xaf]],
      ['surrogate.yaml', [0xed, 0xa0, 0x80]],
    ] as const) {
      const file = join(dir, name);
      await writeFile(file, Buffer.concat([Buffer.from('name: x\ndescription: "'), Buffer.from(bytes), Buffer.from('"\n')]));
      const error = await scenarioErrorOfAsync(() => loadScenarioFile(file));
      expectIssue(error, { path: '', line: 2, message: `not valid UTF-8: byte 0x${bytes[0].toString(16).toUpperCase()} at byte 15 of the line` });
    }
  });

  it('accepts multi-byte UTF-8 and a byte order mark', async () => {
    const file = join(dir, 'unicode.yaml');
    await writeFile(file, `\ufeff${BASE.replace('name: small', 'name: small\ndescription: "Zürich 東京 🚒"')}\n`);
    expect((await loadScenarioFile(file)).description).toBe('Zürich 東京 🚒');
  });
});

describe('YAML and JSON structure', () => {
  it('refuses an alias bomb (a billion laughs) with the line of the alias that exceeds the alias limit', () => {
    const bomb = withLines(
      'description: &a [x, x, x, x, x, x, x, x, x]', // 20
      'source: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', // 21
      'seed: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', // 22
      'policy: [*c, *c, *c, *c, *c, *c, *c, *c, *c]', // 23
    );
    const error = scenarioErrorOf(() => parseScenario(bomb, 'bomb.yaml'));
    expect(error.issues).toHaveLength(1);
    expect(error.line).toBeGreaterThanOrEqual(21);
    expect(error.line).toBeLessThanOrEqual(23);
    expect(error.message).toMatch(/^bomb\.yaml:2[123]: alias \*[bc] expands too much: more than 100 alias expansions \(the alias limit; an alias bomb\?\)$/);
  });

  it('refuses deep YAML nesting with the line where it goes too deep', () => {
    const depth = INPUT_LIMITS.nestingDepth;
    // The root mapping is level 1, the mapping under `description` (line 21) level 2; each line nests one more, so line 20 + depth is one too deep.
    const lines = Array.from({ length: depth }, (_, i) => `${'  '.repeat(i + 1)}k${i}:`);
    const error = scenarioErrorOf(() => parseScenario(`${BASE}\ndescription:\n${lines.join('\n')} end\n`, 'deep.yaml'));
    expect(error.message).toBe(`deep.yaml:${20 + depth}: nesting too deep: more than ${depth} levels of mappings and lists (the nesting depth limit)`);
  });

  it('refuses nesting so deep that the YAML parser runs out of stack, with a line and no stack trace', () => {
    const error = scenarioErrorOf(() => parseScenario(`name: x\nduration: 1h\ndescription: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`, 'flow.yaml'));
    expect(error.message).toBe(`flow.yaml:3: nesting too deep: more than ${INPUT_LIMITS.nestingDepth} levels of mappings and lists (the nesting depth limit)`);
  });

  it('refuses deep JSON nesting with the line where it goes too deep', () => {
    const error = scenarioErrorOf(() => parseScenario(`{\n"name": "x",\n"description": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`, 'deep.json'));
    expect(error.message).toBe(`deep.json:3: malformed JSON: nesting too deep: more than ${INPUT_LIMITS.nestingDepth} levels of objects and arrays (the nesting depth limit)`);
  });

  it('supports YAML merge keys, and points at the line where a merged value was written', () => {
    const merged = [
      'name: merged',
      'duration: 1h',
      'topology:',
      '  providers:',
      '    - id: aws',
      '      regions:',
      '        - id: us-east-1',
      '          zones: [us-east-1a, us-east-1b, us-east-1c]',
      '  databases:',
      '    - id: orders',
      '      primary: &home { provider: aws, region: us-east-1, zone: us-east-1a }', // 11
      '      replicas:',
      '        - { <<: *home, id: orders-b, zone: us-east-1b }',
      '        - <<: *home',
      '          id: orders-c',
      '          zone: us-east-1c',
      '          mode: sync',
      'events: []',
    ].join('\n');
    const scenario = parseScenario(merged, 'merged.yaml');
    expect(scenario.topology.databases[0]!.replicas.map((r) => [r.id, r.provider, r.region, r.zone])).toEqual([
      ['orders-b', 'aws', 'us-east-1', 'us-east-1b'],
      ['orders-c', 'aws', 'us-east-1', 'us-east-1c'],
    ]);
    const wrongRegion = merged.replace("region: us-east-1, zone: us-east-1a }", "region: us-east-9, zone: us-east-1a }");
    const error = scenarioErrorOf(() => parseScenario(wrongRegion, 'merged.yaml'));
    // The replica's region came from the anchor on line 11, so that is where the user must look.
    expectIssue(error, { path: 'topology.databases[0].replicas[1].region', line: 11, message: 'us-east-9' });
  });

  it('keeps "<<" an ordinary (unknown) key in JSON', () => {
    const error = scenarioErrorOf(() => parseScenario('{\n"name": "x",\n"<<": {"duration": "1h"}\n}', 'merge.json'));
    expectIssue(error, { path: '["<<"]', line: 3, message: 'unknown key' });
    expectIssue(error, { path: 'duration', line: 1, message: 'missing required key' });
  });
});
