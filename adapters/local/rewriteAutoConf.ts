import fs from 'node:fs/promises';
import path from 'node:path';
import { writeOwnedFile, type FileOwner } from './writeOwnedFile.js';

/**
 * Rewrites `postgresql.auto.conf` (only while the server is down): drops
 * the keys in `settings`, then appends those whose value is not `null`.
 */
export async function rewriteAutoConf(
  dataDir: string,
  settings: Readonly<Record<string, string | null>>,
  owner: FileOwner,
): Promise<void> {
  const file = path.join(dataDir, 'postgresql.auto.conf');
  let lines: string[] = [];
  try {
    lines = (await fs.readFile(file, 'utf8')).split('\n');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const keys = new Set(Object.keys(settings));
  const kept = lines.filter((line) => {
    const key = /^\s*([a-z_]+)\s*=/.exec(line)?.[1];
    return line.trim() !== '' && (key === undefined || !keys.has(key));
  });
  for (const [key, value] of Object.entries(settings)) {
    if (value !== null) kept.push(`${key} = '${value.replaceAll("'", "''")}'`);
  }
  await writeOwnedFile(file, kept.join('\n') + '\n', owner);
}
