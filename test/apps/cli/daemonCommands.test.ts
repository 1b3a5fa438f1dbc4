import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  describe('config check: hook programs', () => {
    /** A starter config with `hooks` appended; returns the file and the line of each hook's command. */
    async function withHooks(dir: string, hooks: Record<string, string>): Promise<{ file: string; lineOf: (hook: string) => number }> {
      const file = join(dir, 'lb.yaml');
      expect((await spawnCli(['init', '--out', file]).exited).code).toBe(0);
      const starter = readFileSync(file, 'utf8').replace(/\n*$/, '\n');
      const lines = Object.entries(hooks).map(([hook, program]) => `  ${hook}: { command: [${JSON.stringify(program)}, --flag] }`);
      writeFileSync(file, `${starter}hooks:\n${lines.join('\n')}\n`);
      const first = starter.split('\n').length + 1;
      return { file, lineOf: (hook) => first + Object.keys(hooks).indexOf(hook) };
    }

    test('an executable hook program passes; one found in PATH too', async () => {
      const dir = tmp();
      const script = join(dir, 'page.sh');
      writeFileSync(script, '#!/bin/sh\nexit 0\n');
      chmodSync(script, 0o755);
      const { file } = await withHooks(dir, { prePromote: script, postFailover: 'page.sh' });
      const check = spawnCli(['config', 'check', file], { PATH: `${join(dir, 'nothing-here')}:${dir}` });
      expect((await check.exited).code).toBe(0);
      expect(check.output()).toContain('valid');
    });

    test('a hook program that does not exist: exit 2 with file, line and key path', async () => {
      const dir = tmp();
      const missing = join(dir, 'no-such-hook.sh');
      const { file, lineOf } = await withHooks(dir, { postFailover: missing, roleChange: 'no-such-hook-in-path' });
      const check = spawnCli(['config', 'check', file], { PATH: dir });
      expect((await check.exited).code).toBe(2);
      expect(check.output()).toContain(`${file}:${lineOf('postFailover')}: hooks.postFailover.command[0]: ${missing} does not exist`);
      expect(check.output()).toContain(`${file}:${lineOf('roleChange')}: hooks.roleChange.command[0]: no-such-hook-in-path is not found in PATH (${dir}); give the program's absolute path`);
      expect(check.output()).not.toMatch(/\n\s+at /);
    });

    test('a hook program that is not a regular file: exit 2', async () => {
      const dir = tmp();
      const folder = join(dir, 'hooks.d');
      mkdirSync(folder);
      const { file, lineOf } = await withHooks(dir, { prePromote: folder });
      const check = spawnCli(['config', 'check', file]);
      expect((await check.exited).code).toBe(2);
      expect(check.output()).toContain(`${file}:${lineOf('prePromote')}: hooks.prePromote.command[0]: ${folder} is a directory, not a regular file`);
    });

    test('a hook program that is not executable: exit 2', async () => {
      const dir = tmp();
      const script = join(dir, 'pre.sh');
      writeFileSync(script, '#!/bin/sh\nexit 0\n');
      chmodSync(script, 0o644);
      const { file, lineOf } = await withHooks(dir, { prePromote: script });
      const check = spawnCli(['config', 'check', file]);
      expect((await check.exited).code).toBe(2);
      expect(check.output()).toContain(`${file}:${lineOf('prePromote')}: hooks.prePromote.command[0]: ${script} is not executable (mode 0644); chmod +x it`);
    });
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
