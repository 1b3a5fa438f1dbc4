import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ProviderError } from '../../src/core/contract/errors.js';
import type { FileOwner } from './writeOwnedFile.js';

const run = promisify(execFile);

/**
 * The OS user PostgreSQL runs as: ourselves, unless we are root, which
 * PostgreSQL refuses; then `postgres`, created on request.
 */
export async function resolveServerOwner(create: boolean): Promise<FileOwner> {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = async () => {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  try {
    return await lookup();
  } catch (error) {
    if (!create) {
      throw new ProviderError(
        'terminal',
        'running as root, but there is no "postgres" user for PostgreSQL to run as (it refuses root): create one, or pass createPostgresUser: true',
        { provider: 'local', operation: 'start', cause: error },
      );
    }
  }
  await run('groupadd', ['--system', 'postgres']).catch(() => undefined);
  await run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
  return lookup();
}
