import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILING } from '../replay/failingScenarios.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../..');
const bin = join(root, 'bin/lifeboat.js');

async function lifeboat(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return lifeboatAs({}, ...args);
}

/** Runs the CLI, as another user when `user` says so (only root may). */
async function lifeboatAs(user: { uid?: number; gid?: number }, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: root, ...user });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const GOOD = FAILING.noFailover!.replace('  - noFailover: { database: orders }', '  - failover: { database: orders, within: 2m }');

describe('lifeboat replay (CLI)', () => {
  it('exits 0 when every expectation holds, prints the timeline and summary, and writes the JSON report', async () => {
    const a = join(dir, 'good.yaml');
    await writeFile(a, GOOD);
    const report = join(dir, 'report.json');
    const { code, stdout } = await lifeboat('replay', a, 'scenarios/synthetic-fast-flap.yaml', '--json', report);
    expect(code).toBe(0);
    expect(stdout).toMatch(/\[\s*1m00s\] world\.impair/);
    expect(stdout).toMatch(/zone\.impaired\s+aws use1-a/);
    expect(stdout).toMatch(/PASS failover: orders -> orders-b/);
    expect(stdout).toMatch(/2\/2 scenario\(s\) passed/);
    const reports = JSON.parse(await readFile(report, 'utf8'));
    expect(reports).toHaveLength(2);
    const [first] = reports;
    expect(Object.keys(first).slice(0, 5)).toEqual(['scenario', 'passed', 'generatedAt', 'wallMs', 'virtualSeconds']);
    expect(first).toMatchObject({ scenario: 'fails-nofailover', passed: true, virtualSeconds: 600 });
    expect(Object.keys(first.metrics)).toEqual(
      expect.arrayContaining(['detectionSeconds', 'failoverSeconds', 'dataLossSeconds', 'failovers', 'calls', 'mutatingCalls']),
    );
    expect(first.expectations[0]).toMatchObject({ kind: 'failover', spec: { database: 'orders', within: '2m' }, passed: true });
    expect(first.actions.some((a: { operation: string; result: string }) => a.operation === 'promoteReplica' && a.result === 'ok')).toBe(true);
    expect(new Date(first.generatedAt).toString()).not.toBe('Invalid Date');
  });

  it('exits 2 naming a file it may not read, without a stack trace (as an unprivileged user: root may read anything)', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'lifeboat-unreadable-'));
    try {
      await chmod(folder, 0o755);
      const file = join(folder, 'secret.yaml');
      await writeFile(file, GOOD);
      await chmod(file, 0o000);
      // CI runs as root, which reads a mode-000 file anyway: the CLI then runs as nobody, so the check means something there too.
      const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      const { code, stdout, stderr } = await lifeboatAs(user, 'replay', file);
      expect(code).toBe(2);
      expect(stderr).toContain(`${file}: cannot read the file: permission denied (EACCES)`);
      expect(stderr).not.toMatch(/^\s+at /m);
      expect(stdout).not.toMatch(/scenario\(s\) passed/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('exits 1 when an expectation fails', async () => {
    const file = join(dir, 'fails.yaml');
    await writeFile(file, FAILING.maxFailovers!);
    const { code, stdout } = await lifeboat('replay', file, '--quiet');
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAIL maxFailovers: 1 promotion\(s\) of orders \(limit 0\)/);
    expect(stdout).not.toMatch(/world\.impair/); // --quiet: summary only
  });

  it('gives the same report twice but for generatedAt and wallMs', async () => {
    const out = [join(dir, 'one.json'), join(dir, 'two.json')];
    for (const file of out) expect((await lifeboat('replay', 'scenarios/synthetic-lagging-replica.yaml', '--json', file)).code).toBe(0);
    const [one, two] = await Promise.all(out.map(async (f) => JSON.parse(await readFile(f, 'utf8'))));
    for (const r of [one, two]) {
      delete r.generatedAt;
      delete r.wallMs;
    }
    expect(two).toEqual(one);
  });

  it('applies --policy overrides (and the scenario runs differently)', async () => {
    const policy = join(dir, 'policy.yaml');
    await writeFile(policy, 'crossRegionFailover: false\n');
    const { code, stdout } = await lifeboat('replay', 'scenarios/synthetic-region-dark.yaml', '--policy', policy, '--quiet');
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAIL failover: orders never failed over/);
  });
});

