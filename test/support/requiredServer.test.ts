import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findOnPath, underCi } from './requiredServer.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs the fixture file in a child vitest with the given CI variable; returns its JSON report. */
function runFixture(ci: string | undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-required-'));
  dirs.push(dir);
  const config = join(dir, 'vitest.config.mjs');
  // A plain object: no import to resolve from the temp dir.
  writeFileSync(config, `export default { test: { root: ${JSON.stringify(ROOT)}, include: ['test/support/fixtures/needsMissingServer.fixture.ts'] } };\n`);
  const report = join(dir, 'report.json');
  const env = { ...process.env };
  delete env['CI'];
  delete env['VITEST'];
  delete env['VITEST_WORKER_ID'];
  delete env['VITEST_POOL_ID'];
  if (ci !== undefined) env['CI'] = ci;
  const child = spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', config, '--reporter=json', `--outputFile=${report}`], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const json = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
  return { status: child.status, ...json };
}

describe('requiredServer', () => {
  it('under CI, a missing server fails the run instead of skipping its tests', () => {
    const run = runFixture('true');
    expect(run.status).toBe(1);
    expect(run.numFailedTests).toBe(1);
    expect(run.numPassedTests).toBe(0);
  });

  it('outside CI, a missing server skips its tests visibly and the run passes', () => {
    const run = runFixture(undefined);
    expect(run.status).toBe(0);
    expect(run.numFailedTests).toBe(0);
    // The file's own test and the one naming what is missing.
    expect(run.numPendingTests).toBe(2);
  });

  it('finds an executable on PATH as a shell would, and only an executable one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-path-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'tool'), '#!/bin/sh\n');
    writeFileSync(join(dir, 'data'), '');
    chmodSync(join(dir, 'tool'), 0o755);
    chmodSync(join(dir, 'data'), 0o644);
    expect(findOnPath('tool', `/nonexistent:${dir}`)).toBe(join(dir, 'tool'));
    expect(findOnPath('tool', '/nonexistent')).toBeUndefined();
    // Root may read anything, but a file without an execute bit is still not a command.
    expect(findOnPath('data', dir)).toBeUndefined();
  });

  it('reads CI as GitHub Actions and GitLab set it, and ignores an explicit false', () => {
    expect(underCi({ CI: 'true' })).toBe(true);
    expect(underCi({ CI: '1' })).toBe(true);
    expect(underCi({ CI: 'false' })).toBe(false);
    expect(underCi({ CI: '0' })).toBe(false);
    expect(underCi({})).toBe(false);
  });
});
