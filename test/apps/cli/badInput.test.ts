import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Every bad input of issue 11 through the real CLI in a child process: exit
 * 2, a message naming the file and the limit or the line, within seconds
 * and under 200 MB of memory. A hang is cut off by the timeout and fails.
 */
const root = join(import.meta.dirname, '../../..');
const bin = join(root, 'bin/lifeboat.js');
const GNU_TIME = '/usr/bin/time';
const TIMEOUT_MS = 10_000;
const MAX_RSS_KB = 200 * 1024;

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly wallMs: number;
  /** Peak resident memory, when GNU time is installed to measure it. */
  readonly peakKb?: number;
}

let dir = '';
let measure = false;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-cli-bad-input-'));
  if (existsSync(GNU_TIME)) {
    try {
      execFileSync(GNU_TIME, ['-f', '%M', 'true'], { stdio: 'pipe' });
      measure = true;
    } catch {
      // A BusyBox `time` takes no -f: run without measuring (the heap cap below still bounds memory).
    }
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `lifeboat ...args` with a V8 heap cap, a wall-clock timeout and, where possible, a peak-RSS measurement. */
function lifeboat(...args: string[]): Promise<Outcome> {
  const rssFile = join(dir, `rss-${Math.random().toString(36).slice(2)}.txt`);
  // The heap cap makes a run that would eat gigabytes crash (exit code not 2) instead of slowly swapping.
  const node = [process.execPath, '--max-old-space-size=160', bin, ...args];
  const [command, argv] = measure ? [GNU_TIME, ['-f', '%M', '-o', rssFile, ...node]] : [node[0]!, node.slice(1)];
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(command, argv, { cwd: dir, timeout: TIMEOUT_MS, killSignal: 'SIGKILL' }, async (error, stdout, stderr) => {
      const wallMs = performance.now() - started;
      const code = error ? ((error as { code?: number | null }).code ?? null) : 0;
      const peakKb = measure ? Number((await readFile(rssFile, 'utf8').catch(() => '')).trim().split('\n').pop()) : undefined;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr, wallMs, ...(peakKb !== undefined && Number.isFinite(peakKb) ? { peakKb } : {}) });
    });
  });
}

