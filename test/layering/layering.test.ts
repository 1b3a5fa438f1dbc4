import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layering rules of the README's layout section, checked on the source:
 * the core (contract, clock, health, controller, util) imports neither an
 * application nor an adapter; adapters never import an application; health
 * never imports the controller (health is an input of the controller); an
 * application reaches adapters only through the registry
 * (`adapters/registry.ts`) or an adapter's public `index.ts`.
 */
const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Every relative module a file imports (static, re-export or dynamic), as a path from the repository root. */
export function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [
    ...text.matchAll(/\b(?:import|export)\b[^'";]*?\bfrom\s*['"](\.[^'"]+)['"]/g),
    ...text.matchAll(/\bimport\s*\(\s*['"](\.[^'"]+)['"]\s*\)/g),
    ...text.matchAll(/^\s*import\s*['"](\.[^'"]+)['"]/gm),
  ].map((m) => m[1]!);
  return specs.map((spec) => relative(ROOT, resolve(ROOT, dirname(file), spec)).split('\\').join('/'));
}

function violations(from: string, forbidden: readonly string[]): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(from)) {
    for (const target of importsOf(file)) {
      if (forbidden.some((prefix) => target === prefix || target.startsWith(`${prefix}/`))) found.push(`${file} imports ${target}`);
    }
  }
  return found;
}

/** The modules of `adapters/` an application may import: the registry, and each adapter's public index. */
export function isPublicAdapterModule(target: string): boolean {
  return /^adapters\/(registry|[^/]+\/index)\.js$/.test(target);
}

/** Imports of `adapters/` modules other than the public ones, by the files under `from`. */
function deepAdapterImports(from: string): string[] {
  return violations(from, ['adapters']).filter((line) => !isPublicAdapterModule(line.slice(line.lastIndexOf(' imports ') + ' imports '.length)));
}

describe('layering', () => {
  it('the core imports no application and no adapter', () => {
    expect(violations('src/core', ['src/apps', 'adapters'])).toEqual([]);
  });

  it('adapters import no application', () => {
    expect(violations('adapters', ['src/apps'])).toEqual([]);
  });

  it('applications import adapters only through the registry or an adapter\'s index.ts', () => {
    expect(deepAdapterImports('src/apps')).toEqual([]);
  });

  it('health does not import the controller', () => {
    expect(violations('src/core/health', ['src/core/controller'])).toEqual([]);
  });

  it('the checks see imports at all (a rule that cannot fail is no rule)', () => {
    expect(importsOf('src/core/controller/decide.ts')).toContain('src/core/controller/Policy.js');
    expect(violations('src/apps', ['adapters']).length).toBeGreaterThan(0);
    // The public-entry rule tells a deep import from a public one, and the scan finds deep ones where they are allowed (tests).
    expect(isPublicAdapterModule('adapters/registry.js')).toBe(true);
    expect(isPublicAdapterModule('adapters/local/index.js')).toBe(true);
    expect(isPublicAdapterModule('adapters/local/LocalProvider.js')).toBe(false);
    expect(isPublicAdapterModule('adapters/sim/index/SimWorld.js')).toBe(false);
    expect(deepAdapterImports('test').length).toBeGreaterThan(0);
  });
});
