import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { spawnCli } from '../daemon/daemonProcess.js';

describe('lifeboat init / config check / daemon (real CLI)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'lifeboat-cli-'));
    dirs.push(d);
    return d;
  };

  test('init writes a config that config check accepts, and never overwrites', async () => {
    const dir = tmp();
    const out = join(dir, 'lb.yaml');
    const init = spawnCli(['init', '--out', out]);
    expect((await init.exited).code).toBe(0);
    const check = spawnCli(['config', 'check', out]);
    expect((await check.exited).code).toBe(0);
    expect(check.output()).toContain('valid (1 provider(s), 1 region(s), 1 group(s))');
    const again = spawnCli(['init', '--out', out]);
    expect((await again.exited).code).toBe(2);
    expect(again.output()).toContain('it exists already');
  });

  test('config check: exit 2 with file, line and key path, no stack trace', async () => {
    const dir = tmp();
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'providers: []\nprotect: { regions: [] }\njournal: j\naudit: a\nextra: 1\n');
    const check = spawnCli(['config', 'check', file]);
    expect((await check.exited).code).toBe(2);
    expect(check.output()).toContain(`${file}:1: providers: expected a non-empty list`);
    expect(check.output()).toContain(`${file}:5: extra: unknown key`);
    expect(check.output()).not.toMatch(/\n\s+at /);
  });

  test('the daemon refuses to listen beyond loopback without a token (exit 2)', async () => {
    const dir = tmp();
    const file = join(dir, 'lb.yaml');
    expect((await spawnCli(['init', '--out', file]).exited).code).toBe(0);
    writeFileSync(file, readFileSync(file, 'utf8').replace('listen: 127.0.0.1:7400', 'listen: 0.0.0.0:0'));
    const daemon = spawnCli(['daemon', '--config', file], { LIFEBOAT_API_TOKEN: '' });
    expect((await daemon.exited).code).toBe(2);
    expect(daemon.output()).toContain('refusing to listen on 0.0.0.0 without an API token');
  });
});
