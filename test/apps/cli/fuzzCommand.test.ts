import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** `lifeboat fuzz` through the built CLI in a child process (`npm run build` first). */
const bin = join(import.meta.dirname, '../../../bin/lifeboat.js');

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, 'fuzz', ...args], { timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-fuzz-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lifeboat fuzz', () => {
  it.each([
    [['--count', 'many'], '--count: expected a whole number'],
    [['--count', '0'], '--count: expected a whole number from 1'],
    [['--workers', '-1'], '--workers'],
    [['--duration', '5s'], '--duration: expected a duration from 10m to 3d'],
    [['--duration', '10d'], '--duration'],
    [['--shrink-replays', 'lots'], '--shrink-replays: expected a whole number'],
    [['--colour'], "Unknown option '--colour'"],
  ])('refuses %j with exit 2 and says why', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('--check replays scenario files against the invariants: exit 0 when every one holds, 2 for an invalid file with nothing replayed', async () => {
    const shipped = join(import.meta.dirname, '../../../scenarios/synthetic-old-primary-stopped-after-power-loss.yaml');
    const ok = await run(['--check', shipped]);
    expect(ok.stdout).toBe(`${shipped}: every invariant holds\n1/1 scenario(s) keep every invariant\n`);
    expect(ok.code).toBe(0);
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'name: x\nduration: 1h\n');
    const refused = await run(['--check', shipped, bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${bad}`);
    expect(refused.stdout).toBe('');
    expect((await run(['--check'])).code).toBe(2);
    const stray = await run([shipped]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('files go with --check');
  }, 120_000);

  it('refuses an --out that is a file, before replaying anything', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    const { code, stderr, stdout } = await run(['--out', file, '--count', '1']);
    expect(code).toBe(2);
    expect(stderr).toContain(`--out ${file}: exists and is not a directory`);
    expect(stdout).toBe('');
  });

  it('replays scenarios on two worker threads, reports progress and exits 0 without a violation', async () => {
    const out = join(dir, 'failures');
    const { code, stdout, stderr } = await run(['--count', '3', '--seed', '11', '--duration', '1h', '--workers', '2', '--out', out]);
    expect(stdout).toMatch(/^3 scenario\(s\) of 1h virtual from seed 11: 0 violation\(s\) \(\d+ scenarios\/min, 2 worker\(s\)\)\n$/);
    expect(stderr).toContain('lifeboat fuzz: 3/3 scenarios, 0 violation(s)');
    expect(code).toBe(0);
    expect(existsSync(out)).toBe(false);
  }, 120_000);
});