describe('lifeboat replay --wire (aws and gcp through the real adapters over loopback HTTP)', () => {
  it('exits 0 when every expectation holds, says so, and marks the JSON report', async () => {
    const report = join(dir, 'wire.json');
    const { code, stdout, stderr } = await lifeboat('replay', '--wire', 'scenarios/synthetic-cross-provider.yaml', '--json', report);
    expect(code).toBe(0);
    expect(stdout).toMatch(/synthetic-cross-provider .*over the wire/);
    expect(stdout).toMatch(/PASS failover: orders -> orders-g/);
    expect(stdout).toMatch(/1\/1 scenario\(s\) passed/);
    // No SDK chatter on a replay against loopback emulators.
    expect(stderr).toBe('');
    const json = JSON.parse(await readFile(report, 'utf8'));
    expect(Object.keys(json).slice(0, 5)).toEqual(['scenario', 'passed', 'generatedAt', 'wallMs', 'virtualSeconds']);
    expect(json).toMatchObject({ scenario: 'synthetic-cross-provider', passed: true, wire: true });
  }, 120_000);

  it('exits 1 when an expectation fails over the wire', async () => {
    const file = join(dir, 'wire-fails.yaml');
    await writeFile(file, FAILING.maxFailovers!);
    const { code, stdout } = await lifeboat('replay', file, '--wire', '--quiet');
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAIL maxFailovers: 1 promotion\(s\) of orders \(limit 0\)/);
  }, 120_000);

  it('exits 2 on bad input, before starting anything', async () => {
    const bad = join(dir, 'wire-bad.yaml');
    await writeFile(bad, GOOD.replace('duration: 10m', 'duration: 10 minutes'));
    const { code, stdout, stderr } = await lifeboat('replay', '--wire', 'scenarios/synthetic-cross-provider.yaml', bad);
    expect(code).toBe(2);
    expect(stderr).toMatch(/nothing replayed/);
    expect(stdout).toBe('');
    const flag = await lifeboat('replay', '--wire=yes', 'scenarios/synthetic-cross-provider.yaml');
    expect(flag.code).toBe(2);
  }, 60_000);
});

describe('lifeboat replay: bad input exits 2, says where, replays nothing', () => {
  const cases: [string, string, RegExp][] = [
    ['malformed.yaml', 'name: x\nduration: [1h\n', /malformed\.yaml:\d+:/],
    ['unknown-key.yaml', GOOD.replace('duration: 10m', 'duration: 10m\ndurration: 5m'), /unknown-key\.yaml:3: durration: unknown key \(did you mean duration\?\)/],
    ['unknown-zone.yaml', GOOD.replace('impair: { zone: use1-a', 'impair: { zone: use1-z'), /unknown-zone\.yaml:\d+: events\[0\]\.impair\.zone: unknown zone "use1-z"/],
    ['bad-duration.yaml', GOOD.replace('duration: 10m', 'duration: 10 minutes'), /bad-duration\.yaml:2: duration: .*10 minutes/],
    ['empty.yaml', '# nothing here\n', /empty\.yaml.*empty/],
    ['wrong-type.yaml', GOOD.replace('writes: 100', 'writes: lots'), /wrong-type\.yaml:\d+: topology\.databases\[0\]\.writes: /],
  ];
  it.each(cases)('%s', async (name, text, message) => {
    const file = join(dir, name);
    await writeFile(file, text);
    const good = join(dir, 'good-too.yaml');
    await writeFile(good, GOOD);
    const { code, stdout, stderr } = await lifeboat('replay', good, file);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/nothing replayed/);
    expect(stdout).toBe(''); // not even the good file was replayed
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace for a user mistake
  });

  it('rejects a bad policy file, a missing file and an unknown flag', async () => {
    const policy = join(dir, 'bad-policy.yaml');
    await writeFile(policy, 'probeInterval: soon\n');
    const bad = await lifeboat('replay', 'scenarios/synthetic-fast-flap.yaml', '--policy', policy);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad-policy\.yaml:1: probeInterval: /);
    const missing = await lifeboat('replay', join(dir, 'nope.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.yaml: cannot read/);
    const flag = await lifeboat('replay', 'scenarios/synthetic-fast-flap.yaml', '--jsn', 'x');
    expect(flag.code).toBe(2);
    expect(flag.stdout).toBe('');
  });
});
