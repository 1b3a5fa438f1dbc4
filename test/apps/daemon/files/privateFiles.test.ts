import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { fileNameFromId } from '../../../../src/apps/daemon/files/fileNameFromId.js';
import { pathInside, writePrivateFile } from '../../../../src/apps/daemon/files/privateFiles.js';

describe('file names from ids', () => {
  test('keep plain ids readable and make every other id one safe, distinct segment', () => {
    expect(fileNameFromId('orders-db_1')).toBe('orders-db_1');
    expect(fileNameFromId('x/../../../../tmp/outside/pwned')).toBe('x%2F%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2Ftmp%2Foutside%2Fpwned');
    for (const id of ['..', '.', '', 'a\\b', 'a\0b', 'é', '/etc/passwd', 'C:\\x']) {
      const name = fileNameFromId(id);
      expect(name).toMatch(/^[A-Za-z0-9_%~-]+$/);
      expect(name).not.toMatch(/^\.+$/);
    }
    expect(fileNameFromId('a/b')).not.toBe(fileNameFromId('a_b'));
    expect(fileNameFromId('a%2Fb')).not.toBe(fileNameFromId('a/b'));
  });

  test('long ids are cut and keep a digest, so they stay distinct and under file name limits', () => {
    const a = fileNameFromId(`${'/'.repeat(300)}a`);
    const b = fileNameFromId(`${'/'.repeat(300)}b`);
    expect(a.length).toBeLessThanOrEqual(120);
    expect(a).not.toBe(b);
  });
});

describe('private files', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  test('are written 0600 in folders created 0700, atomically', () => {
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-files-'));
    const folder = join(dir, 'state', 'reports');
    const path = writePrivateFile(folder, 'report.md', 'one');
    writePrivateFile(folder, 'report.md', 'two');
    expect(path).toBe(join(folder, 'report.md'));
    expect(readFileSync(path, 'utf8')).toBe('two');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'state')).mode & 0o777).toBe(0o700);
    expect(readdirSync(folder)).toEqual(['report.md']);
  });

  test('refuse names that leave their folder', () => {
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-files-'));
    for (const name of ['../x', '..', '.', '', 'a/b', '/etc/passwd', 'a\0b']) {
      expect(() => pathInside(dir!, name), name).toThrow(/not a plain file name/);
      expect(() => writePrivateFile(join(dir!, 'r'), name, 'x'), name).toThrow(/not a plain file name/);
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});
