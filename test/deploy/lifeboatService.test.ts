import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const UNIT = fileURLToPath(new URL('../../deploy/lifeboat.service', import.meta.url));
const CLI = fileURLToPath(new URL('../../bin/lifeboat.js', import.meta.url));
/** Debian's `systemd` package (`.ci/run` installs it). */
const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';

/** The unit's `Key=value` lines of one section (repeated keys kept in order). */
function section(text: string, name: string): [string, string][] {
  const body = text.split(/^\[/m).find((s) => s.startsWith(`${name}]`)) ?? '';
  return body
    .split('\n')
    .slice(1)
    .filter((l) => /^[A-Za-z]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
}

/**
 * The unit with `ExecStart`'s `lifeboat` pointed at this checkout's CLI:
 * `systemd-analyze verify` checks that the command exists, and here no
 * `lifeboat` is installed in systemd's search path. Nothing else changes.
 */
function verifiableCopy(dir: string): string {
  const text = readFileSync(UNIT, 'utf8');
  expect(text).toMatch(/^ExecStart=lifeboat daemon /m);
  const file = join(dir, 'lifeboat.service');
  writeFileSync(file, text.replace(/^ExecStart=lifeboat /m, `ExecStart=${CLI} `));
  return file;
}

describe('systemd unit (deploy/lifeboat.service)', () => {
  test('runs the daemon as a dynamic user with the hardening options, restarts on failure, stops on SIGTERM', () => {
    const service = new Map<string, string[]>();
    for (const [k, v] of section(readFileSync(UNIT, 'utf8'), 'Service')) service.set(k, [...(service.get(k) ?? []), v]);
    const one = (key: string) => service.get(key)?.join(' ');
    expect(one('DynamicUser')).toBe('yes');
    expect(one('StateDirectory')).toBe('lifeboat');
    expect(one('StateDirectoryMode')).toBe('0700');
    expect(one('UMask')).toBe('0077');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('ProtectHome')).toBe('yes');
    expect(one('PrivateTmp')).toBe('yes');
    expect(one('CapabilityBoundingSet')).toBe('');
    expect(one('Restart')).toBe('on-failure');
    expect(one('RestartPreventExitStatus')).toBe('2');
    expect(one('KillSignal')).toBe('SIGTERM');
    expect(one('ExecStart')).toBe('lifeboat daemon --config /etc/lifeboat/lifeboat.yaml');
    expect(one('ExecReload')).toBe('kill -HUP $MAINPID');
    expect(section(readFileSync(UNIT, 'utf8'), 'Install')).toEqual([['WantedBy', 'multi-user.target']]);
  });

  test.skipIf(!existsSync(SYSTEMD_ANALYZE))('passes systemd-analyze verify without a warning, and its security exposure is low', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-unit-'));
    try {
      const file = verifiableCopy(dir);
      const verify = spawnSync(SYSTEMD_ANALYZE, ['verify', file], { encoding: 'utf8', cwd: dir });
      expect(`${verify.stdout}${verify.stderr}`).toBe('');
      expect(verify.status).toBe(0);
      // A misspelt key is only a warning to systemd (exit 0): the empty output above is what catches it.
      const broken = join(dir, 'broken.service');
      writeFileSync(broken, readFileSync(file, 'utf8').replace('NoNewPrivileges=yes', 'NoNewPrivilege=yes'));
      expect(spawnSync(SYSTEMD_ANALYZE, ['verify', broken], { encoding: 'utf8', cwd: dir }).stderr).toMatch(/Unknown key 'NoNewPrivilege'/);
      const security = execFileSync(SYSTEMD_ANALYZE, ['security', '--offline=true', '--no-pager', file], { encoding: 'utf8', cwd: dir });
      const exposure = Number(/Overall exposure level for lifeboat\.service: ([\d.]+)/.exec(security)?.[1]);
      expect(exposure).toBeLessThanOrEqual(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
