import { readFileSync } from 'node:fs';

/**
 * The version in this package's `package.json` (three folders above this
 * file in the sources, four in `dist/`), or `unknown` when it cannot be read
 * (an unusual bundling).
 */
export function packageVersion(): string {
  for (const up of ['../../../package.json', '../../../../package.json']) {
    try {
      const parsed = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (parsed.name === 'lifeboat' && typeof parsed.version === 'string') return parsed.version;
    } catch {
      // try the next location
    }
  }
  return 'unknown';
}
