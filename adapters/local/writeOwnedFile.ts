import fs from 'node:fs/promises';

/** The OS user PostgreSQL runs as when we are root; `undefined` when we are not root. */
export type FileOwner = { readonly uid: number; readonly gid: number } | undefined;

/** Writes a file the server's user can read (PostgreSQL refuses group/world-readable data files). */
export async function writeOwnedFile(file: string, content: string, owner: FileOwner): Promise<void> {
  await fs.writeFile(file, content, { mode: 0o600 });
  if (owner) await fs.chown(file, owner.uid, owner.gid);
}

