import { readFileSync } from 'node:fs';

/**
 * This package's version, from its package.json: two folders up from the
 * sources, three from the build (`dist/src/...`).
 */
export function packageVersion(): string {
  for (const up of ['../../../package.json', '../../../../package.json']) {
    try {
      const json = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (json.name === 'lifeboat' && typeof json.version === 'string') return json.version;
    } catch {
      // Not there: the other layout.
    }
  }
  return 'unknown';
}
