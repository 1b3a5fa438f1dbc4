import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  license: string;
  main: string;
  types: string;
  bin: Record<string, string>;
  exports: Record<string, { types: string; import: string }>;
};

/** What `npm pack` would put in the tarball (scripts off: `prepare` would build, and `npm test` has built already). */
function packed(): string[] {
  if (!existsSync(join(ROOT, 'dist', 'src', 'index.js'))) throw new Error('dist/ is not built: run `npm run build` (npm test does it) first');
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path).sort();
}

describe('the npm package', () => {
  const files = packed();
  const has = (path: string) => files.includes(path.replace(/^\.\//, ''));

  test('holds the license it declares, the JSON Schema, the adapters\' READMEs and the deploy files', () => {
    expect(pkg.license).toBe('Apache-2.0');
    expect(has('LICENSE')).toBe(true);
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^\s+Apache License\n\s+Version 2\.0, January 2004/);
    expect(license).toContain('END OF TERMS AND CONDITIONS');
    for (const path of ['README.md', 'BENCHMARKS.md', 'package.json', 'schema/lifeboat.config.schema.json', 'deploy/lifeboat.service', 'deploy/Dockerfile', 'bin/lifeboat.js']) {
      expect(has(path), path).toBe(true);
    }
    for (const adapter of ['aws', 'gcp', 'local', 'sim', 'emulators']) expect(has(`adapters/${adapter}/README.md`), adapter).toBe(true);
    expect(files.filter((f) => f.startsWith('scenarios/') && f.endsWith('.yaml')).length).toBeGreaterThanOrEqual(20);
  });

  test('holds every file its entry points name', () => {
    for (const path of [pkg.main, pkg.types, ...Object.values(pkg.bin), ...Object.values(pkg.exports).flatMap((e) => [e.types, e.import])]) {
      expect(has(path), path).toBe(true);
    }
    expect(has('dist/src/apps/cli/main.js')).toBe(true);
  });

  test('ships every repository file its docs point at', () => {
    const docs = ['README.md', 'adapters/aws/README.md', 'adapters/gcp/README.md'].map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
    const starter = readFileSync(join(ROOT, 'src/apps/daemon/config/starterConfig.ts'), 'utf8');
    const pointed = new Set([...`${docs}\n${starter}`.matchAll(/\b((?:adapters\/[a-z]+|schema|deploy)\/[\w.-]+\.(?:md|json|service)|deploy\/Dockerfile)\b/g)].map((m) => m[1]!));
    expect(pointed.size).toBeGreaterThanOrEqual(4);
    for (const path of pointed) expect(has(path), path).toBe(true);
  });

  test('holds no sources, source maps, tests or build leftovers', () => {
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => /\.(ts|tsx|mts)$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => /(^|\/)(test|node_modules|coverage)\//.test(f) || f.endsWith('.tsbuildinfo') || /\.test\./.test(f))).toEqual([]);
    for (const f of files.filter((x) => x.endsWith('.js')).slice(0, 2000)) {
      expect(readFileSync(join(ROOT, f), 'utf8'), f).not.toMatch(/sourceMappingURL/);
    }
  });

  test('runs from its own files: the packed CLI replays a shipped scenario', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-pack-'));
    try {
      const tarball = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const name = (JSON.parse(tarball) as { filename: string }[])[0]!.filename;
      execFileSync('tar', ['-xzf', join(dir, name), '-C', dir]);
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'package', 'node_modules'), 'dir');
      const run = spawnSync(process.execPath, ['bin/lifeboat.js', 'replay', 'scenarios/synthetic-power-loss.yaml', '--quiet'], { cwd: join(dir, 'package'), encoding: 'utf8', timeout: 60_000 });
      expect(run.status, run.stderr).toBe(0);
      const schema = spawnSync(process.execPath, ['bin/lifeboat.js', 'config', 'schema'], { cwd: join(dir, 'package'), encoding: 'utf8' });
      expect(JSON.parse(schema.stdout)).toEqual(JSON.parse(readFileSync(join(dir, 'package', 'schema', 'lifeboat.config.schema.json'), 'utf8')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