/** The common verdict: refused with exit 2, quickly, within memory, with `message` and no stack trace. */
function expectRefused(outcome: Outcome, message: string | RegExp): void {
  expect(outcome.code, `stderr:\n${outcome.stderr}`).toBe(2);
  if (typeof message === 'string') expect(outcome.stderr).toContain(message);
  else expect(outcome.stderr).toMatch(message);
  expect(outcome.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(outcome.wallMs).toBeLessThan(TIMEOUT_MS);
  if (measure) expect(outcome.peakKb, 'GNU time gave no peak RSS').toBeGreaterThan(0);
  if (outcome.peakKb !== undefined) expect(outcome.peakKb).toBeLessThan(MAX_RSS_KB);
}

const SMALL = (duration: string, nodesPerZone: number) => `name: small
duration: ${duration}
topology:
  providers:
    - id: aws
      regions:
        - id: r1
          zones: [a, b, c]
  groups:
    - id: web
      provider: aws
      region: r1
      nodes: { a: ${nodesPerZone}, b: ${nodesPerZone}, c: ${nodesPerZone} }
  databases:
    - id: db
      primary: { provider: aws, region: r1, zone: a }
      replicas:
        - { id: db-b, provider: aws, region: r1, zone: b, mode: sync }
events:
  - at: 10m
    impair: { zone: a, mode: unreachable }
`;

describe('lifeboat replay: files that are not regular files', () => {
  it.skipIf(process.platform === 'win32')('refuses a FIFO scenario, a FIFO policy and /dev/zero instead of hanging', async () => {
    const fifo = join(dir, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    const zero = join(dir, 'zero.yaml');
    execFileSync('ln', ['-s', '/dev/zero', zero]);
    const good = join(dir, 'good.yaml');
    await writeFile(good, SMALL('1h', 1));
    expectRefused(await lifeboat('replay', fifo), `${fifo}: cannot read the file: it is a named pipe (FIFO), not a regular file`);
    expectRefused(await lifeboat('replay', zero), `${zero}: cannot read the file: it is a character device, not a regular file`);
    expectRefused(await lifeboat('replay', good, '--policy', fifo), `${fifo}: cannot read the file: it is a named pipe (FIFO)`);
  });

  it.skipIf(process.platform === 'win32')('refuses a FIFO inside a scenario folder, and replays nothing of the folder', async () => {
    const folder = join(dir, 'folder-with-fifo');
    await mkdir(folder);
    await writeFile(join(folder, 'a-good.yaml'), SMALL('1h', 1));
    execFileSync('mkfifo', [join(folder, 'b-pipe.yaml')]);
    const outcome = await lifeboat('replay', folder);
    expectRefused(outcome, 'b-pipe.yaml: cannot read the file: it is a named pipe (FIFO)');
    expect(outcome.stdout).toBe('');
  });
});

describe('lifeboat replay: huge input', () => {
  it('refuses a 10 MB file of 200,000 events by its size, before reading it', async () => {
    const huge = join(dir, 'events-200k.yaml');
    const events = Array.from({ length: 200_000 }, (_, i) => `  - { at: ${i % 3600}s, recover: { zone: a } }`);
    await writeFile(huge, `${SMALL('1h', 1)}${events.join('\n')}\n`);
    expectRefused(await lifeboat('replay', huge), /events-200k\.yaml: the file is \d+(\.\d)? MiB, over the size limit of 256 KiB for this kind of file/);
  });

  it('refuses a 1000-day scenario before replaying it', async () => {
    const long = join(dir, 'duration-1000d.yaml');
    await writeFile(long, SMALL('1000d', 1));
    const outcome = await lifeboat('replay', long);
    expectRefused(outcome, 'duration-1000d.yaml:2: duration: 1000d0h of virtual time, over the scenario limit of 3d0h');
    expect(outcome.stdout).toBe('');
  });

  it('refuses ten million nodes before building them', async () => {
    const many = join(dir, 'nodes-1e7.yaml');
    await writeFile(many, SMALL('1h', 3_333_334));
    expectRefused(await lifeboat('replay', many), 'nodes-1e7.yaml:9: topology.groups: 10000002 nodes in node groups (initial size or minHealthy, the larger), over the scenario limit of 1000 nodes');
  });

  it('refuses a scenario that --policy makes too expensive (a 1 ms probeInterval)', async () => {
    const day = join(dir, 'one-day.yaml');
    await writeFile(day, SMALL('24h', 10));
    const policy = join(dir, 'probe-every-ms.yaml');
    await writeFile(policy, 'probeInterval: 1ms\n');
    expectRefused(await lifeboat('replay', day, '--policy', policy), /one-day\.yaml: duration: about 2765 million probe checks .* over the scenario limit of 50 million probe checks .*\(with --policy .*probe-every-ms\.yaml\)/);
  });
});

describe('lifeboat replay: --json checked before any replay', () => {
  it('refuses a report in a missing folder at once, without replaying', async () => {
    const outcome = await lifeboat('replay', join(root, 'scenarios/aws-us-east-1-2011-04-21.yaml'), '--json', join(dir, 'no-such-folder/report.json'));
    expectRefused(outcome, `--json ${join(dir, 'no-such-folder/report.json')}: cannot write the file: its folder ${join(dir, 'no-such-folder')} does not exist`);
    expect(outcome.stdout).toBe('');
    // The 24 h 2011 scenario replays in over a second; refusing takes about as long as starting Node.
    expect(outcome.wallMs).toBeLessThan(5_000);
  });

  it('refuses a report path that is a directory, or under a file', async () => {
    const good = join(dir, 'for-json.yaml');
    await writeFile(good, SMALL('1h', 1));
    expectRefused(await lifeboat('replay', good, '--json', dir), `--json ${dir}: cannot write the file: it is a directory`);
    expectRefused(await lifeboat('replay', good, '--json', join(good, 'report.json')), 'cannot write the file: a parent in the path is a file, not a folder');
  });
});

describe('lifeboat replay: malformed text', () => {
  it('refuses invalid UTF-8 with its line', async () => {
    const latin1 = join(dir, 'latin1.yaml');
    await writeFile(latin1, Buffer.concat([Buffer.from('name: x\nduration: 1h\ndescription: Z'), Buffer.from([0xfc]), Buffer.from('rich\n')]));
    expectRefused(await lifeboat('replay', latin1), 'latin1.yaml:3: not valid UTF-8: byte 0xFC at byte 15 of the line');
  });

  it('refuses an alias bomb with the line of the alias', async () => {
    const bomb = join(dir, 'alias-bomb.yaml');
    const levels = ['l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(`l${i}: &l${i} [${Array.from({ length: 10 }, () => `*l${i - 1}`).join(', ')}]`);
    await writeFile(bomb, `${levels.join('\n')}\n`);
    expectRefused(await lifeboat('replay', bomb), /alias-bomb\.yaml:\d+: alias \*l\d expands too much: more than 100 alias expansions \(the alias limit; an alias bomb\?\)/);
  });

  it('refuses deep nesting with a line', async () => {
    const deep = join(dir, 'nesting-100k.json');
    await writeFile(deep, `{\n"name": "x",\n"topology": ${'['.repeat(100_000)}${']'.repeat(100_000)}\n}`);
    expectRefused(await lifeboat('replay', deep), 'nesting-100k.json:3: malformed JSON: nesting too deep: more than 64 levels of objects and arrays (the nesting depth limit)');
  });

  it('replays a scenario written with a YAML merge key', async () => {
    const merged = join(dir, 'merge-key.yaml');
    await writeFile(merged, SMALL('1h', 1).replace('      primary: { provider: aws', '      primary: &home { provider: aws').replace('        - { id: db-b, provider: aws, region: r1, zone: b, mode: sync }', '        - { <<: *home, id: db-b, zone: b, mode: sync }'));
    const outcome = await lifeboat('replay', merged, '--quiet');
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('1/1 scenario(s) passed');
  });
});

describe('lifeboat config check / daemon: config files', () => {
  it.skipIf(process.platform === 'win32')('refuses a FIFO, /dev/zero and a huge file as the daemon config', async () => {
    const fifo = join(dir, 'config-pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    const zero = join(dir, 'config-zero.yaml');
    execFileSync('ln', ['-s', '/dev/zero', zero]);
    const huge = join(dir, 'config-huge.yaml');
    await writeFile(huge, `# ${'x'.repeat(1024 * 1024)}\n`);
    expectRefused(await lifeboat('config', 'check', fifo), `${fifo}: cannot read the file: it is a named pipe (FIFO), not a regular file`);
    expectRefused(await lifeboat('daemon', '--config', zero), `${zero}: cannot read the file: it is a character device, not a regular file`);
    expectRefused(await lifeboat('config', 'check', huge), `${huge}: the file is 1 MiB, over the size limit of 256 KiB for this kind of file`);
  });

  it.skipIf(process.platform === 'win32')('refuses a FIFO where the journal should be, before starting', async () => {
    const state = join(dir, 'state-with-fifo');
    await mkdir(state);
    execFileSync('mkfifo', [join(state, 'journal.json')]);
    const config = join(dir, 'fifo-journal.yaml');
    const starter = join(dir, 'starter.yaml');
    expect((await lifeboat('init', '--out', starter)).code).toBe(0);
    const text = (await readFile(starter, 'utf8')).replace('127.0.0.1:7400', '127.0.0.1:0').replace('journal: lifeboat-state/journal.json', 'journal: state-with-fifo/journal.json');
    await writeFile(config, text);
    expectRefused(await lifeboat('daemon', '--config', config), `lifeboat daemon: journal ${join(state, 'journal.json')}: cannot read the file: it is a named pipe (FIFO), not a regular file`);
  });

  it.skipIf(process.platform === 'win32')('refuses a FIFO where the webhook outbox lock should be, before starting', async () => {
    const state = join(dir, 'state-with-outbox-fifo');
    await mkdir(state);
    execFileSync('mkfifo', [join(state, 'journal.json.outbox.lock')]);
    const config = join(dir, 'fifo-outbox.yaml');
    const starter = join(dir, 'starter-outbox.yaml');
    expect((await lifeboat('init', '--out', starter)).code).toBe(0);
    const text = (await readFile(starter, 'utf8')).replace('127.0.0.1:7400', '127.0.0.1:0').replace('journal: lifeboat-state/journal.json', 'journal: state-with-outbox-fifo/journal.json');
    await writeFile(config, text);
    expectRefused(await lifeboat('daemon', '--config', config), `lifeboat daemon: webhook outbox lock ${join(state, 'journal.json.outbox.lock')}: cannot read the file: it is a named pipe (FIFO), not a regular file`);
  });
});

describe('lifeboat demo: --json checked before the drill', () => {
  it('refuses a report in a missing folder without starting anything', async () => {
    const report = join(dir, 'no-such-folder/drill.json');
    expectRefused(await lifeboat('demo', '--json', report), `lifeboat demo: --json ${report}: cannot write the file: its folder ${join(dir, 'no-such-folder')} does not exist`);
  });
});
