import fs from 'node:fs/promises';
import path from 'node:path';
import { NODE_SERVICE_SCRIPT } from './nodeServiceScript.js';
import { Watchdog } from './Watchdog.js';
import type { FileOwner } from './writeOwnedFile.js';

/**
 * The local adapter's working directory, made under `tmpDir`: `pids/`,
 * `logs/`, `routers/` (endpoint configs and sockets) and `db/` (owned by
 * the server's user when that is not us), the
 * node service script, and the watchdog that cleans it all up should this
 * process die. Nothing is left behind when this fails.
 */
export async function prepareWorkDir(tmpDir: string, owner: FileOwner): Promise<{ root: string; watchdog: Watchdog }> {
  const root = await fs.mkdtemp(path.join(tmpDir, 'lifeboat-local-'));
  let watchdog: Watchdog | undefined;
  try {
    for (const dir of ['pids', 'logs', 'db', 'routers']) await fs.mkdir(path.join(root, dir), { mode: 0o700 });
    if (owner) {
      // initdb runs as the server's user and creates the data dir: it must reach and write `db/`.
      await fs.chown(root, owner.uid, owner.gid);
      await fs.chown(path.join(root, 'db'), owner.uid, owner.gid);
    }
    await fs.writeFile(path.join(root, 'node-service.cjs'), NODE_SERVICE_SCRIPT, { mode: 0o600 });
    watchdog = await Watchdog.start(root);
  } catch (error) {
    watchdog?.stop();
    await fs.rm(root, { recursive: true, force: true });
    throw error;
  }
  return { root, watchdog };
}
